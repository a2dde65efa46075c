import type restify from 'restify';
import type { Config } from '../config';
import type { CaseStore } from '../handoff/case-store';
import type { HandoffService } from '../handoff/handoff-service';
import type { Logger } from '../logger';
import type { Requests } from './requests';

/**
 * Creates the hand-over's records, trying again with growing pauses (up to 5 s) while storage is
 * away, until that works (`onReady`) or the app closes.
 */
export async function prepareCases(cases: Pick<CaseStore, 'init'>, requests: Requests, logger: Logger, onReady: () => void): Promise<void> {
  for (let pause = 250; !requests.closing; pause = Math.min(pause * 2, 5_000)) {
    try {
      await cases.init();
      onReady();
      return;
    } catch (err) {
      logger.warn({ err }, 'storage not reachable at start-up; trying again');
      await new Promise((resolve) => setTimeout(resolve, pause).unref());
    }
  }
}

/** Nobody waits in silence: cases past HANDOFF_WAIT_SECONDS are told so, whatever happens in between. */
export function startTimeoutSweep(handoff: Pick<HandoffService, 'sweep'>, logger: Logger, intervalMs: number): NodeJS.Timeout {
  const sweep = setInterval(() => {
    handoff.sweep().catch((err: unknown) => logger.error({ err }, 'handoff timeout sweep failed'));
  }, intervalMs);
  sweep.unref();
  return sweep;
}

/** Listens on PORT and HOST; `onAddress` learns the base URL the server can reach itself at. */
export function listenOn(server: restify.Server, config: Pick<Config, 'PORT' | 'HOST'>, onAddress: (selfUrl: string) => void): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.PORT, config.HOST, () => {
      const { port } = server.address();
      const host = config.HOST === '0.0.0.0' || config.HOST === '::' ? '127.0.0.1' : config.HOST;
      onAddress(`http://${host.includes(':') ? `[${host}]` : host}:${port}`);
      resolve(port);
    });
  });
}

/**
 * Stops taking connections, gives requests in flight up to `timeoutMs`, then `flushState`, and
 * only then drops the connections left.
 */
export async function closeServer(server: restify.Server, requests: Requests, timeoutMs: number, flushState: () => Promise<void>): Promise<void> {
  const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
  server.server.closeIdleConnections();
  await requests.settled(timeoutMs);
  await flushState();
  server.server.closeAllConnections();
  await stopped;
}
