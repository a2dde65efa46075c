import type { Config } from '../config';
import type { Clock } from '../clock';
import type { Logger } from '../logger';
import type { BotBridge } from './bot-bridge';
import type { ConversationLog } from './conversation-log';
import type { SlidingWindowLimiter } from './rate-limit';
import type { TokenClaims, TokenSigner } from './tokens';

/**
 * Asks the staff desk (a layer above, so it is handed in) whether an agent's token still stands
 * for a live staff session: the longest a token issued now may live, in seconds, or undefined
 * when the session has ended. `act` is true when the request is the agent's own doing (she
 * posts), so it counts against the session's idle time.
 */
export type AgentSessionCheck = (claims: TokenClaims, act: boolean) => Promise<number | undefined>;

/** What the Direct Line modules share; built once by registerDirectLine. */
export interface DirectLineContext {
  config: Config;
  logger: Logger;
  clock: Clock;
  selfUrl: () => string;
  store: ConversationLog;
  signer: TokenSigner;
  bridge: BotBridge;
  internalSecret: string;
  conversationsPerIp: SlidingWindowLimiter;
  messagesPerToken: SlidingWindowLimiter;
  /** Stream tokens are only needed for the moment between the REST answer and the WebSocket connect. */
  streamTokenTtlSeconds: number;
  /** Without it no agent token is accepted: agents' tokens are only as good as their sessions. */
  agentSession?: AgentSessionCheck;
  isClosing(): boolean;
  /** Keeps track of a bot turn so close() can wait for it. */
  track<T>(work: Promise<T>): Promise<T>;
}
