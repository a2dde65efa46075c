import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { StoreItems } from 'botbuilder';
import { InFlight } from '../async/in-flight';
import { STORED_JSON, withJson, type BotStorage } from './bot-storage';
import { KeyLocks } from './key-locks';
import { RecordCache } from './record-cache';
import { eTagOf, itemJsonOf, parseRecord, recordText, toPendingWrite, type PendingWrite, type StoredRecord } from './record-text';
import { encodeSlot } from './slot-file';
import { findSlots, isNotFound, LEGACY_SUFFIX, readCurrent, SLOT_SUFFIXES, type FoundRecord, type SlotState } from './slot-reader';
import { SlotWriter, syncDirectory } from './slot-writer';

/** Options for {@link FileStorage}. */
export interface FileStorageOptions {
  /** Directory holding the keys' slot files. Created (recursively, mode 0700) by {@link FileStorage.init}. */
  directory: string;
  /**
   * When `true`, every write and delete is flushed to the disk (file and directory `fsync`) before it resolves,
   * so it survives a power loss, not just a process crash. Slower; defaults to `false`.
   */
  fsync?: boolean;
  /**
   * Called when a data file exists but cannot be parsed or does not hold a valid record. The key is then treated
   * as missing: `read` leaves it out and `write` overwrites it. A write cut short leaves the key's previous record
   * in its other slot, so this happens only to a key's very first write cut short by a power loss, or when
   * something other than this class touched the directory.
   */
  onCorrupt?: (details: CorruptFile) => void;
  /**
   * How many records written by this process to keep in memory (most recently used), so a
   * conversation's next turn reads its state without touching the disk. Safe because one
   * process owns the directory (see the class comment); 0 turns it off. Defaults to 2,000. As many
   * keys found missing (and not written since) are remembered too, so reading them again costs no disk lookup.
   */
  cacheEntries?: number;
}

/** Describes a data file that {@link FileStorage} skipped because it was unreadable. */
export interface CorruptFile {
  /** The key that was being read or written. */
  key: string;
  /** Absolute path of the offending file. */
  file: string;
  /** Why the file was rejected. */
  error: Error;
}

/** Leftover temp files younger than this may belong to another instance still writing, so they are kept. */
const STALE_TEMP_MS = 60_000;

/**
 * A botbuilder `Storage` that keeps each key's record in files on the local disk.
 *
 * - File names are the sha256 hex of the key, so any key (slashes, unicode, thousands of characters) maps to a
 *   safe, fixed-length name.
 * - Each key has two slot files, `<sha256>.a` and `<sha256>.b` (src/storage/slot-file.ts; read by slot-reader, written by slot-writer), and a write goes in
 *   place into the one not holding the current record, with a version one higher. A crash, or a power loss with
 *   `fsync`, can only cut short the slot being written; its checksum then fails and the other slot, with the
 *   previous record, is read. So a key has either its old or its new record, never a partial one. Writing in
 *   place, rather than to a temp file renamed over the old one, keeps ext4 from forcing the new file's data out
 *   at every rename: on this project's machines that took 0.2 ms of CPU and over a millisecond of a disk thread
 *   per write, more than the rest of a turn's storage work together.
 * - Records in the earlier layout (one `<sha256>.json` per key) are read as before and removed by the key's next write.
 * - ETags follow botbuilder's `MemoryStorage`: a write succeeds when the item has no `eTag`, `eTag` is `"*"`,
 *   nothing is stored yet, or the `eTag` matches the stored one; every successful write assigns a fresh eTag.
 * - Within one process, the check-and-write for a key is serialised, so two writers holding the same eTag cannot
 *   both win. Several processes sharing a directory are not supported.
 *
 * Call {@link FileStorage.init} once at startup so a bad directory fails early. The other methods also run it on
 * first use, so forgetting it is not a bug, merely a later failure.
 */
export class FileStorage implements BotStorage {
  private readonly directory: string;
  private readonly fsync: boolean;
  private readonly onCorrupt: ((details: CorruptFile) => void) | undefined;
  private initialising: Promise<void> | undefined;
  private readonly locks = new KeyLocks();
  private readonly inFlight = new InFlight();
  /** File names, slots, record texts and missing keys this process knows (see {@link FileStorageOptions.cacheEntries}). */
  private readonly cache: RecordCache;
  private readonly slotFiles: SlotWriter;

