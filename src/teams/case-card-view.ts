import type { Attachment } from 'botbuilder';
import type { AgentDeskId } from '../content/handoff-texts';
import type { HandoffCase } from '../handoff/case';
import type { HandoffService } from '../handoff/handoff-service';
import { caseCard } from './cards';

/** The heading that says what became of a case, by its status; a case in the queue keeps its button. */
const HEADING: Record<HandoffCase['status'], AgentDeskId> = {
  queued: 'caseCard',
  assigned: 'cardTaken',
  returned: 'cardReturned',
  closed: 'cardClosed',
  cancelled: 'cardLeft',
  failed: 'cardLeft',
  external: 'caseCard',
};

/**
 * The support desk channel's card for a case as it stands now: new, back in the queue (both with
 * "Overtag"), taken by whom, handed back, closed or left (no button). Once an agent has the case
 * the card no longer quotes the person's last line: what they write then is for that agent only.
 */
export function caseCardOf(record: HandoffCase, service: HandoffService): Attachment {
  const { agent, labels } = service.content.handoff;
  const queued = record.status === 'queued';
  const heading = queued && (record.handledBy?.length ?? 0) > 0 ? 'cardRequeued' : HEADING[record.status];
  const title = service.agentLine(heading, { caseId: record.id, agent: record.agent?.name ?? '' });
  const shown = service.forAgents(record);
  const lastLine = queued ? service.lastQuestion(record) : undefined;
  return caseCard(
    { id: record.id, reason: shown.reason, waitingSince: record.waitingSince, guidePath: record.guidePath, topics: shown.recentIntents, channel: record.channelId, ...(lastLine ? { lastLine } : {}) },
    { title, labels: labels.card, ...(queued ? { take: agent.caseCard.buttons?.[0] ?? '' } : {}) },
  );
}
