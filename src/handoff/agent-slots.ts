import { OPEN_STATUSES, type HandoffCase } from './case';
import { activeCasesOf, HandoffRefusal, type CaseStore } from './case-store';

/**
 * An agent's chat slots (at most `maxChats` cases at once), on her own record, so two takes at
 * once, on one instance or two, cannot both pass the limit: the slot is reserved before the
 * case is changed and given back if that fails.
 */
export class AgentSlots {
  constructor(
    private readonly store: CaseStore,
    readonly maxChats: number,
  ) {}

  /** The cases the agent is chatting in, oldest first. */
  async activeCases(agentId: string): Promise<HandoffCase[]> {
    const cases = await this.store.getMany(activeCasesOf(await this.store.agent(agentId)));
    return cases.filter((c) => c.status === 'assigned' && c.agent?.id === agentId);
  }

  /**
   * Reserves a slot for the case. A listed case still queued is a take under way (maybe on
   * another instance) and keeps its slot; one that ended or went to someone else frees it.
   */
  async reserve(agent: { username: string; displayName: string }, caseId: string): Promise<void> {
    const listed = await this.store.getMany(activeCasesOf(await this.store.agent(agent.username)));
    const stale = new Set(listed.filter((c) => !OPEN_STATUSES.has(c.status) || (c.status === 'assigned' && c.agent?.id !== agent.username)).map((c) => c.id));
    await this.store.updateAgent(agent.username, (a) => {
      const ids = activeCasesOf(a);
      if (ids.includes(caseId)) return undefined;
      // An id listed since the read above is not in `stale`: a take running alongside this one.
      const live = ids.filter((id) => !stale.has(id));
      if (live.length >= this.maxChats) throw new HandoffRefusal('busy', String(live.length));
      const { activeCaseId: _legacy, ...rest } = a ?? { id: agent.username, name: agent.displayName };
      return { ...rest, activeCaseIds: [...live, caseId] };
    });
  }

  async release(agentId: string, caseId: string): Promise<void> {
    await this.store.updateAgent(agentId, (a) => {
      const ids = activeCasesOf(a);
      if (!a || !ids.includes(caseId)) return undefined;
      const { activeCaseId: _legacy, ...rest } = a;
      return { ...rest, activeCaseIds: ids.filter((id) => id !== caseId) };
    });
  }

  /** True when the agent has a free slot (for new-case notices; taking checks again). */
  async hasRoom(agentId: string): Promise<boolean> {
    return activeCasesOf(await this.store.agent(agentId)).length < this.maxChats;
  }
}
