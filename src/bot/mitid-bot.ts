import { createHash } from 'node:crypto';
import {
  ActivityTypes,
  CardFactory,
  ConversationState,
  TeamsActivityHandler,
  type Activity,
  type AdaptiveCardInvokeResponse,
  type AdaptiveCardInvokeValue,
  type MessagingExtensionQuery,
  type MessagingExtensionResponse,
  type StatePropertyAccessor,
  type ResourceResponse,
  type Storage,
  type TurnContext,
} from 'botbuilder';
import type { DialogState } from 'botbuilder-dialogs';
import { DialogSet } from '../framework/dialog-classes';
import { danishToday, type Clock } from '../clock';
import type { Content } from '../content/load-content';
import { GuideDialog } from '../dialogs/guide-dialog';
import { CitizenHandoff } from '../handoff/citizen-handoff';
import type { HandoffService } from '../handoff/handoff-service';
import { MessageReader } from '../nlu/message-reader';
import type { IntentRecognizer } from '../nlu/recognizer';
import { UnansweredLog } from '../nlu/unanswered-log';
import { dropTracesFromResponse } from '../framework/expect-replies';
import { MemoryScopeCache } from '../framework/memory-scopes';
import { GuardedConversationState } from '../framework/guarded-state';
import { searchAnswers } from '../teams/answer-search';
import { cardData } from '../teams/cards';
import type { TeamsDesk } from '../teams/teams-desk';
import { introduceInTeam } from '../teams/team-introduction';
import { presentReplies } from '../teams/teams-presenter';
import type { Memory } from './memory';
import { Replies } from '../dialogs/replies';
import { TurnActions } from './turn-actions';
import { TurnRouter, turnRows } from './turn-router';
import { OPEN_TURN, type Turn } from './turn';

/** What the bot needs from outside; tests pass a fixed clock and MemoryStorage-backed state. */
export interface MitIdBotDeps {
  content: Content;
  conversationState: ConversationState;
  clock: Clock;
  /** Trained once at start-up and shared by every conversation. */
  recognizer: IntentRecognizer;
  unanswered: UnansweredLog;
  /** Longer messages get a polite "too long" instead of being read. */
  maxMessageChars: number;
  /** Cases, the queue and the agents: shared with the agent desk. */
  handoff: HandoffService;
  /** How an escalation is signalled to the channel (HANDOFF_PROTOCOL). */
  handoffProtocol: 'botframework' | 'omnichannel';
  /** Support agents in Teams (TEAMS_AGENTS); without it nobody in Teams acts as an agent. */
  teams?: TeamsDesk;
}

/**
 * MitID-hjælperen: welcomes people, and hands every message to the turn router, which runs
 * the guide, answers free-text questions from the FAQ and understands the bot's own offers.
 */
export class MitIdBot extends TeamsActivityHandler {
  readonly replies: Replies;
  private readonly router: TurnRouter;
  private readonly actions: TurnActions;
  private readonly memory: StatePropertyAccessor<Memory>;
  private readonly handoff: CitizenHandoff;
  private readonly memoryScopes = new MemoryScopeCache();

