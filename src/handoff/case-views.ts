import type { Clock } from '../clock';
import type { Content } from '../content/load-content';
import { NONE_INTENT } from '../content/intents-content';
import { normalizeText } from '../text/normalize';
import { OPEN_STATUSES, type CaseAgent, type EscalationReason, type HandoffCase } from './case';
import type { DeskAgent } from './handoff-service';

/** One row of the agent page's queue. */
export interface QueueEntry {
  id: string;
  status: HandoffCase['status'];
  reason: string;
  channelId: string;
  waitingSeconds: number;
  guidePath: string[];
  recentIntents: string[];
  agent?: CaseAgent;
  lastCitizenLine?: string;
}

/** A case as the agent page shows it: reason and intents in words, without the channel addresses. */
export type AgentCaseView = Omit<HandoffCase, 'conversation' | 'agentChat' | 'recentIntents' | 'reason' | 'handledBy'> & {
  reason: string;
  recentIntents: string[];
};

/**
 * Who may read a case: an agent the queued ones and those she has worked on; a supervisor every
 * case. Everything else answers as if the case did not exist, so ids cannot be probed.
 */
export function canRead(agent: DeskAgent, c: HandoffCase): boolean {
  if (agent.role === 'supervisor') return true;
  if (c.status === 'queued') return true;
  return c.agent?.id === agent.username || (c.handledBy ?? []).includes(agent.username);
}

/** How cases read to agents: reasons and topics in words, the last thing the person asked, the queue's rows. */
export class CaseViews {
  private askingForAPerson: ReadonlySet<string> | undefined;

  constructor(
    private readonly content: Content,
    private readonly clock: Clock,
  ) {}

  reasonText(reason: EscalationReason): string {
    return this.content.handoff.agent[reason === 'asked' ? 'reasonAsked' : 'reasonFallbacks'].text;
  }

  intentTitle(id: string): string {
    return this.content.intents.intents.get(id as never)?.title ?? (id === NONE_INTENT ? this.content.labels.notUnderstood : id);
  }

  /** The citizen's last line that says something: "Tal med en medarbejder" and "Ja, send den videre" tell the agent nothing. */
  lastQuestion(c: HandoffCase): string | undefined {
    const asking = (this.askingForAPerson ??= this.personWords());
    return [...c.transcript].reverse().find((l) => l.from === 'citizen' && !asking.has(normalizeText(l.text)))?.text;
  }

  forAgents(c: HandoffCase): AgentCaseView {
    const { conversation: _where, agentChat: _chat, handledBy: _by, ...visible } = c;
    return { ...visible, reason: this.reasonText(c.reason), recentIntents: c.recentIntents.map((id) => this.intentTitle(id)) };
  }

  queueEntry(c: HandoffCase): QueueEntry {
    const now = this.clock.now().getTime();
    const last = this.lastQuestion(c);
    return {
      id: c.id,
      status: c.status,
      reason: this.reasonText(c.reason),
      channelId: c.channelId,
      waitingSeconds: Math.max(0, Math.round((now - Date.parse(c.waitingSince)) / 1000)),
      guidePath: c.guidePath,
      recentIntents: c.recentIntents.map((id) => this.intentTitle(id)),
      ...(c.agent ? { agent: c.agent } : {}),
      ...(last ? { lastCitizenLine: last } : {}),
    };
  }

  /** Open cases for the agent page, waiting ones first; an agent sees the queue and her own, a supervisor all. */
  queue(open: readonly HandoffCase[], agent?: DeskAgent): QueueEntry[] {
    return open
      .filter((c) => OPEN_STATUSES.has(c.status) && (!agent || canRead(agent, c)))
      .map((c) => this.queueEntry(c))
      .sort((a, b) => Number(a.status !== 'queued') - Number(b.status !== 'queued'));
  }

  private personWords(): ReadonlySet<string> {
    const citizen = this.content.handoff.citizen;
    return new Set([...(citizen.consent.buttons ?? []), ...(citizen.offerAfterFallbacks.buttons ?? []), ...(citizen.consentNoCall.buttons ?? []), ...this.content.phrases.commands.human].map(normalizeText));
  }
}
