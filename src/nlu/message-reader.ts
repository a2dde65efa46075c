import type { RecognizerResult } from 'botbuilder';
import type { PhrasesContent } from '../content/phrases';
import { tokenize } from '../text/normalize';
import type { ClassifierSettings } from '../content/classifier-settings';
import type { IntentId } from '../content/intents-content';
import { PersonRequestFinder, type PersonRequest } from './person-request';
import type { Decision, IntentRecognizer } from './recognizer';

/** What a message asks: at most two questions in the order written, with the scores of the first for the trace. */
export interface Reading {
  decisions: Decision[];
  result: RecognizerResult;
  /** A person asked for in words (a rule, not the classifier); 'call' when a call was asked for. */
  person?: PersonRequest;
}

type IntentDecision = Extract<Decision, { kind: 'intent' }>;
/** A decision that answers something: an intent, or "Mente du" between two. */
type Answerable = Exclude<Decision, { kind: 'none' }>;
const intentOf = (decision: Answerable): IntentId => (decision.kind === 'intent' ? decision.intent : decision.options[0]);
interface Found {
  decision: Answerable;
  text: string;
  person?: PersonRequest;
}

const RECENT_TEXTS = 2000;
const RECENT_LONGEST = 500;
// Two questions in one message get both answers; a third is left for the person to ask again.
const MAX_QUESTIONS = 2;
// What is read of a message over the length limit, looking for its question.
const LONG_SENTENCES = 40;
const LONG_SENTENCE_CHARS = 400;
// "app eller kodeviser": the two sides of a choice.
const CHOICE = /\s+eller\s+/iu;
// Preambles are joined to the question by a comma as often as by a full stop.
const CLAUSE = /\s*[,;:]\s+|\s+(?:og|men|så)\s+(?=(?:hvad|hvor|hvordan|hvornår|hvornaar|kan|skal|må|maa|har|er)\b)/iu;

/** Splits a message into its sentences. */
export function sentencesOf(text: string): string[] {
  return text
    .split(/(?<=[.!?…])\s+|\n+/u)
    .map((s) => s.trim())
    .filter((s) => tokenize(s).length > 0);
}

/**
 * Reads a message as people write it: a polite preamble ("Hej, jeg er 82 år, og min datter
 * har sagt, at jeg skulle skrive her."), a sign-off ("Tak på forhånd. Mvh Inger") and
 * greetings do not hide the question, because each sentence is classified on its own and
 * small talk gives way to a question; two questions are both returned, in order. A person
 * asked for in any words is found by rule (`PersonRequestFinder`), and a choice ("app eller
 * kodeviser?") is offered as one.
 */
export class MessageReader {
  /** Readings of the latest distinct texts (they depend on the text alone, and the same few texts come often). */
  private readonly recent = new Map<string, Reading>();
  private readonly smallTalk: ReadonlySet<IntentId>;
  private readonly english: ReadonlySet<string>;
  private readonly both: ReadonlySet<string>;
  private readonly questionWords: ReadonlySet<string>;
  private readonly questionVerbs: ReadonlySet<string>;
  private readonly subjects: ReadonlySet<string>;
  private readonly persons: PersonRequestFinder;
  private readonly negations: ReadonlySet<string>;

  constructor(
    private readonly recognizer: IntentRecognizer,
    private readonly settings: ClassifierSettings,
    phrases: PhrasesContent,
  ) {
    this.smallTalk = new Set(settings.smallTalk);
    this.english = new Set(phrases.english.words);
    this.both = new Set(phrases.english.alsoDanish);
    this.questionWords = new Set(phrases.questionWords);
    this.questionVerbs = new Set(phrases.questionVerbs);
    this.subjects = new Set(phrases.subjects);
    this.persons = new PersonRequestFinder(phrases);
    this.negations = new Set(phrases.negations.flatMap((p) => tokenize(p)));
  }

  read(text: string): Reading {
    let reading = this.recent.get(text);
    if (!reading) {
      reading = Object.freeze(this.readAfresh(text));
      if (text.length <= RECENT_LONGEST) {
        if (this.recent.size >= RECENT_TEXTS) this.recent.delete(this.recent.keys().next().value!);
        this.recent.set(text, reading);
      }
    }
    return reading;
  }

