import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import type Database from 'better-sqlite3';
import type { Logger } from '../logger';

/*
 * The store before SQLite kept every key in files in DATA_DIR named by the sha256 hex of the key:
 *
 * - two slot files, `<sha256>.a` and `<sha256>.b`, written in turn and in place. Each holds a
 *   header line `MITID-SLOT 1 <version> <bytes> <crc32 hex>` and then <bytes> of record text,
 *   possibly followed by the tail of an older, longer version. A slot whose length or checksum
 *   is wrong was cut short by a crash; the whole slot with the higher version is the record.
 * - before the slots, one `<sha256>.json` holding just the record text, read when no slot is whole.
 *
 * The record text is `{"key": …, "eTag": …, "item": {…}}`. This decoder is all that is left of
 * that store: the import reads its files once and leaves them in place.
 */

/** The meta row (table of src/storage/sqlite-storage.ts) that says the import has run, and what it found. */
const DONE = 'slot-files-imported';
const FILE_NAME = /^([0-9a-f]{64})\.(a|b|json)$/;
const MAGIC = 'MITID-SLOT 1';
/** Longer than any header the old store wrote: a file without a newline by then is no slot. */
const MAX_HEADER = 80;

export interface ImportCounts {
  imported: number;
  /** Keys the database had already: never overwritten. */
  kept: number;
  /** Keys whose files held no whole record. */
  unreadable: number;
}

/** A key's record as the old store had it: the key and its item's JSON. */
interface OldRecord {
  key: string;
  json: string;
}

/**
 * Imports the old store's records in `dataDir` the first time a database is opened there, in one
 * transaction with the mark that it ran, so two processes starting at once import once.
 * `insert` adds a record unless its key is stored and tells whether it did. Returns what it did,
 * or undefined when an earlier start did it.
 */
export function importSlotFilesOnce(db: Database.Database, dataDir: string, insert: (key: string, json: string) => boolean, logger?: Logger): ImportCounts | undefined {
  const counts = db
    .transaction((): ImportCounts | undefined => {
      if (db.prepare('SELECT 1 FROM meta WHERE name = ?').get(DONE) !== undefined) return undefined;
      const found: ImportCounts = { imported: 0, kept: 0, unreadable: 0 };
      for (const [hash, suffixes] of keyFiles(dataDir)) {
        const record = readRecord(path.join(dataDir, hash), hash, suffixes);
        if (!record) found.unreadable++;
        else if (insert(record.key, record.json)) found.imported++;
        else found.kept++;
      }
      db.prepare('INSERT INTO meta (name, value) VALUES (?, ?)').run(DONE, JSON.stringify({ at: new Date().toISOString(), ...found }));
      return found;
    })
    .immediate();
  if (counts && counts.imported + counts.kept + counts.unreadable > 0) {
    // The import went to the write-ahead log as one transaction, as large as the old files: into the database with it.
    db.pragma('wal_checkpoint(TRUNCATE)');
    const { imported } = counts;
    const message = `${imported} poster hentet fra den gamle fillagring; dens filer (<sha256>.a/.b/.json i DATA_DIR) kan slettes / imported ${imported} records from the old file storage; its files (<sha256>.a, .b and .json in DATA_DIR) are left in place and can be deleted`;
    logger?.info({ ...counts, dataDir, database: db.name }, message);
  }
  return counts;
}

/** The keys with files in `dataDir`, by sha256 name, with the suffixes they have: only files known to be there are opened. */
function keyFiles(dataDir: string): Map<string, Set<string>> {
  const keys = new Map<string, Set<string>>();
  for (const name of readdirSync(dataDir)) {
    const match = FILE_NAME.exec(name);
    if (!match) continue;
    const suffixes = keys.get(match[1]!) ?? new Set<string>();
    suffixes.add(match[2]!);
    keys.set(match[1]!, suffixes);
  }
  return keys;
}

/** The record of the key whose files start with `base`; undefined when none is whole or it is another key's. */
function readRecord(base: string, hash: string, suffixes: Set<string>): OldRecord | undefined {
  let newest: { version: number; text: string } | undefined;
  for (const suffix of ['a', 'b']) {
    const slot = suffixes.has(suffix) ? decodeSlot(readIfThere(`${base}.${suffix}`)) : undefined;
    if (slot && (!newest || slot.version > newest.version)) newest = slot;
  }
  const text = newest?.text ?? (suffixes.has('json') ? readIfThere(`${base}.json`)?.toString('utf8') : undefined);
  if (text === undefined) return undefined;
  try {
    const parsed = JSON.parse(text) as { key?: unknown; item?: unknown };
    const { key, item } = parsed;
    if (typeof key !== 'string' || typeof item !== 'object' || item === null || Array.isArray(item)) return undefined;
    // A file copied in under another key's name holds the wrong key.
    if (createHash('sha256').update(key, 'utf8').digest('hex') !== hash) return undefined;
    return { key, json: JSON.stringify(item) };
  } catch {
    return undefined;
  }
}

/** The version and record text a slot file holds, when it holds them whole. */
function decodeSlot(data: Buffer | undefined): { version: number; text: string } | undefined {
  const newline = data?.subarray(0, MAX_HEADER).indexOf(0x0a) ?? -1;
  if (!data || newline < 0) return undefined;
  const [magic, format, version, length, checksum, ...rest] = data.toString('latin1', 0, newline).split(' ');
  if (`${magic} ${format}` !== MAGIC || rest.length > 0 || checksum === undefined) return undefined;
  const payload = data.subarray(newline + 1, newline + 1 + Number(length));
  if (!(Number(version) >= 1) || payload.length !== Number(length) || crc32(payload).toString(16) !== checksum) return undefined;
  return { version: Number(version), text: payload.toString('utf8') };
}

function readIfThere(file: string): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}
