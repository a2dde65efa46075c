import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MemoryStorage, TestAdapter, TurnContext, type Activity, type StoreItems } from 'botbuilder';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeActivityProblem, incomingActivitySchema, plainlyValid } from '../src/http/activity-schema';
import { danishToday, fixedClock } from '../src/clock';
import { jsonOf, STORED_JSON, withJson, WRITTEN_JSON } from '../src/storage/bot-storage';
import { SqliteStorage, sqliteFile } from '../src/storage/sqlite-storage';
import { GuardedConversationState } from '../src/framework/guarded-state';
import { content, Conversation, recognizer } from './helpers/bot-harness';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'mitid-turn-path-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** The SQLite storage in the test's directory (a new connection each call, as another process would open it). */
function sqlite(): SqliteStorage {
  return new SqliteStorage({ file: sqliteFile(dir) });
}

/** A SqliteStorage that counts its writes. */
function countingStorage(): { storage: SqliteStorage; writes: StoreItems[] } {
  const storage = sqlite();
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

describe('conversation state (src/framework/guarded-state.ts)', () => {
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

describe('SqliteStorage and the state share their JSON (src/storage/bot-storage.ts)', () => {
  it('hands out the stored JSON of a record, invisibly to spreads and JSON', async () => {
    const storage = sqlite();
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
    // Another connection (another process) reads the same text: it is what the database holds.
    expect(jsonOf((await sqlite().read(['k'])).k, STORED_JSON)).toBe(JSON.stringify({ text: 'æøå', n: 2 }));
  });

  it('writes the JSON a caller made of the item instead of serialising it again', async () => {
    const storage = sqlite();
    // The storage trusts the caller's JSON (made just before the call), so this one is what is stored.
    await storage.write({ k: withJson({ step: 'Q1' }, WRITTEN_JSON, '{"step":"as the caller serialised it"}') });
    expect((await sqlite().read(['k'])).k).toMatchObject({ step: 'as the caller serialised it' });
    // Without it the item itself is serialised.
    const { eTag } = (await storage.read(['k'])).k!;
    await storage.write({ k: { step: 'Q2', eTag } });
    expect((await sqlite().read(['k'])).k).toMatchObject({ step: 'Q2' });
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

describe('scores kept for repeated messages (src/nlu/recognizer.ts)', () => {
  it('are the scores a fresh classification gives, shared and frozen so no turn can change them for the next', () => {
    for (const text of ['Ja', 'kan jeg beholde nemid', 'hvad bliver vejret i morgen', 'hvad er en kodeviser']) {
      const first = recognizer.recognize(text);
      const again = recognizer.recognize(text);
      expect(again).toEqual(recognizer.recognizeAfresh(text));
      expect(again.intents).toBe(first.intents);
      expect(Object.isFrozen(again.intents)).toBe(true);
      expect(() => {
        (again.intents as Record<string, { score: number }>)['keep_nemid'] = { score: 1 };
      }).toThrow(TypeError);
      expect(recognizer.decide(again)).toBe(recognizer.decide(first));
      expect(recognizer.decide(again)).toEqual(recognizer.decide(recognizer.recognizeAfresh(text)));
    }
  });
});

describe('the fast check of incoming activities (src/http/activity-schema.ts)', () => {
  // Each field is mostly valid and sometimes wrong in one of the ways the schema refuses, so
  // that both whole valid activities and ones with a single flaw come up often.
  const mostly = <T,>(valid: fc.Arbitrary<T>, wrong: fc.Arbitrary<unknown>) => fc.oneof({ arbitrary: valid, weight: 12 }, { arbitrary: wrong, weight: 1 });
  const wrongValue = fc.oneof(fc.integer(), fc.boolean(), fc.constant({}), fc.constant([]));
  const text = mostly(fc.oneof(fc.constant(undefined), fc.constant(null), fc.string({ maxLength: 8 })), wrongValue);
  const id = mostly(fc.string({ minLength: 1, maxLength: 4 }), fc.oneof(wrongValue, fc.constant(''), fc.constant('x'.repeat(1025)), fc.constant(null)));
  const optionalId = mostly(fc.oneof(fc.constant(undefined), fc.constant(null), fc.constant('y'.repeat(1024)), fc.string({ minLength: 1, maxLength: 4 })), fc.oneof(wrongValue, fc.constant('')));
  const accountWith = (idArb: fc.Arbitrary<unknown>) => mostly(fc.record({ id: idArb, name: text, role: text, aadObjectId: text }, { requiredKeys: ['id'] }), fc.oneof(fc.constant([]), fc.string(), fc.constant(null)));
  const optionalAccount = fc.oneof(fc.constant(undefined), accountWith(optionalId));
  const list = (item: fc.Arbitrary<unknown>) => mostly(fc.oneof(fc.constant(undefined), fc.constant(null), fc.array(item, { maxLength: 3 })), fc.oneof(fc.constant('x'), fc.constant({})));
  const activity = fc.record(
    {
      type: mostly(fc.constantFrom('message', 'conversationUpdate', 'invoke'), fc.oneof(id, fc.constant('t'.repeat(65)))),
      channelId: mostly(fc.constantFrom('webchat', 'msteams', 'emulator', 'directline'), id),
      serviceUrl: mostly(fc.oneof(fc.constantFrom('https://smba.trafficmanager.net/emea/', 'http://127.0.0.1:9'), fc.webUrl()), fc.oneof(id, fc.constantFrom('ftp://example.com/', 'not a url', 'https://'))),
      conversation: mostly(fc.record({ id, name: text, conversationType: text, tenantId: text, isGroup: mostly(fc.oneof(fc.boolean(), fc.constant(null)), fc.constant('yes')) }, { requiredKeys: ['id'] }), fc.oneof(fc.constant(null), fc.constant([]))),
      from: accountWith(id),
      recipient: optionalAccount,
      text,
      name: text,
      locale: text,
      textFormat: text,
      deliveryMode: text,
      replyToId: text,
      membersAdded: list(accountWith(optionalId)),
      membersRemoved: list(accountWith(optionalId)),
      entities: list(mostly(fc.record({ type: text }, { requiredKeys: [] }), fc.constant(null))),
      attachments: list(mostly(fc.record({ contentType: text, contentUrl: text, name: text }, { requiredKeys: [] }), fc.constant([]))),
      channelData: fc.oneof(fc.constant(undefined), fc.constant(null), fc.constant([]), fc.constant({ tenant: { id: 't' } }), fc.string()),
    },
    { requiredKeys: ['type', 'channelId', 'serviceUrl', 'conversation', 'from'] },
  );

  it('passes only activities the schema accepts', () => {
    let plain = 0;
    fc.assert(
      fc.property(activity, (candidate) => {
        if (!plainlyValid(candidate)) return true;
        plain++;
        return incomingActivitySchema.safeParse(candidate).success;
      }),
      { numRuns: 5000, seed: 20261121 },
    );
    // The property says something only if the fast path is taken for a fair share of them.
    expect(plain).toBeGreaterThan(500);
  });

  it('passes the activities channels really send, so zod is not run for them', () => {
    const webchat = { type: 'message', channelId: 'webchat', serviceUrl: 'https://webchat.botframework.com/', conversation: { id: 'abc|livechat' }, from: { id: 'dl_123', name: 'Borger' }, recipient: { id: 'bot', name: 'MitID-hjælperen' }, text: 'kan jeg beholde nemid', locale: 'da-DK', entities: [{ type: 'ClientCapabilities', requiresBotState: true }], channelData: { clientActivityID: '1' } };
    const teams = { ...webchat, channelId: 'msteams', conversation: { id: '19:x', conversationType: 'channel', tenantId: 't', isGroup: true }, from: { id: '29:y', aadObjectId: 'z' }, channelData: { tenant: { id: 't' } } };
    const joined = { type: 'conversationUpdate', channelId: 'directline', serviceUrl: 'http://127.0.0.1:3978', conversation: { id: 'c' }, from: { id: 'u' }, recipient: { id: 'b' }, membersAdded: [{ id: 'u' }, { id: 'b' }] };
    for (const activity of [webchat, teams, joined]) {
      expect(plainlyValid(activity)).toBe(true);
      expect(incomingActivitySchema.safeParse(activity).success).toBe(true);
    }
    // And what it is unsure of, zod decides: a Teams activity without channel data is refused with the reason.
    expect(plainlyValid({ ...teams, channelData: undefined })).toBe(false);
    expect(describeActivityProblem({ ...teams, channelData: undefined })).toMatch(/channelData/);
  });
});
