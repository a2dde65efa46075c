import { MemoryStorage } from 'botbuilder';
import { describe, expect, it } from 'vitest';
import type { Content } from '../src/content/load-content';
import { Conversation, content, testBot } from './helpers/bot-harness';

function botOn(storage: MemoryStorage, withContent: Content) {
  return testBot(storage, { content: withContent });
}

describe('a guide changed while conversations are under way', () => {
  it('restarts them cleanly with a short message instead of failing', async () => {
    const storage = new MemoryStorage();
    const before = new Conversation({ bot: botOn(storage, content) });
    await before.say('Hjælp mig med at få MitID');
    await before.say('ja'); // at Q3

    // A content editor removed Q3 and sent Q2's "ja" straight to O2.
    const edited = structuredClone(content);
    const q2 = edited.guide.nodes.Q2!;
    if (q2.kind !== 'question') throw new Error('Q2 must be a question');
    q2.answers.ja = { variants: [{ value: 'O2' }] };
    delete edited.guide.nodes.Q3;
    edited.guideVersion = 'edited';

    const after = new Conversation({ bot: botOn(storage, edited) });
    const said = await after.say('ja');
    expect(said.map((r) => r.text)).toEqual([
      'Guiden er lige blevet opdateret, så vi starter forfra.',
      expect.stringMatching(/^\*\*Trin 1: Se om du kan oprette MitID selv\*\*\n\n.*NemID lukkede endeligt 30\. juni 2023/),
      'Har du et gyldigt dansk eller udenlandsk pas eller ID-kort med chip?',
    ]);
    expect((await after.say('ja'))[0]!.text).toContain('MitID appen kan aflæse en chip');
  });

  it('keeps conversations going when the guide is unchanged', async () => {
    const storage = new MemoryStorage();
    const first = new Conversation({ bot: botOn(storage, content) });
    await first.say('Hjælp mig med at få MitID');
    const second = new Conversation({ bot: botOn(storage, structuredClone(content)) });
    expect((await second.say('ja'))[0]!.text).toContain('smartphone, som kan scanne pas');
  });
});
