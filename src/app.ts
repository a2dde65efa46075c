import type { Activity, CloudAdapter, ConfigurationBotFrameworkAuthenticationOptions } from 'botbuilder';
import restify from 'restify';
import { createAdapter } from './framework/adapter';
import { createBotOnStorage, type MitIdBot } from './bot/mitid-bot';
import { AgentDesk, directLineAgents } from './handoff/agent-desk';
import { registerAgentRoutes } from './handoff/agent-routes';
import { createHandoff } from './handoff';
import type { HandoffService } from './handoff/handoff-service';
import { AdapterMessenger } from './handoff/messenger';
import { caseAnnouncer, personalChatOpener } from './teams';
import { TeamsDesk } from './teams/teams-desk';
import type { Clock } from './clock';
import { serviceUrlAllowList, type Config } from './config';
import type { Content } from './content/load-content';
import path from 'node:path';
import { defaultContentRoot } from './content/load-content';
import { describeActivityProblem } from './http/activity-schema';
import { serviceUrlAllowed } from './http/service-url-policy';
import { registerWidgetRoutes } from './http/widget-routes';
import { registerSecurityHeaders } from './http/security-headers';
import { BotMetrics, registerMetrics } from './ops/metrics';
import { TurnObserver } from './ops/turn-log';
import { registerDirectLine, type DirectLineEndpoint, type DirectLineOptions } from './directline';
import type { Logger } from './logger';
import type { IntentRecognizer } from './nlu/recognizer';
import type { BotStorage } from './storage/bot-storage';

/** What the app is built from; tests swap the storage, the clock and the logger. */
export interface AppDeps {
  config: Config;
  content: Content;
  storage: BotStorage;
  clock: Clock;
  logger: Logger;
  /** Trained once (it takes a tenth of a second) and shared by all conversations. */
  recognizer: IntentRecognizer;
  /** Tests shorten the Direct Line endpoint's sweep interval and activity cap. */
  directLineOptions?: DirectLineOptions;
  /** Tests shorten how often waiting cases are checked for the timeout (default 15 s). */
  handoffOptions?: { sweepIntervalMs?: number };
  /** Tests point token validation at a local stand-in for Microsoft's OpenID metadata. */
  authOverrides?: Partial<ConfigurationBotFrameworkAuthenticationOptions>;
}

export interface App {
  server: restify.Server;
  bot: MitIdBot;
  adapter: CloudAdapter;
  /** Cases and the queue (tests run its timeout sweep directly). */
  handoff: HandoffService;
  /** Starts listening; resolves with the port (useful with PORT=0 in tests). */
  listen(): Promise<number>;
  /** Stops taking requests, lets turns in flight finish, flushes state. */
  close(): Promise<void>;
}

/** Rejects when `work` has not settled after `ms`. */
function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