  constructor(private readonly deps: MitIdBotDeps) {
    super();
    this.replies = new Replies(deps.content, deps.clock);
    const dialogState: StatePropertyAccessor<DialogState> = deps.conversationState.createProperty('dialogState');
    // Named "flags" since before it held the pending offers: stored conversations keep their welcome and topics.
    this.memory = deps.conversationState.createProperty('flags');
    const guide = new GuideDialog(deps.content, this.replies, deps.clock, (context, nodeId) => this.actions.boxSaid(context, nodeId));
    this.handoff = new CitizenHandoff({
      content: deps.content,
      clock: deps.clock,
      service: deps.handoff,
      conversationState: deps.conversationState,
      guide,
      protocol: deps.handoffProtocol,
      recentIntents: async (context) => (await this.memory.get(context, {})).recentIntents ?? [],
    });
    const reader = new MessageReader(deps.recognizer, deps.content.classifier, deps.content.phrases);
    this.actions = new TurnActions({
      content: deps.content,
      replies: this.replies,
      clock: deps.clock,
      dialogs: new DialogSet(dialogState).add(guide),
      guide,
      handoff: this.handoff,
      reader,
      unanswered: deps.unanswered,
      memory: this.memory,
    });
    this.router = new TurnRouter(
      turnRows({ actions: this.actions, handoff: this.handoff, service: deps.handoff, reader, maxMessageChars: deps.maxMessageChars, ...(deps.teams ? { teams: deps.teams } : {}) }),
      this.actions,
    );

    this.onMembersAdded(async (context, next) => {
      if (await introduceInTeam(context, this.replies)) return next();
      const joined = (context.activity.membersAdded ?? []).some((m) => m.id !== context.activity.recipient?.id);
      const memory = await this.memory.get(context, {});
      if (joined && !memory.welcomed) {
        memory.welcomed = true;
        const welcome = this.replies.message('welcome');
        await context.sendActivity(welcome);
        const titles = (welcome.suggestedActions?.actions ?? []).map((a) => String(a.title));
        if (titles.length > 0) memory.pending = { kind: 'offer', titles };
      }
      await next();
    });

    // The person typing while an agent has the case: shown to the agent, nothing stored.
    this.onTyping(async (context, next) => {
      await this.handoff.typing(context);
      await next();
    });

    this.onEvent(async (context, next) => {
      if (context.activity.name === 'handoff.status') await this.handoff.onHandoffStatus(context);
      await next();
    });
  }

  /**
   * Runs the turn, then saves the conversation state once if the turn changed it, and only then
   * lets its replies go: a reply must never show a state that was not stored (a refused or failed
   * save ends the turn with the apology alone). An activity whose id this conversation has
   * processed already (a client retrying after a lost response) is not processed again: it gets
   * the replies of the first time.
   */
  override async run(context: TurnContext): Promise<void> {
    const id = idempotencyKey(context.activity);
    const memory = id ? await this.memory.get(context, {}) : undefined;
    const earlier = id ? memory?.processed?.find((turn) => turn.id === id) : undefined;
    if (earlier) {
      // Sent as stored, before this turn's hooks: they were noted and shaped the first time.
      await context.sendActivities(earlier.replies.map((reply) => ({ ...reply }) as Partial<Activity>));
      return;
    }
    let held: Array<{ activities: Array<Partial<Activity>>; next: () => Promise<ResourceResponse[]> }> | undefined = [];
    // One hook for what every reply goes through: noted as said (the transcript, "gentag", the
    // offer its buttons make) as the bot wrote it, then shaped for the channel, then held until
    // the state is saved.
    context.onSendActivities(async (ctx, activities, next) => {
      this.handoff.noteSent(ctx, activities);
      (ctx.turnState.get(OPEN_TURN) as Turn | undefined)?.noteSent(activities);
      presentReplies(activities, ctx.activity, this.replies);
      // The turn log has read the traces by now (its handler runs first).
      dropTracesFromResponse(ctx.activity, activities);
      if (!held) return next();
      held.push({ activities, next });
      return activities.map(() => ({ id: '' }));
    });
    this.memoryScopes.lend(context);
    try {
      // Messages go straight to the router, the bot's only message handler: ActivityHandler's
      // dispatch (turn handlers, message handlers, next) costs a dozen awaits, 4.6 % of a turn's CPU.
      if (context.activity.type === ActivityTypes.Message) {
        await this.router.route(context);
      } else {
        await this.handoff.recordTurn(context);
        await super.run(context);
      }
      if (id) {
        const flags = await this.memory.get(context, {});
        const replies = held.flatMap((h) => h.activities).filter((a) => a.type !== ActivityTypes.Trace).map(storedReply);
        flags.processed = [...(flags.processed ?? []).slice(1 - PROCESSED_KEPT), { id, replies }];
      }
      await this.deps.conversationState.saveChanges(context, false);
    } catch (err) {
      // Nothing of a turn that was not stored is sent; the apology (onTurnError) goes straight out.
      held = undefined;
      throw err;
    }
    const stored = held;
    held = undefined;
    for (const { next } of stored) await next();
    this.memoryScopes.keep(context);
  }

