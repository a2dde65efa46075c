import type { Storage } from 'botbuilder';
import type { Clock } from '../clock';
import { readModifyWrite, readRecord } from '../storage/stored-records';

const PRESENCE_KEY = 'desk/presence';

/** Who was heard from when, and who signed out when, in milliseconds (the injected clock). */
interface PresenceRecord {
  seen: Record<string, number>;
  out: Record<string, number>;
}

export interface AgentPresenceOptions {
  /** An agent not heard from for this long has closed her page (default 60 s). */
  windowMs?: number;
  /** How old the shared record may be when read (default 2 s). */
  readEveryMs?: number;
  /** How much newer than what was written a sighting must be to be written again (default 10 s). */
  writeEveryMs?: number;
}

/**
 * Which agents are signed in right now: the agent page calls in every few seconds, so an agent
 * not heard from for `windowMs` has closed it.
 *
 * Behind a load balancer each instance hears only some of those calls, and the one that opens a
 * case must still find every agent to tell. So sightings are kept in a small record in the shared
 * storage too, written when they are some seconds newer than what was written and read when the
 * copy here is a moment old; a sign-out is written at once. When storage is away, what this
 * process has seen itself is the answer.
 */
export class AgentPresence {
  private readonly local: PresenceRecord = { seen: {}, out: {} };
  private readonly written = new Map<string, number>();
  private readAt = -Infinity;
  private reading: Promise<void> | undefined;
  private readonly windowMs: number;
  private readonly readEveryMs: number;
  private readonly writeEveryMs: number;

  constructor(
    private readonly clock: Clock,
    private readonly storage?: Storage,
    options: AgentPresenceOptions = {},
  ) {
    this.windowMs = options.windowMs ?? 60_000;
    this.readEveryMs = options.readEveryMs ?? 2_000;
    this.writeEveryMs = options.writeEveryMs ?? 10_000;
  }

  seen(agentId: string): void {
    const now = this.now();
    this.local.seen[agentId] = Math.max(now, this.local.seen[agentId] ?? 0);
    const written = this.written.get(agentId) ?? -Infinity;
    // A sign-out heard of since (from any instance) must be outdone in the shared record at once.
    if (now - written < this.writeEveryMs && (this.local.out[agentId] ?? -Infinity) < written) return;
    this.written.set(agentId, now);
    this.share((record) => (record.seen[agentId] = Math.max(now, record.seen[agentId] ?? 0)));
  }

  signedOut(agentId: string): void {
    const now = this.now();
    this.local.out[agentId] = now;
    this.written.delete(agentId);
    this.share((record) => (record.out[agentId] = now));
  }

  /** The agents heard from within the window and not signed out since, on any instance. */
  async online(): Promise<string[]> {
    await this.refresh();
    const cutoff = this.now() - this.windowMs;
    this.prune(this.local, cutoff);
    return Object.entries(this.local.seen)
      .filter(([id, at]) => at >= cutoff && at > (this.local.out[id] ?? -Infinity))
      .map(([id]) => id);
  }

  private refresh(): Promise<void> {
    if (!this.storage || this.now() - this.readAt < this.readEveryMs) return Promise.resolve();
    this.reading ??= readRecord<PresenceRecord>(this.storage, PRESENCE_KEY)
      .then((found) => {
        this.readAt = this.now();
        if (found) merge(this.local, found.value);
      })
      .catch(() => undefined)
      .finally(() => (this.reading = undefined));
    return this.reading;
  }

  /** Writes a change to the shared record in the background; a failed write is made good by the next sighting. */
  private share(change: (record: PresenceRecord) => void): void {
    if (!this.storage) return;
    const cutoff = this.now() - 2 * this.windowMs;
    readModifyWrite<PresenceRecord>(this.storage, PRESENCE_KEY, (current) => {
      const record = current ?? { seen: {}, out: {} };
      change(record);
      this.prune(record, cutoff);
      return record;
    }).catch(() => undefined);
  }

  private prune(record: PresenceRecord, cutoff: number): void {
    for (const [id, at] of Object.entries(record.seen)) if (at < cutoff) delete record.seen[id];
    for (const [id, at] of Object.entries(record.out)) if (at < cutoff) delete record.out[id];
  }

  private now(): number {
    return this.clock.now().getTime();
  }
}

/** The later of both for every agent's sighting and sign-out. */
function merge(into: PresenceRecord, from: PresenceRecord): void {
  for (const [id, at] of Object.entries(from.seen ?? {})) into.seen[id] = Math.max(at, into.seen[id] ?? 0);
  for (const [id, at] of Object.entries(from.out ?? {})) into.out[id] = Math.max(at, into.out[id] ?? 0);
}
