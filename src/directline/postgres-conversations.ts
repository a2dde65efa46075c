import type { Clock } from '../clock';
import type { Logger } from '../logger';
import { KeyLocks } from '../storage/key-locks';
import type { PostgresDatabase } from '../storage/postgres-database';
import { activityId, readFrom, type ActivitySet, type ClientActivity, type ConversationListener, type ConversationLog, type Posted, type PostedBy } from './conversation-log';
import { LocalStreams } from './local-streams';
import { Notifications } from './notifications';

/** The Direct Line tables; each step runs once, in order, and is never edited once released (a change is a new step). */
export const DIRECTLINE_MIGRATIONS: readonly string[] = [
  `CREATE TABLE directline_conversations (
     id text PRIMARY KEY,
     last_seq bigint NOT NULL,
     started boolean NOT NULL DEFAULT false,
     last_active bigint NOT NULL
   );
   CREATE INDEX directline_conversations_idle ON directline_conversations (last_active);
   CREATE TABLE directline_activities (
     conversation_id text NOT NULL REFERENCES directline_conversations (id) ON DELETE CASCADE,
     seq bigint NOT NULL,
     from_id text,
     client_activity_id text,
     body text NOT NULL,
     PRIMARY KEY (conversation_id, seq),
     UNIQUE (conversation_id, from_id, client_activity_id)
   );`,
];

const CHANNEL = 'mitid_directline';
// Touching a conversation is a write; once a minute is plenty against an idle time of minutes.
const TOUCH_EVERY_MS = 60_000;
// Old activities beyond the cap are deleted every so many appends, not at each.
const TRIM_EVERY = 25;

export interface PostgresConversationsOptions {
  db: PostgresDatabase;
  clock: Clock;
  logger: Logger;
  idleMs: number;
  maxActivities: number;
}

type Row = { seq: string; body: string };

/**
 * The built-in Direct Line's conversations in PostgreSQL, shared by every instance behind a load
 * balancer: a token from one instance works on another (they share DIRECTLINE_SECRET), a message
 * posted on one reaches a stream held by another, and an instance that dies takes no conversation
 * with it (its clients reconnect elsewhere with their watermark).
 *
 * Each activity is numbered in its conversation's row (the upsert locks it, so numbers follow
 * commit order) and announced with NOTIFY in the same statement, delivered at commit; every
 * instance LISTENs and lets its own streams of that conversation catch up (LocalStreams).
 * Turns of one conversation still queue per process only; two instances' turns of one
 * conversation are kept apart by the conversation state's eTag.
 */
export class PostgresConversations implements ConversationLog {
  private readonly db: PostgresDatabase;
  private readonly streams: LocalStreams;
  private readonly notifications: Notifications;
  private readonly turns = new KeyLocks();
  private migrated: Promise<void> | undefined;

  constructor(private readonly options: PostgresConversationsOptions) {
    this.db = options.db;
    this.streams = new LocalStreams(
      (id, after) => this.readAfter(id, after),
      (err, conversation) => options.logger.warn({ err, conversation }, 'direct line stream could not catch up'),
    );
    this.notifications = new Notifications({
      clientConfig: this.db.clientConfig(),
      channel: CHANNEL,
      logger: options.logger,
      onMessage: (payload) => this.notified(payload),
      onListening: () => this.streams.signalAll(),
    });
  }

  async start(id: string): Promise<boolean> {
    const { rowCount } = await this.query(
      `INSERT INTO directline_conversations AS c (id, last_seq, started, last_active) VALUES ($1, 0, true, $2)
       ON CONFLICT (id) DO UPDATE SET started = true, last_active = excluded.last_active WHERE NOT c.started
       RETURNING id`,
      [id, this.now()],
    );
    return rowCount === 1;
  }

  async touch(id: string): Promise<void> {
    await this.query(
      `INSERT INTO directline_conversations AS c (id, last_seq, last_active) VALUES ($1, $2, $2)
       ON CONFLICT (id) DO UPDATE SET last_active = excluded.last_active`,
      [id, this.now()],
    );
  }

  async append(id: string, activity: Record<string, unknown> & { type: string }): Promise<ClientActivity> {
    return (await this.insert(id, activity, undefined)).activity;
  }

  async post(id: string, activity: Record<string, unknown> & { type: string }, by: PostedBy): Promise<Posted> {
    return this.insert(id, activity, by);
  }

  async since(id: string, watermark: number | undefined): Promise<ActivitySet> {
    const now = this.now();
    const { rows } = await this.query<{ last_seq: string; seq: string | null; body: string | null }>(
      `WITH touched AS (UPDATE directline_conversations SET last_active = $3::bigint WHERE id = $1 AND last_active < $3::bigint - ${TOUCH_EVERY_MS})
       SELECT c.last_seq, a.seq, a.body FROM directline_conversations c
       LEFT JOIN directline_activities a ON a.conversation_id = c.id AND a.seq > (CASE WHEN $2::bigint IS NULL OR $2::bigint > c.last_seq THEN -1 ELSE $2::bigint END)
       WHERE c.id = $1 ORDER BY a.seq`,
      [id, watermark ?? null, now],
    );
    if (rows.length === 0) return { activities: [], watermark: String(watermark ?? 0) };
    const lastSeq = Number(rows[0]!.last_seq);
    const from = readFrom(watermark, lastSeq);
    const found = rows.flatMap((r) => (r.seq === null || r.body === null ? [] : [toActivity(id, { seq: r.seq, body: r.body })]));
    const last = found.at(-1)?.seq ?? (from === -Infinity ? lastSeq : from);
    return { activities: found.map((f) => f.activity), watermark: String(last) };
  }

