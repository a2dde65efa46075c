import pg from 'pg';
import type { Config } from '../config';
import type { Logger } from '../logger';

export interface PostgresDatabaseOptions {
  /** postgres:// URL; libpq's PG* variables (PGHOST, PGUSER, PGPASSWORD …) fill in what it leaves out. */
  url?: string;
  poolMax: number;
  /** How long one statement, or one connection attempt, may take (STORAGE_TIMEOUT_MS). */
  timeoutMs: number;
  logger?: Logger;
}

/** The database settings from the configuration. */
export function postgresOptions(config: Pick<Config, 'DATABASE_URL' | 'PG_POOL_MAX' | 'STORAGE_TIMEOUT_MS'>, logger?: Logger): PostgresDatabaseOptions {
  return { ...(config.DATABASE_URL ? { url: config.DATABASE_URL } : {}), poolMax: config.PG_POOL_MAX, timeoutMs: config.STORAGE_TIMEOUT_MS, ...(logger ? { logger } : {}) };
}

/** The database has a schema version this release does not know: an older release started after a newer one. */
export class SchemaTooNewError extends Error {
  constructor(component: string, found: number, known: number) {
    const versions = `${component}: ${found} > ${known}`;
    super(`Databasens skema er nyere end denne version af botten (${versions}) / the database schema is newer than this release (${versions})`);
    this.name = 'SchemaTooNewError';
  }
}

// One lock for every component's migrations: they are rare and short, and one lock cannot deadlock.
const MIGRATION_LOCK = 7_305_093_417_220_181n;
// A migration may rebuild a table; it is not bound by the deadline of the turn that started it.
const MIGRATION_TIMEOUT_MS = 60_000;
const UNDEFINED_TABLE = '42P01';
const ADMIN_SHUTDOWN = '57P01';
const CRASH_SHUTDOWN = '57P02';

/**
 * The PostgreSQL connection pool every part of the bot shares (storage, the Direct Line tables),
 * and their schema migrations.
 *
 * Nothing connects at construction: the bot starts while the database is away, reports not ready,
 * and gets ready by itself once it answers. Every statement and connection attempt is bounded
 * (`statement_timeout` on the server, a read timeout in the client), so a hung database costs
 * seconds; a connection that broke while idle is logged and replaced, never fatal.
 */
export class PostgresDatabase {
  readonly pool: pg.Pool;
  readonly timeoutMs: number;
  private readonly offsets = new WeakMap<pg.PoolClient, number>();

  constructor(private readonly options: PostgresDatabaseOptions) {
    this.timeoutMs = options.timeoutMs;
    // Connections are renewed every few minutes, so a failover behind a DNS name is picked up and
    // the clock offset measured on each (serverTime) stays fresh.
    this.pool = new pg.Pool({ ...this.clientConfig(), max: options.poolMax, idleTimeoutMillis: 30_000, maxLifetimeSeconds: 300 });
    this.pool.on('error', (err) => options.logger?.warn({ err }, 'an idle database connection failed; it is replaced'));
    // Without a listener, a connection that breaks while checked out between two queries would throw.
    this.pool.on('connect', (client) => client.on('error', (err) => options.logger?.debug({ err }, 'database connection failed')));
  }

  /** Settings for a connection of one's own (a LISTEN client), bounded as the pool's are. */
  clientConfig(): pg.ClientConfig {
    const timeoutMs = this.options.timeoutMs;
    return {
      ...(this.options.url ? { connectionString: this.options.url } : {}),
      application_name: 'mitid-hjaelperen',
      connectionTimeoutMillis: timeoutMs,
      statement_timeout: timeoutMs,
      // The server's own timeout gives the clearer error while it answers; this one ends the wait when it does not.
      query_timeout: timeoutMs + 500,
      idle_in_transaction_session_timeout: Math.max(10_000, 4 * timeoutMs),
      keepAlive: true,
    };
  }

