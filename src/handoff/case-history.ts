import { danishToday, type Clock } from '../clock';
import { normalizeText } from '../text/normalize';
import { OPEN_STATUSES, type CaseAgent, type HandoffCase } from './case';
import type { CaseStore } from './case-store';
import { canRead, type CaseViews } from './case-views';
import type { DeskAgent } from './handoff-service';

/** What an agent searches the history for; every part is optional. */
export interface HistoryQuery {
  caseId?: string;
  /** First and last day, YYYY-MM-DD (Danish days); the last 30 days when not given. */
  from?: string;
  to?: string;
  /** Words that must all be in the case (transcript, notes, guide path, topics), in any form normalizeText equates. */
  words?: string;
}

/** One ended case in the history list. */
export interface HistoryEntry {
  id: string;
  status: HandoffCase['status'];
  reason: string;
  createdAt: string;
  endedAt?: string;
  agent?: CaseAgent;
  satisfaction?: number;
  guidePath: string[];
  /** The person's last line that says something, as typed (masked). */
  lastCitizenLine?: string;
  earlierCaseIds: string[];
}

const DEFAULT_DAYS = 30;
/** A search reads at most this many days and returns at most this many cases, newest first. */
const MAX_DAYS = 366;
const MAX_RESULTS = 50;
const DAY_MS = 86_400_000;

/**
 * Ended cases, kept masked for `keepDays` (HANDOFF_HISTORY_DAYS): searched by id, date and
 * words, each agent seeing her own cases and a supervisor all; older days are deleted by {@link prune}.
 */
export class CaseHistory {
  constructor(
    private readonly store: CaseStore,
    private readonly views: CaseViews,
    private readonly clock: Clock,
    private readonly keepDays: number,
  ) {}

  async search(agent: DeskAgent, query: HistoryQuery): Promise<HistoryEntry[]> {
    const cases = query.caseId ? await this.store.getMany([query.caseId]) : await this.casesBetween(query);
    const words = normalizeText(query.words ?? '').split(' ').filter(Boolean);
    return cases
      .filter((c) => !OPEN_STATUSES.has(c.status) && canRead(agent, c) && (words.length === 0 || this.mentionsAll(c, words)))
      .sort((a, b) => (b.endedAt ?? b.createdAt).localeCompare(a.endedAt ?? a.createdAt))
      .slice(0, MAX_RESULTS)
      .map((c) => this.entry(c));
  }

  private prunedOn: string | undefined;

  /** Runs {@link prune} at most once a day (the queue sweep calls it every few seconds). */
  async pruneDaily(): Promise<number> {
    const today = danishToday(this.clock);
    if (this.prunedOn === today) return 0;
    this.prunedOn = today;
    return this.prune();
  }

  /** Deletes days past `keepDays`; returns how many cases went. */
  prune(): Promise<number> {
    return this.store.dropHistoryBefore(danishToday({ now: () => new Date(this.clock.now().getTime() - this.keepDays * DAY_MS) }));
  }

  private async casesBetween(query: HistoryQuery): Promise<HandoffCase[]> {
    const to = query.to ?? danishToday(this.clock);
    const from = query.from ?? danishToday({ now: () => new Date(Date.parse(to) - (DEFAULT_DAYS - 1) * DAY_MS) });
    const earliest = danishToday({ now: () => new Date(Date.parse(to) - (MAX_DAYS - 1) * DAY_MS) });
    const days = (await this.store.historyDays()).filter((day) => day >= from && day >= earliest && day <= to);
    const ids = (await Promise.all(days.map((day) => this.store.endedOn(day)))).flat();
    return this.store.getMany([...new Set(ids)]);
  }

  private mentionsAll(c: HandoffCase, words: string[]): boolean {
    const said = [c.id, ...c.transcript.map((l) => l.text), ...c.notes.map((n) => n.text), ...c.guidePath, ...c.recentIntents.map((id) => this.views.intentTitle(id)), c.agent?.name ?? ''];
    const haystack = ` ${normalizeText(said.join(' '))} `;
    return words.every((word) => haystack.includes(word));
  }

  private entry(c: HandoffCase): HistoryEntry {
    const last = this.views.lastQuestion(c);
    return {
      id: c.id,
      status: c.status,
      reason: this.views.reasonText(c.reason),
      createdAt: c.createdAt,
      ...(c.endedAt ? { endedAt: c.endedAt } : {}),
      ...(c.agent ? { agent: c.agent } : {}),
      ...(c.satisfaction !== undefined ? { satisfaction: c.satisfaction } : {}),
      guidePath: c.guidePath,
      ...(last ? { lastCitizenLine: last } : {}),
      earlierCaseIds: c.earlierCaseIds ?? [],
    };
  }
}
