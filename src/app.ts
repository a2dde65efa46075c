import type { CloudAdapter, ConfigurationBotFrameworkAuthenticationOptions } from 'botbuilder';
import path from 'node:path';
import restify from 'restify';
import type { MitIdBot } from './bot/mitid-bot';
import { AgentDesk } from './handoff/agent-desk';
import { registerAgentRoutes } from './handoff/agent-routes';
import { StaffDesk } from './desk/staff-desk';
import type { OidcSignInOptions } from './desk/oidc-sign-in';
import type { HandoffService } from './handoff/handoff-service';
import type { Clock } from './clock';
import type { Config } from './config';
import type { Content } from './content/load-content';
import { defaultContentRoot } from './content/load-content';
import { registerBodyErrors, registerBodyParsing } from './http/body-parsing';
import { registerWidgetRoutes } from './http/widget-routes';
import { registerSecurityHeaders } from './http/security-headers';
import { registerHealthRoutes } from './ops/health-routes';
import { registerMetrics } from './ops/metrics';
import { registerDirectLine, type DirectLineOptions } from './directline';
import type { Logger } from './logger';
import type { IntentRecognizer } from './nlu/recognizer';
import type { BotStorage } from './storage/bot-storage';
import { setUpBot } from './app/bot-setup';
import { closeServer, listenOn, prepareCases, startTimeoutSweep } from './app/lifecycle';
import { registerMessagesRoute } from './app/messages-route';
import { Requests } from './app/requests';
import type { ConversationLogFactory } from './app/stores';

/** What the app is built from; tests swap the storage, the clock and the logger. */
export interface AppDeps {
  config: Config;
  content: Content;
  storage: BotStorage;
  clock: Clock;
  logger: Logger;
  /** Trained once (it takes a tenth of a second) and shared by all conversations. */
  recognizer: IntentRecognizer;
  /** Where Direct Line keeps its conversations (PostgreSQL, shared by instances); in memory when absent. */
  conversations?: ConversationLogFactory;
  /** Tests shorten the Direct Line endpoint's sweep interval and activity cap. */
  directLineOptions?: DirectLineOptions;
  /** Tests shorten how often waiting cases are checked for the timeout (default 15 s). */
  handoffOptions?: { sweepIntervalMs?: number };
  /** Tests point token validation at a local stand-in for Microsoft's OpenID metadata. */
  authOverrides?: Partial<ConfigurationBotFrameworkAuthenticationOptions>;
  /** Tests shorten the staff sign-in's waits for their local OpenID provider. */
  oidcOptions?: OidcSignInOptions;
}

export interface App {
  server: restify.Server;
  bot: MitIdBot;
  adapter: CloudAdapter;
  /** Cases and the queue (tests run its timeout sweep directly). */
  handoff: HandoffService;
  /** Staff sign-in and sessions of the agent desk. */
  staff: StaffDesk;
  /** Starts listening; resolves with the port (useful with PORT=0 in tests). */
  listen(): Promise<number>;
  /** Stops taking requests, lets turns in flight finish, flushes state. */
  close(): Promise<void>;
}

/** Builds the bot, its adapter and the HTTP server, without listening yet. */
export function createApp(deps: AppDeps): App {
  const { config, content, storage, clock, logger, directLineOptions, handoffOptions } = deps;
  const { adapter, bot, metrics, service: handoff, store: cases, presence, useDirectLine } = setUpBot(deps);
  const requests = new Requests();
  let casesReady = false;

  const server = restify.createServer({ name: 'mitid-hjaelperen', handleUncaughtExceptions: false });
  registerSecurityHeaders(server);
  registerMetrics(server, metrics, { token: config.METRICS_TOKEN });
  registerBodyParsing(server, config.MAX_BODY_BYTES);
  registerMessagesRoute(server, { config, adapter, bot, logger, requests });
  registerWidgetRoutes(server, { webDir: path.join(defaultContentRoot(), 'web'), allowedOrigins: config.WIDGET_ALLOWED_ORIGINS, texts: content.pages });
  registerHealthRoutes(server, { storage, logger, readyTimeoutMs: config.READY_TIMEOUT_MS, guideVersion: content.guideVersion, isClosing: () => requests.closing, casesReady: () => casesReady });
  registerBodyErrors(server, config.MAX_BODY_BYTES);

  // The bot's replies to widget conversations travel over HTTP to this server's own
  // connector routes, so the endpoint needs the address it listens on.
  let selfUrl = '';
  // Agents' tokens are bound to staff sessions: Direct Line asks the desk about each, and the desk knows who writes.
  const staff = new StaffDesk({ config, clock, logger, storage, service: handoff, presence, ...(deps.oidcOptions ? { oidcOptions: deps.oidcOptions } : {}) });
  const agentDesk = new AgentDesk(handoff, staff.identify);
  const endpoint = registerDirectLine(server, { config, adapter, bots: { user: bot, agent: agentDesk }, logger, clock, selfUrl: () => selfUrl, agentSession: staff.directLineCheck, ...(deps.conversations ? { conversations: deps.conversations } : {}) }, directLineOptions);
  useDirectLine(endpoint);
  if (config.AGENT_HUB === 'builtin') {
    const agentRoute = staff.registerRoutes(server, endpoint.signer);
    registerAgentRoutes(server, { config, clock, logger, signer: endpoint.signer, service: handoff, presence }, agentRoute);
  }
  const sweep = startTimeoutSweep(handoff, logger, handoffOptions?.sweepIntervalMs ?? 15_000);

  return {
    server,
    bot,
    adapter,
    handoff,
    staff,
    listen: async () => {
      // Storage may be away at start: the server listens anyway, says not ready, and gets ready by itself.
      void prepareCases(cases, requests, logger, () => (casesReady = true));
      void staff.prepare();
      return listenOn(server, config, (url) => (selfUrl = url));
    },
    close: async () => {
      requests.closing = true;
      clearInterval(sweep);
      // Open WebSockets would keep the server from closing; turns still posting replies finish first.
      await endpoint.close();
      await closeServer(server, requests, config.SHUTDOWN_TIMEOUT_MS, async () => {
        await bot.drain();
        await storage.flush();
      });
    },
  };
}