  private readAfresh(text: string): Reading {
    const sentences = sentencesOf(text);
    if (sentences.length > 1) {
      const { found, unanswerable } = this.questionsIn(sentences);
      if (found.length > 0) return this.reading(found);
      // A sentence asked something the bot has no answer for: the small talk around it is no question either.
      if (unanswerable) return { decisions: [{ kind: 'none', score: 0 }], result: this.recognizer.recognize(text) };
    }
    // Scored whole only now: a message of several sentences is read by its sentences.
    const result = this.recognizer.recognize(text);
    const person = this.persons.find(text);
    if (person) return this.reading([{ decision: this.personDecision(), text, person }]);
    const whole = this.choiceIn(text, this.recognizer.decide(result));
    if (this.isQuestion(whole)) return { decisions: [whole], result };
    // One sentence with a preamble joined by a comma: the most confident clause that asks something.
    const clauses = text.split(CLAUSE).filter((c) => tokenize(c).length > 0);
    if (clauses.length > 1) {
      // Only a clause that asks, and clearly: "tak, det hjalp mig meget" holds no question.
      const best = this.mostConfident(clauses.filter((c) => this.asks(c)), this.settings.statementFloor);
      if (best) return { decisions: [best.decision], result: this.recognizer.recognize(best.text) };
    }
    return { decisions: [whole], result };
  }

  /**
   * The question in a message too long to read whole, if one of its first or last sentences
   * clearly asks one (a long story usually ends with its question).
   */
  findInLong(text: string): Reading | undefined {
    const reach = LONG_SENTENCES * LONG_SENTENCE_CHARS;
    const ends = text.length > 2 * reach ? `${text.slice(0, reach)}\n${text.slice(-reach)}` : text;
    const all = sentencesOf(ends);
    const half = LONG_SENTENCES / 2;
    const read = all.length > LONG_SENTENCES ? [...all.slice(0, half), ...all.slice(-half)] : all;
    const best = this.mostConfident(read.map((s) => s.slice(0, LONG_SENTENCE_CHARS)));
    return best ? { decisions: [best.decision], result: this.recognizer.recognize(best.text) } : undefined;
  }

  /** A person asked for in words ("stil mig om til support"), found without classifying anything. */
  asksForPerson(text: string): PersonRequest | undefined {
    return this.persons.find(text);
  }

  /** True for a message in English ("How do I get MitID?"): at least two English words and English for the most part. */
  isEnglish(text: string): boolean {
    const words = tokenize(text);
    const english = words.filter((w) => this.english.has(w)).length;
    const either = words.filter((w) => this.both.has(w)).length;
    return english >= 2 && (english + either) / words.length >= 0.6;
  }

  private reading(found: readonly Found[]): Reading {
    const person = found.find((f) => f.person)?.person;
    return { decisions: found.map((f) => f.decision), result: this.recognizer.recognize(found[0]!.text), ...(person ? { person } : {}) };
  }

  /** A person asked for in words, as the classifier's intent for it. */
  private personDecision(): IntentDecision {
    return { kind: 'intent', intent: 'human_agent', score: 1 };
  }

