import { Writable } from 'node:stream';
import { createServer } from 'node:net';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../src/logger';
import { isETagConflict, jsonOf, READ_JSON, STORED_JSON, withJson, WRITTEN_JSON } from '../src/storage/bot-storage';
import { DeadlineStorage, StorageTimeoutError } from '../src/storage/deadline-storage';
import { PostgresDatabase, SchemaTooNewError } from '../src/storage/postgres-database';
import { PostgresStorage, storedKey, tableOf } from '../src/storage/postgres-storage';
import { readModifyWrite } from '../src/storage/stored-records';
import { PostgresServer } from './helpers/postgres';

let server: PostgresServer;
let startMs = 0;
const opened: { close(): Promise<void> }[] = [];

beforeAll(async () => {
  const started = Date.now();
  server = await PostgresServer.start();
  startMs = Date.now() - started;
});

afterAll(async () => {
  await server?.stop();
});

afterEach(async () => {
  server.resume();
  await Promise.all(opened.splice(0).map((db) => db.close()));
});

function database(url: string, timeoutMs = 2_000, logger?: ReturnType<typeof createLogger>): PostgresDatabase {
  const db = new PostgresDatabase({ url, poolMax: 4, timeoutMs, ...(logger ? { logger } : {}) });
  opened.push(db);
  return db;
}

/** A plain connection for looking into the tables, as an operator would. */
async function psql(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  opened.push({ close: () => client.end() });
  return client;
}

