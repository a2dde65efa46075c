import type { Activity, StatePropertyAccessor, TurnContext } from 'botbuilder';
import type { DialogTurnResult } from 'botbuilder-dialogs';
import { DialogTurnStatus, type DialogSet } from '../framework/dialog-classes';
import type { Content } from '../content/load-content';
import type { CommandId } from '../content/phrases';
import type { MessageId } from '../content/messages';
import { answerMatcher } from '../dialogs/answer-prompt';
import { GUIDE_DIALOG_ID, type GuideDialog, type GuideStart, type PathEntry } from '../dialogs/guide-dialog';
import type { CitizenHandoff } from '../handoff/citizen-handoff';
import type { EscalationReason } from '../handoff/case';
import { NONE_INTENT, sourceTitles, type IntentId } from '../content/intents-content';
import type { MessageReader, Reading } from '../nlu/message-reader';
import type { UnansweredLog, UnansweredReason } from '../nlu/unanswered-log';
import { maskPersonalData } from '../text/mask';
import { normalizeText, tokenize } from '../text/normalize';
import { PhraseMatcher } from '../text/phrase-matcher';
import { danishToday, type Clock } from '../clock';
import { ContentTexts } from '../content/content-texts';
import { FollowUpReader, type FollowUp } from './follow-ups';
import type { Action, Memory, Option, Pending, StoredPending } from './memory';
import { RepairPlanner, type GuideProgress, type RepairPlan } from './repair';
import { ReplyBinder, type Binding } from './reply-binding';
import type { Replies } from '../dialogs/replies';
import type { Turn } from './turn';

export interface TurnActionsDeps {
  content: Content;
  replies: Replies;
  clock: Clock;
  dialogs: DialogSet;
  guide: GuideDialog;
  handoff: CitizenHandoff;
  reader: MessageReader;
  unanswered: UnansweredLog;
  memory: StatePropertyAccessor<Memory>;
}

// Commands of one or two words only count as the whole message, so a sentence that
// happens to contain "stop" is not taken as a wish to stop.
const SHORT_COMMAND_WORDS = 2;
// Inside the guide, a reply is taken as an answer when answer words make up at least this
// share of it; otherwise a confident question ("hvad er en kodeviser?") is answered first.
const ANSWER_SHARE = 0.5;
const RECENT_INTENTS = 5;
// The last guide box said in a turn with a topic, in turn state until the turn is finished.
const LAST_BOX = Symbol('mitid.lastBox');
// How many words before a command that counts anywhere a negation still turns it off.
const NEGATION_REACH = 3;
// Intents that act like commands rather than getting an FAQ answer.
const INTENT_COMMANDS: Partial<Record<IntentId, CommandId>> = { human_agent: 'human' };
// Answers that are no topic a follow-up could be about.
const NOT_TOPICS: ReadonlySet<IntentId> = new Set(['greeting', 'thanks', 'goodbye', 'human_agent', 'restart']);

/**
 * What the turn router's rows do: the guide, answers, offers and their short replies, repair,
 * commands and the fallback. Each method says its messages from the content and leaves the
 * pending offer to what it sent ({@link Turn.ask} for offers a plain "ja" can take).
 */
export class TurnActions {
  readonly binder: ReplyBinder;
  private readonly commands: PhraseMatcher<CommandId>;
  private readonly answers: PhraseMatcher<string>;
  private readonly repairs: RepairPlanner;
  private readonly followUps: FollowUpReader;
  private readonly intentByTitle: ReadonlyMap<string, IntentId>;
  private readonly optionsByTitles = new Map<string, Option[]>();
  private readonly stemmedNegations: ReadonlySet<string>;
  private readonly texts: ContentTexts;
  /** The FAQ topic of each guide box that has one. */
  private readonly boxTopics: ReadonlyMap<string, IntentId>;

