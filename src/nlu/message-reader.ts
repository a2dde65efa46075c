import type { RecognizerResult } from 'botbuilder';
import type { PhrasesContent } from '../content/phrases';
import { tokenize } from '../text/normalize';
import type { ClassifierSettings } from './classifier-settings';
import type { IntentId } from './intents-content';
import type { Decision, IntentRecognizer } from './recognizer';

/** What a message asks: at most two questions in the order written, with the scores of the first for the trace. */
export interface Reading {
  decisions: Decision[];
  result: RecognizerResult;
}

type IntentDecision = Extract<Decision, { kind: 'intent' }>;

const RECENT_TEXTS = 2000;
const RECENT_LONGEST = 500;
// Two questions in one message get both answers; a third is left for the person to ask again.
const MAX_QUESTIONS = 2;
// What is read of a message over the length limit, looking for its question.
const LONG_SENTENCES = 40;
const LONG_SENTENCE_CHARS = 400;
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
 * small talk gives way to a question; two questions are both returned, in order.
 */
export class MessageReader {
  /** Readings of the latest distinct texts (they depend on the text alone, and the same few texts come often). */
  private readonly recent = new Map<string, Reading>();
  private readonly smallTalk: ReadonlySet<IntentId>;
  private readonly english: ReadonlySet<string>;
  private readonly both: ReadonlySet<string>;

  constructor(
    private readonly recognizer: IntentRecognizer,
    settings: ClassifierSettings,
    phrases: PhrasesContent,
  ) {
    this.smallTalk = new Set(settings.smallTalk);
    this.english = new Set(phrases.english.words);
    this.both = new Set(phrases.english.alsoDanish);
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
    const result = this.recognizer.recognize(text);
    const whole = this.recognizer.decide(result);
    const sentences = sentencesOf(text);
    if (sentences.length > 1) {
      const asked = this.questionsIn(sentences);
      if (asked.length > 0) return { decisions: asked.map((a) => a.decision), result: this.recognizer.recognize(asked[0]!.text) };
    }
    if (this.isQuestion(whole)) return { decisions: [whole], result };
    // One sentence with a preamble joined by a comma: the most confident clause that asks something.
    const clauses = text.split(CLAUSE).filter((c) => tokenize(c).length > 0);
    if (clauses.length > 1) {
      const best = this.mostConfident(clauses);
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

  /** True for a message in English ("How do I get MitID?"): at least two English words and English for the most part. */
  isEnglish(text: string): boolean {
    const words = tokenize(text);
    const english = words.filter((w) => this.english.has(w)).length;
    const either = words.filter((w) => this.both.has(w)).length;
    return english >= 2 && (english + either) / words.length >= 0.6;
  }

  /** The questions of a message's sentences, in order, each intent once, at most {@link MAX_QUESTIONS}. */
  private questionsIn(sentences: readonly string[]): Array<{ decision: IntentDecision; text: string }> {
    const found: Array<{ decision: IntentDecision; text: string }> = [];
    for (const text of sentences) {
      const decision = this.decisionOf(text);
      if (this.isQuestion(decision) && !found.some((f) => f.decision.intent === decision.intent)) found.push({ decision, text });
      if (found.length === MAX_QUESTIONS) break;
    }
    return found;
  }

  private mostConfident(parts: readonly string[]): { decision: IntentDecision; text: string } | undefined {
    let best: { decision: IntentDecision; text: string } | undefined;
    for (const text of parts) {
      const decision = this.decisionOf(text);
      if (this.isQuestion(decision) && (!best || decision.score > best.decision.score)) best = { decision, text };
    }
    return best;
  }

  private decisionOf(text: string): Decision {
    return this.recognizer.decide(this.recognizer.recognize(text));
  }

  private isQuestion(decision: Decision): decision is IntentDecision {
    return decision.kind === 'intent' && !this.smallTalk.has(decision.intent);
  }
}
