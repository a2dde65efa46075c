import type { Clock } from '../clock';
import { KeyLocks } from '../storage/key-locks';
import { activityId, readFrom, type ActivitySet, type ClientActivity, type ConversationListener, type ConversationLog, type Posted, type PostedBy } from './conversation-log';

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
}

export interface ConversationStoreOptions {
  clock: Clock;
  idleMs: number;
  maxActivities: number;
}

/**
 * Conversations in this process's memory (one instance; with STORAGE=postgres they are in the
 * database instead), each capped to its last `maxActivities`.
 *
 * A conversation created again after it was dropped (idle sweep, restart) numbers its
 * activities from the current time in milliseconds, so they stay above any watermark a client
 * got before.
 */
export class ConversationStore implements ConversationLog {
  private readonly conversations = new Map<string, Conversation>();
  private readonly turns = new KeyLocks();

  constructor(private readonly options: ConversationStoreOptions) {}

  /** The conversation, created when unknown; `fresh` means it has never existed (numbering from 0). */
  private open(id: string, fresh = false): Conversation {
    let conversation = this.conversations.get(id);
    if (!conversation) {
      conversation = { id, entries: [], lastSeq: fresh ? 0 : this.options.clock.now().getTime(), lastActive: 0, started: false, listeners: new Set() };
      this.conversations.set(id, conversation);
    }
    conversation.lastActive = this.options.clock.now().getTime();
    return conversation;
  }

  async start(id: string): Promise<boolean> {
    const conversation = this.open(id, !this.conversations.has(id));
    if (conversation.started) return false;
    conversation.started = true;
    return true;
  }

  async touch(id: string): Promise<void> {
    this.open(id);
  }

  async append(id: string, activity: Record<string, unknown> & { type: string }): Promise<ClientActivity> {
    return this.add(id, activity);
  }

  async post(id: string, activity: Record<string, unknown> & { type: string }, by: PostedBy): Promise<Posted> {
    const earlier = by.clientActivityId === undefined ? undefined : this.posted(this.open(id), by.userId, by.clientActivityId);
    return earlier ? { activity: earlier, duplicate: true } : { activity: this.add(id, activity), duplicate: false };
  }

  async since(id: string, watermark: number | undefined): Promise<ActivitySet> {
    const conversation = this.open(id);
    const from = readFrom(watermark, conversation.lastSeq);
    const entries = conversation.entries.filter((e) => e.seq > from);
    const last = entries.at(-1)?.seq ?? (from === -Infinity ? conversation.lastSeq : from);
    return { activities: entries.map((e) => e.activity), watermark: String(last) };
  }

  async subscribe(id: string, listener: ConversationListener, watermark: number | undefined): Promise<{ backlog: ActivitySet[]; unsubscribe: () => void }> {
    const conversation = this.open(id);
    const from = readFrom(watermark, conversation.lastSeq);
    const backlog = conversation.entries.filter((e) => e.seq > from).map((e) => ({ activities: [e.activity], watermark: String(e.seq) }));
    conversation.listeners.add(listener);
    return { backlog, unsubscribe: () => conversation.listeners.delete(listener) };
  }

  enqueue(id: string, turn: () => Promise<void>): Promise<void> {
    this.open(id);
    return this.turns.run(id, turn);
  }

  async sweep(): Promise<number> {
    const cutoff = this.options.clock.now().getTime() - this.options.idleMs;
    let dropped = 0;
    for (const [id, conversation] of this.conversations) {
      if (conversation.lastActive >= cutoff) continue;
      this.conversations.delete(id);
      dropped++;
      for (const listener of conversation.listeners) listener.dropped();
      conversation.listeners.clear();
    }
    return dropped;
  }

  async close(): Promise<void> {
    for (const conversation of this.conversations.values()) {
      for (const listener of conversation.listeners) listener.dropped();
      conversation.listeners.clear();
    }
  }

  private add(id: string, activity: Record<string, unknown> & { type: string }): ClientActivity {
    const conversation = this.open(id);
    const seq = ++conversation.lastSeq;
    const stored: ClientActivity = { ...activity, id: activityId(id, seq) };
    conversation.entries.push({ seq, activity: stored });
    if (conversation.entries.length > this.options.maxActivities) conversation.entries.splice(0, conversation.entries.length - this.options.maxActivities);
    const set: ActivitySet = { activities: [stored], watermark: String(seq) };
    for (const listener of conversation.listeners) listener.activity(set);
    return stored;
  }

  /** The activity `userId` posted with this `clientActivityId`, if the conversation still holds it. */
  private posted(conversation: Conversation, userId: string, clientActivityId: string): ClientActivity | undefined {
    for (let i = conversation.entries.length - 1; i >= 0; i--) {
      const activity = conversation.entries[i]!.activity;
      const from = activity.from as { id?: unknown } | undefined;
      const channelData = activity.channelData as { clientActivityID?: unknown } | undefined;
      if (from?.id === userId && channelData?.clientActivityID === clientActivityId) return activity;
    }
    return undefined;
  }
}
