import { EventFactory, TurnContext, type Activity, type ConversationState, type StatePropertyAccessor } from 'botbuilder';
import type { DialogContext } from 'botbuilder-dialogs';
import type { Clock } from '../clock';
import type { Content } from '../content/load-content';
import type { PathEntry } from '../dialogs/guide-dialog';
import { BUILT_IN_SERVICE_URL } from '../directline/bot-bridge';
import { maskPersonalData } from '../text/mask';
import { PhraseMatcher } from '../text/phrase-matcher';
import { appendLine, OPEN_STATUSES, type EscalationReason, type HandoffCase, type TranscriptLine } from './case';
import type { HandoffService, HubState } from './handoff-service';

/** What the hand-over keeps in conversation state. */
interface HandoffFlags {
  /**
   * Conversations stored before the bot kept its pending offers itself: the consent question
   * was asked and its answer awaited (see {@link CitizenHandoff.takeStoredConsent}).
   */
  offer?: EscalationReason;
  /** The case of this conversation, until it is over and the satisfaction question is answered. */
  caseId?: string;
  fallbacksInRow?: number;
  /** The path of the last guide that ran to its end, for a hand-over after it. */
  lastGuidePath?: string[];
}

/** What the hand-over needs of the guide (GuideDialog is one): the boxes a person passed, in words, for the agent. */
export interface GuideProgress {
  /** The path so far of a guide running as `dc`'s active dialog; undefined when none runs. */
  describeActive(dc: DialogContext): string[] | undefined;
  /** The path of a guide that ran to its end. */
  describe(path: readonly PathEntry[]): string[];
}

export interface CitizenHandoffDeps {
  content: Content;
  clock: Clock;
  service: HandoffService;
  conversationState: ConversationState;
  guide: GuideProgress;
  protocol: 'botframework' | 'omnichannel';
  /** The latest recognised intents of the conversation, newest last. */
  recentIntents(context: TurnContext): Promise<string[]>;
}

/** Two fallbacks in a row and the bot offers a person. */
const FALLBACKS_BEFORE_OFFER = 2;
const SATISFACTION = /^\s*([1-5])(?!\d)/;

/** The conversation state property of the rolling transcript. */
const TRANSCRIPT = 'transcript';

/** A message the hand-over takes, to be handled by running it. */
export type Claim = () => Promise<void>;

/**
 * The citizen's side of a hand-over, inside their own turns: asking for consent, opening
 * the case (with the standard handoff.initiate or Omnichannel's tags), and while the case
 * is open passing their messages to it instead of answering them; afterwards one
 * satisfaction question. Also keeps the masked transcript the agent will get.
 */
export class CitizenHandoff {
  private readonly flags: StatePropertyAccessor<HandoffFlags>;
  private readonly transcript: StatePropertyAccessor<TranscriptLine[]>;
  private readonly queuePhrases: PhraseMatcher<'stay' | 'cancel'>;
  private readonly scores: PhraseMatcher<string>;

  constructor(private readonly deps: CitizenHandoffDeps) {
    this.flags = deps.conversationState.createProperty('handoff');
    this.transcript = deps.conversationState.createProperty(TRANSCRIPT);
    const { stay, cancel, scores } = deps.content.handoff.phrases;
    this.queuePhrases = new PhraseMatcher({ stay, cancel }, { shortPhraseWords: 2, fillers: deps.content.phrases.fillers });
    this.scores = new PhraseMatcher(scores, { shortPhraseWords: Number.MAX_SAFE_INTEGER, fillers: deps.content.phrases.fillers });
  }

  /** Adds the person's message to the masked transcript; the bot's replies follow with {@link noteSent}. */
  async recordTurn(context: TurnContext): Promise<void> {
    const lines = await this.transcript.get(context, []);
    const text = context.activity.type === 'message' ? (context.activity.text ?? '').trim() : '';
    if (text) await this.transcript.set(context, appendLine(lines, { at: this.deps.clock.now().toISOString(), from: 'citizen', text: maskPersonalData(text) }));
  }

