import { createHash } from 'node:crypto';
import type { StoreItems } from 'botbuilder';
import pg from 'pg';
import { InFlight } from '../async/in-flight';
import { DeadlineStorage, type DeadlineOptions } from './deadline-storage';
import { jsonOf, STORED_JSON, withJson, WRITTEN_JSON, type BotStorage, type StorageCallOptions } from './bot-storage';
import { untilAborted, type PostgresDatabase } from './postgres-database';

/**
 * Which table holds a key: the first prefix it starts with, else `bot_state` (botbuilder's
 * conversation and user state, `<channel>/conversations/<id>/`, `<channel>/users/<id>/`). One
 * table per kind of record, so an operator can query cases or the queue on their own. Moving a
 * prefix to another table needs a migration step that moves its rows.
 */
const PREFIXES: readonly (readonly [prefix: string, table: string])[] = [
  ['handoff/case/', 'handoff_cases'],
  ['handoff/open', 'handoff_queue'],
  ['handoff/agent/', 'staff_records'],
  ['desk/', 'staff_records'],
  // The cases' indexes: history by day, a citizen's cases, the scores.
  ['handoff/', 'handoff_records'],
  ['mitid-hjaelperen/unanswered', 'unanswered_log'],
];
const DEFAULT_TABLE = 'bot_state';
const PROBE_TABLE = 'storage_probe';

/** The table a key is kept in. */
export function tableOf(key: string): string {
  return PREFIXES.find(([prefix]) => key.startsWith(prefix))?.[1] ?? DEFAULT_TABLE;
}

// The tables of the first schema; a table added later gets a step of its own.
const FIRST_TABLES = ['bot_state', 'handoff_cases', 'handoff_records', 'handoff_queue', 'staff_records', 'unanswered_log', PROBE_TABLE];

/**
 * `value` is the item's JSON (without its eTag) as text, exactly as written: jsonb would reorder
 * its keys, and the deadline guard tells a late write by comparing that text. Operators query it
 * as `value::jsonb`. `version` is the eTag; one sequence for all tables, so a key deleted and made
 * again never gets a version it had before.
 */
const SCHEMA_STEPS: readonly string[] = [
  [
    'CREATE SEQUENCE storage_versions;',
    ...FIRST_TABLES.map(
      (table) => `CREATE TABLE ${table} (key text PRIMARY KEY, value text NOT NULL, version bigint NOT NULL, updated_at timestamptz NOT NULL DEFAULT now());
COMMENT ON COLUMN ${table}.value IS 'the record as JSON text, exactly as written; query it as value::jsonb';`,
    ),
    // One statement per write, whatever the number of keys: atomic, and one round trip. The deadline
    // is checked last, just before the commit, on the server's clock: a write that reaches a
    // database which was frozen past the caller's deadline is refused instead of landing late.
    `CREATE FUNCTION storage_apply(tables text[], keys text[], vals text[], etags text[], deadline_ms float8) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  changed int;
BEGIN
  FOR i IN 1 .. coalesce(array_length(keys, 1), 0) LOOP
    IF vals[i] IS NULL THEN
      EXECUTE format('DELETE FROM %I WHERE key = $1', tables[i]) USING keys[i];
      CONTINUE;
    ELSIF etags[i] = '*' THEN
      EXECUTE format('INSERT INTO %I (key, value, version) VALUES ($1, $2, nextval(''storage_versions''))
        ON CONFLICT (key) DO UPDATE SET value = excluded.value, version = excluded.version, updated_at = now()', tables[i]) USING keys[i], vals[i];
    ELSIF etags[i] IS NULL THEN
      EXECUTE format('INSERT INTO %I (key, value, version) VALUES ($1, $2, nextval(''storage_versions'')) ON CONFLICT (key) DO NOTHING', tables[i]) USING keys[i], vals[i];
    ELSE
      EXECUTE format('UPDATE %I SET value = $2, version = nextval(''storage_versions''), updated_at = now() WHERE key = $1 AND version::text = $3', tables[i])
        USING keys[i], vals[i], etags[i];
    END IF;
    GET DIAGNOSTICS changed = ROW_COUNT;
    IF changed = 0 THEN
      RAISE EXCEPTION 'eTag conflict' USING ERRCODE = 'MT409', DETAIL = keys[i];
    END IF;
  END LOOP;
  IF deadline_ms IS NOT NULL AND extract(epoch FROM clock_timestamp()) * 1000 > deadline_ms THEN
    RAISE EXCEPTION 'the write reached the database after its deadline' USING ERRCODE = 'query_canceled';
  END IF;
END
$$;`,
  ].join('\n'),
];

