import {
  ActivityTypes,
  CardFactory,
  Channels,
  DeliveryModes,
  ConversationState,
  TeamsActivityHandler,
  type Activity,
  type AdaptiveCardInvokeResponse,
  type AdaptiveCardInvokeValue,
  type MessagingExtensionQuery,
  type MessagingExtensionResponse,
  type RecognizerResult,
  type StatePropertyAccessor,
  type Storage,
  type TurnContext,
} from 'botbuilder';
import type { DialogState, DialogContext } from 'botbuilder-dialogs';
import { DialogSet, DialogTurnStatus } from './dialogs';
import { danishToday, type Clock } from '../clock';
import type { Content } from '../content/load-content';
import type { CommandId } from '../content/phrases';
import { answerMatcher } from '../dialogs/answer-prompt';
import { GuideDialog, GUIDE_DIALOG_ID, type PathEntry } from '../dialogs/guide-dialog';
import { CitizenHandoff } from '../handoff/citizen-handoff';
import type { HandoffService } from '../handoff/handoff-service';
import { NONE_INTENT, sourceTitles, type IntentId } from '../nlu/intents-content';
import type { Decision, IntentRecognizer } from '../nlu/recognizer';
import { UnansweredLog, type UnansweredReason } from '../nlu/unanswered-log';
import { maskPersonalData } from '../text/mask';
import { normalizeText, tokenize } from '../text/normalize';
import { GuardedConversationState } from '../storage/guarded-state';
import { PhraseMatcher } from '../text/phrase-matcher';
import { Replies } from './replies';
import { searchAnswers } from '../teams/answer-search';
import { cardData } from '../teams/cards';
import type { TeamsDesk } from '../teams/teams-desk';
import { acceptTeamsActivity, presentReplies } from '../teams/teams-presenter';

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

interface ConversationFlags {
  welcomed?: boolean;
  /** The question behind the last "Mente du …?", masked, for "Ingen af dem". */
  pendingQuestion?: string;
  /** The latest recognised intents, newest last (for the hand-over to a person). */
  recentIntents?: string[];
}

// Commands of one or two words only count as the whole message, so a sentence that
// happens to contain "stop" is not taken as a wish to stop.
const SHORT_COMMAND_WORDS = 2;
// Inside the guide, a reply is taken as an answer when answer words make up at least this
// share of it; otherwise a confident question ("hvad er en kodeviser?") is answered first.
const ANSWER_SHARE = 0.5;
const RECENT_INTENTS = 5;
// Intents that act like commands rather than getting an FAQ answer.
const INTENT_COMMANDS: Partial<Record<IntentId, CommandId>> = { human_agent: 'human' };
// botbuilder-dialogs' DialogStateManager builds its memory scopes anew (a whole service
// container) for the first DialogContext of every turn, unless turn state already holds them
// under this key: 4 % of a turn's CPU. The scopes keep nothing between calls, so one set serves all turns.
const MEMORY_SCOPES_KEY = 'DialogStateManagerConfiguration';

/**
 * MitID-hjælperen: welcomes people, runs the guide, answers free-text questions from the
 * FAQ and handles the commands that work at any point.
 */
export class MitIdBot extends TeamsActivityHandler {
  readonly replies: Replies;
  private readonly dialogs: DialogSet;
  private readonly guide: GuideDialog;
  private readonly commands: PhraseMatcher<CommandId>;
  private readonly answers: PhraseMatcher<string>;
  private readonly intentByTitle: ReadonlyMap<string, IntentId>;
  private readonly flags: StatePropertyAccessor<ConversationFlags>;
  private readonly handoff: CitizenHandoff;
  private memoryScopes: unknown;

