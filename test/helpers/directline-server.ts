import { createApp, type App } from '../../src/app';
import type { Clock } from '../../src/clock';
import { parseConfig, type Config } from '../../src/config';
import type { DirectLineOptions } from '../../src/directline';
import { createLogger } from '../../src/logger';
import { openSqliteStorage } from '../../src/storage/sqlite-storage';
import { content, recognizer } from './bot-harness';

/** A clock the test moves by hand. */
export interface MovableClock extends Clock {
  advance(ms: number): void;
}

export function movableClock(start = '2026-11-21T12:00:00+01:00'): MovableClock {
  let at = new Date(start).getTime();
  return { now: () => new Date(at), advance: (ms) => (at += ms) };
}

export interface DirectLineServer {
  url: string;
  config: Config;
  clock: MovableClock;
  /** Runs the hand-over timeout check now (the server runs it on a timer); resolves with how many were told. */
  sweepHandoffs(): Promise<number>;
  close(): Promise<void>;
}

/** The real app (with its Direct Line endpoint) on a free port, with a clock the test moves. */
export async function startDirectLine(dataDir: string, env: Record<string, string> = {}, options: DirectLineOptions = {}, clock = movableClock()): Promise<DirectLineServer> {
  const config = parseConfig({ PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'silent', ...env });
  const storage = await openSqliteStorage({ DATA_DIR: dataDir, STORAGE_FSYNC: false });
  const logger = createLogger('silent');
  const app: App = createApp({ config, content, storage, clock, logger, recognizer, directLineOptions: options });
  const port = await app.listen();
  return { url: `http://127.0.0.1:${port}`, config, clock, sweepHandoffs: () => app.handoff.sweep(), close: () => app.close() };
}