const CONFLICT = 'MT409';
// The schema went missing under a running bot (a database restored empty): migrate again.
const SCHEMA_GONE = new Set(['42P01', '42883']);
// A btree entry holds at most about 2.7 kB; longer keys are stored by their hash.
const KEY_BYTES = 1_000;

/** One key of a write or delete: its table, its stored key, its JSON (undefined deletes) and its condition. */
interface Change {
  key: string;
  table: string;
  stored: string;
  json: string | undefined;
  /** `"*"` overwrites, undefined creates only, anything else is the version it must replace. */
  eTag: string | undefined;
}

/**
 * Bot state on PostgreSQL, shared by every instance: a table per kind of record (see PREFIXES),
 * with eTags as Blob Storage has them:
 * - an eTag writes only over that version (a stale one is refused with "eTag conflict");
 * - `"*"` overwrites whatever is there;
 * - no eTag creates only, so two first turns of one conversation cannot both win.
 * A write of several keys is one transaction. The schema is made on first use, not at start-up,
 * and again on the next call when that failed: the bot starts while the database is away.
 */
export class PostgresStorage implements BotStorage {
  private readonly pending = new InFlight();
  private schema: Promise<void> | undefined;

  private readonly deadlineMs: number;

  /** `deadlineMs`: the deadline the guard around this storage puts on a write (default the database's timeout). */
  constructor(
    private readonly db: PostgresDatabase,
    options: { deadlineMs?: number } = {},
  ) {
    this.deadlineMs = options.deadlineMs ?? db.timeoutMs;
  }

  async read(keys: string[], options: StorageCallOptions = {}): Promise<StoreItems> {
    if (keys.length === 0) return {};
    const byTable = new Map<string, string[]>();
    const original = new Map<string, string>();
    for (const key of keys) {
      const stored = storedKey(key);
      original.set(stored, key);
      const table = tableOf(key);
      byTable.set(table, [...(byTable.get(table) ?? []), stored]);
    }
    const selects = [...byTable.keys()].map((table, index) => `SELECT key, value, version::text AS version FROM ${table} WHERE key = ANY($${index + 1}::text[])`);
    const { rows } = await this.run((signal) => this.db.query<{ key: string; value: string; version: string }>(selects.join(' UNION ALL '), [...byTable.values()], signal), options.signal);
    const items: StoreItems = {};
    for (const row of rows) {
      const key = original.get(row.key);
      if (key !== undefined) items[key] = withJson({ ...(JSON.parse(row.value) as Record<string, unknown>), eTag: row.version }, STORED_JSON, row.value);
    }
    return items;
  }

  write(changes: StoreItems, options: StorageCallOptions = {}): Promise<void> {
    return this.pending.track(this.apply(() => Object.entries(changes).map(([key, item]) => written(key, (item ?? {}) as Record<string, unknown>)), options.signal));
  }

  delete(keys: string[], options: StorageCallOptions = {}): Promise<void> {
    return this.pending.track(this.apply(() => keys.map((key): Change => ({ key, table: tableOf(key), stored: storedKey(key), json: undefined, eTag: '*' })), options.signal));
  }

