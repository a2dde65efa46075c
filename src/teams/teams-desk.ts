import { TurnContext, type Activity, type AdaptiveCardInvokeResponse, type ConversationReference } from 'botbuilder';
import type { TeamsAgent } from '../config/agent-accounts';
import { deskCommand } from '../content/commands';
import { AgentDesk, refusalText } from '../handoff/agent-desk';
import type { HandoffCase } from '../handoff/case';
import { HandoffRefusal } from '../handoff/case-store';
import type { DeskAgent, HandoffService } from '../handoff/handoff-service';
import { caseCardOf } from './case-card-view';
import { isTeams } from './teams-presenter';

/** Opens (or finds) the bot's personal chat with the user of `context`, for agents who took a case from a channel. */
export type OpenPersonalChat = (context: TurnContext) => Promise<Partial<ConversationReference>>;

/**
 * Support agents in Teams, recognised by their Entra ID object id (TEAMS_AGENTS). They take
 * a case with "Overtag" on its card in the support desk's channel and then chat with the
 * citizen from their personal chat with the bot, with the agent page's slash commands
 * (dialogs/handoff.yaml `commands`). Anyone else pressing "Overtag" is refused.
 */
export class TeamsDesk {
  private readonly byObjectId: ReadonlyMap<string, DeskAgent>;
  private readonly desk: AgentDesk;

  constructor(
    private readonly service: HandoffService,
    agents: readonly TeamsAgent[],
    private readonly openPersonalChat: OpenPersonalChat,
    /** Brings a case's card in the support desk's channel up to date (CaseChannel.changed), if there is such a channel. */
    private readonly refreshCard?: (record: HandoffCase) => Promise<void>,
  ) {
    this.byObjectId = new Map(agents.map((a) => [a.aadObjectId, { username: `teams-${a.aadObjectId}`, displayName: a.displayName }]));
    this.desk = new AgentDesk(service, (activity) => this.agentOf(activity));
  }

  get hasAgents(): boolean {
    return this.byObjectId.size > 0;
  }

  agentOf(activity: Partial<Activity>): DeskAgent | undefined {
    if (!isTeams(activity)) return undefined;
    return this.byObjectId.get((activity.from?.aadObjectId ?? '').toLowerCase());
  }

  /**
   * True when a message is an agent at work: a /command, or anything while they have a case,
   * in their personal chat. Otherwise agents use the bot like any other staff member.
   */
  async handles(context: TurnContext): Promise<boolean> {
    const activity = context.activity;
    const agent = this.agentOf(activity);
    if (!agent || activity.type !== 'message' || (activity.conversation?.conversationType ?? 'personal') !== 'personal') return false;
    if (deskCommand(activity.text ?? '', this.service.content.handoff.commands)) return true;
    return (await this.service.activeCase(agent)) !== undefined;
  }

  async run(context: TurnContext): Promise<void> {
    const agent = this.agentOf(context.activity);
    if (agent) await this.service.registerAgent(agent, TurnContext.getConversationReference(context.activity));
    await this.desk.run(context);
  }

  /** "Overtag" pressed on a case card sent as a message (Action.Submit, cards posted before Universal Actions). */
  async take(context: TurnContext, caseId: string): Promise<void> {
    await this.takeCase(context, caseId, true);
  }

  /**
   * "Overtag" as a Universal Action (an `adaptiveCard/action` invoke): the answer is the case's
   * card as it stands after the press, which Teams shows in place of the one pressed.
   */
  async takeByAction(context: TurnContext, caseId: string): Promise<AdaptiveCardInvokeResponse> {
    const record = await this.takeCase(context, caseId, false);
    if (!record) return { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: 'OK' as never };
    return { statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value: caseCardOf(record, this.service).content as never };
  }

  /**
   * Only allow-listed agents take cases; the chat then runs in their personal chat. A press on a
   * card that is out of date (the case was taken or is over) takes nothing: the card is brought up
   * to date and, for a message, the presser is told why. Returns the case as it stands.
   */
  private async takeCase(context: TurnContext, caseId: string, sayWhyNot: boolean): Promise<HandoffCase | undefined> {
    const agent = this.agentOf(context.activity);
    const before = await this.service.get(caseId);
    if (before && before.status !== 'queued') {
      await this.refreshCard?.(before);
      if (sayWhyNot) await context.sendActivity(this.staleText(before));
      return before;
    }
    if (!agent) {
      await context.sendActivity(this.service.agentText('notOnList'));
      return before;
    }
    try {
      const personal = (context.activity.conversation?.conversationType ?? 'personal') === 'personal';
      const known = await this.service.agentConversation(agent);
      const chat = personal ? TurnContext.getConversationReference(context.activity) : known?.channelId === 'msteams' ? known : await this.openPersonalChat(context);
      await this.service.registerAgent(agent, chat);
      await this.service.take(caseId, agent);
      if (!personal) await context.sendActivity(this.service.agentText('takenBy', { agent: agent.displayName, caseId }));
    } catch (err) {
      if (!(err instanceof HandoffRefusal)) throw err;
      await context.sendActivity(refusalText(this.service, err));
    }
    return this.service.get(caseId);
  }

  /** Who has the case now, or that it is no longer open. */
  private staleText(record: HandoffCase): Partial<Activity> {
    if (record.status === 'assigned' && record.agent) return this.service.agentText('takenBy', { agent: record.agent.name, caseId: record.id });
    return this.service.agentText('notFound', { caseId: record.id });
  }
}
