import { createHash, randomUUID } from 'node:crypto';
import { close as closeCallback, constants, fdatasync as fdatasyncCallback, open as openCallback, promises as fs, readFile as readFileCallback, write as writeCallback } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { promisify } from 'node:util';
import path from 'node:path';
import type { StoreItems } from 'botbuilder';
import { InFlight } from '../async/in-flight';
import { jsonOf, STORED_JSON, withJson, WRITTEN_JSON, type BotStorage } from './bot-storage';
import { decodeSlot, encodeSlot } from './slot-file';

/** Keys whose file names are remembered; cleared when full (at most about 2 MB of strings). */
const FILE_NAME_CACHE = 10_000;

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

/** What is on disk for each key. `key` is kept so the directory can be listed and debugged. */
interface StoredRecord {
  key: string;
  eTag: string;
  item: Record<string, unknown>;
}

/** A write that has been validated and serialised, waiting for its key's lock. */
interface PendingWrite {
  key: string;
  eTag: unknown;
  /** The item without its eTag, as JSON: serialised once, for the file and the cache alike. */
  itemJson: string;
}

// The callback API works on plain file descriptors; the promise API wraps each in a FileHandle.
const openFd = promisify(openCallback);
const writeFd = promisify(writeCallback);
const syncFd = promisify(fdatasyncCallback);
const readWholeFile = promisify(readFileCallback);

/** A key's two slot files, written in turn: `<sha256>.a` and `<sha256>.b`. */
const SLOT_SUFFIXES = ['.a', '.b'] as const;
/** Files of the earlier layout (one `<sha256>.json` per key, replaced by rename): still read, removed on the next write. */
const LEGACY_SUFFIX = '.json';

/** Slot files kept open between writes (two per recently active conversation). */
const OPEN_SLOT_FILES = 128;
/** The longest pause between reads of a key whose slots were all torn (pauses 1, 4, 16, 64 ms). */
const TORN_READ_WAIT_MS = 64;

interface OpenSlot {
  fd: number;
  /** Writes using the descriptor now: it is not closed under them. */
  users: number;
}

/** Where a key's current record is: its version and slot, and whether an earlier-layout file is still there. */
interface SlotState {
  version: number;
  slot: 0 | 1;
  legacy: boolean;
}

/** Leftover temp files younger than this may belong to another instance still writing, so they are kept. */
const STALE_TEMP_MS = 60_000;