  /**
   * One statement that may safely run twice (a read, an upsert of a fixed value) on a pooled
   * connection; see {@link withClient} for the signal. A connection that died while idle in the
   * pool (a database restart, a failover) is only found out by using it, and each is dropped
   * then: the statement is tried again until it meets a live one or a new one.
   */
  async query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values: unknown[] = [], signal?: AbortSignal): Promise<pg.QueryResult<R>> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.withClient((client) => client.query<R>(text, values), signal);
      } catch (err) {
        if (!brokenConnection(err) || signal?.aborted || attempt > this.options.poolMax) throw err;
      }
    }
  }

  /**
   * Runs `work` with a pooled connection. When `signal` fires, the call rejects at once and the
   * connection is closed rather than returned, so nothing queues behind a statement that hangs;
   * the server may still finish that statement, so a write must carry its own deadline (serverTime).
   */
  async withClient<T>(work: (client: pg.PoolClient) => Promise<T>, signal?: AbortSignal): Promise<T> {
    const connecting = this.pool.connect();
    const client = await untilAborted(connecting, signal, () => {
      connecting.then((late) => late.release(), () => {});
    });
    let released = false;
    const release = (err?: Error): void => {
      if (released) return;
      released = true;
      client.release(err);
    };
    try {
      const result = await untilAborted(work(client), signal, () => release(new Error('abandoned: its deadline passed')));
      release();
      return result;
    } catch (err) {
      // An error the server sent leaves the connection usable; anything else (a timeout, a broken socket) does not.
      release(err instanceof pg.DatabaseError ? undefined : err instanceof Error ? err : new Error(String(err)));
      throw err;
    }
  }

  /**
   * `atMs` (this process's clock, ms since the epoch) on the server's clock, as early as it can be:
   * the server can then refuse work it reaches after a deadline of ours, whatever the clocks' skew.
   * Measured once per connection: the server's reading lies between sending and receiving.
   */
  async serverTime(client: pg.PoolClient, atMs: number): Promise<number> {
    let offset = this.offsets.get(client);
    if (offset === undefined) {
      const { rows } = await client.query<{ now: number }>('SELECT extract(epoch FROM clock_timestamp())::float8 * 1000 AS now');
      offset = rows[0]!.now - Date.now();
      this.offsets.set(client, offset);
    }
    return atMs + offset;
  }

  /**
   * Brings `component`'s tables to the last of `steps` (SQL, each run once, in order, never edited
   * once released: a change is a new step). All missing steps run in one transaction under an
   * advisory lock, so instances starting together neither race nor half-migrate.
   */
  async migrate(component: string, steps: readonly string[]): Promise<void> {
    const version = await this.schemaVersion(component);
    if (version !== undefined && version > steps.length) throw new SchemaTooNewError(component, version, steps.length);
    if (version === steps.length) return;
    await this.withClient(async (client) => {
      // pg reads a per-query `query_timeout`; its types do not list it.
      const run = (text: string, values: unknown[] = []): Promise<pg.QueryResult> => client.query({ text, values, query_timeout: MIGRATION_TIMEOUT_MS } as pg.QueryConfig);
      await run('BEGIN');
      try {
        await run(`SET LOCAL statement_timeout = ${MIGRATION_TIMEOUT_MS}`);
        await run('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK.toString()]);
        await run('CREATE TABLE IF NOT EXISTS schema_versions (component text PRIMARY KEY, version integer NOT NULL)');
        const found = ((await run('SELECT version FROM schema_versions WHERE component = $1', [component])).rows[0]?.version as number | undefined) ?? 0;
        if (found > steps.length) throw new SchemaTooNewError(component, found, steps.length);
        for (const step of steps.slice(found)) await run(step);
        await run('INSERT INTO schema_versions (component, version) VALUES ($1, $2) ON CONFLICT (component) DO UPDATE SET version = excluded.version', [component, steps.length]);
        await run('COMMIT');
        if (found < steps.length) this.options.logger?.info({ component, from: found, to: steps.length }, 'database schema migrated');
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {});
        throw err;
      }
    });
  }

  /** Ends the pool, once the statements under way are done. */
  async close(): Promise<void> {
    if (!this.pool.ended) await this.pool.end();
  }

  /** The component's version, 0 if it has none, undefined if no migration ever ran here. */
  private async schemaVersion(component: string): Promise<number | undefined> {
    try {
      const { rows } = await this.query<{ version: number }>('SELECT version FROM schema_versions WHERE component = $1', [component]);
      return rows[0]?.version ?? 0;
    } catch (err) {
      if (err instanceof pg.DatabaseError && err.code === UNDEFINED_TABLE) return undefined;
      throw err;
    }
  }
}

/** An error that says the connection was gone before the statement could run (not a timeout). */
function brokenConnection(err: unknown): boolean {
  if (err instanceof pg.DatabaseError) return err.code === ADMIN_SHUTDOWN || err.code === CRASH_SHUTDOWN;
  const code = (err as { code?: unknown } | undefined)?.code;
  return code === 'ECONNRESET' || code === 'EPIPE' || (err instanceof Error && /Connection terminated unexpectedly|not queryable/.test(err.message));
}

/**
 * `work`, or a rejection as soon as `signal` fires (with its reason); `abandon` then cleans up
 * after the work, whose own outcome is ignored from then on.
 */
export function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined, abandon?: () => void): Promise<T> {
  if (!signal) return work;
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => {
      work.catch(() => {});
      abandon?.();
      reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    };
    if (signal.aborted) {
      onAbort();
      return;
    }
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}
