import type { ConversationReference, Storage, StoreItem } from 'botbuilder';
import { readModifyWrite, readRecord, type Modified, type ReadRecord } from '../storage/stored-records';
import { OPEN_STATUSES, type HandoffCase } from './case';

const CASE_PREFIX = 'handoff/case/';
const OPEN_KEY = 'handoff/open';
const SEQUENCE_KEY = 'handoff/sequence';
// Four digits are easy to say on the phone; the thousands after 9999 simply get a fifth.
const FIRST_CASE_NUMBER = 1001;
const AGENT_PREFIX = 'handoff/agent/';

/** An agent's own record: where to reach them and the case they are working on. */
export interface AgentRecord {
  id: string;
  name: string;
  /** The agent's conversation with the bot (their Web Chat on /agent). */
  conversation?: Partial<ConversationReference>;
  activeCaseId?: string;
}

/** A change that is refused for a reason the caller can tell the user (e.g. the case was taken). */
export class HandoffRefusal extends Error {
  constructor(
    readonly code: 'not_found' | 'already_taken' | 'busy' | 'not_open' | 'not_yours',
    readonly caseId: string,
  ) {
    super(`${code}: ${caseId}`);
    this.name = 'HandoffRefusal';
  }
}


/**
 * Cases, the list of open ones and agents' records, all in the bot's own storage so a
 * restart (or a second instance) loses nothing. Every change is read-modify-write with the
 * record's eTag and is retried on a conflict, so two agents taking one case cannot both win.
 */
export class CaseStore {
  constructor(private readonly storage: Storage) {}

  /** Creates the (empty) open list and the id counter when there are none yet, so they never race to be created. */
  async init(): Promise<void> {
    if (!(await this.read(OPEN_KEY))) await this.storage.write({ [OPEN_KEY]: { ids: [], eTag: '*' } });
    if (!(await this.read(SEQUENCE_KEY))) await this.storage.write({ [SEQUENCE_KEY]: { last: FIRST_CASE_NUMBER - 1, eTag: '*' } });
  }

  async get(id: string): Promise<HandoffCase | undefined> {
    return (await this.read<HandoffCase>(CASE_PREFIX + id))?.value;
  }

  /**
   * Stores a new case under the next short id ("M-1001", "M-1002" …) and lists it as open.
   * Storages have no create-only write, so ids come from a counter changed with its eTag:
   * two cases opened at the same moment can never get (and overwrite) the same id.
   */
  async create(build: (id: string) => HandoffCase): Promise<HandoffCase> {
    const { after } = await this.readModifyWrite<{ last: number }>(SEQUENCE_KEY, (current) => ({ last: (current?.last ?? FIRST_CASE_NUMBER - 1) + 1 }));
    const record = build(`M-${after!.last}`);
    await this.storage.write({ [CASE_PREFIX + record.id]: { ...record, eTag: '*' } });
    if (OPEN_STATUSES.has(record.status)) await this.changeOpenList((ids) => [...ids, record.id]);
    return record;
  }

  /**
   * Applies `change` to the stored case and writes it back; returns the new case, or the
   * stored one unchanged when `change` returns undefined. `change` may throw a
   * {@link HandoffRefusal}; on an eTag conflict it runs again on the fresh record.
   */
  async update(id: string, change: (current: HandoffCase) => HandoffCase | undefined): Promise<HandoffCase> {
    const result = await this.readModifyWrite<HandoffCase>(CASE_PREFIX + id, (current) => {
      if (!current) throw new HandoffRefusal('not_found', id);
      return change(current);
    });
    const { before, after } = result;
    if (before && after && OPEN_STATUSES.has(before.status) !== OPEN_STATUSES.has(after.status)) {
      const open = OPEN_STATUSES.has(after.status);
      await this.changeOpenList((ids) => (open ? [...ids.filter((i) => i !== id), id] : ids.filter((i) => i !== id)));
    }
    return after ?? before!;
  }

  /** Open cases (queued, assigned, external), oldest first. */
  async openCases(): Promise<HandoffCase[]> {
    const ids = (await this.read<{ ids: string[] }>(OPEN_KEY))?.value.ids ?? [];
    if (ids.length === 0) return [];
    const items = await this.storage.read(ids.map((id) => CASE_PREFIX + id));
    return ids
      .map((id) => items[CASE_PREFIX + id] as (HandoffCase & StoreItem) | undefined)
      .filter((c): c is HandoffCase & StoreItem => c !== undefined && OPEN_STATUSES.has(c.status))
      .map(({ eTag: _eTag, ...c }) => c as HandoffCase)
      .sort((a, b) => a.waitingSince.localeCompare(b.waitingSince));
  }

  async agent(id: string): Promise<AgentRecord | undefined> {
    return (await this.read<AgentRecord>(AGENT_PREFIX + id))?.value;
  }

  /** Like {@link update}, for an agent's record; `change` gets undefined for a new agent. */
  async updateAgent(id: string, change: (current: AgentRecord | undefined) => AgentRecord | undefined): Promise<AgentRecord | undefined> {
    const { before, after } = await this.readModifyWrite<AgentRecord>(AGENT_PREFIX + id, change);
    return after ?? before;
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