  /**
   * Adds replies being sent to the masked transcript of a turn {@link recordTurn} began (the bot
   * calls it from its one send hook; the state was read by then, so this needs no wait).
   */
  noteSent(context: TurnContext, activities: ReadonlyArray<Partial<Activity>>): void {
    const state = this.deps.conversationState.get(context) as Record<string, unknown> | undefined;
    const lines = state?.[TRANSCRIPT] as TranscriptLine[] | undefined;
    if (!state || !lines) return;
    let current = lines;
    let at: string | undefined;
    for (const a of activities) {
      if (a.type === 'message' && a.text) current = appendLine(current, { at: (at ??= this.deps.clock.now().toISOString()), from: 'bot', text: maskPersonalData(a.text) });
    }
    state[TRANSCRIPT] = current;
  }

  /**
   * Takes the message when the hand-over owns it: anything said while a case is open, or the
   * answer to the satisfaction question after it closed. Undefined: the bot goes on as usual.
   */
  async claim(context: TurnContext, text: string): Promise<Claim | undefined> {
    const flags = await this.flags.get(context, {});
    if (!flags.caseId) return undefined;
    const record = await this.deps.service.get(flags.caseId);
    if (record && OPEN_STATUSES.has(record.status)) return () => this.whileOpen(context, record, text, flags);
    const score = SATISFACTION.exec(text)?.[1] ?? this.scores.match(text)?.key;
    delete flags.caseId;
    if (record?.status === 'closed' && record.satisfaction === undefined && score) {
      return async () => {
        await this.deps.service.rate(record.id, Number(score));
        await context.sendActivity(this.deps.service.citizenText('thanks'));
      };
    }
    return undefined;
  }

  /**
   * The consent question, saying what happens next ("Må jeg sende samtalen videre?"); its two
   * buttons are yes and no. The fallback count starts again. A person who asked to be called
   * is told first that the bot cannot call.
   */
  async consent(context: TurnContext, reason: EscalationReason, askedForCall = false): Promise<Partial<Activity>> {
    const flags = await this.flags.get(context, {});
    flags.fallbacksInRow = 0;
    return this.deps.service.citizenText(reason === 'fallbacks' ? 'offerAfterFallbacks' : askedForCall ? 'consentNoCall' : 'consent');
  }

  /** Said when the person does not want the conversation handed over. */
  declined(): Partial<Activity> {
    return this.deps.service.citizenText('declined');
  }

  /** A consent question asked by the version before pending offers, still awaiting its answer; cleared once read. */
  async takeStoredConsent(context: TurnContext): Promise<EscalationReason | undefined> {
    const flags = await this.flags.get(context, {});
    const reason = flags.offer;
    delete flags.offer;
    return reason;
  }

  /** Counts a fallback; true when it is the second in a row and a person should be offered. */
  async countFallback(context: TurnContext): Promise<boolean> {
    const flags = await this.flags.get(context, {});
    flags.fallbacksInRow = (flags.fallbacksInRow ?? 0) + 1;
    return flags.fallbacksInRow >= FALLBACKS_BEFORE_OFFER;
  }

  /** The bot understood the person: the fallback count starts again. */
  async understood(context: TurnContext): Promise<void> {
    const flags = await this.flags.get(context, {});
    if (flags.fallbacksInRow) flags.fallbacksInRow = 0;
  }

  /** Keeps the path of a finished guide for a hand-over later in the conversation. */
  async guideEnded(context: TurnContext, path: PathEntry[]): Promise<void> {
    const flags = await this.flags.get(context, {});
    flags.lastGuidePath = this.deps.guide.describe(path);
  }

  /** The person is typing: passed to the agent who has their case (Web Chat sends this every few seconds while they type). */
  async typing(context: TurnContext): Promise<void> {
    const flags = await this.flags.get(context, {});
    if (flags.caseId) await this.deps.service.citizenTyping(flags.caseId);
  }

  /**
   * `handoff.status` from a contact-centre hub on the channel. Our own endpoint's users could
   * post events themselves, so there it is ignored: our own hub changes cases directly.
   */
  async onHandoffStatus(context: TurnContext): Promise<void> {
    if (this.deps.service.hub !== 'external' || context.activity.serviceUrl === BUILT_IN_SERVICE_URL) return;
    const state = (context.activity.value as { state?: unknown } | undefined)?.state;
    if (state !== 'accepted' && state !== 'failed' && state !== 'completed') return;
    const flags = await this.flags.get(context, {});
    if (!flags.caseId) return;
    const record = await this.deps.service.hubStatus(flags.caseId, state satisfies HubState);
    const citizen = this.deps.service.citizenText.bind(this.deps.service);
    if (state === 'accepted' && record.status === 'assigned') await context.sendActivity(citizen('connected', { agent: record.agent?.name ?? '' }));
    if (state === 'failed') {
      delete flags.caseId;
      await context.sendActivity(citizen('failed', { otherHelp: this.deps.content.handoff.citizen.otherHelp.text }));
    }
    if (state === 'completed') await context.sendActivities([citizen('closed', { agent: record.agent?.name ?? this.deps.content.handoff.labels.hub }), citizen('satisfaction')]);
  }

