import pg from 'pg';
import type { Logger } from '../logger';

export interface NotificationsOptions {
  clientConfig: pg.ClientConfig;
  channel: string;
  /** A notification's payload. */
  onMessage(payload: string): void;
  /** Listening (again): notifications sent while it was not are lost, so whoever relies on them catches up. */
  onListening(): void;
  logger: Logger;
  /** First wait before connecting again; doubles up to 10 s. */
  retryMs?: number;
}

/**
 * One connection of this process that LISTENs on a channel, kept open: when it breaks (the
 * database restarts, a network blip) it connects again with a growing pause, and says so, so that
 * nothing sent in between is missed for good. Not from the pool: a LISTEN belongs to its session.
 */
export class Notifications {
  private client: pg.Client | undefined;
  private closed = false;
  private retryMs: number;
  private timer: NodeJS.Timeout | undefined;
  private failures = 0;

  constructor(private readonly options: NotificationsOptions) {
    this.retryMs = options.retryMs ?? 250;
    this.connect();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => {});
  }

  private connect(): void {
    if (this.closed) return;
    // A LISTEN connection waits for notifications for ever: no statement or read timeout on it.
    const { statement_timeout: _s, query_timeout: _q, ...config } = this.options.clientConfig;
    const client = new pg.Client({ ...config, keepAlive: true });
    this.client = client;
    let lost = false;
    const onLost = (err?: unknown): void => {
      if (lost) return;
      lost = true;
      client.end().catch(() => {});
      if (this.client === client) this.client = undefined;
      this.retry(err);
    };
    client.on('error', onLost);
    client.on('end', () => onLost());
    client.on('notification', (message) => {
      if (message.channel === this.options.channel && message.payload) this.options.onMessage(message.payload);
    });
    client
      .connect()
      .then(() => client.query(`LISTEN ${pg.escapeIdentifier(this.options.channel)}`))
      .then(() => {
        if (this.closed) return void client.end().catch(() => {});
        if (this.failures > 0) this.options.logger.info({ channel: this.options.channel }, 'direct line notifications listening again');
        this.failures = 0;
        this.retryMs = this.options.retryMs ?? 250;
        this.options.onListening();
      })
      .catch(onLost);
  }

  private retry(err: unknown): void {
    if (this.closed) return;
    this.failures++;
    // Once in the log when it starts, then quietly: the database being away is reported by /readyz.
    if (this.failures === 1) this.options.logger.warn({ err, channel: this.options.channel }, 'direct line notifications lost; connecting again');
    this.timer = setTimeout(() => this.connect(), this.retryMs);
    this.timer.unref();
    this.retryMs = Math.min(10_000, this.retryMs * 2);
  }
}