/**
 * A botbuilder `Storage` that keeps each key's record in files on the local disk.
 *
 * - File names are the sha256 hex of the key, so any key (slashes, unicode, thousands of characters) maps to a
 *   safe, fixed-length name.
 * - Each key has two slot files, `<sha256>.a` and `<sha256>.b` (src/storage/slot-file.ts), and a write goes in
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
  private readonly fileNames = new Map<string, string>();
  /** Where each key's current record is, as far as this process has seen (bounded like the file names). */
  private readonly slots = new Map<string, SlotState>();
  /** Slot files kept open for writing, least recently used first. */
  private readonly openSlots = new Map<string, OpenSlot>();
  private readonly directory: string;
  private readonly fsync: boolean;
  private readonly onCorrupt: ((details: CorruptFile) => void) | undefined;
  private initialising: Promise<void> | undefined;
  /** Tail of each key's queue; an entry exists only while work for that key is queued or running. */
  private readonly locks = new Map<string, Promise<void>>();
  private readonly inFlight = new InFlight();
  /** Record text by key, least recently used first; every read parses a fresh copy from it. */
  private readonly cache = new Map<string, string>();
  private readonly cacheEntries: number;
  /**
   * Keys read as missing and not written since (most recent last). A turn reads user state that is
   * never written, so without this every turn waited for a disk lookup that could only fail, and
   * behind slow renames in libuv's thread pool that took a second at times.
   */
  private readonly absent = new Set<string>();
  /** Reads under way per key, and whether a write or delete of the key started since the oldest began. */
  private readonly reading = new Map<string, { count: number; touched: boolean }>();

  /** @param options See {@link FileStorageOptions}. Does no I/O; see {@link FileStorage.init}. */
  constructor(options: FileStorageOptions) {
    this.directory = path.resolve(options.directory);
    this.fsync = options.fsync ?? false;
    this.onCorrupt = options.onCorrupt;
    this.cacheEntries = options.cacheEntries ?? 2000;
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
      const text = this.cache.get(record.key);
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
    this.closeIdleSlots(0);
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
    const results = await Promise.allSettled(pending.map((change) => this.withKeyLock(change.key, () => this.writeOne(change))));
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
    // The same text JSON.stringify would give for { key, eTag, item }, without serialising the item again.
    const text = `{"key":${JSON.stringify(key)},"eTag":"${randomUUID()}","item":${itemJson}}`;
    const base = this.fileFor(key);
    // A key read as missing (and not written since) has no files to look for: a new conversation's first write.
    const current = this.slots.get(key) ?? (this.absent.has(key) ? undefined : await this.findSlots(key, base));
    const next: SlotState = { version: (current?.version ?? 0) + 1, slot: current?.slot === 0 ? 1 : 0, legacy: false };
    this.touch(key);
    try {
      // The first two versions of a key create its two slot files.
      await this.writeSlot(`${base}${SLOT_SUFFIXES[next.slot]}`, encodeSlot(next.version, text), next.version <= 2);
    } finally {
      // Also after: a read that began during the write may have found no file yet.
      this.touch(key);
    }
    this.rememberSlots(key, next);
    this.remember(key, text);
    if (current?.legacy) await fs.rm(`${base}${LEGACY_SUFFIX}`, { force: true });
  }

  /** Where a key's current record is on disk (for a write that has not seen it read). */
  private async findSlots(key: string, base: string): Promise<SlotState | undefined> {
    const found = await this.readSlots(base);
    if (found.current) return { version: found.current.version, slot: found.current.slot, legacy: await exists(`${base}${LEGACY_SUFFIX}`) };
    // No whole slot (or none at all): start over at slot a, and clear out a record of the earlier layout.
    return (await exists(`${base}${LEGACY_SUFFIX}`)) ? { version: 0, slot: 1, legacy: true } : found.any ? { version: 0, slot: 1, legacy: false } : undefined;
  }

  /** Both slot files of a key: the whole version with the highest number, and the first damaged file if any. */
  private async readSlots(base: string): Promise<{ current?: { version: number; slot: 0 | 1; text: string }; damaged?: string; any: boolean }> {
    const contents = await Promise.all(SLOT_SUFFIXES.map((suffix) => readIfThere(`${base}${suffix}`)));
    let current: { version: number; slot: 0 | 1; text: string } | undefined;
    let damaged: string | undefined;
    contents.forEach((data, slot) => {
      if (data === undefined) return;
      const decoded = decodeSlot(data);
      if (!decoded) damaged ??= `${base}${SLOT_SUFFIXES[slot]}`;
      else if (!current || decoded.version > current.version) current = { ...decoded, slot: slot as 0 | 1 };
    });
    return { current, damaged, any: contents.some((data) => data !== undefined) };
  }

  private rememberSlots(key: string, state: SlotState): void {
    if (this.slots.size >= FILE_NAME_CACHE && !this.slots.has(key)) this.slots.clear();
    this.slots.set(key, state);
  }

  /** A write or delete of `key` has begun or ended: what reads found missing may no longer be. */
  private touch(key: string): void {
    this.absent.delete(key);
    const reading = this.reading.get(key);
    if (reading) reading.touched = true;
  }

  private rememberAbsent(key: string): void {
    if (this.cacheEntries === 0) return;
    this.absent.delete(key);
    this.absent.add(key);
    if (this.absent.size > this.cacheEntries) this.absent.delete(this.absent.values().next().value!);
  }

  /** The eTag on disk; a cached record answers without parsing its item. */
  private async storedETag(key: string): Promise<string | undefined> {
    const cached = this.cache.get(key);
    if (cached !== undefined) return eTagOf(cached);
    return (await this.readRecord(key))?.eTag;
  }

  private remember(key: string, text: string): void {
    if (this.cacheEntries === 0) return;
    this.cache.delete(key);
    this.cache.set(key, text);
    if (this.cache.size > this.cacheEntries) this.cache.delete(this.cache.keys().next().value!);
  }

  /** Writes `data` at the start of `file` (created if need be), not truncating: the slot's header says where it ends. */
  private async writeSlot(file: string, data: Buffer, mayCreate: boolean): Promise<void> {
    const open = await this.openSlot(file);
    open.users++;
    try {
      let written = 0;
      while (written < data.length) written += (await writeFd(open.fd, data, written, data.length - written, written)).bytesWritten;
      if (this.fsync) await syncFd(open.fd);
    } finally {
      open.users--;
    }
    this.closeIdleSlots(OPEN_SLOT_FILES);
    // A new file is only durable once its directory entry is.
    if (this.fsync && mayCreate) await this.syncDirectory();
  }

  /**
   * The slot file open for writing, from the most recently used {@link OPEN_SLOT_FILES}: a
   * conversation writes the same two files turn after turn, and opening and closing them cost
   * more CPU than the write. Writes of one key are serialised by its lock, so a file is never
   * opened twice at once.
   */
  private async openSlot(file: string): Promise<OpenSlot> {
    const open = this.openSlots.get(file);
    if (open) {
      this.openSlots.delete(file);
      this.openSlots.set(file, open);
      return open;
    }
    const opened: OpenSlot = { fd: await openFd(file, constants.O_WRONLY | constants.O_CREAT, 0o600), users: 0 };
    this.openSlots.set(file, opened);
    return opened;
  }

  /** Closes the least recently used open slot files not being written until at most `keep` stay open. */
  private closeIdleSlots(keep: number, only?: readonly string[]): void {
    for (const [file, open] of this.openSlots) {
      if (this.openSlots.size <= keep && !only) break;
      if (open.users > 0 || (only && !only.includes(file))) continue;
      this.openSlots.delete(file);
      closeCallback(open.fd, () => undefined);
    }
  }

  private async deleteAll(keys: string[]): Promise<void> {
    await this.init();
    await Promise.all(
      keys.map((key) =>
        this.withKeyLock(key, async () => {
          this.cache.delete(key);
          this.slots.delete(key);
          this.touch(key);
          try {
            const base = this.fileFor(key);
            // An open descriptor would go on writing to the removed file.
            this.closeIdleSlots(0, SLOT_SUFFIXES.map((suffix) => `${base}${suffix}`));
            await Promise.all([...SLOT_SUFFIXES, LEGACY_SUFFIX].map((suffix) => fs.rm(`${base}${suffix}`, { force: true })));
          } finally {
            this.touch(key);
          }
        }),
      ),
    );
    if (this.fsync && keys.length > 0) await this.syncDirectory();
  }

  /** A rename or unlink is only durable once the directory entry itself is on disk. */
  private async syncDirectory(): Promise<void> {
    // Windows cannot open a directory for fsync.
    if (process.platform === 'win32') return;
    const handle = await fs.open(this.directory, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  }

  private async readRecord(key: string): Promise<StoredRecord | undefined> {
    const cached = this.cache.get(key);
    if (cached !== undefined) {
      this.remember(key, cached); // synchronous with the lookup, so no write can slip in between
      return JSON.parse(cached) as StoredRecord;
    }
    if (this.absent.has(key)) return undefined;
    const base = this.fileFor(key);
    const reading = this.reading.get(key) ?? { count: 0, touched: false };
    this.reading.set(key, reading);
    reading.count++;
    let file: string;
    let text: string | undefined;
    let damaged: string | undefined;
    try {
      let slots = await this.readSlots(base);
      // A crash leaves at most one slot torn, since a write starts only after the one before it
      // ended. Both failing at once means a writer this read does not wait for (another process
      // reading along, or this one outside the key's lock) went through two writes while the
      // files were read: read again before calling the record damaged.
      for (let wait = 1; !slots.current && slots.damaged !== undefined && wait <= TORN_READ_WAIT_MS; wait *= 4) {
        await delay(wait);
        slots = await this.readSlots(base);
      }
      damaged = slots.damaged;
      file = slots.current ? `${base}${SLOT_SUFFIXES[slots.current.slot]}` : `${base}${LEGACY_SUFFIX}`;
      text = slots.current?.text ?? (await readIfThere(file))?.toString('utf8');
      // Not when a write overlapped: what this read found may be older than what the write left.
      if (slots.current && !reading.touched) this.rememberSlots(key, { version: slots.current.version, slot: slots.current.slot, legacy: false });
      if (text === undefined && damaged === undefined && !reading.touched) this.rememberAbsent(key);
    } finally {
      if (--reading.count === 0) this.reading.delete(key);
    }
    if (text === undefined) {
      if (damaged !== undefined) this.onCorrupt?.({ key, file: damaged, error: new Error('slot file holds no whole record') });
      return undefined;
    }
    try {
      const parsed: unknown = JSON.parse(text);
      if (!isStoredRecord(parsed)) throw new Error('file does not hold a { key, eTag, item } record');
      // Only a sha256 collision or a hand-copied file could get here.
      if (parsed.key !== key) throw new Error(`file holds key "${parsed.key}"`);
      // Not cached here: a read racing a write could put the older text back. Only writes,
      // which hold the key's lock, fill the cache.
      return parsed;
    } catch (err) {
      this.onCorrupt?.({ key, file, error: err instanceof Error ? err : new Error(String(err)) });
      return undefined;
    }
  }

  private fileFor(key: string): string {
    // Every turn reads and writes the same few keys; hashing them each time showed in the profile.
    let file = this.fileNames.get(key);
    if (file === undefined) {
      file = path.join(this.directory, createHash('sha256').update(key, 'utf8').digest('hex'));
      if (this.fileNames.size >= FILE_NAME_CACHE) this.fileNames.clear();
      this.fileNames.set(key, file);
    }
    return file;
  }

  /** Runs `task` after every earlier task for `key`; tasks for other keys are not held up. */
  private async withKeyLock<T>(key: string, task: () => Promise<T>): Promise<T> {
    const run = (this.locks.get(key) ?? Promise.resolve()).then(task);
    const tail = run.then(
      () => undefined,
      () => undefined,
    );
    this.locks.set(key, tail);
    try {
      return await run;
    } finally {
      // Someone queued behind us owns the entry now; otherwise the key is idle and the entry must go.
      if (this.locks.get(key) === tail) this.locks.delete(key);
    }
  }

}

