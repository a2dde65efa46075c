import { botCommands } from '../content/commands';
import type { StatePropertyAccessor, TurnContext } from 'botbuilder';
import type { DialogSet } from '../framework/dialog-classes';
import type { Content } from '../content/load-content';
import type { CommandId } from '../content/phrases';
import type { MessageId } from '../content/messages';
import type { IntentId } from '../content/intents-content';
import type { GuideDialog } from '../dialogs/guide-dialog';
import type { CitizenHandoff } from '../handoff/citizen-handoff';
import type { EscalationReason } from '../handoff/case';
import type { MessageReader, Reading } from '../nlu/message-reader';
import type { UnansweredLog } from '../nlu/unanswered-log';
import type { Clock } from '../clock';
import { ContentTexts } from '../content/content-texts';
import type { Replies } from '../dialogs/replies';
import { AnswerActions } from './answer-actions';
import { CommandActions } from './command-actions';
import type { FollowUp } from './follow-ups';
import { GuideSteps } from './guide-steps';
import type { Action, Memory } from './memory';
import { MessageReading } from './message-reading';
import { PendingOffers } from './pending-offers';
import type { RepairPlan } from './repair';
import type { Binding } from './reply-binding';
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

/** What each group of actions works with: the bot's parts, the guide, the message read, and the other actions. */
export interface ActionParts {
  deps: TurnActionsDeps;
  steps: GuideSteps;
  reading: MessageReading;
  offers: PendingOffers;
  texts: ContentTexts;
  actions: TurnActions;
}

/**
 * What the turn router's rows do: the guide, answers, offers and their short replies, repair,
 * commands and the fallback. Each action says its messages from the content and leaves the
 * pending offer to what it sent ({@link Turn.ask} for offers a plain "ja" can take). Reading
 * the message (message-reading), the guide's steps (guide-steps), the stored offers
 * (pending-offers), answers (answer-actions) and commands (command-actions) each have a module.
 */
export class TurnActions {
  private readonly steps: GuideSteps;
  private readonly reading: MessageReading;
  private readonly offers: PendingOffers;
  private readonly texts: ContentTexts;
  private readonly answers: AnswerActions;
  private readonly commands: CommandActions;

  constructor(private readonly deps: TurnActionsDeps) {
    const { phrases } = deps.content;
    const commands = botCommands(phrases);
    this.offers = new PendingOffers(deps.content, commands);
    this.steps = new GuideSteps(deps.content, deps.guide, deps.handoff);
    this.reading = new MessageReading({ content: deps.content, reader: deps.reader, commands, offers: this.offers, steps: this.steps });
    this.texts = new ContentTexts(deps.content);
    const parts: ActionParts = { deps, steps: this.steps, reading: this.reading, offers: this.offers, texts: this.texts, actions: this };
    this.answers = new AnswerActions(parts);
    this.commands = new CommandActions(parts);
  }

  // ── Opening and closing a turn ─────────────────────────────────────────────────────────

  /** Loads the conversation: the dialog stack, the memory, and what the bot waited for. */
  async open(turn: Turn): Promise<void> {
    await this.deps.handoff.recordTurn(turn.context);
    const dc = await this.deps.dialogs.createContext(turn.context);
    const memory = await this.deps.memory.get(turn.context, {});
    let previous = memory.pending ? this.offers.expand(memory.pending) : undefined;
    delete memory.pending;
    if (!previous) {
      const storedConsent = await this.deps.handoff.takeStoredConsent(turn.context);
      if (storedConsent) previous = this.offers.consent(storedConsent);
    }
    turn.open({ dc, memory, ...(previous ? { previous } : {}) }, { optionsFor: (titles) => this.offers.optionsFor(titles), nameOf: (text) => this.texts.nameOf(text) });
  }

  /** Keeps what the turn asked as the pending offer (the open guide question if nothing else), what it said, and its topic. */
  finish(turn: Turn): void {
    const memory = turn.memory;
    const topic = this.steps.topicSaid(turn);
    if (topic) memory.topic = topic;
    const current = this.steps.progress(turn)?.current;
    const asked = turn.asked?.kind === 'question' ? undefined : turn.asked;
    const pending = asked ?? (current !== undefined && this.steps.active(turn) ? { kind: 'question' as const, node: current } : undefined);
    if (pending) memory.pending = this.offers.store(pending);
    const said = turn.saidThisTurn();
    if (said.length > 0) memory.lastSaid = said;
  }

