import type { Activity, ConversationReference } from 'botbuilder';
import type { Content } from '../content/load-content';
import type { AgentDeskId, CitizenHandoffId } from '../content/handoff-texts';
import type { Replies } from '../dialogs/replies';
import { BUILT_IN_SERVICE_URL } from '../directline/bot-bridge';
import type { Logger } from '../logger';
import { escapeMarkdownHtml } from '../text/markdown';
import { minutesBetween, type HandoffCase } from './case';
import type { CaseStore } from './case-store';
import type { CaseViews } from './case-views';
import type { Messenger } from './messenger';

/** What the widget reads to show an agent's own name and avatar beside her words (never the bot's). */
export interface AgentMark {
  mitidAgent: { name: string };
}

/**
 * The hand-over's words and where they go: to the person, to an agent's desk chat, or to the
 * agent's own chat for one case. A message that cannot be delivered now costs nothing: the case
 * is stored before anyone is told, and the agent page and the person's next turn read it.
 */
export class HandoffMessages {
  constructor(
    private readonly deps: { store: CaseStore; messenger: Messenger; content: Content; replies: Replies; views: CaseViews; logger: Logger; clock: { now(): Date } },
  ) {}

  citizenText(id: CitizenHandoffId, vars: Record<string, string | number> = {}): Partial<Activity> {
    return this.deps.replies.entry(this.deps.content.handoff.citizen[id], vars);
  }

  agentText(id: AgentDeskId, vars: Record<string, string | number> = {}): Partial<Activity> {
    return this.deps.replies.entry(this.deps.content.handoff.agent[id], vars);
  }

  /**
   * An agent's words (or typing) to the person of `c`, marked with her name. Our widget shows the
   * name and her own avatar from the mark; other channels cannot, so there the name leads the text.
   */
  fromAgent(c: HandoffCase, name: string, text?: string): Partial<Activity> {
    const channelData: AgentMark = { mitidAgent: { name } };
    if (text === undefined) return { type: 'typing', channelData };
    const shown = c.conversation.serviceUrl === BUILT_IN_SERVICE_URL ? 'fromAgent' : 'fromAgentNamed';
    return { ...this.citizenText(shown, { agent: name, text: escapeMarkdownHtml(text) }), channelData };
  }

  async toCitizen(c: HandoffCase, activities: Array<Partial<Activity>>): Promise<void> {
    await this.deliver(c.conversation, activities, { case: c.id, to: 'citizen' });
  }

  /** To the agent's desk chat (where new cases and the desk's answers appear). */
  async toAgent(agentId: string, ...activities: Array<Partial<Activity>>): Promise<void> {
    const conversation = (await this.deps.store.agent(agentId))?.conversation;
    if (conversation) await this.deliver(conversation, activities, { agent: agentId, to: 'agent' });
  }

  /** To the agent of the case: in the case's own chat once she opened it, else in her desk chat. */
  async toCaseAgent(c: HandoffCase, ...activities: Array<Partial<Activity>>): Promise<void> {
    if (!c.agent || c.agent.id === 'external') return;
    if (c.agentChat) await this.deliver(c.agentChat, activities, { case: c.id, to: 'agent' });
    else await this.toAgent(c.agent.id, ...activities);
  }

  /** The agent's summary of a case: who, how long, the path in the guide and the conversation so far, all as text. */
  summary(c: HandoffCase): Partial<Activity> {
    const labels = this.deps.content.handoff.labels;
    const names = { citizen: labels.citizen, bot: this.deps.content.labels.botName } as const;
    const line = (l: HandoffCase['transcript'][number]): string => `- ${l.from === 'agent' ? (l.name ?? labels.agent) : names[l.from]}: ${l.text.replace(/\s+/g, ' ')}`;
    const views = this.deps.views;
    return this.citizenWords(this.agentText('summary', {
      caseId: c.id,
      channel: c.channelId,
      minutes: minutesBetween(c.createdAt, this.deps.clock.now()),
      reason: views.reasonText(c.reason),
      path: c.guidePath.length > 0 ? c.guidePath.join(' → ') : '–',
      intents: c.recentIntents.length > 0 ? c.recentIntents.map((id) => views.intentTitle(id)).join(', ') : '–',
      transcript: c.transcript.map(line).join('\n') || '–',
    }));
  }

  /**
   * A desk text that carries what the person wrote goes as plain text: an <img>, a heading or a
   * markdown link the person typed reaches the agent as the characters typed, never rendered.
   */
  citizenWords(activity: Partial<Activity>): Partial<Activity> {
    return { ...activity, textFormat: 'plain' };
  }

  private async deliver(reference: Partial<ConversationReference>, activities: Array<Partial<Activity>>, where: Record<string, string>): Promise<void> {
    try {
      await this.deps.messenger.send(reference, activities);
    } catch (err) {
      this.deps.logger.warn({ err, ...where }, 'could not deliver a handoff message');
    }
  }
}