  constructor(private readonly deps: TurnActionsDeps) {
    const { phrases, intents } = deps.content;
    this.binder = new ReplyBinder(phrases);
    this.commands = new PhraseMatcher(phrases.commands, {
      shortPhraseWords: SHORT_COMMAND_WORDS,
      fillers: phrases.fillers,
      anywhere: phrases.commandsAnywhere,
      stemmed: true,
    });
    this.answers = answerMatcher(phrases);
    this.repairs = new RepairPlanner(deps.content);
    this.followUps = new FollowUpReader(deps.content);
    this.intentByTitle = new Map([...intents.intents.values()].map((i) => [normalizeText(i.title), i.id]));
    this.stemmedNegations = new Set(phrases.negations.flatMap((n) => this.commands.words(n)));
    this.texts = new ContentTexts(deps.content);
    this.boxTopics = new Map(Object.entries(deps.content.guide.nodes).flatMap(([id, node]) => (node.kind !== 'question' && node.topic ? [[id, node.topic as IntentId] as const] : [])));
  }

  // ── Opening and closing a turn ─────────────────────────────────────────────────────────

  /** Loads the conversation: the dialog stack, the memory, and what the bot waited for. */
  async open(turn: Turn): Promise<void> {
    await this.deps.handoff.recordTurn(turn.context);
    const dc = await this.deps.dialogs.createContext(turn.context);
    const memory = await this.deps.memory.get(turn.context, {});
    let previous = memory.pending ? this.expand(memory.pending) : undefined;
    delete memory.pending;
    if (!previous) {
      const storedConsent = await this.deps.handoff.takeStoredConsent(turn.context);
      if (storedConsent) previous = this.consentOffer(storedConsent);
    }
    turn.open({ dc, memory, ...(previous ? { previous } : {}) }, { optionsFor: (titles) => this.optionsFor(titles), nameOf: (text) => this.texts.nameOf(text) });
  }

  /** Keeps what the turn asked as the pending offer (the open guide question if nothing else), what it said, and its topic. */
  finish(turn: Turn): void {
    const memory = turn.memory;
    const box = turn.context.turnState.get(LAST_BOX) as string | undefined;
    const topic = box !== undefined ? this.boxTopics.get(box) : undefined;
    if (topic) memory.topic = topic;
    const current = this.progress(turn)?.current;
    const asked = turn.asked?.kind === 'question' ? undefined : turn.asked;
    const pending = asked ?? (current !== undefined && this.guideActive(turn) ? { kind: 'question' as const, node: current } : undefined);
    if (pending) memory.pending = this.store(pending);
    const said = turn.saidThisTurn();
    if (said.length > 0) memory.lastSaid = said;
  }

  /** A pending offer as stored: the titles, and what cannot be read from them again. */
  private store(pending: Pending): StoredPending {
    if (pending.kind === 'question') return pending;
    const reason = pending.options.find((o) => o.action.do === 'escalate')?.action;
    return {
      kind: pending.kind,
      titles: pending.options.map((o) => o.title),
      ...(pending.yes !== undefined ? { yes: pending.yes } : {}),
      ...(reason?.do === 'escalate' ? { reason: reason.reason } : {}),
      ...(pending.question !== undefined ? { question: pending.question } : {}),
    };
  }

  /** A stored pending offer with its options read from the titles again. */
  private expand(stored: StoredPending): Pending {
    switch (stored.kind) {
      case 'question':
        return stored;
      case 'consent':
        return this.consentOffer(stored.reason ?? 'asked');
      case 'didYouMean': {
        // The intents' titles, then "Ingen af dem".
        const options = stored.titles.map((title, i): Option => {
          const intent = i < stored.titles.length - 1 ? this.intentByTitle.get(normalizeText(title)) : undefined;
          return { title, action: intent ? { do: 'answer', intent } : { do: 'noneOfThese' } };
        });
        return { kind: 'didYouMean', options, no: { do: 'noneOfThese' }, ...(stored.question !== undefined ? { question: stored.question } : {}) };
      }
      default:
        return { kind: stored.kind, options: this.optionsFor(stored.titles), ...(stored.yes !== undefined ? { yes: stored.yes } : {}) };
    }
  }

