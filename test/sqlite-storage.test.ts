import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { crc32 } from 'node:zlib';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { backup } from '../scripts/backup';
import { parseConfig } from '../src/config';
import { createLogger } from '../src/logger';
import { isETagConflict } from '../src/storage/bot-storage';
import { openSqliteStorage, SqliteStorage, sqliteFile } from '../src/storage/sqlite-storage';

const ROOT = path.resolve(__dirname, '..');

let dir: string;
const opened: SqliteStorage[] = [];
const children: ChildProcessWithoutNullStreams[] = [];

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'sqlite-storage-'));
});

afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  for (const storage of opened.splice(0)) storage.close();
  rmSync(dir, { recursive: true, force: true });
});

async function open(logger?: ReturnType<typeof createLogger>): Promise<SqliteStorage> {
  const storage = await openSqliteStorage({ DATA_DIR: dir, STORAGE_FSYNC: false }, logger);
  opened.push(storage);
  return storage;
}

async function eTagOf(storage: SqliteStorage, key: string): Promise<string> {
  const eTag: unknown = (await storage.read([key]))[key]?.eTag;
  if (typeof eTag !== 'string') throw new Error(`no eTag for ${key}`);
  return eTag;
}

/** SQLite's own check of the whole file, from a connection of its own. */
function integrity(file: string): string {
  const db = new Database(file, { fileMustExist: true });
  try {
    return db.pragma('integrity_check', { simple: true }) as string;
  } finally {
    db.close();
  }
}

