import { createHash } from 'node:crypto';
import type { ConversationReference, Storage, StoreItem } from 'botbuilder';
import { readModifyWrite, readRecord, type Modified, type ReadRecord } from '../storage/stored-records';
import { OPEN_STATUSES, type CaseAgent, type HandoffCase, type StaffRole } from './case';
import { newCaseId } from './case-ids';

const CASE_PREFIX = 'handoff/case/';
const OPEN_KEY = 'handoff/open';
const AGENT_PREFIX = 'handoff/agent/';
const HISTORY_PREFIX = 'handoff/history/';
const HISTORY_DAYS_KEY = 'handoff/history-days';
const CITIZEN_PREFIX = 'handoff/citizen/';
const SCORES_KEY = 'handoff/scores';
/** A returning person's earlier cases worth showing; older ones are still in the history. */
const LINKED_CASES = 20;

/** Whether an agent wants new cases: away agents keep their chats but get no new-case notices. */
export type AgentPresenceStatus = 'available' | 'away';

/** An agent's own record: where to reach them and the cases they are working on. */
export interface AgentRecord {
  id: string;
  name: string;
  role?: StaffRole;
  /** The agent's conversation with the bot (their desk's Web Chat on /agent). */
  conversation?: Partial<ConversationReference>;
  /** The cases the agent is chatting in, oldest first. */
  activeCaseIds?: string[];
  /** Stored by versions with one chat per agent; read as a one-entry {@link activeCaseIds}. */
  activeCaseId?: string;
  presence?: AgentPresenceStatus;
}

/** The satisfaction scores, kept as running sums so the desk and /metrics need no scan of the history. */
export interface ScoreTotals {
  /** How many rated cases gave each score, "1" to "5". */
  counts: Record<string, number>;
  agents: Record<string, { name: string; closed: number; rated: number; sum: number }>;
}

/** The agent's active cases, whichever version stored the record. */
export function activeCasesOf(agent: AgentRecord | undefined): string[] {
  if (!agent) return [];
  return agent.activeCaseIds ?? (agent.activeCaseId ? [agent.activeCaseId] : []);
}

/** The person's conversation and user id, hashed: how a returning person's earlier cases are found. */
export function citizenKeys(channelId: string, reference: Partial<ConversationReference>): string[] {
  const hash = (value: string): string => createHash('sha256').update(value, 'utf8').digest('base64url').slice(0, 32);
  const conversation = reference.conversation?.id;
  const user = reference.user?.id;
  return [...(conversation ? [`conversation:${channelId}:${conversation}`] : []), ...(user ? [`user:${channelId}:${user}`] : [])].map(hash);
}

/** The totals with one more rating, for the case's agent too when it had one of ours. */
export function addRating(totals: ScoreTotals, agent: CaseAgent | undefined, score: number): ScoreTotals {
  const counts = { ...totals.counts, [String(score)]: (totals.counts[String(score)] ?? 0) + 1 };
  if (!agent || agent.id === 'external') return { ...totals, counts };
  const mine = totals.agents[agent.id] ?? { name: agent.name, closed: 0, rated: 0, sum: 0 };
  return { counts, agents: { ...totals.agents, [agent.id]: { ...mine, name: agent.name, rated: mine.rated + 1, sum: mine.sum + score } } };
}

/** The totals with one more case closed by `agent`. */
export function addClosed(totals: ScoreTotals, agent: CaseAgent): ScoreTotals {
  const mine = totals.agents[agent.id] ?? { name: agent.name, closed: 0, rated: 0, sum: 0 };
  return { ...totals, agents: { ...totals.agents, [agent.id]: { ...mine, name: agent.name, closed: mine.closed + 1 } } };
}

/** A change that is refused for a reason the caller can tell the user (e.g. the case was taken). */
export class HandoffRefusal extends Error {
  constructor(
    readonly code: 'not_found' | 'already_taken' | 'busy' | 'not_open' | 'not_yours',
    readonly caseId: string,
  ) {
    super(`${code}: ${caseId}`);
  }
}

/**
 * Cases, the list of open ones, the history of ended ones, agents' records and the score
 * totals, all in the bot's own storage so a restart (or a second instance) loses nothing.
 * Every change is read-modify-write with the record's eTag and is retried on a conflict, so
 * two agents taking one case cannot both win.
 */
export class CaseStore {
  constructor(private readonly storage: Storage) {}

  /** Creates the (empty) open list when there is none yet, so it never races to be created. */
  async init(): Promise<void> {
    await this.readModifyWrite<{ ids: string[] }>(OPEN_KEY, (current) => (current ? undefined : { ids: [] }));
  }

  async get(id: string): Promise<HandoffCase | undefined> {
    return (await this.read<HandoffCase>(CASE_PREFIX + id))?.value;
  }

  /** Several cases at once, in the order asked; missing ones left out. */
  async getMany(ids: readonly string[]): Promise<HandoffCase[]> {
    if (ids.length === 0) return [];
    const items = await this.storage.read(ids.map((id) => CASE_PREFIX + id));
    return ids.flatMap((id) => {
      const item = items[CASE_PREFIX + id] as (HandoffCase & StoreItem) | undefined;
      if (!item) return [];
      const { eTag: _eTag, ...c } = item;
      return [c as HandoffCase];
    });
  }

  /** Stores a new case under a fresh random id ({@link newCaseId}) and lists it as open; an id already taken is drawn again. */
  async create(build: (id: string) => HandoffCase): Promise<HandoffCase> {
    for (;;) {
      const record = build(newCaseId());
      const { after } = await this.readModifyWrite<HandoffCase>(CASE_PREFIX + record.id, (current) => (current ? undefined : record));
      if (!after) continue;
      if (OPEN_STATUSES.has(record.status)) await this.changeOpenList((ids) => [...ids, record.id]);
      return record;
    }
  }

