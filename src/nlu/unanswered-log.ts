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
export class UnansweredLog {
  // Records from this process wait for each other, so they never race for the document;
  // the eTag retries are for other instances sharing the storage.
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly storage: Storage) {}

  /** Counts a question; concurrent turns are merged, never overwritten. */
  record(text: string, reason: UnansweredReason, at: Date): Promise<void> {
    const next = this.queue.then(() => this.recordNow(text, reason, at));
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async recordNow(text: string, reason: UnansweredReason, at: Date): Promise<void> {
    const masked = maskPersonalData(text).slice(0, MAX_TEXT);
    const key = normalizeText(masked);
    if (key.length === 0) return;
    for (let attempt = 0; attempt < RETRIES; attempt++) {
      const doc = await this.read();
      const entry = doc.entries[key] ?? { text: masked, count: 0, reasons: {}, firstAt: at.toISOString(), lastAt: at.toISOString() };
      entry.count++;
      entry.reasons[reason] = (entry.reasons[reason] ?? 0) + 1;
      entry.lastAt = at.toISOString();
      doc.entries[key] = entry;
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

  /** All entries, most frequent first. */
  async list(): Promise<UnansweredEntry[]> {
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
