import { createHash } from 'node:crypto';
import path from 'node:path';
import type { SlotState } from './slot-reader';

/** Keys whose file names and slots are remembered; cleared when full (at most about 2 MB of strings). */
const FILE_NAME_CACHE = 10_000;

/** Reads of one key under way, and whether a write or delete of the key started since the oldest began. */
export interface ReadMark {
  count: number;
  touched: boolean;
}

/**
 * What one process remembers of its directory, so that a conversation's next turn touches the
 * disk as little as it can: each key's file name, where its current record is, the record texts
 * it wrote (most recently used, `entries` of them), and the keys read as missing. Right only
 * because one process owns the directory; reads that overlapped a write remember nothing.
 */
export class RecordCache {
  private readonly fileNames = new Map<string, string>();
  private readonly slots = new Map<string, SlotState>();
  /** Record text by key, least recently used first; every read parses a fresh copy from it. */
  private readonly texts = new Map<string, string>();
  /**
   * Keys read as missing and not written since (most recent last). A turn reads user state that is
   * never written, so without this every turn waited for a disk lookup that could only fail, and
   * behind slow renames in libuv's thread pool that took a second at times.
   */
  private readonly absent = new Set<string>();
  private readonly reading = new Map<string, ReadMark>();

  constructor(
    private readonly directory: string,
    private readonly entries: number,
  ) {}

  /** The path of a key's files without their suffix: the sha256 hex of the key, in the directory. */
  fileFor(key: string): string {
    // Every turn reads and writes the same few keys; hashing them each time showed in the profile.
    let file = this.fileNames.get(key);
    if (file === undefined) {
      file = path.join(this.directory, createHash('sha256').update(key, 'utf8').digest('hex'));
      if (this.fileNames.size >= FILE_NAME_CACHE) this.fileNames.clear();
      this.fileNames.set(key, file);
    }
    return file;
  }

  /** The record text kept for `key`, without counting it as used. */
  peek(key: string): string | undefined {
    return this.texts.get(key);
  }

  /** The record text kept for `key`, now the most recently used. */
  use(key: string): string | undefined {
    const text = this.texts.get(key);
    if (text !== undefined) this.remember(key, text); // synchronous with the lookup, so no write can slip in between
    return text;
  }

  remember(key: string, text: string): void {
    if (this.entries === 0) return;
    this.texts.delete(key);
    this.texts.set(key, text);
    if (this.texts.size > this.entries) this.texts.delete(this.texts.keys().next().value!);
  }

  slotsOf(key: string): SlotState | undefined {
    return this.slots.get(key);
  }

  rememberSlots(key: string, state: SlotState): void {
    if (this.slots.size >= FILE_NAME_CACHE && !this.slots.has(key)) this.slots.clear();
    this.slots.set(key, state);
  }

  /** The key is being deleted: neither its text nor its slots hold any more. */
  forget(key: string): void {
    this.texts.delete(key);
    this.slots.delete(key);
  }

  isAbsent(key: string): boolean {
    return this.absent.has(key);
  }

  rememberAbsent(key: string): void {
    if (this.entries === 0) return;
    this.absent.delete(key);
    this.absent.add(key);
    if (this.absent.size > this.entries) this.absent.delete(this.absent.values().next().value!);
  }

  /** A write or delete of `key` has begun or ended: what reads found missing may no longer be. */
  touch(key: string): void {
    this.absent.delete(key);
    const reading = this.reading.get(key);
    if (reading) reading.touched = true;
  }

  /** A read of `key` from disk begins; its mark turns `touched` when a write or delete of the key overlaps it. */
  beginRead(key: string): ReadMark {
    const reading = this.reading.get(key) ?? { count: 0, touched: false };
    this.reading.set(key, reading);
    reading.count++;
    return reading;
  }

  endRead(key: string, mark: ReadMark): void {
    if (--mark.count === 0) this.reading.delete(key);
  }
}
