import type { Storage } from 'botbuilder';

/** A botbuilder Storage that can also say whether it is reachable and wait for its writes. */
export interface BotStorage extends Storage {
  /** Resolves when the storage can be read and written; used by /readyz. */
  ping(): Promise<void>;
  /** Resolves when every write started so far is done; used by graceful shutdown. */
  flush(): Promise<void>;
}
