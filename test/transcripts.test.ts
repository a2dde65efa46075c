import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTranscripts, runTranscript } from './helpers/transcripts';

// Conversations a content editor can read and extend: test/transcripts/*.yaml (the format is
// described in test/helpers/transcripts.ts).
const transcripts = loadTranscripts(path.join(__dirname, 'transcripts'));

describe.each([...new Set(transcripts.map((t) => t.file))])('%s', (file) => {
  it.each(transcripts.filter((t) => t.file === file).map((t) => [t.conversation.name, t.conversation] as const))('%s', async (_name, conversation) => {
    const outcomes = await runTranscript(conversation);
    const wrong = outcomes.flatMap((o, i) => o.problems.map((p) => `turn ${i + 1} "${o.user}": ${p}`));
    expect(wrong).toEqual([]);
  });
});
