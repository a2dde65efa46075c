import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type restify from 'restify';
import type { HandoffService } from '../handoff/handoff-service';
import type { Logger } from '../logger';

// Label values come from callers we do not control (channelId, activity type, URL), so each is
// mapped onto a fixed set: otherwise anyone could grow the registry, and our memory, at will.
const CHANNELS = new Set(['directline', 'webchat', 'emulator', 'msteams', 'omnichannel', 'test']);
const ACTIVITY_TYPES = new Set(['message', 'conversationUpdate', 'event', 'invoke', 'typing', 'messageReaction', 'installationUpdate', 'endOfConversation']);

export const channelLabel = (channel: unknown): string => (typeof channel === 'string' && CHANNELS.has(channel) ? channel : 'other');
export const typeLabel = (type: unknown): string => (typeof type === 'string' && ACTIVITY_TYPES.has(type) ? type : 'other');

function routeLabel(path: string): string {
  if (path.startsWith('/api/messages')) return 'messages';
  if (path.startsWith('/v3/directline')) return 'directline';
  if (path.startsWith('/v3/conversations')) return 'connector';
  if (path.startsWith('/agent/api')) return 'agent_api';
  if (path === '/healthz' || path === '/readyz') return 'health';
  if (path === '/metrics') return 'metrics';
  return 'web';
}

/** What one finished turn contributes to the metrics (the turn log line carries the same). */
export interface TurnFacts {
  channel: string | undefined;
  type: string | undefined;
  /** A known intent id, "ambiguous" or "none"; absent when the turn was not classified. */
  intent?: string;
  fallback: boolean;
  escalationReason?: string;
  seconds: number;
  failed: boolean;
}

/**
 * The bot's Prometheus metrics in a registry of its own, so several apps in one process (the
 * tests) never share or clash over counters. Queue gauges are read from the hand-over service
 * when scraped, so they are right however many instances change the queue.
 */
export class BotMetrics {
  readonly registry = new Registry();
  private readonly turns: Counter<'channel' | 'type'>;
  private readonly turnErrors: Counter<'channel'>;
  private readonly intents: Counter<'intent'>;
  private readonly fallbacks: Counter;
  private readonly escalations: Counter<'reason'>;
  private readonly latency: Histogram<'channel'>;
  private readonly responses: Counter<'route' | 'status'>;