describe('SqliteStorage', () => {
  it('round-trips items in one file in DATA_DIR, made for its owner only', async () => {
    const storage = await open();
    await storage.write({ 'conv/1': { dialog: { step: 2, answers: ['ja', 'nej'] } } });
    const items = await storage.read(['conv/1', 'not-here']);
    expect(items).toEqual({ 'conv/1': { dialog: { step: 2, answers: ['ja', 'nej'] }, eTag: expect.stringMatching(/^[1-9][0-9]*$/) } });
    expect(await storage.read([])).toEqual({});
    expect(readdirSync(dir).filter((name) => !name.endsWith('-wal') && !name.endsWith('-shm'))).toEqual(['mitid-hjaelperen.db']);
    expect(statSync(sqliteFile(dir)).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
  });

  it('hands out copies: reads and writes share no objects with the caller', async () => {
    const storage = await open();
    const original = { list: [1, 2], nested: { a: 'x' } };
    const writing = storage.write({ k: original });
    original.list.push(3);
    original.nested.a = 'changed';
    await writing;
    expect(original).not.toHaveProperty('eTag');
    const first = await storage.read(['k']);
    first.k.list.push(99);
    expect((await storage.read(['k'])).k).toEqual({ list: [1, 2], nested: { a: 'x' }, eTag: first.k.eTag });
  });

  describe('eTags, as Blob Storage has them', () => {
    it('an eTag writes only over that version, and the error is an eTag conflict naming the key', async () => {
      const storage = await open();
      await storage.write({ k: { v: 1 } });
      const stale = await eTagOf(storage, 'k');
      await storage.write({ k: { v: 2, eTag: stale } });
      const current = await eTagOf(storage, 'k');
      expect(current).not.toBe(stale);
      const refused = await storage.write({ k: { v: 3, eTag: stale } }).catch((err: unknown) => err);
      expect(String(refused)).toMatch(/"k".*eTag conflict/);
      expect(isETagConflict(refused)).toBe(true);
      expect((await storage.read(['k'])).k).toEqual({ v: 2, eTag: current });
    });

    it('"*" overwrites whatever is stored, and creates what is not', async () => {
      const storage = await open();
      await storage.write({ k: { v: 1 } });
      const before = await eTagOf(storage, 'k');
      await storage.write({ k: { v: 2, eTag: '*' }, fresh: { v: 1, eTag: '*' } });
      const items = await storage.read(['k', 'fresh']);
      expect([items.k.v, items.fresh.v]).toEqual([2, 1]);
      expect(items.k.eTag).not.toBe(before);
    });

    it('no eTag creates only: a second creation of the same key conflicts', async () => {
      const storage = await open();
      await storage.write({ k: { v: 1 } });
      await expect(storage.write({ k: { v: 2 } })).rejects.toThrow(/eTag conflict/);
      await expect(storage.write({ k: { v: 2, eTag: '' } })).rejects.toThrow(/eTag conflict/);
      expect((await storage.read(['k'])).k.v).toBe(1);
    });

    it('an eTag on a key that is not stored conflicts, as does one this storage never gave out', async () => {
      const storage = await open();
      await expect(storage.write({ fresh: { v: 1, eTag: '12' } })).rejects.toThrow(/eTag conflict/);
      await storage.write({ k: { v: 1 } });
      for (const eTag of ['made-up', '0', '-1', `${await eTagOf(storage, 'k')}.0`, '99999999999999999999']) {
        await expect(storage.write({ k: { v: 2, eTag } })).rejects.toThrow(/eTag conflict/);
      }
      expect(await storage.read(['fresh'])).toEqual({});
    });

    it('a stale eTag from before a delete is refused after the key is written again', async () => {
      const storage = await open();
      const seen = new Set<string>();
      for (let round = 0; round < 50; round++) {
        await storage.write({ k: { round } });
        const eTag = await eTagOf(storage, 'k');
        expect(seen.has(eTag)).toBe(false);
        seen.add(eTag);
        await storage.delete(['k']);
      }
      await storage.write({ k: { v: 'new' } });
      for (const old of seen) await expect(storage.write({ k: { v: 'late', eTag: old } })).rejects.toThrow(/eTag conflict/);
      expect((await storage.read(['k'])).k.v).toBe('new');
    });

    it('writes a batch as one transaction: a conflict on one key writes none', async () => {
      const storage = await open();
      await storage.write({ a: { v: 1 } });
      await expect(storage.write({ b: { v: 1 }, a: { v: 2, eTag: 'stale' }, c: { v: 1 } })).rejects.toThrow(/"a".*eTag conflict/);
      expect(Object.keys(await storage.read(['a', 'b', 'c']))).toEqual(['a']);
      await storage.write({ b: { v: 1 }, a: { v: 2, eTag: await eTagOf(storage, 'a') }, c: { v: 1 } });
      expect(Object.values(await storage.read(['a', 'b', 'c'])).map((item) => item.v)).toEqual([2, 1, 1]);
    });

    it('lets exactly one of several concurrent writers with the same eTag win', async () => {
      const storage = await open();
      await storage.write({ k: { v: 'start' } });
      const eTag = await eTagOf(storage, 'k');
      const results = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => storage.write({ k: { v: `writer-${i}`, eTag } })));
      const winners = results.flatMap((result, i) => (result.status === 'fulfilled' ? [i] : []));
      expect(winners).toHaveLength(1);
      for (const result of results) if (result.status === 'rejected') expect(isETagConflict(result.reason)).toBe(true);
      expect((await storage.read(['k'])).k.v).toBe(`writer-${winners[0]}`);
    });
  });

  it('keeps data and eTags across a restart', async () => {
    const first = await open();
    await first.write({ k: { v: 'kept' } });
    const eTag = await eTagOf(first, 'k');
    first.close();
    const second = await open();
    expect((await second.read(['k'])).k).toEqual({ v: 'kept', eTag });
    await second.write({ k: { v: 'updated', eTag } });
    expect((await second.read(['k'])).k.v).toBe('updated');
  });

  it('deletes keys, ignoring keys that do not exist', async () => {
    const storage = await open();
    await storage.write({ a: { v: 1 }, b: { v: 2 } });
    await storage.delete(['a', 'never-written']);
    await storage.delete([]);
    expect(await storage.read(['a', 'b'])).toEqual({ b: { v: 2, eTag: expect.any(String) } });
    expect(storage.count()).toBe(1);
  });

  it('stores keys with slashes, dot-dot, Danish letters, emoji and 5,000 characters', async () => {
    const storage = await open();
    const keys = ['msteams/conversations/a:b/users/29:1x', '../../../etc/passwd', 'æøå-Ærø-🇩🇰-日本', 'k'.repeat(5_000), '', "it's; DROP TABLE records; --"];
    await storage.write(Object.fromEntries(keys.map((key, i) => [key, { i, text: 'Hjælp mig med at få MitID' }])));
    const items = await storage.read(keys);
    expect(keys.map((key) => items[key]?.i)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(items['æøå-Ærø-🇩🇰-日本']!.text).toBe('Hjælp mig med at få MitID');
    expect(readdirSync(dir).filter((name) => !name.startsWith('mitid-hjaelperen.db'))).toEqual([]);
  });

  it('refuses items that are not plain JSON objects before writing anything', async () => {
    const storage = await open();
    await expect(storage.write({ ok: { v: 1 }, bad: 'text' })).rejects.toThrow(TypeError);
    await expect(storage.write({ ok: { v: 1 }, list: [1, 2] })).rejects.toThrow(TypeError);
    await expect(storage.write({ k: { toJSON: () => 'text' } })).rejects.toThrow(TypeError);
    expect(await storage.read(['ok', 'bad', 'list', 'k'])).toEqual({});
  });

  it('refuses a database made by a newer version of the bot', async () => {
    (await open()).close();
    const db = new Database(sqliteFile(dir));
    db.pragma('user_version = 99');
    db.close();
    await expect(openSqliteStorage({ DATA_DIR: dir, STORAGE_FSYNC: false })).rejects.toThrow(/schema version 99 is newer/);
  });

  it('syncs every commit with STORAGE_FSYNC, and opens in WAL mode either way', async () => {
    const storage = await openSqliteStorage({ DATA_DIR: dir, STORAGE_FSYNC: true });
    opened.push(storage);
    await storage.write({ k: { v: 1 } });
    const db = new Database(sqliteFile(dir));
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
    expect((await storage.read(['k'])).k.v).toBe(1);
  });

  describe('ping (readiness) and flush', () => {
    it('resolves for a usable database and stores no record', async () => {
      const storage = await open();
      await storage.ping();
      await storage.ping();
      await storage.flush();
      expect(storage.count()).toBe(0);
    });

    it('rejects once the database file was deleted or replaced under the bot', async () => {
      const storage = await open();
      await storage.ping();
      unlinkSync(sqliteFile(dir));
      await expect(storage.ping()).rejects.toThrow(/gone or was replaced/);
      writeFileSync(sqliteFile(dir), '');
      await expect(storage.ping()).rejects.toThrow(/gone or was replaced/);
    });

    it('rejects once closed, as every other call does', async () => {
      const storage = await open();
      storage.close();
      await expect(storage.ping()).rejects.toThrow();
      await expect(storage.read(['k'])).rejects.toThrow();
    });

    it('fails to open when DATA_DIR lies under a regular file', async () => {
      writeFileSync(path.join(dir, 'plain-file'), 'not a directory');
      await expect(openSqliteStorage({ DATA_DIR: path.join(dir, 'plain-file', 'data'), STORAGE_FSYNC: false })).rejects.toThrow();
    });

    it('answers a signal that has fired already with its reason', async () => {
      const storage = await open();
      const controller = new AbortController();
      controller.abort(new Error('deadline'));
      await expect(storage.write({ k: { v: 1 } }, { signal: controller.signal })).rejects.toThrow('deadline');
      expect(await storage.read(['k'])).toEqual({});
    });
  });
});

