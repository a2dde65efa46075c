import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MemoryStorage, TestAdapter, TurnContext, type Activity, type StoreItems } from 'botbuilder';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { danishToday, fixedClock } from '../src/clock';
import { jsonOf, STORED_JSON, withJson, WRITTEN_JSON } from '../src/storage/bot-storage';
import { FileStorage } from '../src/storage/file-storage';
import { GuardedConversationState } from '../src/storage/guarded-state';
import { content, Conversation } from './helpers/bot-harness';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'mitid-turn-path-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** A FileStorage that counts its writes. */
function countingStorage(): { storage: FileStorage; writes: StoreItems[] } {
  const storage = new FileStorage({ directory: dir });
  const writes: StoreItems[] = [];
  const write = storage.write.bind(storage);
  storage.write = (changes) => {
    writes.push(changes);
    return write(changes);
  };
  return { storage, writes };
}

function turn(): TurnContext {
  return new TurnContext(new TestAdapter(), { type: 'message', channelId: 'test', conversation: { id: 'c1' }, from: { id: 'u1' }, recipient: { id: 'bot' } } as Activity);
}

describe('conversation state (src/storage/guarded-state.ts)', () => {
  it('is written once when a turn changed it, and not at all when it did not', async () => {
    const { storage, writes } = countingStorage();
    const state = new GuardedConversationState(storage);
    let context = turn();
    (await state.load(context)).count = 1;
    await state.saveChanges(context);
    expect(writes).toHaveLength(1);

    context = turn();
    expect(await state.load(context)).toEqual({ count: 1 });
    await state.saveChanges(context);
    expect(writes).toHaveLength(1);

    context = turn();
    (await state.load(context)).count = 2;
    await state.saveChanges(context);
    expect(writes).toHaveLength(2);
    expect(await state.load(turn())).toEqual({ count: 2 });
  });

  it('refuses to overwrite a turn that wrote in between (the eTag it read), instead of losing it', async () => {
    const { storage } = countingStorage();
    const state = new GuardedConversationState(storage);
    const first = turn();
    (await state.load(first)).step = 'start';
    await state.saveChanges(first);

    const a = turn();
    const b = turn();
    (await state.load(a)).step = 'A';
    (await state.load(b)).step = 'B';
    await state.saveChanges(a);
    await expect(state.saveChanges(b)).rejects.toThrow(/eTag conflict/);
    expect(await state.load(turn())).toEqual({ step: 'A' });
  });

  it('writes cleared state, and delete removes it', async () => {
    const { storage } = countingStorage();
    const state = new GuardedConversationState(storage);
    const first = turn();
    (await state.load(first)).step = 'start';
    await state.saveChanges(first);
    const clearing = turn();
    await state.load(clearing);
    await state.clear(clearing);
    expect(state.get(clearing)).toEqual({});
    await state.saveChanges(clearing);
    expect(await state.load(turn())).toEqual({});
    await state.delete(turn());
    expect(await storage.read(['test/conversations/c1/'])).toEqual({});
  });
});

describe('FileStorage and the state share their JSON (src/storage/bot-storage.ts)', () => {
  it('hands out the stored JSON of a cached record, invisibly to spreads and JSON', async () => {
    const storage = new FileStorage({ directory: dir });
    await storage.write({ k: { text: 'æøå', n: 1 } });
    const item = (await storage.read(['k'])).k!;
    expect(jsonOf(item, STORED_JSON)).toBe(JSON.stringify({ text: 'æøå', n: 1 }));
    expect(Object.keys(item).sort()).toEqual(['eTag', 'n', 'text']);
    // A caller that reads, changes and writes back (the case store does) writes its change:
    // the JSON read does not travel with the copy.
    const changed = { ...item, n: 2 };
    expect(jsonOf(changed, STORED_JSON)).toBeUndefined();
    await storage.write({ k: changed });
    expect((await storage.read(['k'])).k).toMatchObject({ text: 'æøå', n: 2 });
    // A record read from disk (another process wrote it) comes without: it was not serialised here.
    const other = new FileStorage({ directory: dir });
    expect(jsonOf((await other.read(['k'])).k, STORED_JSON)).toBeUndefined();
  });

  it('writes the JSON a caller made of the item instead of serialising it again', async () => {
    const storage = new FileStorage({ directory: dir });
    // The storage trusts the caller's JSON (made just before the call), so this one is what lands on disk.
    await storage.write({ k: withJson({ step: 'Q1' }, WRITTEN_JSON, '{"step":"as the caller serialised it"}') });
    const [file] = readdirSync(dir).filter((name) => name.endsWith('.json'));
    expect(JSON.parse(readFileSync(path.join(dir, file!), 'utf8'))).toMatchObject({ key: 'k', item: { step: 'as the caller serialised it' } });
    // Without it the item itself is serialised.
    await storage.write({ k: { step: 'Q2' } });
    expect((await new FileStorage({ directory: dir }).read(['k'])).k).toMatchObject({ step: 'Q2' });
  });
});