  constructor(handoff: Pick<HandoffService, 'queue' | 'store'>, logger: Logger) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.turns = new Counter({ name: 'mitid_turns_total', help: 'Turns handled, by channel and activity type', labelNames: ['channel', 'type'], registers });
    this.turnErrors = new Counter({ name: 'mitid_turn_errors_total', help: 'Turns that failed with an error', labelNames: ['channel'], registers });
    this.intents = new Counter({ name: 'mitid_intents_total', help: 'Classified messages by the decision taken (intent id, ambiguous or none)', labelNames: ['intent'], registers });
    this.fallbacks = new Counter({ name: 'mitid_fallbacks_total', help: 'Messages no intent was likely enough for', registers });
    this.escalations = new Counter({ name: 'mitid_escalations_total', help: 'Hand-over cases opened, by reason', labelNames: ['reason'], registers });
    this.latency = new Histogram({
      name: 'mitid_turn_duration_seconds',
      help: 'Time from receiving an activity to the end of its turn',
      labelNames: ['channel'],
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.responses = new Counter({ name: 'mitid_http_responses_total', help: 'HTTP responses by route group and status code', labelNames: ['route', 'status'], registers });

    // The three queue gauges come from one read of the queue per scrape: prom-client collects
    // all metrics at once, so the first gauge starts the read and the other two share it.
    let reading: Promise<void> | undefined;
    const readQueue = (): Promise<void> => {
      reading ??= (async () => {
        try {
          const open = await handoff.queue();
          const queued = open.filter((c) => c.status === 'queued');
          queueLength.set(queued.length);
          oldestWait.set(queued.reduce((max, c) => Math.max(max, c.waitingSeconds), 0));
          openCases.reset();
          for (const c of open) openCases.inc({ status: c.status });
          // Running totals in storage: the same on every instance, however many there are.
          const scores = await handoff.store.scores();
          ratings.reset();
          for (const score of ['1', '2', '3', '4', '5']) ratings.set({ score }, scores.counts[score] ?? 0);
          agentAverage.reset();
          agentRated.reset();
          for (const [agent, totals] of Object.entries(scores.agents)) {
            agentRated.set({ agent }, totals.rated);
            if (totals.rated > 0) agentAverage.set({ agent }, totals.sum / totals.rated);
          }
        } catch (err) {
          // A scrape must still answer when storage is down; the stale values and this counter show it.
          queueReadErrors.inc();
          logger.warn({ err }, 'metrics: could not read the hand-over queue');
        }
      })().finally(() => {
        reading = undefined;
      });
      return reading;
    };
    const queueLength = new Gauge({ name: 'mitid_handoff_queue_length', help: 'Cases waiting for an agent', registers, collect: readQueue });
    const oldestWait = new Gauge({ name: 'mitid_handoff_oldest_wait_seconds', help: 'How long the longest-waiting case in the queue has waited (0 when empty)', registers, collect: readQueue });
    const openCases = new Gauge({ name: 'mitid_handoff_open_cases', help: 'Open cases by status', labelNames: ['status'], registers, collect: readQueue });
    const ratings = new Gauge({ name: 'mitid_handoff_satisfaction_ratings', help: 'Satisfaction answers after closed cases, by score (1-5)', labelNames: ['score'], registers, collect: readQueue });
    const agentAverage = new Gauge({ name: 'mitid_handoff_agent_satisfaction_average', help: 'Average satisfaction score of each agent\'s rated cases', labelNames: ['agent'], registers, collect: readQueue });
    const agentRated = new Gauge({ name: 'mitid_handoff_agent_rated_cases', help: 'Rated cases of each agent', labelNames: ['agent'], registers, collect: readQueue });
    const queueReadErrors = new Counter({ name: 'mitid_handoff_queue_read_errors_total', help: 'Scrapes that could not read the hand-over queue from storage', registers });
  }

  turn(facts: TurnFacts): void {
    const channel = channelLabel(facts.channel);
    this.turns.inc({ channel, type: typeLabel(facts.type) });
    this.latency.observe({ channel }, facts.seconds);
    if (facts.failed) this.turnErrors.inc({ channel });
    if (facts.intent !== undefined) this.intents.inc({ intent: facts.intent });
    if (facts.fallback) this.fallbacks.inc();
    if (facts.escalationReason !== undefined) this.escalations.inc({ reason: facts.escalationReason === 'asked' || facts.escalationReason === 'fallbacks' ? facts.escalationReason : 'other' });
  }

  response(path: string, status: number): void {
    this.responses.inc({ route: routeLabel(path), status: String(status) });
  }
}

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

/**
 * Who may read /metrics: with METRICS_TOKEN, whoever sends it as a Bearer token; without it,
 * only a scraper on this machine talking to us directly. A request relayed by a proxy (it adds
 * X-Forwarded-For) arrives from loopback too, so it is refused: behind a proxy, set the token.
 */
export function metricsAllowed(req: IncomingMessage, token: string | undefined): boolean {
  if (token) {
    const given = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
    const a = Buffer.from(given, 'utf8');
    const b = Buffer.from(token, 'utf8');
    return a.length === b.length && timingSafeEqual(a, b);
  }
  return LOOPBACK.has(req.socket.remoteAddress ?? '') && req.headers['x-forwarded-for'] === undefined && req.headers.forwarded === undefined;
}

/** `GET /metrics` in Prometheus' text format, and counting of every HTTP response. */
export function registerMetrics(server: restify.Server, metrics: BotMetrics, options: { token: string | undefined }): void {
  server.on('after', (req: restify.Request, res: restify.Response) => {
    metrics.response(req.path(), res.statusCode);
  });
  server.get('/metrics', async (req, res) => {
    if (!metricsAllowed(req, options.token)) {
      res.send(403, { error: 'Adgang nægtet / forbidden' });
      return;
    }
    const body = await metrics.registry.metrics();
    res.setHeader('content-type', metrics.registry.contentType);
    res.writeHead(200);
    res.end(body);
  });
}