  // ── Reading the message (the rows' `when`) ─────────────────────────────────────────────

  bindReply(turn: Turn): Binding | undefined {
    return this.reading.bindReply(turn);
  }

  yesOrNoAlone(turn: Turn): boolean {
    return this.reading.yesOrNoAlone(turn);
  }

  commandIn(turn: Turn): CommandId | undefined {
    return this.reading.commandIn(turn);
  }

  repairPlan(turn: Turn): RepairPlan | undefined {
    return this.reading.repairPlan(turn);
  }

  titled(turn: Turn): IntentId | undefined {
    return this.reading.titled(turn);
  }

  followUpIn(turn: Turn): FollowUp | undefined {
    return this.reading.followUpIn(turn);
  }

  read(turn: Turn): Reading {
    return this.reading.read(turn);
  }

  looksLikeAnswer(text: string): boolean {
    return this.reading.looksLikeAnswer(text);
  }

  // ── The guide ──────────────────────────────────────────────────────────────────────────

  guideActive(turn: Turn): boolean {
    return this.steps.active(turn);
  }

  guideOutdated(turn: Turn): boolean {
    return this.steps.outdated(turn);
  }

  async restartOutdatedGuide(turn: Turn): Promise<void> {
    await turn.dc.cancelAllDialogs();
    await this.say(turn, 'guideUpdated');
    await this.steps.begin(turn);
  }

  continueGuide(turn: Turn): Promise<void> {
    return this.steps.continue(turn);
  }

  async repair(turn: Turn, plan: RepairPlan): Promise<void> {
    if (plan.say) await this.say(turn, plan.say);
    await this.steps.begin(turn, plan.start);
  }

  /** For the guide dialog: the box just said, whose topic a follow-up is then about. */
  boxSaid(context: TurnContext, nodeId: string): void {
    this.steps.boxSaid(context, nodeId);
  }

  // ── Commands, offers and short replies ─────────────────────────────────────────────────

  command(turn: Turn, command: CommandId): Promise<void> {
    return this.commands.command(turn, command);
  }

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

  private async act(turn: Turn, action: Action): Promise<void> {
    switch (action.do) {
      case 'answer':
        return this.answer(turn, action.intent);
      case 'command':
        return this.command(turn, action.command);
      case 'escalate':
        return this.deps.handoff.escalate(turn.dc, action.reason);
      case 'decline':
        await turn.context.sendActivity(this.deps.handoff.declined());
        return this.steps.reprompt(turn);
      case 'noneOfThese':
        return this.answers.noneOfThese(turn);
      case 'dismiss':
        await this.say(turn, 'noThanks');
        return this.steps.reprompt(turn);
    }
  }

  /** Asks whether the conversation may go to a person; a plain "ja" says yes. */
  async offerPerson(turn: Turn, reason: EscalationReason): Promise<void> {
    const askedForCall = turn.reading?.person === 'call' || turn.reading?.person === 'number';
    await turn.ask(await this.deps.handoff.consent(turn.context, reason, askedForCall), this.offers.consent(reason));
  }

  async whatHelp(turn: Turn): Promise<void> {
    await this.say(turn, 'whatHelp');
  }

  async english(turn: Turn): Promise<void> {
    await turn.ask(this.deps.replies.message('english'), { kind: 'offer', yes: 0 });
  }

  // ── Answers ────────────────────────────────────────────────────────────────────────────

  answer(turn: Turn, intentId: IntentId, buttons = true): Promise<void> {
    return this.answers.answer(turn, intentId, buttons);
  }

  answerReading(turn: Turn): Promise<void> {
    return this.answers.answerReading(turn);
  }

  tooLong(turn: Turn, maxChars: number): Promise<void> {
    return this.answers.tooLong(turn, maxChars);
  }

  empty(turn: Turn): Promise<void> {
    return this.answers.empty(turn);
  }

  async warnCpr(turn: Turn): Promise<'next'> {
    await this.say(turn, 'cprWarning');
    return 'next';
  }

  followUp(turn: Turn, followUp: FollowUp): Promise<void> {
    return this.answers.followUp(turn, followUp);
  }

  fallback(turn: Turn): Promise<void> {
    return this.answers.fallback(turn);
  }

  async say(turn: Turn, id: MessageId, vars: Record<string, string | number> = {}): Promise<void> {
    await turn.context.sendActivity(this.deps.replies.message(id, vars));
  }
}
