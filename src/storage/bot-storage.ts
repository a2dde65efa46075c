import type { Storage } from 'botbuilder';

/** A botbuilder Storage that can also say whether it is reachable and wait for its writes. */
export interface BotStorage extends Storage {
  /** Resolves when the storage can be read and written; used by /readyz. */
  ping(): Promise<void>;
  /** Resolves when every write started so far is done; used by graceful shutdown. */
  flush(): Promise<void>;
}

// Conversation state is serialised to tell whether a turn changed it and again to write it; these
// let the state and the file storage share that work (two of three serialisations per turn).
// Both are non-enumerable, so spreading or copying an item never carries a stale one along.

/** On items a storage returns: the item's JSON without its eTag as stored, when the storage has it at hand. */
export const STORED_JSON = Symbol('stored item JSON');

/** On items handed to `write`: `JSON.stringify` of the item without its eTag, made just before the call. */
export const WRITTEN_JSON = Symbol('written item JSON');

/** Attaches `json` to `item` under `key`, invisibly to spreads, `Object.keys` and JSON. */
export function withJson<T extends object>(item: T, key: typeof STORED_JSON | typeof WRITTEN_JSON, json: string): T {
  Object.defineProperty(item, key, { value: json, enumerable: false, configurable: true });
  return item;
}

/** The JSON attached under `key`, if any. */
export function jsonOf(item: unknown, key: typeof STORED_JSON | typeof WRITTEN_JSON): string | undefined {
  const json = typeof item === 'object' && item !== null ? (item as Record<symbol, unknown>)[key] : undefined;
  return typeof json === 'string' ? json : undefined;
}
