import type restify from 'restify';
import type { Logger } from '../logger';
import type { BotStorage } from '../storage/bot-storage';

export interface HealthRoutesDeps {
  storage: BotStorage;
  logger: Logger;
  /** How long storage has to answer /readyz (READY_TIMEOUT_MS). */
  readyTimeoutMs: number;
  guideVersion: string;
  isClosing(): boolean;
  /** Whether the hand-over's records exist in storage yet. */
  casesReady(): boolean;
}

/** Rejects when `work` has not settled after `ms`. */
function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

/** GET /healthz (the process answers) and GET /readyz (it can take conversations). */
export function registerHealthRoutes(server: restify.Server, deps: HealthRoutesDeps): void {
  server.get('/healthz', async (_req, res) => {
    res.send(200, { status: 'ok' });
  });

  // Ready when storage answers within READY_TIMEOUT_MS and the hand-over's records exist; a
  // storage that hangs gets a 503 in that time, not when its own calls give up.
  server.get('/readyz', async (_req, res) => {
    if (deps.isClosing()) {
      res.send(503, { status: 'closing' });
      return;
    }
    try {
      await withDeadline(deps.storage.ping(), deps.readyTimeoutMs);
      if (!deps.casesReady()) res.send(503, { status: 'starting' });
      else res.send(200, { status: 'ready', guideVersion: deps.guideVersion });
    } catch (err) {
      deps.logger.warn({ err }, 'storage not reachable');
      res.send(503, { status: 'storage unreachable' });
    }
  });
}