// ---------------------------------------------------------------------------------------------
// Other processes on the same file.

/**
 * A writer in its own process (tsx, like the bot). Each loop writes `<id>/a/<n>` (2 KB) and
 * `<id>/b/<n>` in one batch, and then adds one to the shared `counter` with its eTag, again on a
 * conflict. Each loop ends with `ack <n>` on stdout; after LOOPS loops (default: forever) it says
 * `done <conflicts>`. With START_AT it waits for that time and pauses between reading and writing the counter.
 */
const WRITER = `
  const { openSqliteStorage } = require(process.env.SQLITE_MODULE);
  (async () => {
    const storage = await openSqliteStorage({ DATA_DIR: process.env.DATA_DIR, STORAGE_FSYNC: false });
    const id = process.env.WRITER_ID;
    const loops = Number(process.env.LOOPS || Infinity);
    const payload = 'æ'.repeat(1000);
    let conflicts = 0;
    // Writers started together begin together, whenever tsx got each of them running.
    const startAt = Number(process.env.START_AT || 0);
    while (Date.now() < startAt) await new Promise((resolve) => setTimeout(resolve, 5));
    for (let n = 0; n < loops; n++) {
      await storage.write({ [id + '/a/' + n]: { n, payload }, [id + '/b/' + n]: { n } });
      for (;;) {
        const current = (await storage.read(['counter'])).counter;
        // A turn's work between reading and writing its state: room for the other writer to come in between.
        if (process.env.START_AT) await new Promise((resolve) => setTimeout(resolve, 1));
        try {
          await storage.write({ counter: current ? { n: current.n + 1, eTag: current.eTag } : { n: 1 } });
          break;
        } catch (err) {
          if (!/eTag conflict/.test(err.message)) throw err;
          conflicts++;
        }
      }
      process.stdout.write('ack ' + n + '\\n');
    }
    process.stdout.write('done ' + conflicts + '\\n');
  })().catch((err) => { process.stderr.write(String(err && err.stack) + '\\n'); process.exit(1); });
`;

