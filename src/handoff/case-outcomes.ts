import { OPEN_STATUSES, type HandoffCase } from './case';
import { addRating, type CaseStore } from './case-store';

/** External hubs report with these `handoff.status` states. */
export type HubState = 'accepted' | 'failed' | 'completed';

/** Applies an external hub's report to an open case: taken by the hub (shown under `hub.name`), failed or completed. */
export function applyHubStatus(store: CaseStore, caseId: string, state: HubState, hub: { name: string; at: string }): Promise<HandoffCase> {
  return store.update(caseId, (c) => {
    if (!OPEN_STATUSES.has(c.status)) return undefined;
    if (state === 'accepted') return { ...c, status: 'assigned', agent: { id: 'external', name: hub.name }, takenAt: hub.at };
    return { ...c, status: state === 'failed' ? 'failed' : 'closed', endedAt: hub.at };
  });
}

/** Stores the person's 1–5 answer on a closed case (only the first counts) and adds it to the score totals. */
export async function rateCase(store: CaseStore, caseId: string, score: number): Promise<HandoffCase> {
  let first = false;
  const record = await store.update(caseId, (c) => {
    first = c.status === 'closed' && c.satisfaction === undefined;
    return first ? { ...c, satisfaction: score } : undefined;
  });
  if (first) await store.updateScores((totals) => addRating(totals, record.agent, score));
  return record;
}
