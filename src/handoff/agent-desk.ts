import { ActivityTypes, TurnContext, type Activity } from 'botbuilder';
import { deskCommand, type DeskCommand } from '../content/commands';
import type { AgentDeskId } from '../content/handoff-texts';
import { agentUserId, type AgentAccount } from '../config/agent-accounts';
import { caseIdFrom, caseOfChat } from './case-ids';
import { HandoffRefusal } from './case-store';
import type { DeskAgent, HandoffService } from './handoff-service';

export { caseIdFrom } from './case-ids';

export const REFUSAL_TEXT: Record<HandoffRefusal['code'], AgentDeskId> = {
  not_found: 'notFound',
  already_taken: 'alreadyTaken',
  busy: 'busy',
  not_open: 'notFound',
  not_yours: 'notYours',
};

/** Who an activity comes from, as the desk knows her; may need a look in storage. */
export type IdentifyAgent = (activity: Partial<Activity>) => DeskAgent | undefined | Promise<DeskAgent | undefined>;

/** Agents of the agent page, known by the Direct Line user id of their sign-in token. */
export function directLineAgents(accounts: readonly AgentAccount[]): IdentifyAgent {
  const byUserId = new Map(accounts.map((a) => [agentUserId(a.username), { username: a.username, displayName: a.displayName }]));
  return (activity) => byUserId.get(activity.from?.id ?? '');
}

/** The words of a refusal for the agent: which case, or how many chats she has. */
export function refusalText(service: HandoffService, err: HandoffRefusal): Partial<Activity> {
  if (err.code === 'busy') return service.agentText('busy', { count: service.slots.maxChats });
  return service.agentText(err.caseId ? REFUSAL_TEXT[err.code] : 'noCase', { caseId: err.caseId });
}

/**
 * The agents' side in their chats with the bot on /agent: the desk chat (new cases, commands)
 * and one chat per case taken, whose lines go to that case's citizen and whose typing is shown
 * to them. The slash commands of dialogs/handoff.yaml (`/kø`, `/overtag M-1234-5678`, `/note …`,
 * `/skabelon navn`, `/videre navn`, `/tilbage`, `/luk`) do what the agent page's buttons do.
 */
export class AgentDesk {
  /**
   * @param identify the agent behind an activity: on our Direct Line endpoint by the user id
   * its signed token carries, in Teams by the Entra ID object id.
   */
  constructor(
    private readonly service: HandoffService,
    private readonly identify: IdentifyAgent,
  ) {}

  async run(context: TurnContext): Promise<void> {
    const activity = context.activity;
    const agent = await this.identify(activity);
    if (!agent) {
      if (activity.type === ActivityTypes.Message) await context.sendActivity(this.service.agentText('notAgent'));
      return;
    }
    const caseId = caseOfChat(activity.conversation?.id);
    try {
      if (activity.type === ActivityTypes.ConversationUpdate) return await this.joined(context, agent, caseId);
      if (activity.type === ActivityTypes.Typing) {
        if (caseId) await this.service.agentTyping(agent, caseId);
        return;
      }
      if (activity.type !== ActivityTypes.Message) return;
      const text = (activity.text ?? '').trim();
      if (!text) return;
      const command = deskCommand(text, this.service.content.handoff.commands);
      const reply = command ? await this.command(agent, command, caseId) : await this.chat(agent, text, caseId);
      if (reply) await context.sendActivity(reply);
    } catch (err) {
      if (!(err instanceof HandoffRefusal)) throw err;
      await context.sendActivity(refusalText(this.service, err));
    }
  }

  /** The desk chat registers where the agent is reached; a case chat, where that case's lines go. */
  private async joined(context: TurnContext, agent: DeskAgent, caseId: string | undefined): Promise<void> {
    const reference = TurnContext.getConversationReference(context.activity);
    if (caseId) {
      await this.service.openCaseChat(agent, caseId, reference);
      return;
    }
    await this.service.registerAgent(agent, reference);
    const waiting = (await this.service.queue()).filter((c) => c.status === 'queued').length;
    await context.sendActivity(this.service.agentText('welcome', { agent: agent.displayName, count: waiting }));
  }

  private async chat(agent: DeskAgent, text: string, caseId: string | undefined): Promise<Partial<Activity> | undefined> {
    const sent = await this.service.agentSaid(agent, text, caseId);
    return sent ? undefined : this.service.agentText('noCase');
  }

  private async command(agent: DeskAgent, { id, argument }: DeskCommand, chatCase: string | undefined): Promise<Partial<Activity> | undefined> {
    // In a case's own chat the commands are about that case; elsewhere a case id may follow.
    const named = chatCase ?? (argument && /\d{4}/.test(argument) ? caseIdFrom(argument) : undefined);
    switch (id) {
      case 'queue':
        return this.queueText();
      case 'take':
        // The service tells the agent (summary) and the citizen; nothing more to say here.
        await this.service.take(caseIdFrom(argument), agent);
        return undefined;
      case 'note':
        if (!argument) return this.service.agentText('help');
        await this.service.note(agent, chatCase, argument);
        return undefined;
      case 'template':
        return this.template(agent, argument, chatCase);
      case 'transfer':
        return this.transfer(agent, argument, chatCase);
      case 'back':
        await this.service.handBack(agent, named);
        return undefined;
      case 'close':
        await this.service.close(agent, named);
        return undefined;
      case 'help':
        return this.service.agentText('help');
      default:
        return this.service.agentText('unknownCommand');
    }
  }

  private async queueText(): Promise<Partial<Activity>> {
    const waiting = (await this.service.queue()).filter((c) => c.status === 'queued');
    if (waiting.length === 0) return this.service.agentText('queueEmpty');
    const list = waiting.map((c) => this.service.agentLine('queueItem', { caseId: c.id, minutes: Math.round(c.waitingSeconds / 60), reason: c.reason })).join(', ');
    return this.service.agentText('queue', { text: list });
  }

  /** `/skabelon navn` sends the canned reply; without a (known) name it lists them. */
  private async template(agent: DeskAgent, name: string, caseId: string | undefined): Promise<Partial<Activity> | undefined> {
    const sent = name ? await this.service.sendTemplate(agent, name, caseId) : undefined;
    if (sent) return undefined;
    return this.service.agentText('template', { text: Object.keys(this.service.content.handoff.templates).join(', ') });
  }

  /** `/videre anna grunden` passes the case to a signed-in colleague by name; anything else puts it back in the queue with the words as note. */
  private async transfer(agent: DeskAgent, argument: string, chatCase: string | undefined): Promise<Partial<Activity> | undefined> {
    const caseId = chatCase ?? (await this.service.activeCase(agent))?.id;
    if (!caseId) return this.service.agentText('noCase');
    const [first = '', ...rest] = argument.split(/\s+/);
    const colleague = (await this.service.roster.colleagues()).find((c) => first && (c.username === first.toLowerCase() || c.displayName.toLowerCase() === first.toLowerCase()));
    const to = colleague ? await this.service.roster.known(colleague.username) : undefined;
    await this.service.transfer(agent, caseId, to, (to ? rest.join(' ') : argument).trim() || undefined);
    return undefined;
  }
}