interface Writer {
  child: ChildProcessWithoutNullStreams;
  acked: number[];
  /** Resolves when `count` loops are acknowledged (or the process ended first). */
  acks(count: number): Promise<void>;
  /** The conflicts it met, once it said done; undefined when it ended otherwise. */
  exited: Promise<{ signal: NodeJS.Signals | null; conflicts: number | undefined; stderr: string }>;
}

function startWriter(id: string, loops?: number, startAt?: number): Writer {
  const child = spawn(process.execPath, ['--import', 'tsx', '-e', WRITER], {
    cwd: ROOT,
    env: { ...process.env, SQLITE_MODULE: path.join(ROOT, 'src', 'storage', 'sqlite-storage.ts'), DATA_DIR: dir, WRITER_ID: id, ...(loops ? { LOOPS: String(loops) } : {}), ...(startAt ? { START_AT: String(startAt) } : {}) },
  });
  children.push(child);
  const acked: number[] = [];
  let conflicts: number | undefined;
  let stderr = '';
  let rest = '';
  const waiting: Array<{ count: number; resolve: () => void }> = [];
  child.stdout.on('data', (chunk: Buffer) => {
    const lines = (rest + chunk.toString()).split('\n');
    rest = lines.pop()!;
    for (const line of lines) {
      if (line.startsWith('ack ')) acked.push(Number(line.slice(4)));
      if (line.startsWith('done ')) conflicts = Number(line.slice(5));
    }
    for (const wait of waiting) if (acked.length >= wait.count) wait.resolve();
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ signal: NodeJS.Signals | null; conflicts: number | undefined; stderr: string }>((resolve) =>
    child.on('exit', (_code, signal) => {
      for (const wait of waiting) wait.resolve();
      resolve({ signal, conflicts, stderr });
    }),
  );
  const acks = (count: number) => new Promise<void>((resolve) => (acked.length >= count || child.exitCode !== null ? resolve() : waiting.push({ count, resolve })));
  return { child, acked, acks, exited };
}

/** Every acknowledged loop of `id` is stored whole, and no batch is there by half. */
async function expectAcknowledged(storage: SqliteStorage, id: string, acked: number[]): Promise<void> {
  const keys = acked.flatMap((n) => [`${id}/a/${n}`, `${id}/b/${n}`]);
  const items = await storage.read(keys);
  const missing = keys.filter((key) => items[key] === undefined);
  expect(missing).toEqual([]);
  for (const n of acked) expect(items[`${id}/a/${n}`]!.payload).toBe('æ'.repeat(1000));
  const next = Math.max(-1, ...acked) + 1;
  const after = await storage.read([`${id}/a/${next}`, `${id}/b/${next}`]);
  expect(Object.keys(after).length === 0 || Object.keys(after).length === 2).toBe(true);
}

describe('SqliteStorage with other processes', () => {
  it('loses no acknowledged write when the writer is killed with SIGKILL under load, and the file stays whole', async () => {
    const writer = startWriter('w');
    await writer.acks(30);
    // Read along while it writes: another process sees every commit, never half of a batch.
    const reader = await open();
    for (let i = 0; i < 20; i++) {
      const seen = writer.acked.length;
      const ids = writer.acked.slice(0, seen);
      await expectAcknowledged(reader, 'w', ids);
    }
    await writer.acks(writer.acked.length + 50);
    writer.child.kill('SIGKILL');
    const { signal, stderr } = await writer.exited;
    expect(signal, stderr).toBe('SIGKILL');
    expect(writer.acked.length).toBeGreaterThanOrEqual(80);
    reader.close();

    expect(integrity(sqliteFile(dir))).toBe('ok');
    const after = await open();
    await expectAcknowledged(after, 'w', writer.acked);
    expect((await after.read(['counter'])).counter!.n).toBeGreaterThanOrEqual(writer.acked.length);
  });

  it('two processes writing the same new database at once lose no acknowledged write and no update of a shared key', async () => {
    const loops = 300;
    const startAt = Date.now() + 2_500;
    const [one, two] = [startWriter('one', loops, startAt), startWriter('two', loops, startAt)];
    const [a, b] = await Promise.all([one.exited, two.exited]);
    expect([a.conflicts, b.conflicts], a.stderr + b.stderr).toEqual([expect.any(Number), expect.any(Number)]);
    // Each saw the other's increments as eTag conflicts, and tried again.
    expect(a.conflicts! + b.conflicts!).toBeGreaterThan(0);
    const storage = await open();
    await expectAcknowledged(storage, 'one', one.acked);
    await expectAcknowledged(storage, 'two', two.acked);
    expect([one.acked.length, two.acked.length]).toEqual([loops, loops]);
    // Every increment read the counter and wrote it with that eTag: a lost update would show here.
    expect((await storage.read(['counter'])).counter!.n).toBe(2 * loops);
    expect(integrity(sqliteFile(dir))).toBe('ok');
  });

  it("refuses a write with an eTag another process's write made stale", async () => {
    const storage = await open();
    await storage.write({ k: { v: 'start' } });
    const eTag = await eTagOf(storage, 'k');
    const script = `
      const { SqliteStorage } = require(process.env.SQLITE_MODULE);
      const storage = new SqliteStorage({ file: process.env.DB });
      storage.write({ k: { v: 'other process', eTag: process.env.ETAG } }).then(() => process.stdout.write('written'));
    `;
    const child = spawn(process.execPath, ['--import', 'tsx', '-e', script], {
      cwd: ROOT,
      env: { ...process.env, SQLITE_MODULE: path.join(ROOT, 'src', 'storage', 'sqlite-storage.ts'), DB: sqliteFile(dir), ETAG: eTag },
    });
    children.push(child);
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await new Promise((resolve) => child.on('exit', resolve));
    expect(output).toBe('written');
    await expect(storage.write({ k: { v: 'this process', eTag } })).rejects.toThrow(/eTag conflict/);
    expect((await storage.read(['k'])).k.v).toBe('other process');
  });

  it("waits for another process's write transaction instead of failing", async () => {
    const storage = await open();
    const script = `
      const Database = require('better-sqlite3');
      const db = new Database(process.env.DB);
      db.exec('BEGIN IMMEDIATE');
      db.prepare("INSERT INTO records (key, value, version) VALUES ('held', '{}', 1)").run();
      process.stdout.write('locked\\n');
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 700);
      db.exec('COMMIT');
    `;
    const child = spawn(process.execPath, ['-e', script], { cwd: ROOT, env: { ...process.env, DB: sqliteFile(dir) } });
    children.push(child);
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', () => resolve());
      child.on('exit', () => reject(new Error(`lock holder ended: ${stderr}`)));
    });
    const started = Date.now();
    await storage.write({ waited: { v: 1 } });
    expect(Date.now() - started).toBeGreaterThan(200);
    expect(Object.keys(await storage.read(['waited', 'held'])).sort()).toEqual(['held', 'waited']);
  });
});