async function eTagOf(storage: PostgresStorage | DeadlineStorage, key: string): Promise<string> {
  return ((await storage.read([key]))[key] as { eTag: string }).eTag;
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

async function eventually(check: () => Promise<void>, withinMs: number): Promise<void> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('PostgresServer', () => {
  it('starts within a few seconds', () => {
    expect(startMs).toBeLessThan(10_000);
  });
});

describe('PostgresStorage: eTags', () => {
  it('writes over the version it read only, "*" always, and no eTag only where nothing is', async () => {
    const storage = new PostgresStorage(database(await server.createDatabase()));
    await storage.write({ a: { n: 1 } });
    await expect(storage.write({ a: { n: 99 } })).rejects.toSatisfy(isETagConflict);
    const first = await eTagOf(storage, 'a');
    await storage.write({ a: { n: 2, eTag: first } });
    await expect(storage.write({ a: { n: 3, eTag: first } })).rejects.toThrow(/eTag conflict/);
    await expect(storage.write({ a: { n: 3, eTag: 'not-a-version' } })).rejects.toSatisfy(isETagConflict);
    await expect(storage.write({ missing: { n: 1, eTag: first } })).rejects.toSatisfy(isETagConflict);
    await storage.write({ a: { n: 4, eTag: '*' } });
    expect((await storage.read(['a'])).a).toMatchObject({ n: 4 });
    await storage.write({ fresh: { n: 1, eTag: '*' } });
    expect((await storage.read(['fresh'])).fresh).toMatchObject({ n: 1 });
  });

  it('never gives a key a version it had before, after a delete and a new start', async () => {
    const storage = new PostgresStorage(database(await server.createDatabase()));
    const seen: string[] = [];
    for (let round = 0; round < 3; round++) {
      await storage.write({ k: { round } });
      seen.push(await eTagOf(storage, 'k'));
      await storage.write({ k: { round, again: true, eTag: seen.at(-1) } });
      seen.push(await eTagOf(storage, 'k'));
      await storage.delete(['k']);
      expect(await storage.read(['k'])).toEqual({});
    }
    expect(new Set(seen).size).toBe(seen.length);
    // A stale eTag from before the delete does not match the new record either.
    await storage.write({ k: { last: true } });
    await expect(storage.write({ k: { n: 1, eTag: seen[0] } })).rejects.toSatisfy(isETagConflict);
  });

  it('writes several keys as one transaction: one conflict and none of them is written', async () => {
    const storage = new PostgresStorage(database(await server.createDatabase()));
    await storage.write({ 'handoff/case/1': { n: 1 }, 'directline/conversations/c/': { n: 1 } });
    const eTag = await eTagOf(storage, 'handoff/case/1');
    await expect(storage.write({ 'directline/conversations/c/': { n: 2, eTag: '*' }, 'handoff/case/1': { n: 2, eTag }, 'desk/x': { n: 2, eTag: 'stale' } })).rejects.toSatisfy(isETagConflict);
    const items = await storage.read(['handoff/case/1', 'directline/conversations/c/', 'desk/x']);
    expect(Object.keys(items).sort()).toEqual(['directline/conversations/c/', 'handoff/case/1']);
    expect(items['handoff/case/1']).toMatchObject({ n: 1 });
    expect(items['directline/conversations/c/']).toMatchObject({ n: 1 });
  });

  it('two instances incrementing one counter 50 times each through readModifyWrite end at exactly 100', async () => {
    const url = await server.createDatabase();
    const a = new PostgresStorage(database(url));
    const b = new PostgresStorage(database(url));
    const increment = (storage: PostgresStorage) => readModifyWrite<{ n: number }>(storage, 'handoff/open', (current) => ({ n: (current?.n ?? 0) + 1 }));
    await Promise.all(Array.from({ length: 50 }, () => [increment(a), increment(b)]).flat());
    expect((await b.read(['handoff/open']))['handoff/open']).toMatchObject({ n: 100 });
  });
});

describe('PostgresStorage: keys, values and tables', () => {
  it('keeps unicode, long and odd keys apart and reads each back', async () => {
    const storage = new PostgresStorage(database(await server.createDatabase()));
    const long = 'directline/conversations/' + 'æ🙂'.repeat(2_000);
    const keys = ['directline/conversations/Søren-Ærø-🙂/', 'msteams/users/29:1a-ß/', long, long + 'x', 'nul\0byte', 'half\ud800pair', 'half\udbffpair', "quote'\"\\;--"];
    await storage.write(Object.fromEntries(keys.map((key, index) => [key, { index }])));
    const items = await storage.read(keys);
    expect(keys.map((key) => (items[key] as { index: number } | undefined)?.index)).toEqual(keys.map((_, index) => index));
    expect(storedKey(long)).not.toBe(storedKey(long + 'x'));
    expect(storedKey(keys[0]!)).toBe(keys[0]);
    await storage.delete(keys);
    expect(await storage.read(keys)).toEqual({});
    await expect(storage.read([''])).rejects.toThrow(/empty/);
    await expect(storage.write({ '': { n: 1 } })).rejects.toThrow(/empty/);
  });

  it('gives back the JSON exactly as written, key order and escapes included, and keeps a given JSON text', async () => {
    const storage = new PostgresStorage(database(await server.createDatabase()));
    const value = { z: 1, a: { y: [3, 1, 2], b: null }, text: 'æøå "quoted" \\ \n \u2028 \u0000 🙂', n: 0.1, big: 1e21, neg: -0, deep: { x: { y: { z: 'ok' } } } };
    await storage.write({ v: { ...value } });
    const item = (await storage.read(['v'])).v!;
    const { eTag: _eTag, ...read } = item as Record<string, unknown>;
    expect(jsonOf(item, STORED_JSON)).toBe(JSON.stringify(value));
    expect(JSON.stringify(read)).toBe(JSON.stringify(value));
    // The JSON the state made for the write is what is stored, byte for byte.
    const given = '{"b":2,"a":1}';
    await storage.write({ w: withJson({ a: 1, b: 2 }, WRITTEN_JSON, given) });
    expect(jsonOf((await storage.read(['w'])).w, STORED_JSON)).toBe(given);
  });

  it('puts each kind of record in its own table, which an operator can query', async () => {
    const url = await server.createDatabase();
    const storage = new PostgresStorage(database(url));
    const keys: Record<string, string> = {
      'handoff/case/abc': 'handoff_cases',
      'handoff/open': 'handoff_queue',
      'handoff/agent/anna': 'staff_records',
      'desk/session/s1': 'staff_records',
      'handoff/history/2024-05-01': 'handoff_records',
      'handoff/citizen/xyz': 'handoff_records',
      'mitid-hjaelperen/unanswered': 'unanswered_log',
      'directline/conversations/c1/': 'bot_state',
      'msteams/users/u1/': 'bot_state',
    };
    await storage.write(Object.fromEntries(Object.keys(keys).map((key) => [key, { status: 'queued', key }])));
    const client = await psql(url);
    for (const [key, table] of Object.entries(keys)) {
      expect(tableOf(key)).toBe(table);
      const { rows } = await client.query(`SELECT value::jsonb ->> 'status' AS status FROM ${table} WHERE key = $1`, [key]);
      expect(rows, key).toEqual([{ status: 'queued' }]);
    }
    const { rows } = await client.query('SELECT count(*)::int AS n FROM handoff_cases');
    expect(rows[0].n).toBe(1);
    expect(Object.keys(await storage.read(Object.keys(keys))).sort()).toEqual(Object.keys(keys).sort());
  });

  it('flush waits for the writes under way', async () => {
    const storage = new PostgresStorage(database(await server.createDatabase()));
    let done = 0;
    for (let i = 0; i < 20; i++) void storage.write({ [`k${i}`]: { i } }).then(() => done++);
    await storage.flush();
    expect(done).toBe(20);
  });
});

describe('PostgresStorage: a database away or hung', () => {
  it('starts before the server exists: ping fails fast, then succeeds by itself once the server is up', async () => {
    const port = await freePort();
    const db = database(`postgres://postgres@127.0.0.1:${port}/postgres`, 1_000);
    const storage = new DeadlineStorage(new PostgresStorage(db), { timeoutMs: 1_000, pingTimeoutMs: 500 });
    const started = Date.now();
    await expect(storage.ping()).rejects.toThrow();
    await expect(storage.read(['a'])).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(1_500);
    const late = await PostgresServer.start({ port });
    opened.push({ close: () => late.stop() });
    await eventually(() => storage.ping(), 5_000);
    await storage.write({ a: { n: 1 } });
    expect((await storage.read(['a'])).a).toMatchObject({ n: 1 });
  });

  it('starts while the server is frozen: ping fails within its deadline, and succeeds after it thaws', async () => {
    const url = await server.createDatabase();
    const storage = new DeadlineStorage(new PostgresStorage(database(url, 1_000)), { timeoutMs: 1_000, pingTimeoutMs: 400 });
    server.pause();
    const started = Date.now();
    await expect(storage.ping()).rejects.toBeInstanceOf(StorageTimeoutError);
    expect(Date.now() - started).toBeLessThan(900);
    server.resume();
    await eventually(() => storage.ping(), 5_000);
  });

  it('a write that reaches the server after its deadline is refused there, not applied', async () => {
    const storage = new PostgresStorage(database(await server.createDatabase(), 5_000), { deadlineMs: 300 });
    await storage.write({ k: { n: 1 } });
    server.pause();
    const late = storage.write({ k: { n: 2, eTag: '*' } });
    await sleep(600);
    server.resume();
    await expect(late).rejects.toThrow(/after its deadline/);
    expect((await storage.read(['k'])).k).toMatchObject({ n: 1 });
  });

  it('through the deadline guard, calls to a frozen server fail in time, and the writes that timed out never land, not even "*"', async () => {
    const url = await server.createDatabase();
    const a = new DeadlineStorage(new PostgresStorage(database(url, 600)), { timeoutMs: 600, pingTimeoutMs: 300, retryMs: 50 });
    const b = new PostgresStorage(database(url));
    await Promise.all([a.write({ conv: { step: 1 } }), a.write({ 'handoff/case/1': { status: 'queued' } })]);
    const client = await psql(url);
    // Every value any table ever held, to prove the late writes never landed even for a moment.
    await client.query(`CREATE TABLE seen (value text);
      CREATE FUNCTION remember() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO seen VALUES (NEW.value); RETURN NEW; END $$;
      CREATE TRIGGER remember AFTER INSERT OR UPDATE ON bot_state FOR EACH ROW EXECUTE FUNCTION remember();
      CREATE TRIGGER remember AFTER INSERT OR UPDATE ON handoff_cases FOR EACH ROW EXECUTE FUNCTION remember();`);
    const eTag = await eTagOf(a, 'conv');
    server.pause();
    const started = Date.now();
    const calls = await Promise.allSettled([
      a.write({ conv: withJson(withJson({ step: 'late', eTag }, WRITTEN_JSON, '{"step":"late"}'), READ_JSON, '{"step":1}') }),
      a.write({ 'handoff/case/1': { status: 'late', eTag: '*' } }),
      a.read(['conv']),
      a.ping(),
    ]);
    expect(calls.map((call) => (call.status === 'rejected' ? (call.reason as Error).name : 'answered'))).toEqual(Array(4).fill('StorageTimeoutError'));
    expect(Date.now() - started).toBeLessThan(1_500);
    server.resume();
    await eventually(async () => expect(a.unfenced).toEqual([]), 10_000);
    await sleep(300);
    await b.write({ conv: { step: 'newer', eTag: await eTagOf(b, 'conv') } });
    await sleep(300);
    expect((await a.read(['conv'])).conv).toMatchObject({ step: 'newer' });
    expect((await b.read(['handoff/case/1']))['handoff/case/1']).toMatchObject({ status: 'queued' });
    const { rows } = await client.query(`SELECT value FROM seen WHERE value LIKE '%late%'`);
    expect(rows).toEqual([]);
  });

  it('logs a connection the server dropped while idle, and carries on', async () => {
    const url = await server.createDatabase();
    const lines: string[] = [];
    const logger = createLogger('warn', new Writable({ write: (chunk: Buffer, _encoding, done) => void (lines.push(chunk.toString('utf8')), done()) }));
    const storage = new PostgresStorage(database(url, 2_000, logger));
    await Promise.all([storage.write({ a: { n: 1 } }), storage.read(['a'])]);
    const client = await psql(url);
    await client.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'mitid-hjaelperen' AND datname = current_database()");
    await eventually(async () => expect(lines.join('')).toMatch(/idle database connection failed/), 3_000);
    expect((await storage.read(['a'])).a).toMatchObject({ n: 1 });
  });
});

describe('PostgresDatabase.migrate', () => {
  it('refuses a schema newer than this release, in Danish and English', async () => {
    const url = await server.createDatabase();
    await new PostgresStorage(database(url)).ping();
    const client = await psql(url);
    await client.query("UPDATE schema_versions SET version = 99 WHERE component = 'storage'");
    const storage = new PostgresStorage(database(url));
    await expect(storage.ping()).rejects.toThrow(/nyere end denne version.* \/ the database schema is newer than this release/);
    await expect(storage.read(['a'])).rejects.toBeInstanceOf(SchemaTooNewError);
  });

  it('runs each step once when several instances migrate at the same moment', async () => {
    const url = await server.createDatabase();
    const steps = ['CREATE TABLE one (id int)', 'CREATE TABLE two (id int); INSERT INTO one VALUES (1)'];
    await Promise.all(Array.from({ length: 4 }, () => database(url).migrate('demo', steps)));
    await Promise.all([...Array.from({ length: 3 }, () => new PostgresStorage(database(url)).ping())]);
    const client = await psql(url);
    expect((await client.query('SELECT count(*)::int AS n FROM one')).rows[0].n).toBe(1);
    expect((await client.query('SELECT component, version FROM schema_versions ORDER BY component')).rows).toEqual([
      { component: 'demo', version: 2 },
      { component: 'storage', version: 1 },
    ]);
    // A later release adds a step: only that one runs.
    await database(url).migrate('demo', [...steps, 'INSERT INTO one VALUES (2)']);
    expect((await client.query('SELECT count(*)::int AS n FROM one')).rows[0].n).toBe(2);
  });
});