describe("today's date in Denmark (src/clock.ts)", () => {
  it('turns at Danish midnight, also when asked again and again around it', () => {
    // 30 June 2023, the day NemID closed, ends at 22:00 UTC (summer time).
    expect(danishToday(fixedClock('2023-06-30T21:59:30Z'))).toBe('2023-06-30');
    expect(danishToday(fixedClock('2023-06-30T21:59:59.999Z'))).toBe('2023-06-30');
    expect(danishToday(fixedClock('2023-06-30T22:00:00Z'))).toBe('2023-07-01');
    expect(danishToday(fixedClock('2023-06-30T21:59:45Z'))).toBe('2023-06-30');
    // Winter time: midnight is 23:00 UTC.
    expect(danishToday(fixedClock('2022-12-01T22:59:59Z'))).toBe('2022-12-01');
    expect(danishToday(fixedClock('2022-12-01T23:00:00Z'))).toBe('2022-12-02');
  });
});

describe('guide questions asked before this version (src/dialogs/answer-prompt.ts)', () => {
  it('a conversation stored while waiting at Q6 goes on as one started today', async () => {
    // What botbuilder's Prompt left in storage at "Kan du selv komme fysisk i Borgerservice?".
    const prompt = { type: 'message', inputHint: 'expectingInput', suggestedActions: { actions: [{ type: 'imBack', value: 'Ja', title: 'Ja' }, { type: 'imBack', value: 'Nej', title: 'Nej' }] }, text: 'Kan du selv komme fysisk i Borgerservice?', textFormat: 'markdown', locale: 'da-DK' };
    const retryPrompt = { ...prompt, text: 'Det forstod jeg ikke helt. Svar Ja eller Nej, eller tryk på en knap.' };
    const stored = {
      dialogState: {
        dialogStack: [
          {
            id: 'guide',
            state: {
              dialogs: {
                dialogStack: [
                  { id: 'guide.Q6', state: { options: { node: 'Q6', path: [{ node: 'T1' }, { node: 'Q1', answer: 'ja' }, { node: 'Q2', answer: 'nej' }, { node: 'O3' }] }, values: { instanceId: 'old' }, stepIndex: 0 } },
                  { id: 'guide.answer', state: { options: { prompt, retryPrompt, choices: ['ja', 'nej'] }, state: {} } },
                ],
              },
            },
            version: content.guideVersion,
          },
        ],
      },
      flags: {},
    };
    const storage = new MemoryStorage();
    await storage.write({ 'test/conversations/conv-1/': stored });
    const restored = new Conversation({ storage });

    const today = new Conversation();
    await today.say('Hjælp mig med at få MitID');
    await today.say('ja');
    const atQ6 = await today.say('nej');
    expect(atQ6.at(-1)?.text).toBe(prompt.text);

    // Something it does not understand gets the stored retry prompt; then "ja" moves on alike.
    expect((await restored.say('måske')).map((r) => r.text)).toEqual((await today.say('måske')).map((r) => r.text));
    const next = await restored.say('ja');
    expect(next.length).toBeGreaterThan(0);
    expect(next).toEqual(await today.say('ja'));
  });
});
