import type { Clock } from '../clock';
import { minutesBetween, type HandoffCase } from './case';
import type { CaseStore } from './case-store';

/**
 * Finds the people whose wait has run past `waitSeconds` and tells each once per wait (the flag
 * is stored first, so two instances sweeping at once tell nobody twice). Returns how many were told.
 */
export async function sweepQueue(store: CaseStore, clock: Clock, waitSeconds: number, tell: (c: HandoffCase, minutes: number) => Promise<void>): Promise<number> {
  const now = clock.now();
  let told = 0;
  for (const c of await store.openCases()) {
    if (c.status === 'assigned' || c.waitNotified) continue;
    if (now.getTime() - Date.parse(c.waitingSince) < waitSeconds * 1000) continue;
    const updated = await store.update(c.id, (current) => (current.status === c.status && !current.waitNotified ? { ...current, waitNotified: true } : undefined));
    if (!updated.waitNotified || updated.status === 'assigned') continue;
    await tell(updated, Math.max(1, minutesBetween(updated.waitingSince, now)));
    told++;
  }
  return told;
}
