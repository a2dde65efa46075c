/**
 * `npm run classify -- "kan jeg beholde nemid"`: the recognizer's scores for the whole text, its
 * decision, and how the bot reads the message (each sentence, a person asked for) as JSON.
 */
import { loadContent } from '../src/content/load-content';
import { MessageReader } from '../src/nlu/message-reader';
import { IntentRecognizer } from '../src/nlu/recognizer';

const text = process.argv.slice(2).join(' ').trim();
if (!text) {
  process.stderr.write('Brug / usage: npm run classify -- "kan jeg beholde nemid"\n');
  process.exit(2);
}
const content = loadContent();
const recognizer = new IntentRecognizer(content.intents, content.classifier);
const result = recognizer.recognize(text);
const top = Object.fromEntries(Object.entries(result.intents).slice(0, 5));
const reading = new MessageReader(recognizer, content.classifier, content.phrases).read(text);
process.stdout.write(
  `${JSON.stringify({ ...result, intents: top, decision: recognizer.decide(result), reading: { decisions: reading.decisions, ...(reading.person ? { person: reading.person } : {}) } }, null, 2)}\n`,
);
