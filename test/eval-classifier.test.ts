import { describe, expect, it } from 'vitest';
import { defaultContentRoot } from '../src/content/load-content';
import { evaluate } from '../src/nlu/evaluation';
import { NONE_INTENT } from '../src/content/intents-content';
import { MessageReader } from '../src/nlu/message-reader';
import { trainingExamples } from '../src/nlu/recognizer';
import { dress, type Dressing } from '../scripts/eval/dress';
import { evalSets, readAs } from '../scripts/eval';
import { nlpjsPeer } from '../scripts/eval/nlpjs-peer';
import { content, recognizer } from './helpers/bot-harness';

const sets = evalSets(defaultContentRoot());
const reader = new MessageReader(recognizer, content.classifier, content.phrases);

describe('the dressed variants of the held-out set (scripts/eval/dress.ts)', () => {
  const dressing: Dressing = { preambles: ['Hej, jeg har et spørgsmål.'], signOffs: ['Mvh Inger'] };
  it('are the same on every run, and each changes the text as its name says', () => {
    const text = 'Hvordan bestiller jeg en kodeviser til min mor på Østerbro';
    expect(dress(text, 'typos', dressing)).toBe(dress(text, 'typos', dressing));
    expect(dress(text, 'preamble', dressing)).toBe(`Hej, jeg har et spørgsmål. ${text}?`);
    expect(dress(text, 'sign-off', dressing)).toBe(`${text}? Mvh Inger`);
    expect(dress(text, 'ascii', dressing)).not.toMatch(/[æøåÆØÅ]/);
    expect(dress('Hvad er det, NemID?', 'lowercase', dressing)).toBe('hvad er det nemid');
    const typed = dress(text, 'typos', dressing).split(' ');
    text.split(' ').forEach((word, i) => {
      if (word.length >= 6) expect(typed[i]).not.toBe(word);
      else expect(typed[i]).toBe(word);
    });
  });
});

describe('free text as people write it (npm run eval, in the test run)', () => {
  it.each(sets.map((s) => [s.name, s] as const))('%s: top-1 and out-of-scope recall at least 90 %%', (_name, set) => {
    const predicted = set.texts.map((t) => readAs(reader, t));
    const report = evaluate(set.gold, predicted);
    expect(report.accuracy).toBeGreaterThanOrEqual(0.9);
    expect(report.outOfScopeRecall).toBeGreaterThanOrEqual(0.9);
  });

  it('the project is at least 3 points above NLP.js in top-1 on every set, and no worse in out-of-scope recall', async () => {
    const peer = await nlpjsPeer(trainingExamples(content.intents), NONE_INTENT);
    for (const set of sets) {
      const ours = evaluate(set.gold, set.texts.map((t) => readAs(reader, t)));
      const theirs: string[] = [];
      for (const text of set.texts) theirs.push(await peer.classify(text));
      const report = evaluate(set.gold, theirs);
      expect(ours.accuracy - report.accuracy, set.name).toBeGreaterThanOrEqual(0.03);
      expect(ours.outOfScopeRecall, set.name).toBeGreaterThanOrEqual(report.outOfScopeRecall);
    }
  }, 60_000);
});