  async subscribe(id: string, listener: ConversationListener, watermark: number | undefined): Promise<{ backlog: ActivitySet[]; unsubscribe: () => void }> {
    const unsubscribe = this.streams.add(id, listener);
    try {
      const read = await this.since(id, watermark);
      const backlog = read.activities.map((activity) => ({ activities: [activity], watermark: seqOf(activity) }));
      this.streams.ready(id, listener, Number(read.watermark));
      return { backlog, unsubscribe };
    } catch (err) {
      unsubscribe();
      throw err;
    }
  }

  enqueue(id: string, turn: () => Promise<void>): Promise<void> {
    return this.turns.run(id, turn);
  }

  async sweep(): Promise<number> {
    const { rows } = await this.query<{ id: string }>('DELETE FROM directline_conversations WHERE last_active < $1 RETURNING id', [this.now() - this.options.idleMs]);
    this.streams.drop(rows.map((r) => r.id));
    return rows.length;
  }

  async close(): Promise<void> {
    this.streams.drop();
    await this.notifications.close();
  }

  /** Stores one activity under the conversation's next number and announces it; a retried post stores nothing. */
  private async insert(id: string, activity: Record<string, unknown> & { type: string }, by: PostedBy | undefined): Promise<Posted> {
    const { id: _ours, ...fields } = activity;
    const body = JSON.stringify(fields);
    const now = this.now();
    const { rows } = await this.query<{ seq: string }>(
      `WITH c AS (
         INSERT INTO directline_conversations AS c (id, last_seq, last_active) VALUES ($1, $2::bigint + 1, $2)
         ON CONFLICT (id) DO UPDATE SET last_seq = c.last_seq + 1, last_active = excluded.last_active
         RETURNING last_seq
       ), a AS (
         INSERT INTO directline_activities (conversation_id, seq, from_id, client_activity_id, body)
         SELECT $1, last_seq, $3, $4, $5 FROM c
         ON CONFLICT (conversation_id, from_id, client_activity_id) DO NOTHING
         RETURNING seq
       )
       SELECT seq, pg_notify('${CHANNEL}', $1 || ' ' || seq) FROM a`,
      // A conversation first seen here (dropped, or its first activity) numbers from now in ms, above any watermark a client had.
      [id, now, by?.userId ?? null, by?.clientActivityId ?? null, body],
    );
    if (rows[0]) {
      const stored = toActivity(id, { seq: rows[0].seq, body });
      this.streams.stored(id, stored.seq, stored.activity);
      if (stored.seq % TRIM_EVERY === 0) this.trim(id, stored.seq);
      return { activity: stored.activity, duplicate: false };
    }
    const earlier = await this.query<Row>('SELECT seq, body FROM directline_activities WHERE conversation_id = $1 AND from_id = $2 AND client_activity_id = $3', [id, by?.userId, by?.clientActivityId]);
    if (!earlier.rows[0]) throw new Error(`direct line: activity of conversation ${id} neither stored nor found`);
    return { activity: toActivity(id, earlier.rows[0]).activity, duplicate: true };
  }

  private async readAfter(id: string, after: number): Promise<{ seq: number; activity: ClientActivity }[]> {
    const { rows } = await this.query<Row>('SELECT seq, body FROM directline_activities WHERE conversation_id = $1 AND seq > $2 ORDER BY seq', [id, after]);
    return rows.map((row) => toActivity(id, row));
  }

  private notified(payload: string): void {
    const space = payload.lastIndexOf(' ');
    if (space > 0) this.streams.signal(payload.slice(0, space), Number(payload.slice(space + 1)));
  }

  private trim(id: string, seq: number): void {
    this.query('DELETE FROM directline_activities WHERE conversation_id = $1 AND seq <= $2', [id, seq - this.options.maxActivities]).catch((err: unknown) =>
      this.options.logger.warn({ err, conversation: id }, 'direct line: old activities not trimmed'),
    );
  }

  private now(): number {
    return this.options.clock.now().getTime();
  }

  private async query<R extends Record<string, unknown>>(text: string, values: unknown[]) {
    this.migrated ??= this.db.migrate('directline', DIRECTLINE_MIGRATIONS).catch((err: unknown) => {
      this.migrated = undefined;
      throw err;
    });
    await this.migrated;
    return this.db.query<R>(text, values);
  }
}

function toActivity(conversationId: string, row: Row): { seq: number; activity: ClientActivity } {
  const seq = Number(row.seq);
  return { seq, activity: { ...(JSON.parse(row.body) as Record<string, unknown> & { type: string }), id: activityId(conversationId, seq) } };
}

/** The number in an activity id made by {@link activityId}. */
function seqOf(activity: ClientActivity): string {
  return String(Number(activity.id.slice(activity.id.lastIndexOf('|') + 1)));
}