  /** The option each button title stands for: an intent's title, or a command (the bot's buttons are a few sets, so kept). */
  optionsFor(titles: readonly string[]): Option[] {
    const key = titles.join('\n');
    let options = this.optionsByTitles.get(key);
    if (!options) {
      options = titles.flatMap((title): Option[] => {
        const intent = this.intentByTitle.get(normalizeText(title));
        if (intent) return [{ title, action: { do: 'answer', intent } }];
        const command = this.commands.match(title)?.key;
        return command ? [{ title, action: { do: 'command', command } }] : [];
      });
      // Bounded: titles are the bot's own, but a repeated message ("gentag") carries them back from state.
      if (this.optionsByTitles.size < 500) this.optionsByTitles.set(key, options);
    }
    return options;
  }

  // ── Reading the message ────────────────────────────────────────────────────────────────

  bindReply(turn: Turn): Binding | undefined {
    const offer = turn.previousOffer;
    if (!offer) return undefined;
    // "nej vent, …" mends an answer; it is no "nej" to the offer.
    if (this.repairs.isCorrection(turn.text) && this.progress(turn)) return undefined;
    const binding = this.binder.bind(offer, turn.text);
    // "nej, jeg kan ikke gå derned" after an offer says more than "nej": when the words after the
    // first are a question the bot knows, that is answered instead. Consent is only ever a yes or a no.
    if (binding?.partial && offer.kind !== 'consent' && this.saysMore(turn)) return undefined;
    return binding;
  }

  /** A bare "ja" or "nej" with nothing asked; not one that goes on to ask something ("nej, jeg kan ikke komme derned"). */
  yesOrNoAlone(turn: Turn): boolean {
    if (this.binder.yesOrNo(turn.text) === undefined) return false;
    return !(this.binder.isPartial(turn.text) && this.saysMore(turn));
  }

  /** True when the message, read as a question, is one the bot has an answer for (small talk aside). */
  private saysMore(turn: Turn): boolean {
    const first = this.read(turn).decisions[0];
    return first?.kind === 'intent' && !this.deps.content.classifier.smallTalk.includes(first.intent);
  }

  commandIn(turn: Turn): CommandId | undefined {
    const found = this.commands.match(turn.text);
    if (!found) return undefined;
    // "jeg ønsker ikke at få MitID" holds "få mitid": a command that counts anywhere does not
    // count when a negation stands just before it (or in it).
    if (this.deps.content.phrases.commandsAnywhere.includes(found.key)) {
      const words = this.commands.words(turn.text);
      const near = words.slice(Math.max(0, found.start - NEGATION_REACH), found.start + found.words);
      if (near.some((w) => this.stemmedNegations.has(w))) return undefined;
    }
    return found.key;
  }

  repairPlan(turn: Turn): RepairPlan | undefined {
    const progress = this.progress(turn);
    return progress ? this.repairs.plan(turn.text, progress) : undefined;
  }

  /** The intent whose button title the message is: taken as exactly that intent (score 1). */
  titled(turn: Turn): IntentId | undefined {
    const intent = this.intentByTitle.get(normalizeText(turn.text));
    if (intent) turn.result = { text: turn.text, intents: { [intent]: { score: 1 } }, entities: {} };
    return intent;
  }

  followUpIn(turn: Turn): FollowUp | undefined {
    return this.followUps.read(turn.text, turn.memory.topic);
  }

  /** The questions the message asks (classified once per turn). */
  read(turn: Turn): Reading {
    turn.reading ??= this.deps.reader.read(turn.text);
    turn.result = turn.reading.result;
    return turn.reading;
  }

  /**
   * True when the text begins with an answer word ("nej, jeg har ikke noget pas") or answer
   * words make up most of it ("det ved jeg ikke"); otherwise it may be a question.
   */
  looksLikeAnswer(text: string): boolean {
    if (/^\d{1,2}$/.test(text) || this.answers.leading(text) !== undefined) return true;
    return this.answers.coveredWords(text) / Math.max(1, tokenize(text).length) >= ANSWER_SHARE;
  }