  /**
   * Applies `change` to the stored case and writes it back; returns the new case, or the
   * stored one unchanged when `change` returns undefined. `change` may throw a
   * {@link HandoffRefusal}; on an eTag conflict it runs again on the fresh record.
   */
  async update(id: string, change: (current: HandoffCase) => HandoffCase | undefined): Promise<HandoffCase> {
    const { before, after } = await this.readModifyWrite<HandoffCase>(CASE_PREFIX + id, (current) => {
      if (!current) throw new HandoffRefusal('not_found', id);
      return change(current);
    });
    if (before && after && OPEN_STATUSES.has(before.status) !== OPEN_STATUSES.has(after.status)) {
      const open = OPEN_STATUSES.has(after.status);
      await this.changeOpenList((ids) => (open ? [...ids.filter((i) => i !== id), id] : ids.filter((i) => i !== id)));
    }
    return after ?? before!;
  }

  /** Open cases (queued, assigned, external), oldest first. */
  async openCases(): Promise<HandoffCase[]> {
    const ids = (await this.read<{ ids: string[] }>(OPEN_KEY))?.value.ids ?? [];
    return (await this.getMany(ids)).filter((c) => OPEN_STATUSES.has(c.status)).sort((a, b) => a.waitingSince.localeCompare(b.waitingSince));
  }

  async agent(id: string): Promise<AgentRecord | undefined> {
    return (await this.read<AgentRecord>(AGENT_PREFIX + id))?.value;
  }

  /** Like {@link update}, for an agent's record; `change` gets undefined for a new agent. */
  async updateAgent(id: string, change: (current: AgentRecord | undefined) => AgentRecord | undefined): Promise<AgentRecord | undefined> {
    const { before, after } = await this.readModifyWrite<AgentRecord>(AGENT_PREFIX + id, change);
    return after ?? before;
  }

  /** Records that a case ended on `day` (YYYY-MM-DD), for the history. */
  async addToHistory(day: string, id: string): Promise<void> {
    await this.readModifyWrite<{ ids: string[] }>(HISTORY_PREFIX + day, (current) => (current?.ids.includes(id) ? undefined : { ids: [...(current?.ids ?? []), id] }));
    await this.readModifyWrite<{ days: string[] }>(HISTORY_DAYS_KEY, (current) => (current?.days.includes(day) ? undefined : { days: [...(current?.days ?? []), day].sort() }));
  }

  /** The days that have ended cases, oldest first. */
  async historyDays(): Promise<string[]> {
    return (await this.read<{ days: string[] }>(HISTORY_DAYS_KEY))?.value.days ?? [];
  }

  /** The cases that ended on `day`. */
  async endedOn(day: string): Promise<string[]> {
    return (await this.read<{ ids: string[] }>(HISTORY_PREFIX + day))?.value.ids ?? [];
  }

  /** Deletes the history of days before `firstKept` (cases included); returns how many cases went. */
  async dropHistoryBefore(firstKept: string): Promise<number> {
    const old = (await this.historyDays()).filter((day) => day < firstKept);
    let dropped = 0;
    for (const day of old) {
      const ids = await this.endedOn(day);
      // A case reopened since (a returning person's case is a new one, so this is rare) stays.
      const ended = (await this.getMany(ids)).filter((c) => !OPEN_STATUSES.has(c.status)).map((c) => c.id);
      if (ended.length > 0) await this.storage.delete(ended.map((id) => CASE_PREFIX + id));
      await this.storage.delete([HISTORY_PREFIX + day]);
      await this.readModifyWrite<{ days: string[] }>(HISTORY_DAYS_KEY, (current) => (current ? { days: current.days.filter((d) => d !== day) } : undefined));
      dropped += ended.length;
    }
    return dropped;
  }

  /**
   * Adds a case to the lists of the person it belongs to (`keys`: their conversation, their
   * user id) and returns the earlier cases on those lists, oldest first.
   */
  async linkCitizen(keys: readonly string[], id: string): Promise<string[]> {
    const earlier = new Set<string>();
    for (const key of keys) {
      const { before } = await this.readModifyWrite<{ ids: string[] }>(CITIZEN_PREFIX + key, (current) => ({ ids: [...(current?.ids ?? []).filter((i) => i !== id), id].slice(-LINKED_CASES) }));
      for (const other of before?.ids ?? []) if (other !== id) earlier.add(other);
    }
    return [...earlier];
  }

  async scores(): Promise<ScoreTotals> {
    return (await this.read<ScoreTotals>(SCORES_KEY))?.value ?? { counts: {}, agents: {} };
  }

  async updateScores(change: (current: ScoreTotals) => ScoreTotals): Promise<void> {
    await this.readModifyWrite<ScoreTotals>(SCORES_KEY, (current) => change(current ?? { counts: {}, agents: {} }));
  }

  private async changeOpenList(change: (ids: string[]) => string[]): Promise<void> {
    await this.readModifyWrite<{ ids: string[] }>(OPEN_KEY, (current) => ({ ids: [...new Set(change(current?.ids ?? []))] }));
  }

  private read<T>(key: string): Promise<ReadRecord<T> | undefined> {
    return readRecord<T>(this.storage, key);
  }

  private readModifyWrite<T extends object>(key: string, change: (current: T | undefined) => T | undefined): Promise<Modified<T>> {
    return readModifyWrite(this.storage, key, change);
  }
}
