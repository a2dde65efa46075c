import type { ActivitySet, ClientActivity, ConversationListener } from './conversation-log';

/** A stream of this process and the number of the last activity it was sent; undefined while its backlog is read. */
interface Stream {
  delivered: number | undefined;
}

interface Group {
  streams: Map<ConversationListener, Stream>;
  running: boolean;
  again: boolean;
}

/** Reads a conversation's activities after a number, in order. */
export type ReadAfter = (conversationId: string, after: number) => Promise<{ seq: number; activity: ClientActivity }[]>;

/**
 * The streams this process holds, per conversation, and how far each has been sent, for a log
 * whose activities may be written by any instance. A signal (an activity stored here, a
 * notification from another instance, a reconnect) makes the conversation's streams catch up by
 * reading what they lack, one read at a time per conversation, so each stream gets every activity
 * once and in order whatever order the signals come in.
 */
export class LocalStreams {
  private readonly groups = new Map<string, Group>();

  constructor(
    private readonly readAfter: ReadAfter,
    private readonly onError: (err: unknown, conversationId: string) => void,
  ) {}

  /** Adds a stream whose backlog is being read; {@link ready} says how far that backlog went. */
  add(conversationId: string, listener: ConversationListener): () => void {
    let group = this.groups.get(conversationId);
    if (!group) this.groups.set(conversationId, (group = { streams: new Map(), running: false, again: false }));
    group.streams.set(listener, { delivered: undefined });
    return () => {
      group.streams.delete(listener);
      if (group.streams.size === 0 && this.groups.get(conversationId) === group) this.groups.delete(conversationId);
    };
  }

  /** The stream has its backlog up to `delivered`; anything stored meanwhile follows. */
  ready(conversationId: string, listener: ConversationListener, delivered: number): void {
    const stream = this.groups.get(conversationId)?.streams.get(listener);
    if (!stream) return;
    stream.delivered = delivered;
    this.signal(conversationId, Infinity);
  }

  /** This process stored `activity` as number `seq`: sent at once to streams that have everything before it. */
  stored(conversationId: string, seq: number, activity: ClientActivity): void {
    const group = this.groups.get(conversationId);
    if (!group) return;
    const streams = [...group.streams.entries()].filter(([, s]) => s.delivered !== undefined);
    if (!group.running && streams.every(([, s]) => s.delivered === seq - 1)) {
      const set: ActivitySet = { activities: [activity], watermark: String(seq) };
      for (const [listener, stream] of streams) {
        stream.delivered = seq;
        listener.activity(set);
      }
      return;
    }
    this.signal(conversationId, seq);
  }

  /** Something up to number `seq` was stored somewhere (Infinity: unknown); streams behind it catch up. */
  signal(conversationId: string, seq: number): void {
    const group = this.groups.get(conversationId);
    if (!group) return;
    const behind = [...group.streams.values()].some((s) => s.delivered !== undefined && s.delivered < seq);
    if (!behind) return;
    if (group.running) {
      group.again = true;
      return;
    }
    void this.catchUp(conversationId, group);
  }

  /** Every stream of every conversation catches up (after notifications may have been missed). */
  signalAll(): void {
    for (const id of this.groups.keys()) this.signal(id, Infinity);
  }

  /** Closes the streams of these conversations (or all) so their clients reconnect. */
  drop(conversationIds: Iterable<string> = [...this.groups.keys()]): void {
    for (const id of conversationIds) {
      const group = this.groups.get(id);
      if (!group) continue;
      this.groups.delete(id);
      for (const listener of group.streams.keys()) listener.dropped();
    }
  }

  private async catchUp(conversationId: string, group: Group): Promise<void> {
    group.running = true;
    try {
      do {
        group.again = false;
        const floor = Math.min(...[...group.streams.values()].flatMap((s) => (s.delivered === undefined ? [] : [s.delivered])));
        if (!Number.isFinite(floor)) break;
        const rows = await this.readAfter(conversationId, floor);
        for (const [listener, stream] of group.streams) {
          for (const row of rows) {
            if (stream.delivered === undefined || row.seq <= stream.delivered) continue;
            stream.delivered = row.seq;
            listener.activity({ activities: [row.activity], watermark: String(row.seq) });
          }
        }
      } while (group.again);
    } catch (err) {
      this.onError(err, conversationId);
    } finally {
      group.running = false;
    }
  }
}
