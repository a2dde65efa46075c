import type { Storage, StoreItem } from 'botbuilder';
import { isETagConflict } from './bot-storage';
import { KeyLocks } from './key-locks';

/** A stored record without its eTag, and the eTag it was read with. */
export interface ReadRecord<T> {
  value: T;
  eTag?: string;
}

/** What {@link readModifyWrite} did: the record before the change and, when it wrote, after it. */
export interface Modified<T> {
  before?: T;
  after?: T;
}

/** Splits a stored item into its value and its eTag; undefined for anything that is not a record. */
export function unwrapRecord<T>(item: unknown): ReadRecord<T> | undefined {
  if (typeof item !== 'object' || item === null) return undefined;
  const { eTag, ...value } = item as T & StoreItem;
  return { value: value as T, ...(eTag !== undefined ? { eTag } : {}) };
}

/** Reads one key as a record. */
export async function readRecord<T>(storage: Storage, key: string): Promise<ReadRecord<T> | undefined> {
  return unwrapRecord<T>((await storage.read([key]))[key]);
}

// Shared per storage object, so every part of one process that changes a key waits its turn,
// even through two objects over the same storage.
const locksOf = new WeakMap<Storage, KeyLocks>();

/**
 * Reads `key`, applies `change` and writes the result with the eTag it read, again on a
 * conflict (another instance wrote in between); `change` returning undefined writes nothing.
 *
 * A record that does not exist yet is written without an eTag. SQLite, PostgreSQL and Blob then
 * create it only if it is still absent, so two processes creating it at once conflict and one
 * retries. botbuilder's MemoryStorage (tests) has no create-only write and would let the second
 * creation overwrite the first; within a process the changes to one key run one at a time.
 */
export async function readModifyWrite<T extends object>(
  storage: Storage,
  key: string,
  change: (current: T | undefined) => T | undefined,
  retries = 40,
): Promise<Modified<T>> {
  let locks = locksOf.get(storage);
  if (!locks) locksOf.set(storage, (locks = new KeyLocks()));
  return locks.run(key, async () => {
    for (let attempt = 1; ; attempt++) {
      const current = await readRecord<T>(storage, key);
      const next = change(current ? structuredClone(current.value) : undefined);
      if (next === undefined) return { before: current?.value };
      try {
        await storage.write({ [key]: current?.eTag ? { ...next, eTag: current.eTag } : { ...next } });
        return { before: current?.value, after: next };
      } catch (err) {
        if (!isETagConflict(err) || attempt >= retries) throw err;
        // A short random pause spreads competing instances out so each gets through in a few tries.
        await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(50, 2 * attempt)));
      }
    }
  });
}
