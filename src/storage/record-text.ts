import { randomUUID } from 'node:crypto';
import { jsonOf, WRITTEN_JSON } from './bot-storage';

/** What is on disk for each key. `key` is kept so the directory can be listed and debugged. */
export interface StoredRecord {
  key: string;
  eTag: string;
  item: Record<string, unknown>;
}

/** A write that has been validated and serialised, waiting for its key's lock. */
export interface PendingWrite {
  key: string;
  eTag: unknown;
  /** The item without its eTag, as JSON: serialised once, for the file and the cache alike. */
  itemJson: string;
}

export function toPendingWrite(key: string, value: unknown): PendingWrite {
  if (!isPlainRecord(value)) throw new TypeError(`FileStorage: item for "${key}" must be an object`);
  const { eTag, ...rest } = value;
  // Serialising is the snapshot, and fails here (not halfway through the batch) on unserialisable data.
  // A caller that has just serialised the item itself (conversation state does) hands that over.
  const itemJson = jsonOf(value, WRITTEN_JSON) ?? (JSON.stringify(rest) as string | undefined);
  // Only an own `toJSON` on the item can make it serialise to something else than an object.
  if (itemJson?.[0] !== '{') throw new TypeError(`FileStorage: item for "${key}" must serialise to an object`);
  return { key, eTag, itemJson };
}

/** A new record's text with a fresh eTag: what JSON.stringify would give for { key, eTag, item }, without serialising the item again. */
export function recordText(key: string, itemJson: string): string {
  return `{"key":${JSON.stringify(key)},"eTag":"${randomUUID()}","item":${itemJson}}`;
}

/** The eTag of a record text this module wrote: it comes right after the key, so no full parse is needed. */
export function eTagOf(recordText: string): string {
  const keyEnd = recordText.indexOf(',"eTag":"');
  // A key containing ',"eTag":"' is escaped inside its JSON string (the quotes become \"), so the first match is the field.
  const start = keyEnd + ',"eTag":"'.length;
  return recordText.slice(start, recordText.indexOf('"', start));
}

/** The item's JSON in a record text this module wrote: `{"key":…,"eTag":"…","item":ITEM}`. */
export function itemJsonOf(recordText: string): string {
  const eTagStart = recordText.indexOf(',"eTag":"') + ',"eTag":"'.length;
  const itemStart = recordText.indexOf('"', eTagStart) + '","item":'.length;
  return recordText.slice(itemStart, -1);
}

/** The record a file's text holds for `key`; throws when it holds none, or another key's. */
export function parseRecord(text: string, key: string): StoredRecord {
  const parsed: unknown = JSON.parse(text);
  if (!isStoredRecord(parsed)) throw new Error('file does not hold a { key, eTag, item } record');
  // Only a sha256 collision or a hand-copied file could get here.
  if (parsed.key !== key) throw new Error(`file holds key "${parsed.key}"`);
  return parsed;
}

function isPlainRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isStoredRecord(value: unknown): value is StoredRecord {
  return isPlainRecord(value) && typeof value.key === 'string' && typeof value.eTag === 'string' && isPlainRecord(value.item);
}