  constructor(private readonly deps: MitIdBotDeps) {
    super();
    this.replies = new Replies(deps.content, deps.clock);
    const dialogState: StatePropertyAccessor<DialogState> = deps.conversationState.createProperty('dialogState');
    this.flags = deps.conversationState.createProperty('flags');
    this.guide = new GuideDialog(deps.content, this.replies, deps.clock);
    this.dialogs = new DialogSet(dialogState).add(this.guide);
    this.commands = new PhraseMatcher(deps.content.phrases.commands, {
      shortPhraseWords: SHORT_COMMAND_WORDS,
      fillers: deps.content.phrases.fillers,
    });
    this.answers = answerMatcher(deps.content.phrases);
    this.intentByTitle = new Map([...deps.content.intents.intents.values()].map((i) => [normalizeText(i.title), i.id]));
    this.handoff = new CitizenHandoff({
      content: deps.content,
      clock: deps.clock,
      service: deps.handoff,
      conversationState: deps.conversationState,
      guide: this.guide,
      protocol: deps.handoffProtocol,
      recentIntents: async (context) => (await this.flags.get(context, {})).recentIntents ?? [],
    });

    this.onMembersAdded(async (context, next) => {
      const joined = (context.activity.membersAdded ?? []).some((m) => m.id !== context.activity.recipient?.id);
      const flags = await this.flags.get(context, {});
      if (joined && !flags.welcomed) {
        flags.welcomed = true;
        await context.sendActivity(this.replies.message('welcome'));
      }
      await next();
    });

    this.onEvent(async (context, next) => {
      if (context.activity.name === 'handoff.status') await this.handoff.onHandoffStatus(context);
      await next();
    });
  }

  /** Runs the turn, then saves the conversation state once if the turn changed it. */
  override async run(context: TurnContext): Promise<void> {
    // In Teams channels the bot only takes part when mentioned; agents at work go to their desk.
    if (!acceptTeamsActivity(context.activity)) return;
    const teams = this.deps.teams;
    if (context.activity.type === 'message') {
      const take = cardData(context.activity.value);
      if (take?.action === 'takeCase' && take.caseId) {
        if (teams) return teams.take(context, take.caseId);
        await context.sendActivity(this.deps.handoff.agentText('notOnList'));
        return;
      }
      if (teams && (await teams.handles(context))) return teams.run(context);
    }
    context.onSendActivities(async (ctx, activities, next) => {
      presentReplies(activities, ctx.activity);
      // Traces are for the Bot Framework Emulator. botbuilder's adapter drops them for other
      // channels, but not from replies that come back in the response (expectReplies): there every
      // client got the classifier's scores. The turn log has read them by now (its handler runs first).
      if (ctx.activity.deliveryMode === DeliveryModes.ExpectReplies && ctx.activity.channelId !== Channels.Emulator) dropTraces(activities);
      return next();
    });
    if (this.memoryScopes) context.turnState.set(MEMORY_SCOPES_KEY, this.memoryScopes);
    await this.handoff.recordTurn(context);
    // Messages go straight to handleMessage, the bot's only message handler: ActivityHandler's
    // dispatch (turn handlers, message handlers, next) costs a dozen awaits, 4.6 % of a turn's CPU.
    if (context.activity.type === ActivityTypes.Message) await this.handleMessage(context);
    else await super.run(context);
    await this.deps.conversationState.saveChanges(context, false);
    this.memoryScopes ??= context.turnState.get(MEMORY_SCOPES_KEY);
  }

