import { ActivityTypes, TurnContext, type Activity } from 'botbuilder';
import { deskCommand, type DeskCommand } from '../content/commands';
import type { AgentDeskId } from '../content/handoff-texts';
import { agentUserId, type AgentAccount } from '../config/agent-accounts';
import { HandoffRefusal } from './case-store';
import type { DeskAgent, HandoffService } from './handoff-service';

export const REFUSAL_TEXT: Record<HandoffRefusal['code'], AgentDeskId> = {
  not_found: 'notFound',
  already_taken: 'alreadyTaken',
  busy: 'busy',
  not_open: 'notFound',
  not_yours: 'notYours',
};

/** Agents of the agent page, known by the Direct Line user id of their sign-in token. */
export function directLineAgents(accounts: readonly AgentAccount[]): (activity: Partial<Activity>) => DeskAgent | undefined {
  const byUserId = new Map(accounts.map((a) => [agentUserId(a.username), { username: a.username, displayName: a.displayName }]));
  return (activity) => byUserId.get(activity.from?.id ?? '');
}

/** "m-4821", "4821" and "M-4821" all name case M-4821. */
export function caseIdFrom(text: string): string {
  const digits = /(\d{4,6})/.exec(text)?.[1];
  return digits ? `M-${digits}` : text.trim().toUpperCase();
}

/**
 * The agents' side in their own chat with the bot (the Web Chat on /agent): what they write
 * goes to the citizen of their case; the slash commands of dialogs/handoff.yaml (`/kø`,
 * `/overtag M-1234`, `/note …`, `/tilbage`, `/luk`) do what the agent page's buttons do.
 */
export class AgentDesk {
  /**
   * @param identify the agent behind an activity: on our Direct Line endpoint by the user id
   * its signed token carries ({@link directLineAgents}), in Teams by the Entra ID object id.
   */
  constructor(
    private readonly service: HandoffService,
    private readonly identify: (activity: Partial<Activity>) => DeskAgent | undefined,
  ) {}

  async run(context: TurnContext): Promise<void> {
    const agent = this.identify(context.activity);
    if (!agent) {
      if (context.activity.type === ActivityTypes.Message) await context.sendActivity(this.service.agentText('notAgent'));
      return;
    }
    if (context.activity.type === ActivityTypes.ConversationUpdate) {
      await this.service.registerAgent(agent, TurnContext.getConversationReference(context.activity));
      const waiting = (await this.service.queue()).filter((c) => c.status === 'queued').length;
      await context.sendActivity(this.service.agentText('welcome', { agent: agent.displayName, count: waiting }));
      return;
    }
    if (context.activity.type !== ActivityTypes.Message) return;
    const text = (context.activity.text ?? '').trim();
    if (!text) return;
    try {
      const command = deskCommand(text, this.service.content.handoff.commands);
      const reply = command ? await this.command(agent, command) : await this.chat(agent, text);
      if (reply) await context.sendActivity(reply);
    } catch (err) {
      if (!(err instanceof HandoffRefusal)) throw err;
      await context.sendActivity(this.service.agentText(err.caseId ? REFUSAL_TEXT[err.code] : 'noCase', { caseId: err.caseId }));
    }
  }

  private async chat(agent: DeskAgent, text: string): Promise<Partial<Activity> | undefined> {
    const sent = await this.service.agentSaid(agent, text);
    return sent ? undefined : this.service.agentText('noCase');
  }

  private async command(agent: DeskAgent, { id, argument }: DeskCommand): Promise<Partial<Activity> | undefined> {
    switch (id) {
      case 'queue': {
        const waiting = (await this.service.queue()).filter((c) => c.status === 'queued');
        if (waiting.length === 0) return this.service.agentText('queueEmpty');
        const list = waiting.map((c) => this.service.agentLine('queueItem', { caseId: c.id, minutes: Math.round(c.waitingSeconds / 60), reason: c.reason })).join(', ');
        return this.service.agentText('queue', { text: list });
      }
      case 'take':
        // The service tells the agent (summary) and the citizen; nothing more to say here.
        await this.service.take(caseIdFrom(argument), agent);
        return undefined;
      case 'note':
        if (!argument) return this.service.agentText('help');
        await this.service.note(agent, undefined, argument);
        return undefined;
      case 'back':
        await this.service.handBack(agent, argument ? caseIdFrom(argument) : undefined);
        return undefined;
      case 'close':
        await this.service.close(agent, argument ? caseIdFrom(argument) : undefined);
        return undefined;
      case 'help':
        return this.service.agentText('help');
      default:
        return this.service.agentText('unknownCommand');
    }
  }
}