  /** @param options See {@link FileStorageOptions}. Does no I/O; see {@link FileStorage.init}. */
  constructor(options: FileStorageOptions) {
    this.directory = path.resolve(options.directory);
    this.fsync = options.fsync ?? false;
    this.onCorrupt = options.onCorrupt;
    this.cache = new RecordCache(this.directory, options.cacheEntries ?? 2000);
    this.slotFiles = new SlotWriter(this.directory, this.fsync);
  }

  /**
   * Creates the directory if needed and starts removing, in the background, `*.tmp` files older than a minute that
   * a crashed process left behind (temp files are never read as data either way; {@link flush} waits for the
   * removal). Idempotent; a failed attempt is retried on next call.
   */
  init(): Promise<void> {
    this.initialising ??= this.prepareDirectory().catch((err: unknown) => {
      this.initialising = undefined;
      throw err;
    });
    return this.initialising;
  }

  /**
   * Reads the given keys. Missing keys (and corrupt files, see {@link FileStorageOptions.onCorrupt}) are left
   * out. Every call returns fresh objects, each with its current `eTag`, so callers may mutate them freely.
   */
  async read(keys: string[]): Promise<StoreItems> {
    await this.init();
    const records = await Promise.all(keys.map((key) => this.readRecord(key)));
    const items: StoreItems = {};
    for (const record of records) {
      if (!record) continue;
      const item = { ...record.item, eTag: record.eTag };
      // The cached text holds the item's JSON as written; only hand it on if it is this record's.
      const text = this.cache.peek(record.key);
      items[record.key] = text !== undefined && eTagOf(text) === record.eTag ? withJson(item, STORED_JSON, itemJsonOf(text)) : item;
    }
    return items;
  }

  /**
   * Writes the given items, each atomically. The items are copied when `write` is called, so later changes by the
   * caller are not written, and the caller's objects are never modified: in particular their `eTag` is not
   * updated; read the key again to learn the new one.
   *
   * As in `MemoryStorage`, keys are handled independently: when one key has an eTag conflict, the other keys are
   * still written, and the returned promise rejects with an error naming the conflicting key.
   *
   * @throws TypeError (as a rejection, before anything is written) if an item is not a plain object.
   */
  write(changes: StoreItems): Promise<void> {
    return this.inFlight.track(this.writeAll(changes));
  }

  /** Deletes the given keys; keys that do not exist are ignored. */
  delete(keys: string[]): Promise<void> {
    return this.inFlight.track(this.deleteAll(keys));
  }

  /**
   * Resolves when every write and delete started before this call has settled. Never rejects: failures are
   * reported to the callers of `write` and `delete`.
   */
  async flush(): Promise<void> {
    await this.inFlight.settled();
    // Shutdown flushes last; a later write opens its file again.
    this.slotFiles.closeIdle(0);
  }

  /**
   * Resolves when a file can be created, read back and removed in the directory; rejects otherwise. Does not
   * re-create a directory that disappeared after {@link FileStorage.init}, because writes would not either.
   */
  async ping(): Promise<void> {
    await this.init();
    const probe = path.join(this.directory, `.ping-${randomUUID()}.tmp`);
    const content = randomUUID();
    await fs.writeFile(probe, content, { flag: 'wx', mode: 0o600 });
    try {
      if ((await fs.readFile(probe, 'utf8')) !== content) throw new Error(`FileStorage: ${probe} did not read back`);
    } finally {
      await fs.rm(probe, { force: true });
    }
  }

  private async prepareDirectory(): Promise<void> {
    await fs.mkdir(this.directory, { recursive: true, mode: 0o700 });
    // Not awaited: with 100,000 stored conversations, listing the directory took 0.15 s and 10–20 MB
    // at start-up, for files that are never read anyway. flush() waits for it.
    void this.inFlight.track(this.removeStaleTemps());
  }

  /** Streams the directory (no array of every name) and removes temp files older than {@link STALE_TEMP_MS}. */
  private async removeStaleTemps(): Promise<void> {
    const now = Date.now();
    try {
      for await (const entry of await fs.opendir(this.directory, { bufferSize: 256 })) {
        if (!entry.name.endsWith('.tmp')) continue;
        const file = path.join(this.directory, entry.name);
        try {
          const { mtimeMs } = await fs.stat(file);
          if (now - mtimeMs > STALE_TEMP_MS) await fs.rm(file, { force: true });
        } catch (err) {
          if (!isNotFound(err)) throw err;
        }
      }
    } catch {
      // Leftover temp files cost disk space only; the directory's real problems show up in reads and writes.
    }
  }