  /** A write through the same function as every write, so /readyz says whether turns can be stored. */
  async ping(options: StorageCallOptions = {}): Promise<void> {
    await this.run((signal) => this.db.query(`SELECT storage_apply('{${PROBE_TABLE}}', '{_readyz}', '{"{}"}', '{*}', NULL)`, [], signal), options.signal);
  }

  flush(): Promise<void> {
    return this.pending.settled();
  }

  /** `list` runs inside, so a key refused there (an empty one) rejects the call rather than throwing. */
  private async apply(list: () => Change[], signal: AbortSignal | undefined): Promise<void> {
    const changes = list();
    if (changes.length === 0) return;
    // Rows are locked in one order by every instance, so two writes of the same keys cannot deadlock.
    changes.sort((x, y) => compare(x.table, y.table) || compare(x.stored, y.stored));
    // The guard's deadline, counted from now as the guard counts it.
    const deadline = Date.now() + this.deadlineMs;
    const args = [changes.map((c) => c.table), changes.map((c) => c.stored), changes.map((c) => c.json ?? null), changes.map((c) => c.eTag ?? null)];
    try {
      await this.run(
        (callSignal) =>
          this.db.withClient(async (client) => {
            await client.query('SELECT storage_apply($1, $2, $3, $4, $5)', [...args, await this.db.serverTime(client, deadline)]);
          }, callSignal),
        signal,
      );
    } catch (err) {
      if (err instanceof pg.DatabaseError && err.code === CONFLICT) {
        const key = changes.find((c) => c.stored === err.detail)?.key ?? err.detail;
        throw new Error(`PostgresStorage: error writing "${key}" due to eTag conflict.`);
      }
      throw err;
    }
  }

  /** Runs `call` once the schema is there; a call that finds it gone has it made again next time. */
  private async run<T>(call: (signal: AbortSignal | undefined) => Promise<T>, signal: AbortSignal | undefined): Promise<T> {
    signal?.throwIfAborted();
    await untilAborted(this.ensureSchema(), signal);
    try {
      return await call(signal);
    } catch (err) {
      if (err instanceof pg.DatabaseError && err.code !== undefined && SCHEMA_GONE.has(err.code)) this.schema = undefined;
      throw err;
    }
  }

  // Shared by the calls waiting for it, so none of their deadlines ends it for the others.
  private ensureSchema(): Promise<void> {
    this.schema ??= this.db.migrate('storage', SCHEMA_STEPS).catch((err: unknown) => {
      this.schema = undefined;
      throw err;
    });
    return this.schema;
  }
}

/**
 * The bot's storage on `db`, with a deadline on every call (the server refuses a write that
 * reaches it after the same deadline). The caller keeps `db`, to share it and to close it.
 */
export function openPostgresStorage(db: PostgresDatabase, deadlines: DeadlineOptions): BotStorage {
  return new DeadlineStorage(new PostgresStorage(db, { deadlineMs: deadlines.timeoutMs }), deadlines);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function written(key: string, item: Record<string, unknown>): Change {
  const { eTag, ...rest } = item;
  const json = jsonOf(item, WRITTEN_JSON) ?? JSON.stringify(rest);
  const condition = eTag === '*' ? '*' : typeof eTag === 'string' && eTag !== '' ? eTag : undefined;
  return { key, table: tableOf(key), stored: storedKey(key), json, eTag: condition };
}

/**
 * The key as stored: the key itself, unless the database cannot hold it as it is (too long for an
 * index entry, a NUL, half a surrogate pair); then a readable start and a hash of the whole key.
 */
export function storedKey(key: string): string {
  if (key === '') throw new Error('a storage key must not be empty');
  const unfit = /\0|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(key);
  if (!unfit && Buffer.byteLength(key) <= KEY_BYTES) return key;
  const readable = key.slice(0, 100).replace(/[\0\ud800-\udfff]/g, '?');
  return `${readable}#sha256:${createHash('sha256').update(key, 'utf16le').digest('hex')}`;
}