  private async handleMessage(context: TurnContext): Promise<void> {
    const dc = await this.dialogs.createContext(context);

    if (dc.activeDialog?.id === GUIDE_DIALOG_ID && !this.guide.isCurrent(dc.activeDialog)) {
      await dc.cancelAllDialogs();
      await context.sendActivity(this.replies.message('guideUpdated'));
      await dc.beginDialog(GUIDE_DIALOG_ID);
      return;
    }

    const text = (context.activity.text ?? '').trim();
    if (text.length === 0) {
      const onlyAttachments = (context.activity.attachments?.length ?? 0) > 0;
      await context.sendActivity(this.replies.message(onlyAttachments ? 'attachmentsOnly' : 'emptyMessage'));
      return this.repromptIfActive(dc);
    }
    if (text.length > this.deps.maxMessageChars) {
      await context.sendActivity(this.replies.message('tooLong', { max: this.deps.maxMessageChars }));
      return this.repromptIfActive(dc);
    }

    // A hand-over under way (consent asked, case open, satisfaction awaited) takes the message first.
    if (await this.handoff.intercept(dc, text)) return;

    const command = this.commands.match(text)?.key;
    // "Ingen af dem" refers to the last "Mente du …?" only while it is the latest question.
    if (command !== 'none_of_these') delete (await this.flags.get(context, {})).pendingQuestion;
    if (command) return this.runCommand(command, dc);

    // A tapped intent title ("Mente du …?", follow-ups) means exactly that intent.
    const titled = this.intentByTitle.get(normalizeText(text));
    const result: RecognizerResult = titled
      ? { text, intents: { [titled]: { score: 1 } }, entities: {} }
      : this.deps.recognizer.recognize(text);
    await context.sendTraceActivity('IntentRecognizer', result, 'https://www.botframework.com/schemas/recognizerResult', 'Intent');
    const decision: Decision = titled ? { kind: 'intent', intent: titled, score: 1 } : this.deps.recognizer.decide(result);
    if (dc.activeDialog) {
      // Restarting is left to the explicit commands here: a guess must not throw away the guide.
      if (decision.kind === 'intent' && decision.intent !== 'restart' && !this.looksLikeAnswer(text)) {
        await this.understood(context, decision.intent);
        await this.answerIntent(decision.intent, dc);
        return this.repromptIfActive(dc);
      }
      const result = await dc.continueDialog();
      if (result.status === DialogTurnStatus.complete) await this.handoff.guideEnded(context, (result.result as PathEntry[] | undefined) ?? []);
      return;
    }

    switch (decision.kind) {
      case 'intent':
        await this.understood(context, decision.intent);
        return this.answerIntent(decision.intent, dc);
      case 'ambiguous': {
        const flags = await this.flags.get(context, {});
        flags.pendingQuestion = maskPersonalData(text);
        const [first, second] = decision.options.map((id) => this.deps.content.intents.intents.get(id)!.title);
        const noneLabel = this.deps.content.phrases.commands.none_of_these[0]!;
        await context.sendActivity(this.replies.withButtons(this.replies.text(this.deps.content.messages.didYouMean.text), [first!, second!, capitalise(noneLabel)]));
        return;
      }
      case 'none':
        this.recordUnanswered(text, 'none');
        await this.remember(context, NONE_INTENT);
        if (await this.handoff.countFallback(context)) return this.handoff.offer(dc, 'fallbacks');
        await context.sendActivity(this.replies.message('fallback'));
        return;
    }
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
          ...CardFactory.heroCard(answer.title, `${answer.text}\n\nKilde: ${answer.source}`),
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
    await this.deps.teams.take(context, caseId);
    return { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: 'OK' as never };
  }

  /** Sends an FAQ answer as true today, with follow-up buttons (and the guide where offered). */
  private async answerIntent(intentId: IntentId, dc: DialogContext): Promise<void> {
    const command = INTENT_COMMANDS[intentId];
    if (command) return this.runCommand(command, dc, false);
    const intent = this.deps.content.intents.intents.get(intentId)!;
    const text = this.replies.text(intent.answer);
    if (intentId === 'restart') {
      await dc.cancelAllDialogs();
      await dc.context.sendActivity(this.replies.withButtons(text, this.deps.content.messages.welcome.buttons ?? []));
      return;
    }
    const guideButton = this.deps.content.messages.welcome.buttons?.[0];
    const followUps = intent.followUps.map((id) => this.deps.content.intents.intents.get(id)!.title);
    let buttons = intent.offerGuide && guideButton && !dc.activeDialog ? [guideButton, ...followUps] : followUps;
    if (buttons.length === 0) buttons = this.deps.content.messages.welcome.buttons ?? [];
    const sources = [...new Set(intent.sources.map((source) => sourceTitles[source.file]))].join(', ');
    const answer = this.replies.withButtons(text, buttons.slice(0, 3));
    await dc.context.sendActivity(sources ? this.replies.sourced(answer, sources) : answer);
  }