  // ── The guide ──────────────────────────────────────────────────────────────────────────

  guideActive(turn: Turn): boolean {
    return turn.dc.activeDialog?.id === GUIDE_DIALOG_ID;
  }

  /** The guide open now, or the one left (stopped or finished), for going on and for corrections. */
  progress(turn: Turn): GuideProgress | undefined {
    const active = turn.dc.activeDialog;
    if (active?.id === GUIDE_DIALOG_ID) return this.deps.guide.progress(active);
    const left = turn.memory.guideLeft;
    return left ? { path: left.path, ...(left.at !== undefined ? { current: left.at } : {}) } : undefined;
  }

  guideOutdated(turn: Turn): boolean {
    const active = turn.dc.activeDialog;
    return active?.id === GUIDE_DIALOG_ID && !this.deps.guide.isCurrent(active);
  }

  async restartOutdatedGuide(turn: Turn): Promise<void> {
    await turn.dc.cancelAllDialogs();
    await this.say(turn, 'guideUpdated');
    await this.beginGuide(turn);
  }

  /** Begins the guide (at its start, or where `start` says) and keeps it when it ends in this turn. */
  async beginGuide(turn: Turn, start?: GuideStart): Promise<void> {
    if (this.guideActive(turn)) await turn.dc.cancelAllDialogs();
    delete turn.memory.guideLeft;
    await this.afterGuide(turn, await turn.dc.beginDialog(GUIDE_DIALOG_ID, start));
  }

  async continueGuide(turn: Turn): Promise<void> {
    await this.afterGuide(turn, await turn.dc.continueDialog());
  }

  /** Asks the open guide question again (after a side question, a refusal, an empty message). */
  async reprompt(turn: Turn): Promise<void> {
    if (this.guideActive(turn)) await turn.dc.repromptDialog();
  }

  /** A guide that ended in this turn is kept, for a hand-over and for corrections after its end. */
  private async afterGuide(turn: Turn, result: DialogTurnResult): Promise<void> {
    if (result.status !== DialogTurnStatus.complete) return;
    const path = (result.result as PathEntry[] | undefined) ?? [];
    turn.memory.guideLeft = { path };
    await this.deps.handoff.guideEnded(turn.context, path);
  }

  async repair(turn: Turn, plan: RepairPlan): Promise<void> {
    if (plan.say) await this.say(turn, plan.say);
    await this.beginGuide(turn, plan.start);
  }

  /**
   * Notes the guide box just said, whose topic a follow-up question is then about ("hvor lang
   * tid tager det?" after the kodeviser box); {@link finish} keeps it.
   */
  boxSaid(context: TurnContext, nodeId: string): void {
    if (this.boxTopics.has(nodeId)) context.turnState.set(LAST_BOX, nodeId);
  }

  // ── Commands ───────────────────────────────────────────────────────────────────────────

  async command(turn: Turn, command: CommandId): Promise<void> {
    const inGuide = this.guideActive(turn);
    switch (command) {
      case 'start_guide':
        if (inGuide) return this.reprompt(turn);
        await this.say(turn, 'guideStart');
        return this.beginGuide(turn);
      case 'restart':
        await this.say(turn, 'restarted');
        return this.beginGuide(turn);
      case 'stop': {
        if (!inGuide) return this.say(turn, 'whatHelp');
        const { path, current } = this.deps.guide.progress(turn.dc.activeDialog!);
        await turn.dc.cancelAllDialogs();
        turn.memory.guideLeft = { path, ...(current !== undefined ? { at: current } : {}) };
        return turn.ask(this.deps.replies.message('stopped'), { kind: 'stopped', yes: 0 });
      }
      case 'resume': {
        if (inGuide) return this.reprompt(turn);
        const left = turn.memory.guideLeft;
        if (left?.at === undefined) return turn.ask(this.deps.replies.message('nothingToResume'), { kind: 'offer', yes: 0 });
        await this.say(turn, 'resumed');
        return this.beginGuide(turn, { at: left.at, path: left.path });
      }
      case 'back': {
        const progress = this.progress(turn);
        const plan = progress ? this.repairs.back(progress) : undefined;
        if (!plan) return this.say(turn, 'whatHelp');
        return this.repair(turn, plan);
      }
      case 'repeat':
        return this.repeat(turn);
      case 'help':
        await this.say(turn, 'help');
        return this.reprompt(turn);
      case 'ask':
        await this.say(turn, 'ask');
        return this.reprompt(turn);
      case 'opt_out':
        await this.say(turn, 'optOut');
        return this.reprompt(turn);
      case 'human':
        return this.offerPerson(turn, 'asked');
      case 'none_of_these':
        await this.say(turn, 'fallback');
        return this.reprompt(turn);
    }
  }

