/** `npm run classify -- "kan jeg beholde nemid"`: the recognizer's result and decision as JSON. */
import { loadContent } from '../src/content/load-content';
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
process.stdout.write(`${JSON.stringify({ ...result, intents: top, decision: recognizer.decide(result) }, null, 2)}\n`);