  private async runCommand(command: CommandId, dc: DialogContext, reprompt = true): Promise<void> {
    const say = (activity: Partial<Activity>) => dc.context.sendActivity(activity);
    const thenReprompt = () => (reprompt ? this.repromptIfActive(dc) : Promise.resolve());
    switch (command) {
      case 'start_guide':
        if (dc.activeDialog) return this.repromptIfActive(dc);
        await say(this.replies.message('guideStart'));
        await dc.beginDialog(GUIDE_DIALOG_ID);
        return;
      case 'restart':
        await dc.cancelAllDialogs();
        await say(this.replies.message('restarted'));
        await dc.beginDialog(GUIDE_DIALOG_ID);
        return;
      case 'stop':
        await dc.cancelAllDialogs();
        await say(this.replies.message('stopped'));
        return;
      case 'help':
        await say(this.replies.message('help'));
        return thenReprompt();
      case 'ask':
        await say(this.replies.message('ask'));
        return thenReprompt();
      case 'opt_out':
        await say(this.replies.message('optOut'));
        return thenReprompt();
      case 'human':
        return this.handoff.offer(dc, 'asked');
      case 'none_of_these': {
        const flags = await this.flags.get(dc.context, {});
        const pending = flags.pendingQuestion;
        delete flags.pendingQuestion;
        if (pending) this.recordUnanswered(pending, 'none_of_these');
        await say(this.replies.message(pending ? 'noneOfThese' : 'fallback'));
        return thenReprompt();
      }
    }
  }

  /**
   * True when the text begins with an answer word ("nej, jeg har ikke noget pas") or answer
   * words make up most of it ("det ved jeg ikke"); otherwise it may be a question.
   */
  private looksLikeAnswer(text: string): boolean {
    if (/^\d{1,2}$/.test(text) || this.answers.leading(text) !== undefined) return true;
    return this.answers.coveredWords(text) / Math.max(1, tokenize(text).length) >= ANSWER_SHARE;
  }

  // Counting a question must never cost the person their answer, nor make them wait for it:
  // the log stores counts in batches ({@link drain} on shutdown).
  private recordUnanswered(text: string, reason: UnansweredReason): void {
    this.deps.unanswered.record(text, reason, this.deps.clock.now()).catch(() => {
      // The log retries eTag conflicts itself; a count lost beyond that is acceptable.
    });
  }

  /** Resolves when the bot's background writes (unanswered counts) are stored. */
  drain(): Promise<void> {
    return this.deps.unanswered.drain();
  }

  /** An intent was taken as the meaning of the message (not an answer to the guide that merely resembled one). */
  private async understood(context: TurnContext, intent: IntentId): Promise<void> {
    await this.remember(context, intent);
    await this.handoff.understood(context);
  }

  private async remember(context: TurnContext, intent: string): Promise<void> {
    const flags = await this.flags.get(context, {});
    flags.recentIntents = [...(flags.recentIntents ?? []), intent].slice(-RECENT_INTENTS);
  }

  private async repromptIfActive(dc: DialogContext): Promise<void> {
    if (dc.activeDialog) await dc.repromptDialog();
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

/** Removes trace activities in place: the array is the one botbuilder goes on to send. */
function dropTraces(activities: Array<Partial<Activity>>): void {
  for (let i = activities.length - 1; i >= 0; i--) if (activities[i]!.type === ActivityTypes.Trace) activities.splice(i, 1);
}

function capitalise(text: string): string {
  return text.charAt(0).toLocaleUpperCase('da-DK') + text.slice(1);
}