// ---------------------------------------------------------------------------------------------
// The one-time import of the slot-file store that came before SQLite.

const sha256 = (key: string): string => createHash('sha256').update(key, 'utf8').digest('hex');

/**
 * A slot file as the old store wrote one: `MITID-SLOT 1 <version> <bytes> <crc32 hex>\n`, then
 * the record text `{"key":…,"eTag":…,"item":…}`, then whatever an older, longer version left.
 */
function slot(version: number, key: string, item: unknown, leftover = ''): Buffer {
  const payload = Buffer.from(JSON.stringify({ key, eTag: `uuid-${version}`, item }), 'utf8');
  const header = Buffer.from(`MITID-SLOT 1 ${version} ${payload.length} ${crc32(payload).toString(16)}\n`, 'latin1');
  return Buffer.concat([header, payload, Buffer.from(leftover, 'utf8')]);
}

function writeOld(key: string, files: { a?: Buffer; b?: Buffer; json?: unknown }, name = sha256(key)): void {
  if (files.a) writeFileSync(path.join(dir, `${name}.a`), files.a);
  if (files.b) writeFileSync(path.join(dir, `${name}.b`), files.b);
  if (files.json !== undefined) writeFileSync(path.join(dir, `${name}.json`), JSON.stringify({ key, eTag: 'legacy', item: files.json }));
}