/** Builds the bot, its adapter and the HTTP server, without listening yet. */
export function createApp({ config, content, storage, clock, logger, recognizer, directLineOptions, handoffOptions, authOverrides }: AppDeps): App {
  const authConfig: ConfigurationBotFrameworkAuthenticationOptions = {
    MicrosoftAppId: config.MicrosoftAppId ?? '',
    MicrosoftAppPassword: config.MicrosoftAppPassword ?? '',
    MicrosoftAppType: config.MicrosoftAppType,
    MicrosoftAppTenantId: config.MicrosoftAppTenantId ?? '',
    ...authOverrides,
  };
  if (!config.MicrosoftAppId) {
    logger.warn('MicrosoftAppId er tom: botten tager imod uautentificerede kald (kun til lokal brug) / MicrosoftAppId is empty: accepting unauthenticated requests (local use only)');
  }
  const adapter = createAdapter(authConfig);
  // Agents' messages reach citizens outside the citizens' turns: through the built-in Direct
  // Line endpoint for the widget (set up below), through the adapter for any other channel.
  let directLine: DirectLineEndpoint | undefined;
  const messenger = new AdapterMessenger(adapter, config.MicrosoftAppId, (reference, logic) => {
    if (!directLine) throw new Error('the Direct Line endpoint is not set up yet');
    return directLine.continueConversation(reference, logic);
  });
  const announce = caseAnnouncer(config, messenger, () => handoff);
  const { service: handoff, store: cases, presence } = createHandoff({ storage, content, clock, logger, messenger, hub: config.AGENT_HUB, waitSeconds: config.HANDOFF_WAIT_SECONDS, ...(announce ? { announce } : {}) });
  const teams = config.TEAMS_AGENTS.length > 0 ? new TeamsDesk(handoff, config.TEAMS_AGENTS, personalChatOpener(adapter, config.MicrosoftAppId)) : undefined;
  const bot = createBotOnStorage({ content, clock, storage, recognizer, maxMessageChars: config.MAX_MESSAGE_CHARS, handoff, handoffProtocol: config.HANDOFF_PROTOCOL, ...(teams ? { teams } : {}) });
  const metrics = new BotMetrics(handoff, logger);
  adapter.use(new TurnObserver({ logger, recognizer, metrics, isFallback: (reply) => reply.text === bot.replies.message('fallback').text }));

  adapter.onTurnError = async (context, error) => {
    logger.error({ err: error, conversation: context.activity.conversation?.id }, 'turn failed');
    // State is saved only when a turn completes, so the conversation stays at its last good turn.
    try {
      await context.sendActivity(bot.replies.message('turnError'));
    } catch (sendError) {
      logger.error({ err: sendError }, 'could not send the error message');
    }
  };

  const server = restify.createServer({ name: 'mitid-hjaelperen', handleUncaughtExceptions: false });
  registerSecurityHeaders(server);
  registerMetrics(server, metrics, { token: config.METRICS_TOKEN });
  server.use(restify.plugins.queryParser());
  // restify's jsonBodyParser reads `maxBodySize` through its body reader; its typings only list it on bodyParser.
  const jsonOptions: restify.plugins.JsonBodyParserOptions & restify.plugins.BodyParserOptions = {
    maxBodySize: config.MAX_BODY_BYTES,
    mapParams: false,
  };
  server.use(restify.plugins.jsonBodyParser(jsonOptions));

  const allowedServiceUrls = serviceUrlAllowList(config);
  let inFlight = 0;
  let idle: (() => void) | undefined;
  let closing = false;

  server.post('/api/messages', async (req, res) => {
    if (closing) {
      res.send(503, { error: 'Botten lukker ned / the bot is shutting down' });
      return;
    }
    const problem = describeActivityProblem(req.body);
    if (problem) {
      res.send(400, { error: problem });
      return;
    }
    // Unauthenticated, a turn's replies are POSTed to the serviceUrl it names: only to allowed ones.
    const activity = req.body as Activity;
    if (!config.MicrosoftAppId && activity.deliveryMode !== 'expectReplies' && !serviceUrlAllowed(activity.serviceUrl, allowedServiceUrls)) {
      res.send(400, { error: 'Ugyldig aktivitet / invalid activity: serviceUrl: ikke på SERVICE_URL_ALLOW_LIST / not on SERVICE_URL_ALLOW_LIST' });
      return;
    }
    inFlight++;
    try {
      const { status, body } = await adapter.processChecked(req.headers.authorization ?? '', req.body as Activity, (context) => bot.run(context));
      if (body === undefined) res.send(status);
      else res.send(status, body);
    } catch (err) {
      logger.error({ err }, 'request failed');
      if (!res.headersSent) res.send(500, { error: 'Intern fejl / internal error' });
    } finally {
      inFlight--;
      if (inFlight === 0) idle?.();
    }
  });

  registerWidgetRoutes(server, { webDir: path.join(defaultContentRoot(), 'web'), allowedOrigins: config.WIDGET_ALLOWED_ORIGINS });

  server.get('/healthz', async (_req, res) => {
    res.send(200, { status: 'ok' });
  });

  // Ready when storage answers within READY_TIMEOUT_MS and the hand-over's records exist; a
  // storage that hangs gets a 503 in that time, not when its own calls give up.
  server.get('/readyz', async (_req, res) => {
    if (closing) {
      res.send(503, { status: 'closing' });
      return;
    }
    try {
      await withDeadline(storage.ping(), config.READY_TIMEOUT_MS);
      if (!casesReady) res.send(503, { status: 'starting' });
      else res.send(200, { status: 'ready', guideVersion: content.guideVersion });
    } catch (err) {
      logger.warn({ err }, 'storage not reachable');
      res.send(503, { status: 'storage unreachable' });
    }
  });

  // Restify answers a bad body on its own; say what went wrong in both languages.
  server.on('restifyError', (req, res, err, callback) => {
    const status = (err as { statusCode?: number }).statusCode ?? 500;
    const messages: Record<number, string> = {
      400: 'Ugyldig JSON / malformed JSON',
      413: `Forespørgslen er for stor / request body too large (max ${config.MAX_BODY_BYTES} bytes)`,
      415: 'Forkert indholdstype / unsupported content type',
    };
    (err as { toJSON?: () => unknown }).toJSON = () => ({ error: messages[status] ?? err.message });
    return callback();
  });

  // The bot's replies to widget conversations travel over HTTP to this server's own
  // connector routes, so the endpoint needs the address it listens on.
  let selfUrl = '';
  const endpoint = registerDirectLine(server, { config, adapter, bots: { user: bot, agent: new AgentDesk(handoff, directLineAgents(config.AGENT_ACCOUNTS)) }, logger, clock, selfUrl: () => selfUrl }, directLineOptions);
  directLine = endpoint;
  if (config.AGENT_HUB === 'builtin') registerAgentRoutes(server, { config, clock, logger, signer: endpoint.signer, service: handoff, presence });

  let casesReady = false;
  const prepareCases = async (): Promise<void> => {
    for (let pause = 250; !closing; pause = Math.min(pause * 2, 5_000)) {
      try {
        await cases.init();
        casesReady = true;
        return;
      } catch (err) {
        logger.warn({ err }, 'storage not reachable at start-up; trying again');
        await new Promise((resolve) => setTimeout(resolve, pause).unref());
      }
    }
  };

  // Nobody waits in silence: cases past HANDOFF_WAIT_SECONDS are told so, whatever happens in between.
  const sweep = setInterval(() => {
    handoff.sweep().catch((err: unknown) => logger.error({ err }, 'handoff timeout sweep failed'));
  }, handoffOptions?.sweepIntervalMs ?? 15_000);
  sweep.unref();

  return {
    server,
    bot,
    adapter,
    handoff,
    listen: async () => {
      // Storage may be away at start: the server listens anyway, says not ready, and gets ready by itself.
      void prepareCases();
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.PORT, config.HOST, () => {
          const { port } = server.address();
          const host = config.HOST === '0.0.0.0' || config.HOST === '::' ? '127.0.0.1' : config.HOST;
          selfUrl = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
          resolve(port);
        });
      });
    },
    close: async () => {
      closing = true;
      clearInterval(sweep);
      // Open WebSockets would keep the server from closing; turns still posting replies finish first.
      await endpoint.close();
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      server.server.closeIdleConnections();
      if (inFlight > 0) {
        await Promise.race([
          new Promise<void>((resolve) => (idle = resolve)),
          new Promise<void>((resolve) => setTimeout(resolve, config.SHUTDOWN_TIMEOUT_MS).unref()),
        ]);
      }
      await bot.drain();
      await storage.flush();
      server.server.closeAllConnections();
      await stopped;
    },
  };
}
