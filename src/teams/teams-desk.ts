import { TurnContext, type Activity, type ConversationReference } from 'botbuilder';
import type { TeamsAgent } from '../config/agent-accounts';
import { deskCommand } from '../content/commands';
import { AgentDesk, REFUSAL_TEXT } from '../handoff/agent-desk';
import { HandoffRefusal } from '../handoff/case-store';
import type { DeskAgent, HandoffService } from '../handoff/handoff-service';
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

  /** "Overtag" on a case card: only allow-listed agents; the chat then runs in their personal chat. */
  async take(context: TurnContext, caseId: string): Promise<void> {
    const agent = this.agentOf(context.activity);
    if (!agent) {
      await context.sendActivity(this.service.agentText('notOnList'));
      return;
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
      await context.sendActivity(this.service.agentText(REFUSAL_TEXT[err.code], { caseId: err.caseId }));
    }
  }
}
