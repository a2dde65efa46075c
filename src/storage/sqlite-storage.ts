import { randomInt } from 'node:crypto';
import { closeSync, promises as fs, openSync, statSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { StoreItems } from 'botbuilder';
import type { Config } from '../config';
import type { Logger } from '../logger';
import { jsonOf, STORED_JSON, withJson, WRITTEN_JSON, type BotStorage, type StorageCallOptions } from './bot-storage';
import { importSlotFilesOnce } from './import-slot-files';

/** The one database file of a data directory. */
export function sqliteFile(dataDir: string): string {
  return path.join(dataDir, 'mitid-hjaelperen.db');
}

/** What this code writes (PRAGMA user_version); a later change to the tables adds a step to {@link migrate}. */
export const SCHEMA_VERSION = 1;

/**
 * Other processes (`npm run agent:sessions`, a backup) use the file at the same time; a write
 * waits this long for theirs. Writes are short, so a wait this long means something is stuck.
 */
const BUSY_TIMEOUT_MS = 2_000;

/** Where a new key's versions start, at random below this: see {@link SqliteStorage}. */
const FIRST_VERSION_RANGE = 2 ** 47;

const PROBE = 'readyz';

export interface SqliteStorageOptions {
  /** The database file; created if missing, its directory must exist. */
  file: string;
  /** Every commit reaches the disk before it resolves (synchronous=FULL), so a power cut loses no acknowledged write. */
  fsync?: boolean;
}

interface Row {
  key: string;
  json: string;
  /** The item's eTag as written: `"*"`, a version, or undefined (create only). */
  eTag: string | undefined;
}

/**
 * State in one SQLite file in DATA_DIR (better-sqlite3): a row per key with its JSON and a version,
 * the eTag being the version as text. Every process that opens the file sees every commit, so the
 * admin commands work beside the running bot, and a crash leaves whole commits only, never a
 * torn record (SQLite's write-ahead log).
 *
 * The eTags work as Blob Storage's do (src/storage/blob-storage.ts), also across processes:
 * - an eTag writes only over that version (a stale one is refused with "eTag conflict");
 * - `"*"` overwrites whatever is there;
 * - no eTag creates only.
 * A write of several keys is one transaction: a conflict on one of them writes none.
 *
 * A new key's versions start at a random number, not at 1: a key deleted and written again must
 * not come back at a version someone still holds as an eTag from before the delete.
 *
 * Calls are synchronous under their promises (better-sqlite3): a commit takes tens of
 * microseconds, less than handing it to a thread would. A write that finds another process's
 * write under way waits for it, up to {@link BUSY_TIMEOUT_MS}, on the event loop.
 */
export class SqliteStorage implements BotStorage {
  readonly file: string;
  private readonly db: Database.Database;
  private readonly inode: number;
  private readonly select: Database.Statement<[string]>;
  private readonly create: Database.Statement<[string, string, number]>;
  private readonly upsert: Database.Statement<[string, string, number]>;
  private readonly update: Database.Statement<[string, string, number]>;
  private readonly remove: Database.Statement<[string]>;
  private readonly probeWrite: Database.Statement<[string]>;
  private readonly probeRead: Database.Statement<[]>;
  private readonly writeRows: (rows: Row[]) => void;
  private readonly readMany: (keys: string[], items: StoreItems) => void;

  constructor(options: SqliteStorageOptions) {
    this.file = path.resolve(options.file);
    // Conversations are personal data: a new file is the owner's only, and SQLite gives its -wal and -shm files the same mode.
    closeSync(openSync(this.file, 'a', 0o600));
    this.db = new Database(this.file, { timeout: BUSY_TIMEOUT_MS });
    try {
      setUp(this.db, options.fsync ?? false);
    } catch (err) {
      this.db.close();
      throw err;
    }
    this.inode = statSync(this.file).ino;
    this.select = this.db.prepare<[string]>('SELECT value, version FROM records WHERE key = ?').raw();
    this.create = this.db.prepare('INSERT INTO records (key, value, version) VALUES (?, ?, ?) ON CONFLICT (key) DO NOTHING');
    this.upsert = this.db.prepare(
      'INSERT INTO records (key, value, version) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, version = records.version + 1',
    );
    this.update = this.db.prepare('UPDATE records SET value = ?, version = version + 1 WHERE key = ? AND version = ?');
    this.remove = this.db.prepare('DELETE FROM records WHERE key = ?');
    this.probeWrite = this.db.prepare(`INSERT INTO meta (name, value) VALUES ('${PROBE}', ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value`);
    this.probeRead = this.db.prepare(`SELECT value FROM meta WHERE name = '${PROBE}'`).pluck();
    // IMMEDIATE takes the write lock at BEGIN: a deferred transaction that found another process's
    // commit on taking it would fail at once instead of waiting.
    const batch = this.db.transaction((rows: Row[]) => rows.forEach((row) => this.writeRow(row)));
    this.writeRows = (rows) => (rows.length === 1 ? this.writeRow(rows[0]!) : batch.immediate(rows));
    // Several keys are read from one snapshot, as one turn's state.
    const snapshot = this.db.transaction((keys: string[], items: StoreItems) => this.readInto(keys, items));
    this.readMany = (keys, items) => (keys.length === 1 ? this.readInto(keys, items) : snapshot.deferred(keys, items));
  }

  /** Each item found, with its eTag and its stored JSON (STORED_JSON); missing keys are left out. */
  async read(keys: string[], options: StorageCallOptions = {}): Promise<StoreItems> {
    options.signal?.throwIfAborted();
    const items: StoreItems = {};
    if (keys.length > 0) this.readMany(keys, items);
    return items;
  }

  /** Writes the items, all or none; the caller's objects are not changed (read again for the new eTags). */
  async write(changes: StoreItems, options: StorageCallOptions = {}): Promise<void> {
    options.signal?.throwIfAborted();
    const rows = Object.entries(changes).map(([key, item]) => toRow(key, item));
    if (rows.length > 0) this.writeRows(rows);
  }

  /** Deletes the keys in one transaction; keys that do not exist are ignored. */
  async delete(keys: string[], options: StorageCallOptions = {}): Promise<void> {
    options.signal?.throwIfAborted();
    if (keys.length === 0) return;
    this.db.transaction(() => keys.forEach((key) => this.remove.run(key))).immediate();
  }

  /** Writes and reads a probe row, so /readyz tells whether a turn could be stored now, and checks the file is still the one open. */
  async ping(options: StorageCallOptions = {}): Promise<void> {
    options.signal?.throwIfAborted();
    const stamp = new Date().toISOString();
    this.probeWrite.run(stamp);
    if (this.probeRead.get() !== stamp) throw new Error(`SqliteStorage: the probe did not read back from ${this.file}`);
    // A database file deleted or replaced under the bot takes writes that nobody will read again.
    if (statSync(this.file, { throwIfNoEntry: false })?.ino !== this.inode) throw new Error(`SqliteStorage: ${this.file} is gone or was replaced`);
  }

  /** Every write is committed when its promise resolves. */
  async flush(): Promise<void> {}

  /** How many keys are stored. */
  count(): number {
    return this.db.prepare('SELECT count(*) FROM records').pluck().get() as number;
  }

  /** Closes the database; later calls fail. */
  close(): void {
    if (this.db.open) this.db.close();
  }

  /** Imports the old store's files in `dataDir` once (src/storage/import-slot-files.ts). */
  importSlotFiles(dataDir: string, logger?: Logger): void {
    importSlotFilesOnce(this.db, dataDir, (key, json) => this.create.run(key, json, firstVersion()).changes > 0, logger);
  }

  private readInto(keys: string[], items: StoreItems): void {
    for (const key of keys) {
      const row = this.select.get(key) as [string, number] | undefined;
      if (row) items[key] = withJson({ ...(JSON.parse(row[0]) as Record<string, unknown>), eTag: String(row[1]) }, STORED_JSON, row[0]);
    }
  }

  private writeRow({ key, json, eTag }: Row): void {
    let changes: number;
    if (eTag === '*') changes = this.upsert.run(key, json, firstVersion()).changes;
    else if (eTag === undefined) changes = this.create.run(key, json, firstVersion()).changes;
    else {
      const version = versionOf(eTag);
      changes = version === undefined ? 0 : this.update.run(json, key, version).changes;
    }
    if (changes === 0) throw new Error(`SqliteStorage: error writing "${key}" due to eTag conflict.`);
  }
}

/**
 * Opens the data directory's database (created with its tables if new, mode 0700 for the
 * directory) and imports the old slot-file store's records the first time.
 */
export async function openSqliteStorage(config: Pick<Config, 'DATA_DIR' | 'STORAGE_FSYNC'>, logger?: Logger): Promise<SqliteStorage> {
  await fs.mkdir(config.DATA_DIR, { recursive: true, mode: 0o700 });
  const storage = new SqliteStorage({ file: sqliteFile(config.DATA_DIR), fsync: config.STORAGE_FSYNC });
  try {
    storage.importSlotFiles(config.DATA_DIR, logger);
  } catch (err) {
    storage.close();
    throw err;
  }
  return storage;
}

function setUp(db: Database.Database, fsync: boolean): void {
  // Only a new file takes it. A conversation's state is about 2 kB: one to a 4 kB page took 415 MB
  // for 100,000 of them, three to an 8 kB page 278 MB, at the same speed.
  db.pragma('page_size = 8192');
  // Readers and writers of other processes do not block each other, and a commit is one append.
  const mode = db.pragma('journal_mode = WAL', { simple: true });
  if (mode !== 'wal') throw new Error(`SqliteStorage: ${db.name} did not switch to WAL (journal_mode is ${String(mode)})`);
  // NORMAL: a commit survives the process being killed; only a power cut can take the last ones back.
  db.pragma(`synchronous = ${fsync ? 'FULL' : 'NORMAL'}`);
  db.transaction(() => migrate(db)).immediate();
}

/** Brings the tables to {@link SCHEMA_VERSION}, a step per version. */
function migrate(db: Database.Database): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > SCHEMA_VERSION) {
    throw new Error(`${db.name}: skemaversion ${version} er nyere end dette program (${SCHEMA_VERSION}) / schema version ${version} is newer than this program's (${SCHEMA_VERSION})`);
  }
  if (version < 1) {
    db.exec(`
      CREATE TABLE records (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL, version INTEGER NOT NULL);
      CREATE TABLE meta (name TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL);
    `);
  }
  if (version < SCHEMA_VERSION) db.pragma(`user_version = ${SCHEMA_VERSION}`);
}

function firstVersion(): number {
  return randomInt(1, FIRST_VERSION_RANGE);
}

/** The version an eTag names; undefined for anything this storage never gave out (which then matches no row). */
function versionOf(eTag: string): number | undefined {
  return /^[1-9][0-9]{0,15}$/.test(eTag) ? Number(eTag) : undefined;
}

function toRow(key: string, item: unknown): Row {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) throw new TypeError(`SqliteStorage: item for "${key}" must be an object`);
  const { eTag, ...rest } = item as Record<string, unknown>;
  // Serialised now, so later changes by the caller are not written; conversation state hands over the JSON it has just made.
  const json = jsonOf(item, WRITTEN_JSON) ?? (JSON.stringify(rest) as string | undefined);
  // Only an own `toJSON` can make an object serialise to something else.
  if (json?.[0] !== '{') throw new TypeError(`SqliteStorage: item for "${key}" must serialise to an object`);
  return { key, json, eTag: typeof eTag === 'string' && eTag !== '' ? eTag : undefined };
}
