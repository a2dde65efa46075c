import type { Clock } from '../clock';

/** An activity as the Direct Line client sees it (JSON, `id` and `timestamp` set by us). */
export type ClientActivity = Record<string, unknown> & { id: string; type: string };

/** What GET activities and every WebSocket frame carry. */
export interface ActivitySet {
  activities: ClientActivity[];
  watermark: string;
}

export interface ConversationListener {
  activity(set: ActivitySet): void;
  /** The conversation was dropped from memory (idle); the stream should close so the client reconnects. */
  dropped(): void;
}

interface Entry {
  seq: number;
  activity: ClientActivity;
}

interface Conversation {
  id: string;
  entries: Entry[];
  lastSeq: number;
  lastActive: number;
  /** The bot has been told that the user joined. */
  started: boolean;
  listeners: Set<ConversationListener>;
  /** Turns of one conversation run one after the other, so bot state is never written by two turns at once. */
  turns: Promise<void>;
}

export interface ConversationStoreOptions {
  clock: Clock;
  idleMs: number;
  maxActivities: number;
}

/**
 * Conversations in memory: each an ordered activity list with numeric watermarks (the `seq`
 * of the last activity a client has), capped to the last `maxActivities`.
 *
 * A conversation created again after it was dropped (idle sweep, restart) numbers its
 * activities from the current time in milliseconds, so they stay above any watermark a client
 * got before; a watermark above everything we have is treated as "from the start".
 */
export class ConversationStore {
  private readonly conversations = new Map<string, Conversation>();

  constructor(private readonly options: ConversationStoreOptions) {}

  has(id: string): boolean {
    return this.conversations.has(id);
  }

  get size(): number {
    return this.conversations.size;
  }

  /** The conversation, created when unknown; `fresh` means it has never existed (numbering from 0). */
  private open(id: string, fresh = false): Conversation {
    let conversation = this.conversations.get(id);
    if (!conversation) {
      conversation = {
        id,
        entries: [],
        lastSeq: fresh ? 0 : this.options.clock.now().getTime(),
        lastActive: 0,
        started: false,
        listeners: new Set(),
        turns: Promise.resolve(),
      };
      this.conversations.set(id, conversation);
    }
    conversation.lastActive = this.options.clock.now().getTime();
    return conversation;
  }

  /** Marks the conversation started; true only the first time (when the bot should be told). */
  start(id: string): boolean {
    const conversation = this.open(id, !this.conversations.has(id));
    if (conversation.started) return false;
    conversation.started = true;
    return true;
  }

  /** Keeps the conversation alive (and creates it again if it was dropped). */
  touch(id: string): void {
    this.open(id);
  }

  /** Appends an activity; its `id` becomes `<conversationId>|<seq>`. Pushes it to the listeners. */
  append(id: string, activity: Record<string, unknown> & { type: string }): ClientActivity {
    const conversation = this.open(id);
    const seq = conversation.lastSeq + 1;
    conversation.lastSeq = seq;
    const stored: ClientActivity = { ...activity, id: `${id}|${String(seq).padStart(7, '0')}` };
    conversation.entries.push({ seq, activity: stored });
    if (conversation.entries.length > this.options.maxActivities) {
      conversation.entries.splice(0, conversation.entries.length - this.options.maxActivities);
    }
    const set: ActivitySet = { activities: [stored], watermark: String(seq) };
    for (const listener of conversation.listeners) listener.activity(set);
    return stored;
  }

  /**
   * The activity `userId` posted with this `clientActivityID` (Web Chat keeps it when it retries
   * a post whose answer it did not get), if the conversation still holds it.
   */
  posted(id: string, userId: string, clientActivityId: string): ClientActivity | undefined {
    const conversation = this.open(id);
    for (let i = conversation.entries.length - 1; i >= 0; i--) {
      const activity = conversation.entries[i]!.activity;
      const from = activity.from as { id?: unknown } | undefined;
      const channelData = activity.channelData as { clientActivityID?: unknown } | undefined;
      if (from?.id === userId && channelData?.clientActivityID === clientActivityId) return activity;
    }
    return undefined;
  }

  /** Activities after `watermark` (all kept ones when absent or unknown), with the new watermark. */
  since(id: string, watermark: number | undefined): ActivitySet {
    const conversation = this.open(id);
    const from = watermark === undefined || watermark > conversation.lastSeq ? -Infinity : watermark;
    const entries = conversation.entries.filter((e) => e.seq > from);
    const last = entries.at(-1)?.seq ?? (from === -Infinity ? conversation.lastSeq : from);
    return { activities: entries.map((e) => e.activity), watermark: String(last) };
  }

  /** Listens to new activities; returns the backlog after `watermark` at the same instant, so nothing is missed. */
  subscribe(id: string, listener: ConversationListener, watermark: number | undefined): { backlog: ActivitySet[]; unsubscribe: () => void } {
    const conversation = this.open(id);
    const from = watermark === undefined || watermark > conversation.lastSeq ? -Infinity : watermark;
    const backlog = conversation.entries.filter((e) => e.seq > from).map((e) => ({ activities: [e.activity], watermark: String(e.seq) }));
    conversation.listeners.add(listener);
    return {
      backlog,
      unsubscribe: () => {
        conversation.listeners.delete(listener);
      },
    };
  }

  /** Runs `turn` after the conversation's earlier turns. */
  enqueue(id: string, turn: () => Promise<void>): Promise<void> {
    const conversation = this.open(id);
    const run = conversation.turns.then(turn);
    conversation.turns = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  /** Drops conversations idle longer than `idleMs`; returns their ids. */
  sweep(): string[] {
    const cutoff = this.options.clock.now().getTime() - this.options.idleMs;
    const dropped: string[] = [];
    for (const [id, conversation] of this.conversations) {
      if (conversation.lastActive >= cutoff) continue;
      this.conversations.delete(id);
      dropped.push(id);
      for (const listener of conversation.listeners) listener.dropped();
      conversation.listeners.clear();
    }
    return dropped;
  }

  /** Closes every listener (shutdown). */
  dropListeners(): void {
    for (const conversation of this.conversations.values()) {
      for (const listener of conversation.listeners) listener.dropped();
      conversation.listeners.clear();
    }
  }
}
