import type { Config } from '../config';
import type { Clock } from '../clock';
import type { Logger } from '../logger';
import type { BotBridge } from './bot-bridge';
import type { ConversationStore } from './conversations';
import type { SlidingWindowLimiter } from './rate-limit';
import type { TokenSigner } from './tokens';

/** What the Direct Line modules share; built once by registerDirectLine. */
export interface DirectLineContext {
  config: Config;
  logger: Logger;
  clock: Clock;
  selfUrl: () => string;
  store: ConversationStore;
  signer: TokenSigner;
  bridge: BotBridge;
  internalSecret: string;
  conversationsPerIp: SlidingWindowLimiter;
  messagesPerToken: SlidingWindowLimiter;
  /** Stream tokens are only needed for the moment between the REST answer and the WebSocket connect. */
  streamTokenTtlSeconds: number;
  isClosing(): boolean;
  /** Keeps track of a bot turn so close() can wait for it. */
  track<T>(work: Promise<T>): Promise<T>;
}