function capturingLogger(): { logger: ReturnType<typeof createLogger>; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const logger = createLogger('info', new Writable({ write: (chunk: Buffer, _enc, done) => void (lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>), done()) }));
  return { logger, lines };
}

describe('the import of the old slot files', () => {
  const long = `æøå 🇩🇰 ${'k'.repeat(5_000)}`;

  function writeOldStore(): void {
    writeOld('conv/newer-b', { a: slot(1, 'conv/newer-b', { step: 1 }), b: slot(2, 'conv/newer-b', { step: 2 }) });
    writeOld('conv/newer-a', { a: slot(3, 'conv/newer-a', { step: 3 }, 'tail of an older, longer version'), b: slot(2, 'conv/newer-a', { step: 2 }) });
    const torn = slot(2, 'conv/torn', { step: 2 });
    writeOld('conv/torn', { a: slot(1, 'conv/torn', { step: 1 }), b: torn.subarray(0, torn.length - 4) });
    writeOld('conv/legacy', { json: { step: 'from the one-file layout' } });
    writeOld('conv/both', { a: slot(1, 'conv/both', { step: 'slot' }), json: { step: 'json' } });
    writeOld(long, { a: slot(1, long, { text: 'Hjælp mig med at få MitID' }) });
    writeOld('kept', { a: slot(1, 'kept', { v: 'from the old files' }) });
    writeOld('conv/broken', { a: Buffer.from('MITID-SLOT 1 1 999 abc\n{"key"') });
    // A file copied in under another key's name.
    writeOld('conv/elsewhere', { a: slot(1, 'conv/elsewhere', { v: 1 }) }, sha256('conv/other'));
    writeFileSync(path.join(dir, 'directline-secret'), 'not a record');
  }

  it('imports the newest whole record of each key once, keeps what the database had, and leaves the files', async () => {
    writeOldStore();
    // A database that had "kept" before the import ran (the mark taken away to make one).
    const before = new SqliteStorage({ file: sqliteFile(dir) });
    await before.write({ kept: { v: 'from the database' } });
    before.close();
    const filesBefore = readdirSync(dir).filter((name) => !name.startsWith('mitid-hjaelperen.db')).sort();

    const { logger, lines } = capturingLogger();
    const storage = await open(logger);
    const keys = ['conv/newer-b', 'conv/newer-a', 'conv/torn', 'conv/legacy', 'conv/both', long, 'kept', 'conv/broken', 'conv/elsewhere', 'conv/other'];
    const items = await storage.read(keys);
    expect(Object.fromEntries(Object.entries(items).map(([key, { eTag: _eTag, ...item }]) => [key === long ? 'long' : key, item]))).toEqual({
      'conv/newer-b': { step: 2 },
      'conv/newer-a': { step: 3 },
      'conv/torn': { step: 1 },
      'conv/legacy': { step: 'from the one-file layout' },
      'conv/both': { step: 'slot' },
      long: { text: 'Hjælp mig med at få MitID' },
      kept: { v: 'from the database' },
    });
    expect(lines).toEqual([expect.objectContaining({ imported: 6, kept: 1, unreadable: 2, msg: expect.stringMatching(/imported 6 records .* can be deleted/) })]);
    expect(readdirSync(dir).filter((name) => !name.startsWith('mitid-hjaelperen.db')).sort()).toEqual(filesBefore);

    // Imported records take part in the eTags like any other.
    const eTag = await eTagOf(storage, 'conv/newer-b');
    await storage.write({ 'conv/newer-b': { step: 'Q3', eTag } });
    await expect(storage.write({ 'conv/newer-b': { step: 'late', eTag } })).rejects.toThrow(/eTag conflict/);
    storage.close();

    // The next start imports nothing: not the newer files, not over the newer values.
    writeOld('conv/late', { a: slot(1, 'conv/late', { v: 1 }) });
    writeOld('conv/newer-b', { a: slot(9, 'conv/newer-b', { step: 'older than the database' }) });
    const again = capturingLogger();
    const restarted = await open(again.logger);
    expect((await restarted.read(['conv/newer-b']))['conv/newer-b']!.step).toBe('Q3');
    expect(await restarted.read(['conv/late'])).toEqual({});
    expect(again.lines).toEqual([]);
  });

  it('logs nothing and marks the import done on a fresh data directory', async () => {
    const { logger, lines } = capturingLogger();
    (await open(logger)).close();
    writeOld('conv/after', { a: slot(1, 'conv/after', { v: 1 }) });
    const storage = await open(logger);
    expect(await storage.read(['conv/after'])).toEqual({});
    expect(lines).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// npm run backup (scripts/backup.ts).

describe('the online backup', () => {
  it('copies the database while a writer runs: whole, one file, with every write acknowledged before it began', async () => {
    const storage = await open();
    // Enough pages that the copy takes a moment while the writer commits.
    for (let batch = 0; batch < 20; batch++) {
      await storage.write(Object.fromEntries(Array.from({ length: 250 }, (_, i) => [`prefill/${batch}/${i}`, { text: 'ø'.repeat(1000) }])));
    }
    const writer = startWriter('live');
    await writer.acks(20);
    const ackedBefore = writer.acked.slice();
    const said: string[] = [];
    const target = path.join(dir, 'copies', 'backup.db');
    const config = parseConfig({ DATA_DIR: dir });
    expect(await backup([target], config, (line) => said.push(line))).toBe(0);
    await writer.acks(writer.acked.length + 5);
    writer.child.kill('SIGKILL');
    await writer.exited;

    expect(said).toEqual([expect.stringMatching(new RegExp(`backup written to ${target}: \\d+ records, integrity ok`))]);
    expect(statSync(target).mode & 0o777).toBe(0o600);
    expect(existsSync(`${target}-wal`)).toBe(false);
    expect(integrity(target)).toBe('ok');
    const copy = new SqliteStorage({ file: target });
    opened.push(copy);
    expect(copy.count()).toBeGreaterThanOrEqual(5_000 + 2 * ackedBefore.length);
    await expectAcknowledged(copy, 'live', ackedBefore);
    expect(Number(/(\d+) records/.exec(said[0]!)![1])).toBe(copy.count());

    // A backup never overwrites a file.
    expect(await backup([target], config, (line) => said.push(line))).toBe(1);
    expect(said.at(-1)).toMatch(/already exists/);
  });

  it('writes to DATA_DIR/backups by default, and sends postgres and blob to their own tools', async () => {
    await (await open()).write({ k: { v: 1 } });
    const said: string[] = [];
    expect(await backup([], parseConfig({ DATA_DIR: dir }), (line) => said.push(line))).toBe(0);
    expect(readdirSync(path.join(dir, 'backups'))).toEqual([expect.stringMatching(/^mitid-hjaelperen-\d{4}-\d\d-\d\dT[\d-]+Z\.db$/)]);
    expect(said[0]).toMatch(/1 records, integrity ok/);
    const blob = parseConfig({ DATA_DIR: dir, STORAGE: 'blob', BLOB_CONNECTION_STRING: 'UseDevelopmentStorage=true' });
    expect(await backup([], blob, (line) => said.push(line))).toBe(1);
    expect(said.at(-1)).toMatch(/use Azure's own backup/);
    expect(await backup([], { ...blob, STORAGE: 'postgres' }, (line) => said.push(line))).toBe(1);
    expect(said.at(-1)).toMatch(/back up with pg_dump/);
    expect(await backup([], parseConfig({ DATA_DIR: path.join(dir, 'empty') }), (line) => said.push(line))).toBe(1);
    expect(said.at(-1)).toMatch(/no database at/);
  });
});