  /** Teams' compose box: FAQ answers matching what a staff member types, to insert as a card into any chat. */
  protected override async handleTeamsMessagingExtensionQuery(_context: TurnContext, query: MessagingExtensionQuery): Promise<MessagingExtensionResponse> {
    const typed = query.parameters?.find((p) => p.name === 'query')?.value;
    const found = query.commandId === 'searchAnswers' && typeof typed === 'string' ? searchAnswers(typed, this.deps.content, this.deps.recognizer, danishToday(this.deps.clock)) : [];
    return {
      composeExtension: {
        type: 'result',
        attachmentLayout: 'list',
        attachments: found.map((answer) => ({
          ...CardFactory.heroCard(answer.title, `${answer.text}\n\n${this.replies.sourceLine(answer.source)}`),
          preview: CardFactory.thumbnailCard(answer.title, answer.text.length > 120 ? `${answer.text.slice(0, 119)}…` : answer.text),
        })),
      },
    };
  }

  /** Universal Actions (Action.Execute) send card buttons as invokes: "Overtag" on a case card. */
  protected override async onAdaptiveCardInvoke(context: TurnContext, invokeValue: AdaptiveCardInvokeValue): Promise<AdaptiveCardInvokeResponse> {
    const data = cardData(invokeValue);
    const caseId = invokeValue.action?.verb === 'takeCase' || data?.action === 'takeCase' ? data?.caseId : undefined;
    if (!this.deps.teams || !caseId) return { statusCode: 400, type: 'application/vnd.microsoft.error', value: { code: 'BadRequest', message: 'Ukendt handling / unknown action' } as never };
    return this.deps.teams.takeByAction(context, caseId);
  }

  /** Resolves when the bot's background writes (unanswered counts) are stored. */
  drain(): Promise<void> {
    return this.deps.unanswered.drain();
  }
}

/** The bot with its conversation state and the unanswered log on one `storage`. */
export function createBotOnStorage(options: {
  content: Content;
  clock: Clock;
  storage: Storage;
  recognizer: IntentRecognizer;
  maxMessageChars: number;
  handoff: HandoffService;
  handoffProtocol: 'botframework' | 'omnichannel';
  teams?: TeamsDesk;
}): MitIdBot {
  const { storage, ...rest } = options;
  return new MitIdBot({
    ...rest,
    conversationState: new GuardedConversationState(storage),
    unanswered: new UnansweredLog(storage),
  });
}

/** How many processed activities a conversation remembers with their replies (a retry comes soon). */
const PROCESSED_KEPT = 3;

/**
 * What makes a resent activity the same one: Web Chat's `clientActivityID` (kept when it
 * retries a post; Direct Line gives every post a new id), else the activity's own id, together
 * with what it says: a client that reuses ids for new messages (a test adapter counting from 0
 * again, a home-made integration) must not have them taken for resends.
 */
function idempotencyKey(activity: Activity): string | undefined {
  // Typing is sent every few seconds and changes nothing: remembering it would write state each time.
  if (activity.type === ActivityTypes.Typing) return undefined;
  const channelData = activity.channelData as { clientActivityID?: unknown } | undefined;
  const client = typeof channelData?.clientActivityID === 'string' ? channelData.clientActivityID : undefined;
  const id = client ?? activity.id;
  if (typeof id !== 'string' || id.length === 0 || id.length > 200) return undefined;
  const said = createHash('sha256').update(`${activity.type}\u0000${activity.text ?? ''}\u0000${JSON.stringify(activity.value ?? null)}`).digest('base64url').slice(0, 16);
  return `${id} ${said}`;
}

/** A reply as stored for a resent activity: what it says, without the addresses and ids the adapter fills in. */
function storedReply(activity: Partial<Activity>): Record<string, unknown> {
  const { id: _id, timestamp: _t, localTimestamp: _l, conversation: _c, from: _f, recipient: _r, replyToId: _re, serviceUrl: _s, channelId: _ch, ...said } = activity;
  return JSON.parse(JSON.stringify(said)) as Record<string, unknown>;
}