  private async whileOpen(context: TurnContext, record: HandoffCase, text: string, flags: HandoffFlags): Promise<void> {
    const service = this.deps.service;
    const wish = this.queuePhrases.match(text)?.key;
    if (wish === 'cancel') {
      await service.leave(record.id);
      delete flags.caseId;
      await context.sendActivity(service.citizenText('cancelled', { caseId: record.id }));
      return;
    }
    if (wish === 'stay' && record.status !== 'assigned') {
      await service.keepWaiting(record.id);
      await context.sendActivity(service.citizenText('keepWaiting'));
      return;
    }
    const updated = await service.citizenSaid(record.id, maskPersonalData(text));
    // With an agent on the case the bot stays quiet: the agent answers.
    if (updated.status === 'queued') await context.sendActivity(service.citizenText('stillQueued', { caseId: record.id, position: await service.position(record.id) }));
    if (updated.status === 'external') await context.sendActivity(service.citizenText('waitingForHub', { caseId: record.id }));
  }

  /** Opens the case the person agreed to, tells the channel (handoff.initiate or Omnichannel's tags) and the person. */
  async escalate(dc: DialogContext, reason: EscalationReason): Promise<void> {
    const context = dc.context;
    const flags = await this.flags.get(context, {});
    const guidePath = this.deps.guide.describeActive(dc) ?? flags.lastGuidePath ?? [];
    const transcript = await this.transcript.get(context, []);
    const recentIntents = await this.deps.recentIntents(context);
    const { record, position, agentsOnline } = await this.deps.service.open({
      reason,
      channelId: context.activity.channelId,
      conversation: TurnContext.getConversationReference(context.activity),
      guidePath,
      recentIntents,
      transcript,
    });
    // The person talks to a person now; when they come back to the bot it starts afresh.
    await dc.cancelAllDialogs();
    flags.caseId = record.id;
    await context.sendActivity(this.escalationSignal(context, record, transcript));
    const service = this.deps.service;
    if (service.hub === 'external') await context.sendActivity(service.citizenText('sentToHub', { caseId: record.id }));
    else if (agentsOnline === 0) await context.sendActivity(service.citizenText('noAgents', { caseId: record.id, otherHelp: this.deps.content.handoff.citizen.otherHelp.text }));
    else await context.sendActivity(service.citizenText('queued', { caseId: record.id, position }));
  }

  /**
   * Bot Framework's handoff.initiate event with the transcript attached, or for Dynamics 365
   * Omnichannel a message whose `channelData.tags` carries the escalation and whose text
   * (shown to the agent only) is the summary.
   */
  private escalationSignal(context: TurnContext, record: HandoffCase, transcript: TranscriptLine[]): Partial<Activity> {
    const details = {
      caseId: record.id,
      reason: record.reason,
      channelId: record.channelId,
      guidePath: record.guidePath.join(' → '),
      recentIntents: record.recentIntents.join(', '),
    };
    if (this.deps.protocol === 'omnichannel') {
      return {
        type: 'message',
        text: this.deps.service.agentLine('escalation', { caseId: record.id, reason: this.deps.service.reasonText(record.reason), path: details.guidePath || '–' }),
        channelData: { tags: JSON.stringify({ type: 'Escalate', context: details }) },
      };
    }
    const bot = context.activity.recipient;
    const activities = transcript.map(
      (line): Partial<Activity> => ({
        type: 'message',
        text: line.text,
        timestamp: new Date(line.at),
        from: line.from === 'citizen' ? context.activity.from : { ...bot, role: 'bot' },
      }),
    );
    return EventFactory.createHandoffInitiation(context, details, { activities: activities as Activity[] });
  }
}
