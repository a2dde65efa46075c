import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTranscripts, runTranscript } from './helpers/transcripts';

// Conversations written by someone who had not seen the bot's code, as citizens write
// (test/eval/conversations). Not every turn has to be right, as with any measure of language;
// `npm run conversations` lists the ones that are not.
const MIN_RIGHT = 0.95;

describe('conversations written as citizens write', () => {
  it(`get at least ${MIN_RIGHT * 100} % of their turns right`, async () => {
    const all = loadTranscripts(path.join(__dirname, 'eval', 'conversations'));
    let turns = 0;
    let right = 0;
    for (const { conversation } of all) {
      const outcomes = await runTranscript(conversation);
      turns += outcomes.length;
      right += outcomes.filter((o) => o.problems.length === 0).length;
    }
    expect(turns).toBeGreaterThan(200);
    expect(right / turns).toBeGreaterThanOrEqual(MIN_RIGHT);
  });
});
