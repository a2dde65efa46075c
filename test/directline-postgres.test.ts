import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ActivitySet, ConversationListener } from '../src/directline/conversation-log';
import { PostgresConversations } from '../src/directline/postgres-conversations';
import { createLogger } from '../src/logger';
import { PostgresDatabase } from '../src/storage/postgres-database';
import { movableClock } from './helpers/directline-server';
import { PostgresServer } from './helpers/postgres';

let server: PostgresServer;
let open: Array<{ log: PostgresConversations; db: PostgresDatabase }> = [];

beforeAll(async () => {
  server = await PostgresServer.start();
}, 60_000);

afterAll(async () => {
  await server.stop();
});

afterEach(async () => {
  for (const { log, db } of open) {
    await log.close();
    await db.close();
  }
  open = [];
});

const clock = movableClock();

/** One instance's view of the conversations in `url`: its own pool and LISTEN connection. */
function instance(url: string, maxActivities = 500): PostgresConversations {
  const db = new PostgresDatabase({ url, poolMax: 4, timeoutMs: 3_000 });
  const log = new PostgresConversations({ db, clock, logger: createLogger('silent'), idleMs: 30 * 60_000, maxActivities });
  open.push({ log, db });
  return log;
}

/** A stream stand-in that collects what it is sent. */
function collector(): ConversationListener & { sets: ActivitySet[]; dropped: () => void; wasDropped: boolean; texts: () => unknown[]; until: (n: number) => Promise<void> } {
  const me = {
    sets: [] as ActivitySet[],
    wasDropped: false,
    activity(set: ActivitySet) {
      me.sets.push(set);
    },
    dropped() {
      me.wasDropped = true;
    },
    texts: () => me.sets.flatMap((s) => s.activities.map((a) => a.text)),
    async until(n: number) {
      const deadline = Date.now() + 5_000;
      while (me.texts().length < n) {
        if (Date.now() > deadline) throw new Error(`got ${JSON.stringify(me.texts())}`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
  };
  return me;
}

const message = (text: string) => ({ type: 'message', text });

describe('Direct Line conversations in PostgreSQL, shared by instances', () => {
  it('an activity stored by one instance reaches a stream held by another, in order and once each', async () => {
    const url = await server.createDatabase();
    const a = instance(url);
    const b = instance(url);
    expect(await a.start('c1')).toBe(true);
    const stream = collector();
    const { backlog } = await a.subscribe('c1', stream, undefined);
    expect(backlog).toEqual([]);
    // Both instances write at once; the stream on A must see every one exactly once, numbered in order.
    await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? a : b).append('c1', message(`m${i}`))));
    await stream.until(20);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(stream.texts().sort()).toEqual(Array.from({ length: 20 }, (_, i) => `m${i}`).sort());
    const marks = stream.sets.map((s) => Number(s.watermark));
    expect(marks).toEqual([...marks].sort((x, y) => x - y));
    expect(new Set(marks).size).toBe(20);
    // What the stream got is what a reader anywhere gets.
    const read = await b.since('c1', undefined);
    expect(read.activities.map((x) => x.id)).toEqual(stream.sets.map((s) => s.activities[0]!.id));
    expect(read.watermark).toBe(String(marks.at(-1)));
  });

  it('a stream opened with a watermark gets the backlog after it, then new activities, with nothing repeated', async () => {
    const url = await server.createDatabase();
    const a = instance(url);
    const b = instance(url);
    await a.start('c2');
    await a.append('c2', message('one'));
    const second = await a.append('c2', message('two'));
    const first = await a.since('c2', undefined);
    const mark = Number(first.activities[0]!.id.split('|')[1]);
    const stream = collector();
    const { backlog } = await b.subscribe('c2', stream, mark);
    expect(backlog.map((s) => s.activities[0]!.text)).toEqual(['two']);
    expect(backlog[0]!.activities[0]!.id).toBe(second.id);
    await a.append('c2', message('three'));
    await stream.until(1);
    expect(stream.texts()).toEqual(['three']);
    // A watermark above everything (a client from before the conversation was dropped) reads from the start.
    expect((await b.since('c2', 99_999_999)).activities.map((x) => x.text)).toEqual(['one', 'two', 'three']);
  });

  it('the welcome is started once over all instances, and a retried post is stored once even when two instances get it at once', async () => {
    const url = await server.createDatabase();
    const a = instance(url);
    const b = instance(url);
    const starts = await Promise.all([a.start('c3'), b.start('c3'), a.start('c3'), b.start('c3')]);
    expect(starts.filter(Boolean)).toHaveLength(1);
    const by = { userId: 'dl_x', clientActivityId: 'client-1' };
    const posts = await Promise.all([a.post('c3', { ...message('hej'), from: { id: 'dl_x' } }, by), b.post('c3', { ...message('hej'), from: { id: 'dl_x' } }, by)]);
    expect(posts.map((p) => p.duplicate).sort()).toEqual([false, true]);
    expect(posts[0]!.activity.id).toBe(posts[1]!.activity.id);
    // Another user's activity with the same client id is its own.
    expect((await a.post('c3', message('hej'), { userId: 'dl_y', clientActivityId: 'client-1' })).duplicate).toBe(false);
    expect((await b.since('c3', undefined)).activities).toHaveLength(2);
  });

  it('keeps the last activities up to the cap, and an idle conversation is swept from every instance', async () => {
    const url = await server.createDatabase();
    const a = instance(url, 10);
    const b = instance(url, 10);
    await a.start('c4');
    for (let i = 0; i < 60; i++) await a.append('c4', message(`m${i}`));
    await new Promise((resolve) => setTimeout(resolve, 200));
    const kept = (await b.since('c4', undefined)).activities.map((x) => x.text);
    expect(kept.length).toBeLessThanOrEqual(10 + 25);
    expect(kept.at(-1)).toBe('m59');
    const stream = collector();
    await a.subscribe('c4', stream, undefined);
    clock.advance(31 * 60_000);
    expect(await b.sweep()).toBe(1);
    expect((await a.since('c4', undefined)).activities).toEqual([]);
    // A conversation that comes back numbers above any watermark handed out before.
    const again = await a.append('c4', message('back'));
    expect(Number(again.id.split('|')[1])).toBeGreaterThan(60);
  });

  it('a stream catches up after its LISTEN connection was cut (what was sent meanwhile is not lost)', async () => {
    const url = await server.createDatabase();
    const a = instance(url);
    const b = instance(url);
    await a.start('c5');
    const stream = collector();
    await a.subscribe('c5', stream, undefined);
    await b.append('c5', message('before'));
    await stream.until(1);
    // Cut every LISTEN session on the server (a restart or a network blip looks the same to the client).
    const admin = new PostgresDatabase({ url, poolMax: 1, timeoutMs: 3_000 });
    await admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE 'LISTEN%' AND pid <> pg_backend_pid()");
    await b.append('c5', message('while cut'));
    await admin.close();
    await stream.until(2);
    expect(stream.texts()).toEqual(['before', 'while cut']);
  });
});
