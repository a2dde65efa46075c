import type { Storage, StoreItems } from 'botbuilder';

/** What a storage call may be given: a signal that ends it (its deadline passed). */
export interface StorageCallOptions {
  signal?: AbortSignal;
}

/**
 * A botbuilder Storage that can also say whether it is reachable and wait for its writes. Each
 * call may take a signal: a storage that can stop a request (Blob) stops it when the signal fires.
 */
export interface BotStorage extends Storage {
  read(keys: string[], options?: StorageCallOptions): Promise<StoreItems>;
  write(changes: StoreItems, options?: StorageCallOptions): Promise<void>;
  delete(keys: string[], options?: StorageCallOptions): Promise<void>;
  /** Resolves when the storage can be read and written; used by /readyz. */
  ping(options?: StorageCallOptions): Promise<void>;
  /** Resolves when every write started so far is done; used by graceful shutdown. */
  flush(): Promise<void>;
}

// Conversation state is serialised to tell whether a turn changed it and again to write it; these
// let the state and the storages share that work (two of three serialisations per turn).
// Both are non-enumerable, so spreading or copying an item never carries a stale one along.

/** On items a storage returns: the item's JSON without its eTag as stored, when the storage has it at hand. */
export const STORED_JSON = Symbol('stored item JSON');

/** On items handed to `write`: `JSON.stringify` of the item without its eTag, made just before the call. */
export const WRITTEN_JSON = Symbol('written item JSON');

/**
 * On items handed to `write`: the item's JSON without its eTag as it was read before this change
 * (`{}` when nothing was stored). A write that timed out may still land later; with this, the
 * deadline guard can put the earlier state back.
 */
export const READ_JSON = Symbol('item JSON as read');

/** Attaches `json` to `item` under `key`, invisibly to spreads, `Object.keys` and JSON. */
export function withJson<T extends object>(item: T, key: typeof STORED_JSON | typeof WRITTEN_JSON | typeof READ_JSON, json: string): T {
  Object.defineProperty(item, key, { value: json, enumerable: false, configurable: true });
  return item;
}

/** The JSON attached under `key`, if any. */
export function jsonOf(item: unknown, key: typeof STORED_JSON | typeof WRITTEN_JSON | typeof READ_JSON): string | undefined {
  const json = typeof item === 'object' && item !== null ? (item as Record<symbol, unknown>)[key] : undefined;
  return typeof json === 'string' ? json : undefined;
}

/** True for the error a storage gives when a write's eTag is stale. */
export function isETagConflict(err: unknown): boolean {
  const e = err as { message?: unknown; statusCode?: unknown };
  return e?.statusCode === 412 || (typeof e?.message === 'string' && /etag conflict/i.test(e.message));
}