  /** "Kan du gentage det?": the last turn's messages again, and the same offer still open. */
  private async repeat(turn: Turn): Promise<void> {
    const said = turn.memory.lastSaid ?? [];
    if (said.length === 0) return this.say(turn, 'nothingToRepeat');
    const today = danishToday(this.deps.clock);
    for (const reply of said) {
      const text = (reply.name ? this.texts.textOf(reply.name, today) : undefined) ?? reply.text ?? '';
      await turn.context.sendActivity(reply.buttons ? this.deps.replies.withButtons(text, reply.buttons) : this.deps.replies.plain(text));
    }
    if (turn.previousOffer) turn.asked = turn.previousOffer;
  }

  // ── Offers and short replies ───────────────────────────────────────────────────────────

  async bound(turn: Turn, binding: Binding): Promise<void> {
    const kind = turn.previous?.kind ?? 'offer';
    if ('unclear' in binding) {
      turn.bound = `${kind}: unclear`;
      const offer = turn.previousOffer;
      // "ja" to "Mente du A eller B?" asks which one; "ja tak" to an answer's follow-ups asks what next.
      const text = this.deps.content.messages[kind === 'didYouMean' ? 'whichOne' : 'whatHelp'].text;
      await turn.context.sendActivity(this.deps.replies.withButtons(this.deps.replies.text(text), (offer?.options ?? []).map((o) => o.title)));
      if (offer) turn.asked = offer;
      return;
    }
    const action = 'option' in binding ? binding.option.action : binding.action;
    turn.bound = `${kind}: ${'option' in binding ? binding.option.title : action.do}`;
    return this.act(turn, action);
  }

  async act(turn: Turn, action: Action): Promise<void> {
    switch (action.do) {
      case 'answer':
        return this.answer(turn, action.intent);
      case 'command':
        return this.command(turn, action.command);
      case 'escalate':
        return this.deps.handoff.escalate(turn.dc, action.reason);
      case 'decline':
        await turn.context.sendActivity(this.deps.handoff.declined());
        return this.reprompt(turn);
      case 'noneOfThese': {
        const question = turn.previousOffer?.question;
        if (question) this.recordUnanswered(question, 'none_of_these');
        await this.say(turn, 'noneOfThese');
        return this.reprompt(turn);
      }
      case 'dismiss':
        await this.say(turn, 'noThanks');
        return this.reprompt(turn);
    }
  }

  /** Asks whether the conversation may go to a person; a plain "ja" says yes. */
  async offerPerson(turn: Turn, reason: EscalationReason): Promise<void> {
    const askedForCall = turn.reading?.person === 'call' || turn.reading?.person === 'number';
    await turn.ask(await this.deps.handoff.consent(turn.context, reason, askedForCall), this.consentOffer(reason));
  }

  private consentOffer(reason: EscalationReason): { kind: 'consent'; options: Option[]; yes: number; no: Action } {
    const [yes, no] = this.deps.content.handoff.citizen.consent.buttons ?? [];
    return {
      kind: 'consent',
      options: [
        { title: yes ?? '', action: { do: 'escalate', reason } },
        { title: no ?? '', action: { do: 'decline' } },
      ],
      yes: 0,
      no: { do: 'decline' },
    };
  }