  /**
   * The questions of a message's sentences, in the order written, each intent once, at most
   * {@link MAX_QUESTIONS}. Where a sentence asks (a question mark, a question word, "kan jeg
   * …"), a statement counts beside it only when the classifier is sure of it
   * (`statementFloor`), because a preamble ("jeg håber, du kan hjælpe mig") is a statement.
   * A question that follows a statement it is less sure of asks about that statement ("Jeg har
   * mistet min telefon. Hvad gør jeg?") and is no question of its own. An urgent intent
   * (`firstWhenFound`, e.g. a suspected fraud) goes before the rest.
   */
  private questionsIn(sentences: readonly string[]): { found: Found[]; unanswerable: boolean } {
    const read = sentences.map((text) => {
      const person = this.persons.find(text);
      return { text, asks: this.asks(text), person, decision: person ? this.personDecision() : this.decisionOf(text) };
    });
    const anyAsks = read.some((r) => r.asks);
    const sure = (r: (typeof read)[number]) => r.decision.kind === 'intent' && r.decision.score >= this.settings.statementFloor;
    const counts = read.map((r) => this.isAnswerable(r.decision) && (r.asks || !anyAsks || sure(r)));
    const followsOn = (i: number) => {
      const [before, now] = [read[i - 1], read[i]!];
      return before !== undefined && counts[i - 1] && !before.asks && now.asks && !now.person && before.decision.kind === 'intent' && now.decision.kind === 'intent' && now.decision.score < before.decision.score;
    };
    const candidates = read.filter((r, i): r is typeof r & { decision: Answerable } => counts[i]! && !followsOn(i));
    const urgent = (r: { decision: Answerable }) => (this.settings.firstWhenFound.includes(intentOf(r.decision)) ? 0 : 1);
    candidates.sort((a, b) => urgent(a) - urgent(b));
    const found: Found[] = [];
    for (const { text, decision, person } of candidates) {
      if (!found.some((f) => intentOf(f.decision) === intentOf(decision))) found.push({ decision, text, ...(person ? { person } : {}) });
      if (found.length === MAX_QUESTIONS) break;
    }
    return { found, unanswerable: read.some((r) => r.asks && r.decision.kind === 'none') };
  }

  /** True for a sentence that asks: it ends with "?", holds a question word, or begins "kan jeg …". */
  private asks(sentence: string): boolean {
    if (/\?\s*$/u.test(sentence)) return true;
    const words = tokenize(sentence);
    if (words.some((w) => this.questionWords.has(w))) return true;
    return words.length > 1 && this.questionVerbs.has(words[0]!) && this.subjects.has(words[1]!);
  }

  private mostConfident(parts: readonly string[], floor = 0): { decision: IntentDecision; text: string } | undefined {
    let best: { decision: IntentDecision; text: string } | undefined;
    for (const text of parts) {
      const decision = this.decisionOf(text);
      if (this.isQuestion(decision) && decision.score >= floor && (!best || decision.score > best.decision.score)) best = { decision, text };
    }
    return best;
  }

  private decisionOf(text: string): Decision {
    return this.choiceIn(text, this.recognizer.decide(this.recognizer.recognize(text)));
  }

  /**
   * "MitID app eller kodeviser?": a choice between two things the bot answers separately is
   * met with "Mente du …?" offering both, however sure the classifier is of one of them. The
   * guide and urgent problems (`takenWhenBest`) are answered as they are.
   */
  private choiceIn(text: string, decision: Decision): Decision {
    if (decision.kind !== 'intent' || this.settings.takenWhenBest.includes(decision.intent)) return decision;
    const sides = text.split(CHOICE);
    if (sides.length !== 2 || sides.some((side) => tokenize(side).length === 0)) return decision;
    // "hverken pas eller ID-kort", "ikke X eller Y": neither, not a choice.
    if (tokenize(sides[0]!).some((w) => this.negations.has(w))) return decision;
    const [left, right] = sides.map((side) => this.recognizer.decide(this.recognizer.recognize(side)));
    if (left?.kind !== 'intent' || right?.kind !== 'intent' || left.intent === right.intent) return decision;
    if (![left.intent, right.intent].includes(decision.intent) || [left.intent, right.intent].some((i) => this.smallTalk.has(i))) return decision;
    const other = decision.intent === left.intent ? right.intent : left.intent;
    return { kind: 'ambiguous', options: [decision.intent, other] };
  }

  /** An intent that is no small talk, or "Mente du" between two such. */
  private isAnswerable(decision: Decision): decision is Answerable {
    return decision.kind === 'ambiguous' ? !decision.options.some((o) => this.smallTalk.has(o)) : this.isQuestion(decision);
  }

  private isQuestion(decision: Decision): decision is IntentDecision {
    return decision.kind === 'intent' && !this.smallTalk.has(decision.intent);
  }
}