  private async writeAll(changes: StoreItems): Promise<void> {
    // Snapshot now: botbuilder keeps using the state object after handing it over.
    const pending = Object.entries(changes).map(([key, value]: [string, unknown]) => toPendingWrite(key, value));
    await this.init();
    const results = await Promise.allSettled(pending.map((change) => this.locks.run(change.key, () => this.writeOne(change))));
    const failure = results.find((result) => result.status === 'rejected');
    if (failure) throw failure.reason;
  }

  private async writeOne({ key, eTag, itemJson }: PendingWrite): Promise<void> {
    if (eTag && eTag !== '*') {
      const stored = await this.storedETag(key);
      if (stored !== undefined && stored !== eTag) {
        throw new Error(`FileStorage: error writing "${key}" due to eTag conflict.`);
      }
    }
    const text = recordText(key, itemJson);
    const base = this.cache.fileFor(key);
    // A key read as missing (and not written since) has no files to look for: a new conversation's first write.
    const current = this.cache.slotsOf(key) ?? (this.cache.isAbsent(key) ? undefined : await findSlots(base));
    const next: SlotState = { version: (current?.version ?? 0) + 1, slot: current?.slot === 0 ? 1 : 0, legacy: false };
    this.cache.touch(key);
    try {
      // The first two versions of a key create its two slot files.
      await this.slotFiles.write(`${base}${SLOT_SUFFIXES[next.slot]}`, encodeSlot(next.version, text), next.version <= 2);
    } finally {
      // Also after: a read that began during the write may have found no file yet.
      this.cache.touch(key);
    }
    this.cache.rememberSlots(key, next);
    this.cache.remember(key, text);
    if (current?.legacy) await fs.rm(`${base}${LEGACY_SUFFIX}`, { force: true });
  }

  /** The eTag on disk; a cached record answers without parsing its item. */
  private async storedETag(key: string): Promise<string | undefined> {
    const cached = this.cache.peek(key);
    if (cached !== undefined) return eTagOf(cached);
    return (await this.readRecord(key))?.eTag;
  }

  private async deleteAll(keys: string[]): Promise<void> {
    await this.init();
    await Promise.all(
      keys.map((key) =>
        this.locks.run(key, async () => {
          this.cache.forget(key);
          this.cache.touch(key);
          try {
            const base = this.cache.fileFor(key);
            // An open descriptor would go on writing to the removed file.
            this.slotFiles.closeIdle(0, SLOT_SUFFIXES.map((suffix) => `${base}${suffix}`));
            await Promise.all([...SLOT_SUFFIXES, LEGACY_SUFFIX].map((suffix) => fs.rm(`${base}${suffix}`, { force: true })));
          } finally {
            this.cache.touch(key);
          }
        }),
      ),
    );
    if (this.fsync && keys.length > 0) await syncDirectory(this.directory);
  }

  private async readRecord(key: string): Promise<StoredRecord | undefined> {
    const cached = this.cache.use(key);
    if (cached !== undefined) return JSON.parse(cached) as StoredRecord;
    if (this.cache.isAbsent(key)) return undefined;
    const base = this.cache.fileFor(key);
    const reading = this.cache.beginRead(key);
    let found: FoundRecord;
    try {
      found = await readCurrent(base);
      // Not when a write overlapped: what this read found may be older than what the write left.
      if (found.current && !reading.touched) this.cache.rememberSlots(key, { ...found.current, legacy: false });
      if (found.text === undefined && found.damaged === undefined && !reading.touched) this.cache.rememberAbsent(key);
    } finally {
      this.cache.endRead(key, reading);
    }
    return this.recordIn(key, found);
  }

  /** The record a read found; none (reported to {@link FileStorageOptions.onCorrupt}) when it found no whole one. */
  private recordIn(key: string, { file, text, damaged }: FoundRecord): StoredRecord | undefined {
    if (text === undefined) {
      if (damaged !== undefined) this.onCorrupt?.({ key, file: damaged, error: new Error('slot file holds no whole record') });
      return undefined;
    }
    try {
      // Not cached here: a read racing a write could put the older text back. Only writes,
      // which hold the key's lock, fill the cache.
      return parseRecord(text, key);
    } catch (err) {
      this.onCorrupt?.({ key, file, error: err instanceof Error ? err : new Error(String(err)) });
      return undefined;
    }
  }
}