  async whatHelp(turn: Turn): Promise<void> {
    await this.say(turn, 'whatHelp');
  }

  async english(turn: Turn): Promise<void> {
    await turn.ask(this.deps.replies.message('english'), { kind: 'offer', yes: 0 });
  }

  // ── Answers ────────────────────────────────────────────────────────────────────────────

  /**
   * Sends an FAQ answer as true today, with its follow-ups as buttons (the guide first where
   * the intent offers it, and a plain "ja" then starts the guide). An intent answered by
   * walking the guide ("hvordan får jeg MitID?") starts it. Inside the guide the answer has no
   * buttons and the open question follows.
   */
  async answer(turn: Turn, intentId: IntentId, buttons = true): Promise<void> {
    const command = INTENT_COMMANDS[intentId];
    if (command) return this.command(turn, command);
    this.remember(turn, intentId);
    await this.deps.handoff.understood(turn.context);
    const inGuide = this.guideActive(turn);
    const intent = this.deps.content.intents.intents.get(intentId)!;
    if (intent.startsGuide) {
      if (inGuide) {
        await this.say(turn, 'guideRunning');
        return this.reprompt(turn);
      }
      await this.say(turn, 'guideStart');
      return this.beginGuide(turn);
    }
    if (!NOT_TOPICS.has(intentId)) turn.memory.topic = intentId;
    const text = this.deps.replies.text(intent.answer);
    if (intentId === 'restart') {
      if (inGuide) return this.reprompt(turn);
      await turn.context.sendActivity(this.deps.replies.withButtons(text, this.deps.content.messages.welcome.buttons ?? []));
      return;
    }
    const sources = [...new Set(intent.sources.map((source) => sourceTitles[source.file]))].join(', ');
    const source = (activity: Partial<Activity>) => (sources ? this.deps.replies.sourced(activity, sources) : activity);
    // An urgent problem (a lost phone, a suspected fraud) is offered a person at once, in the guide too.
    if (intent.offersPerson) {
      await turn.context.sendActivity(source(this.deps.replies.plain(text)));
      return this.offerPerson(turn, 'asked');
    }
    if (inGuide || !buttons) {
      await turn.context.sendActivity(source(this.deps.replies.plain(text)));
      return this.reprompt(turn);
    }
    const guideButton = this.deps.content.messages.welcome.buttons?.[0];
    const followUps = intent.followUps.map((id) => this.deps.content.intents.intents.get(id)!.title);
    const offersGuide = intent.offerGuide && guideButton !== undefined;
    let titles = offersGuide ? [guideButton, ...followUps] : followUps;
    if (titles.length === 0) titles = this.deps.content.messages.welcome.buttons ?? [];
    await turn.ask(source(this.deps.replies.withButtons(text, titles.slice(0, 3))), { kind: 'offer', ...(offersGuide ? { yes: 0 } : {}) });
  }

  /** The questions a message asks, each answered (the first without its buttons when there are two). */
  async answerReading(turn: Turn): Promise<void> {
    const { decisions } = this.read(turn);
    const [first] = decisions;
    if (first?.kind === 'ambiguous') return this.didYouMean(turn, first.options);
    const intents = decisions.flatMap((d) => (d.kind === 'intent' ? [d.intent] : []));
    for (const [i, intent] of intents.entries()) {
      // The guide, a person or a restart take over the conversation: nothing is answered after them.
      const content = this.deps.content.intents.intents.get(intent);
      const takesOver = content?.startsGuide || content?.offersPerson || INTENT_COMMANDS[intent] !== undefined || intent === 'restart';
      await this.answer(turn, intent, i === intents.length - 1 || takesOver);
      if (takesOver) return;
    }
  }

  /** A message too long to read whole: the question found in it, or a request to write less. */
  async tooLong(turn: Turn, maxChars: number): Promise<void> {
    const found = this.deps.reader.findInLong(turn.text);
    const first = found?.decisions[0];
    if (found && first?.kind === 'intent') {
      turn.result = found.result;
      await this.say(turn, 'longMessage');
      return this.answer(turn, first.intent);
    }
    await this.say(turn, 'tooLong', { max: maxChars });
    this.keepPending(turn);
    return this.reprompt(turn);
  }

