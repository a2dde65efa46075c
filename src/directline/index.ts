import type { CloudAdapter, ConversationReference, TurnContext } from 'botbuilder';
import type restify from 'restify';
import type { Clock } from '../clock';
import type { Config } from '../config';
import type { Logger } from '../logger';
import { InFlight } from '../async/in-flight';
import { BotBridge, type DirectLineRole, type TurnHandler } from './bot-bridge';
import { registerClientRoutes } from './client-routes';
import { registerConnectorRoutes } from './connector-routes';
import type { AgentSessionCheck, DirectLineContext } from './context';
import type { ConversationLog } from './conversation-log';
import { ConversationStore, type ConversationStoreOptions } from './conversations';
import { newInternalSecret } from './internal-auth';
import { SlidingWindowLimiter } from './rate-limit';
import { createStreamServer } from './stream';
import { loadSigningSecret, TokenSigner } from './tokens';

export interface DirectLineDeps {
  config: Config;
  adapter: CloudAdapter;
  /** Citizens' conversations go to the MitID bot, agents' (signed in on /agent) to their desk. */
  bots: Record<DirectLineRole, TurnHandler>;
  logger: Logger;
  clock: Clock;
  /** The server's own base URL, e.g. http://127.0.0.1:3978; read only after listen. */
  selfUrl: () => string;
  /** Checks agents' tokens against their staff sessions (src/desk); without it agents' tokens are refused. */
  agentSession?: AgentSessionCheck;
  /** Where conversations are kept (PostgreSQL, shared by instances); in this process's memory when absent. */
  conversations?: (settings: ConversationStoreOptions) => ConversationLog;
}

/** Knobs with sensible defaults; tests make the timers short. */
export interface DirectLineOptions {
  /** How often idle conversations are swept (default 60 s). */
  sweepIntervalMs?: number;
  /** How often WebSockets are pinged (default 30 s). */
  keepAliveMs?: number;
  /** Activities kept per conversation (default 500). */
  maxActivitiesPerConversation?: number;
}

/**
 * A Direct Line 3.0 endpoint on our own server, for the stock Web Chat client:
 * `/v3/directline/...` (tokens, conversations, activities, WebSocket stream) and, for the
 * bot's replies, the Bot Connector routes `/v3/conversations/...` (internal secret only).
 * Call before `listen()`; call `close()` before the HTTP server closes.
 */
export interface DirectLineEndpoint {
  /** Signs and checks the endpoint's tokens (also the agents' tokens issued at sign-in). */
  signer: TokenSigner;
  /** Sends into one of the endpoint's conversations outside its own turns. */
  continueConversation(reference: Partial<ConversationReference>, logic: (context: TurnContext) => Promise<void>): Promise<void>;
  close(): Promise<void>;
}

export function registerDirectLine(server: restify.Server, deps: DirectLineDeps, options: DirectLineOptions = {}): DirectLineEndpoint {
  const { config, logger, clock } = deps;
  let closing = false;
  const inFlight = new InFlight();
  const internalSecret = newInternalSecret();

  const ctx: DirectLineContext = {
    config,
    logger,
    clock,
    selfUrl: deps.selfUrl,
    store: (deps.conversations ?? ((settings) => new ConversationStore(settings)))({ clock, idleMs: config.CONVERSATION_IDLE_MINUTES * 60_000, maxActivities: options.maxActivitiesPerConversation ?? 500 }),
    signer: new TokenSigner(loadSigningSecret(config.DIRECTLINE_SECRET, config.DATA_DIR), clock),
    bridge: new BotBridge({ adapter: deps.adapter, bots: deps.bots, selfUrl: deps.selfUrl, internalSecret, appId: config.MicrosoftAppId }),
    internalSecret,
    conversationsPerIp: new SlidingWindowLimiter(config.LIMIT_CONVERSATIONS_PER_IP_PER_HOUR, 60 * 60_000, clock),
    messagesPerToken: new SlidingWindowLimiter(config.LIMIT_MESSAGES_PER_MINUTE, 60_000, clock),
    streamTokenTtlSeconds: Math.min(300, config.DIRECTLINE_TOKEN_TTL_SECONDS),
    ...(deps.agentSession ? { agentSession: deps.agentSession } : {}),
    isClosing: () => closing,
    track: (work) => inFlight.track(work),
  };

  registerClientRoutes(server, ctx);
  registerConnectorRoutes(server, ctx);
  const stream = createStreamServer(ctx, options.keepAliveMs ?? 30_000);
  const onUpgrade = stream.onUpgrade.bind(stream);
  server.server.on('upgrade', onUpgrade);

  const sweep = setInterval(() => {
    ctx.conversationsPerIp.prune();
    ctx.messagesPerToken.prune();
    ctx.store.sweep().then(
      (dropped) => dropped > 0 && logger.debug({ dropped }, 'idle direct line conversations dropped'),
      (err: unknown) => logger.warn({ err }, 'direct line sweep failed'),
    );
  }, options.sweepIntervalMs ?? 60_000);
  sweep.unref();

  return {
    signer: ctx.signer,
    continueConversation: (reference, logic) => ctx.track(ctx.bridge.continueConversation(reference, logic)),
    close: async () => {
      if (closing) return;
      closing = true;
      clearInterval(sweep);
      server.server.off('upgrade', onUpgrade);
      stream.close();
      await inFlight.settled(config.SHUTDOWN_TIMEOUT_MS);
      await ctx.store.close();
    },
  };
}
