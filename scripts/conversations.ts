/**
 * `npm run conversations [-- DIR]`: runs the YAML conversations under test/eval/conversations (or
 * DIR) against the real bot and prints how many turns were right, with each wrong turn.
 */
import path from 'node:path';
import { loadTranscripts, runTranscript } from '../test/helpers/transcripts';

// `npm run conversations | head` closes the pipe early; that is no error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

async function main(): Promise<void> {
  const dir = path.resolve(process.argv[2] ?? path.join(__dirname, '..', 'test', 'eval', 'conversations'));
  const all = loadTranscripts(dir);
  let turns = 0;
  let right = 0;
  let wholeRight = 0;
  for (const { file, conversation } of all) {
    const outcomes = await runTranscript(conversation);
    turns += outcomes.length;
    const good = outcomes.filter((o) => o.problems.length === 0).length;
    right += good;
    if (good === outcomes.length) wholeRight++;
    outcomes.forEach((o, i) => {
      for (const problem of o.problems) process.stdout.write(`✗ ${file} · ${conversation.name} · turn ${i + 1} "${o.user}": ${problem}\n`);
    });
  }
  const pct = (n: number, of: number) => `${((100 * n) / Math.max(1, of)).toFixed(1)} %`;
  process.stdout.write(`\n${all.length} conversations, ${turns} turns: ${right} turns right (${pct(right, turns)}), ${wholeRight} conversations right from start to end (${pct(wholeRight, all.length)})\n`);
}

void main();
