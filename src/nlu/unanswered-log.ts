import type { Storage } from 'botbuilder';
import { maskPersonalData } from '../text/mask';
import { normalizeText } from '../text/normalize';

/** Why a question went unanswered. */
export type UnansweredReason = 'none' | 'none_of_these';

/** One question people asked that the bot could not answer, counted. */
export interface UnansweredEntry {
  text: string;
  count: number;
  reasons: Partial<Record<UnansweredReason, number>>;
  firstAt: string;
  lastAt: string;
}

interface UnansweredDocument {
  entries: Record<string, UnansweredEntry>;
  eTag?: string;
}

export const UNANSWERED_KEY = 'mitid-hjaelperen/unanswered';
const MAX_ENTRIES = 2000;
const MAX_TEXT = 300;
const RETRIES = 10;

/**
 * Questions that fell to "none" or to "Ingen af dem", kept in the bot's own storage for
 * content editors (`npm run unanswered`). Personal data is masked before anything is kept.
 */
interface PendingCount {
  text: string;
  reasons: Partial<Record<UnansweredReason, number>>;
  count: number;
  firstAt: string;
  lastAt: string;
}

export class UnansweredLog {
  // Counts wait here and are written together: one read and one write of the document per
  // batch, however many turns fell back meanwhile, so a burst of fallbacks never queues up
  // behind the storage. Only one batch is written at a time; eTag retries are for other
  // instances sharing the storage.
  private pending = new Map<string, PendingCount>();
  private writing: Promise<void> | undefined;
  private waiting: Promise<void> | undefined;

  constructor(private readonly storage: Storage) {}

  /**
   * Counts a question. Resolves when the count is stored; callers on the turn path need
   * not wait for that ({@link drain} before shutting down).
   */
  record(text: string, reason: UnansweredReason, at: Date): Promise<void> {
    const masked = maskPersonalData(text).slice(0, MAX_TEXT);
    const key = normalizeText(masked);
    if (key.length === 0) return Promise.resolve();
    const entry = this.pending.get(key) ?? { text: masked, reasons: {}, count: 0, firstAt: at.toISOString(), lastAt: at.toISOString() };
    entry.count++;
    entry.reasons[reason] = (entry.reasons[reason] ?? 0) + 1;
    entry.lastAt = at.toISOString();
    this.pending.set(key, entry);
    return this.scheduleWrite();
  }

  /** Resolves when every count recorded so far is stored (or has failed). */
  async drain(): Promise<void> {
    while (this.waiting ?? this.writing) await (this.waiting ?? this.writing)!.catch(() => undefined);
  }

  private scheduleWrite(): Promise<void> {
    if (this.waiting) return this.waiting;
    const previous = this.writing ?? Promise.resolve();
    const batch = previous
      .catch(() => undefined)
      .then(() => {
        this.waiting = undefined;
        const counts = this.pending;
        this.pending = new Map();
        return this.store(counts);
      });
    this.waiting = batch;
    this.writing = batch;
    void batch.then(
      () => this.settle(batch),
      () => this.settle(batch),
    );
    return batch;
  }

  private settle(batch: Promise<void>): void {
    if (this.writing === batch) this.writing = undefined;
  }

  private async store(counts: Map<string, PendingCount>): Promise<void> {
    if (counts.size === 0) return;
    for (let attempt = 0; attempt < RETRIES; attempt++) {
      const doc = await this.read();
      for (const [key, add] of counts) {
        const entry = doc.entries[key] ?? { text: add.text, count: 0, reasons: {}, firstAt: add.firstAt, lastAt: add.lastAt };
        entry.count += add.count;
        for (const [reason, n] of Object.entries(add.reasons) as Array<[UnansweredReason, number]>) {
          entry.reasons[reason] = (entry.reasons[reason] ?? 0) + n;
        }
        if (add.lastAt > entry.lastAt) entry.lastAt = add.lastAt;
        doc.entries[key] = entry;
      }
      trim(doc);
      try {
        await this.storage.write({ [UNANSWERED_KEY]: { entries: doc.entries, eTag: doc.eTag ?? '*' } });
        return;
      } catch (err) {
        if (!/etag/i.test((err as Error).message) || attempt === RETRIES - 1) throw err;
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * (attempt + 1)));
      }
    }
  }

  /** All entries, most frequent first (after storing what is still waiting). */
  async list(): Promise<UnansweredEntry[]> {
    await this.drain();
    const doc = await this.read();
    return Object.values(doc.entries).sort((a, b) => b.count - a.count || b.lastAt.localeCompare(a.lastAt));
  }

  private async read(): Promise<UnansweredDocument> {
    const items = await this.storage.read([UNANSWERED_KEY]);
    const doc = items[UNANSWERED_KEY] as UnansweredDocument | undefined;
    return doc ? { entries: doc.entries ?? {}, eTag: doc.eTag } : { entries: {} };
  }
}

// Keeps the document bounded: the rarest, oldest questions go first.
function trim(doc: UnansweredDocument): void {
  const keys = Object.keys(doc.entries);
  if (keys.length <= MAX_ENTRIES) return;
  keys
    .sort((a, b) => doc.entries[a]!.count - doc.entries[b]!.count || doc.entries[a]!.lastAt.localeCompare(doc.entries[b]!.lastAt))
    .slice(0, keys.length - MAX_ENTRIES)
    .forEach((k) => delete doc.entries[k]);
}