function toPendingWrite(key: string, value: unknown): PendingWrite {
  if (!isPlainRecord(value)) throw new TypeError(`FileStorage: item for "${key}" must be an object`);
  const { eTag, ...rest } = value;
  // Serialising is the snapshot, and fails here (not halfway through the batch) on unserialisable data.
  // A caller that has just serialised the item itself (conversation state does) hands that over.
  const itemJson = jsonOf(value, WRITTEN_JSON) ?? (JSON.stringify(rest) as string | undefined);
  // Only an own `toJSON` on the item can make it serialise to something else than an object.
  if (itemJson?.[0] !== '{') throw new TypeError(`FileStorage: item for "${key}" must serialise to an object`);
  return { key, eTag, itemJson };
}

/** The eTag of a record text this class wrote: it comes right after the key, so no full parse is needed. */
function eTagOf(recordText: string): string {
  const keyEnd = recordText.indexOf(',"eTag":"');
  // A key containing ',"eTag":"' is escaped inside its JSON string (the quotes become \"), so the first match is the field.
  const start = keyEnd + ',"eTag":"'.length;
  return recordText.slice(start, recordText.indexOf('"', start));
}

/** The item's JSON in a record text this class wrote: `{"key":…,"eTag":"…","item":ITEM}`. */
function itemJsonOf(recordText: string): string {
  const eTagStart = recordText.indexOf(',"eTag":"') + ',"eTag":"'.length;
  const itemStart = recordText.indexOf('"', eTagStart) + '","item":'.length;
  return recordText.slice(itemStart, -1);
}

function isPlainRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isStoredRecord(value: unknown): value is StoredRecord {
  return isPlainRecord(value) && typeof value.key === 'string' && typeof value.eTag === 'string' && isPlainRecord(value.item);
}

/** A file's bytes, or undefined when there is no such file. */
async function readIfThere(file: string): Promise<Buffer | undefined> {
  try {
    return await readWholeFile(file);
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await fs.access(file);
    return true;
  } catch {
    return false;
  }
}

function isNotFound(err: unknown): boolean {
  return err instanceof Error && 'code' in err && err.code === 'ENOENT';
}
