/** An activity as the Direct Line client sees it (JSON, `id` and `timestamp` set by us). */
export type ClientActivity = Record<string, unknown> & { id: string; type: string };

/** What GET activities and every WebSocket frame carry. */
export interface ActivitySet {
  activities: ClientActivity[];
  watermark: string;
}

export interface ConversationListener {
  activity(set: ActivitySet): void;
  /** The conversation was dropped (idle) or this instance is closing: the stream should close so the client reconnects. */
  dropped(): void;
}

/** Who posted an activity and the client's own id for it (Web Chat keeps `clientActivityID` when it retries a post). */
export interface PostedBy {
  userId: string;
  clientActivityId: string | undefined;
}

/** What {@link ConversationLog.post} did: the stored activity, and whether it was stored before (a retried post). */
export interface Posted {
  activity: ClientActivity;
  duplicate: boolean;
}

/**
 * The activities of the built-in Direct Line's conversations, in order, with numeric watermarks
 * (the sequence number of the last activity a client has). In one process's memory
 * (src/directline/conversations.ts) or in PostgreSQL, shared by every instance
 * (src/directline/postgres-conversations.ts): the routes do not know which.
 *
 * A watermark above everything a conversation has (a client that knew it before it was dropped)
 * reads as "from the start".
 */
export interface ConversationLog {
  /** Marks the conversation started; true only the first time anywhere (when the bot should be told). */
  start(id: string): Promise<boolean>;
  /** Keeps the conversation alive (and creates it again if it was dropped). */
  touch(id: string): Promise<void>;
  /** Appends a bot's activity; its `id` becomes `<conversationId>|<seq>`. Every stream of the conversation gets it. */
  append(id: string, activity: Record<string, unknown> & { type: string }): Promise<ClientActivity>;
  /**
   * Appends a person's activity once: a post with a `clientActivityId` this user posted before
   * (a retry) stores nothing and gives the first one back.
   */
  post(id: string, activity: Record<string, unknown> & { type: string }, by: PostedBy): Promise<Posted>;
  /** Activities after `watermark` (all kept ones when absent or unknown), with the new watermark. */
  since(id: string, watermark: number | undefined): Promise<ActivitySet>;
  /** Listens to new activities; the backlog after `watermark` comes first, nothing is missed or repeated. */
  subscribe(id: string, listener: ConversationListener, watermark: number | undefined): Promise<{ backlog: ActivitySet[]; unsubscribe: () => void }>;
  /** Runs `turn` after this process's earlier turns of the conversation (another instance's are kept apart by the state's eTag). */
  enqueue(id: string, turn: () => Promise<void>): Promise<void>;
  /** Forgets conversations idle longer than the idle time; returns how many. */
  sweep(): Promise<number>;
  /** Closes every stream this process holds (shutdown) and lets go of its connections. */
  close(): Promise<void>;
}

/** The client-facing id of the activity numbered `seq`. */
export function activityId(conversationId: string, seq: number): string {
  return `${conversationId}|${String(seq).padStart(7, '0')}`;
}

/** From where a read after `watermark` starts when the conversation's last number is `lastSeq`. */
export function readFrom(watermark: number | undefined, lastSeq: number): number {
  return watermark === undefined || watermark > lastSeq ? -Infinity : watermark;
}
