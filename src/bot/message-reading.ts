import type { Content } from '../content/load-content';
import type { CommandId } from '../content/phrases';
import type { IntentId } from '../content/intents-content';
import { answerMatcher } from '../dialogs/answer-prompt';
import type { MessageReader, Reading } from '../nlu/message-reader';
import { tokenize } from '../text/normalize';
import type { PhraseMatcher } from '../text/phrase-matcher';
import { FollowUpReader, type FollowUp } from './follow-ups';
import type { GuideSteps } from './guide-steps';
import type { PendingOffers } from './pending-offers';
import { RepairPlanner, type RepairPlan } from './repair';
import { ReplyBinder, type Binding } from './reply-binding';
import type { Turn } from './turn';

// Inside the guide, a reply is taken as an answer when answer words make up at least this
// share of it; otherwise a confident question ("hvad er en kodeviser?") is answered first.
const ANSWER_SHARE = 0.5;
// How many words before a command that counts anywhere a negation still turns it off.
const NEGATION_REACH = 3;

export interface MessageReadingDeps {
  content: Content;
  reader: MessageReader;
  commands: PhraseMatcher<CommandId>;
  offers: PendingOffers;
  steps: GuideSteps;
}

/**
 * What the person's message is, read against the turn (the router's `when` side): a reply to
 * the pending offer, a command, a correction of the guide, a button's title, a follow-up, an
 * answer to the guide's question, or the questions it asks.
 */
export class MessageReading {
  private readonly binder: ReplyBinder;
  private readonly answers: PhraseMatcher<string>;
  private readonly repairs: RepairPlanner;
  private readonly followUps: FollowUpReader;
  private readonly stemmedNegations: ReadonlySet<string>;

  constructor(private readonly deps: MessageReadingDeps) {
    const { phrases } = deps.content;
    this.binder = new ReplyBinder(phrases);
    this.answers = answerMatcher(phrases);
    this.repairs = new RepairPlanner(deps.content);
    this.followUps = new FollowUpReader(deps.content);
    this.stemmedNegations = new Set(phrases.negations.flatMap((n) => deps.commands.words(n)));
  }

  bindReply(turn: Turn): Binding | undefined {
    const offer = turn.previousOffer;
    if (!offer) return undefined;
    // "nej vent, …" mends an answer; it is no "nej" to the offer.
    if (this.repairs.isCorrection(turn.text) && this.deps.steps.progress(turn)) return undefined;
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
    const { commands } = this.deps;
    const found = commands.match(turn.text);
    if (!found) return undefined;
    // "jeg ønsker ikke at få MitID" holds "få mitid": a command that counts anywhere does not
    // count when a negation stands just before it (or in it).
    if (this.deps.content.phrases.commandsAnywhere.includes(found.key)) {
      const words = commands.words(turn.text);
      const near = words.slice(Math.max(0, found.start - NEGATION_REACH), found.start + found.words);
      if (near.some((w) => this.stemmedNegations.has(w))) return undefined;
    }
    return found.key;
  }

  repairPlan(turn: Turn): RepairPlan | undefined {
    const progress = this.deps.steps.progress(turn);
    return progress ? this.repairs.plan(turn.text, progress) : undefined;
  }

  /** "Tilbage": the guide one question back, if there is a guide to go back in. */
  backPlan(turn: Turn): RepairPlan | undefined {
    const progress = this.deps.steps.progress(turn);
    return progress ? this.repairs.back(progress) : undefined;
  }

  /** The intent whose button title the message is: taken as exactly that intent (score 1). */
  titled(turn: Turn): IntentId | undefined {
    const intent = this.deps.offers.intentTitled(turn.text);
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
}
