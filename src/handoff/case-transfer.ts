import type { HandoffCase } from './case';
import type { AgentSlots } from './agent-slots';
import { HandoffRefusal, type CaseStore } from './case-store';

interface Transfer {
  agent: { username: string; displayName: string };
  record: HandoffCase;
  /** The colleague; absent: back to the queue. */
  to: { username: string; displayName: string } | undefined;
  /** Already masked. */
  note: string | undefined;
  at: string;
}

/**
 * Moves a case from its agent to a colleague or back to the queue, with the colleague's slot
 * reserved first (given back if the case changed meanwhile) and the agent's freed after.
 * The agent's own chat for the case is dropped: the colleague opens hers.
 */
export async function transferCase(store: CaseStore, slots: AgentSlots, { agent, record, to, note, at }: Transfer): Promise<HandoffCase> {
  if (to) await slots.reserve(to, record.id);
  let moved: HandoffCase;
  try {
    moved = await store.update(record.id, (c) => {
      if (c.status !== 'assigned' || c.agent?.id !== agent.username) throw new HandoffRefusal('not_yours', record.id);
      const transfer = { at, from: { id: agent.username, name: agent.displayName }, ...(to ? { to: { id: to.username, name: to.displayName } } : {}), ...(note ? { note } : {}) };
      const { agentChat: _chat, agent: _agent, ...rest } = c;
      const notes = note ? [...c.notes, { at, agent: agent.displayName, text: note }] : c.notes;
      const transfers = [...(c.transfers ?? []), transfer];
      if (!to) return { ...rest, status: 'queued', waitingSince: at, waitNotified: false, notes, transfers };
      const handledBy = c.handledBy?.includes(to.username) ? c.handledBy : [...(c.handledBy ?? []), to.username];
      return { ...rest, agent: { id: to.username, name: to.displayName }, takenAt: at, notes, transfers, handledBy };
    });
  } catch (err) {
    if (to) await slots.release(to.username, record.id);
    throw err;
  }
  await slots.release(agent.username, record.id);
  return moved;
}