  async empty(turn: Turn): Promise<void> {
    const onlyAttachments = (turn.activity.attachments?.length ?? 0) > 0;
    await this.say(turn, onlyAttachments ? 'attachmentsOnly' : 'emptyMessage');
    this.keepPending(turn);
    return this.reprompt(turn);
  }

  async warnCpr(turn: Turn): Promise<'next'> {
    await this.say(turn, 'cprWarning');
    return 'next';
  }

  async didYouMean(turn: Turn, options: readonly [IntentId, IntentId]): Promise<void> {
    const titles = options.map((id) => this.deps.content.intents.intents.get(id)!.title);
    const noneLabel = this.deps.content.phrases.commands.none_of_these[0]!;
    const none = noneLabel.charAt(0).toLocaleUpperCase('da-DK') + noneLabel.slice(1);
    const activity = this.deps.replies.withButtons(this.deps.replies.text(this.deps.content.messages.didYouMean.text), [...titles, none]);
    await turn.ask(activity, {
      kind: 'didYouMean',
      options: [...options.map((intent, i) => ({ title: titles[i]!, action: { do: 'answer', intent } as const })), { title: none, action: { do: 'noneOfThese' } }],
      no: { do: 'noneOfThese' },
      question: maskPersonalData(turn.text),
    });
  }

  /**
   * A follow-up about the topic just answered: what the sources say, or honestly that they say
   * nothing, with where to ask instead and a person offered (outside the guide).
   */
  async followUp(turn: Turn, followUp: FollowUp): Promise<void> {
    if (followUp.topic) this.remember(turn, followUp.topic);
    const inGuide = this.guideActive(turn);
    if (followUp.known) {
      await turn.context.sendActivity(this.deps.replies.plain(this.deps.replies.text(followUp.known)));
      return this.reprompt(turn);
    }
    const { kinds, notInSources } = this.deps.content.followUps;
    const text = `${kinds[followUp.kind].unknown} ${notInSources.text}`;
    if (inGuide) {
      await turn.context.sendActivity(this.deps.replies.plain(text));
      return this.reprompt(turn);
    }
    await turn.ask(this.deps.replies.withButtons(text, notInSources.buttons), { kind: 'offer', yes: 0 });
  }

  /** Nothing understood: inside the guide its question is asked again; outside, an honest line with the guide and a person. */
  async fallback(turn: Turn): Promise<void> {
    if (this.guideActive(turn)) return this.continueGuide(turn);
    this.recordUnanswered(turn.text, 'none');
    this.remember(turn, NONE_INTENT);
    if (await this.deps.handoff.countFallback(turn.context)) return this.offerPerson(turn, 'fallbacks');
    await this.say(turn, 'fallback');
  }

  // ── Helpers ────────────────────────────────────────────────────────────────────────────

  async say(turn: Turn, id: MessageId, vars: Record<string, string | number> = {}): Promise<void> {
    await turn.context.sendActivity(this.deps.replies.message(id, vars));
  }

  /** A message that answered nothing leaves the offer the bot made before it open. */
  private keepPending(turn: Turn): void {
    if (turn.previousOffer) turn.asked = turn.previousOffer;
  }

  private remember(turn: Turn, intent: string): void {
    const memory = turn.memory;
    memory.recentIntents = [...(memory.recentIntents ?? []), intent].slice(-RECENT_INTENTS);
  }

  // Counting a question must never cost the person their answer, nor make them wait for it:
  // the log stores counts in batches ({@link UnansweredLog.drain} on shutdown).
  private recordUnanswered(text: string, reason: UnansweredReason): void {
    this.deps.unanswered.record(text, reason, this.deps.clock.now()).catch(() => {
      // The log retries eTag conflicts itself; a count lost beyond that is acceptable.
    });
  }
}
