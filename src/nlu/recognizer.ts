import type { RecognizerResult } from 'botbuilder';
import type { ClassifierSettings } from '../content/classifier-settings';
import { IntentClassifier, type ClassifierTables, type Example } from './intent-classifier';
import { NONE_INTENT, intentIds, type IntentContent, type IntentId, type RecognizedIntent } from '../content/intents-content';

/** What the bot does with a message, decided from the classifier's scores. */
export type Decision =
  | { kind: 'intent'; intent: IntentId; score: number }
  | { kind: 'ambiguous'; options: [IntentId, IntentId] }
  | { kind: 'none'; score: number };

/** Training examples: every FAQ example under its intent, out-of-scope ones as "none". */
export function trainingExamples(content: IntentContent): Example[] {
  const examples: Example[] = [];
  for (const intent of content.intents.values()) for (const text of intent.examples) examples.push({ text, intent: intent.id });
  for (const text of content.outOfScope) examples.push({ text, intent: NONE_INTENT });
  return examples;
}

const KEPT_INTENTS = 8;

/** Distinct message texts whose scores are kept (a few hundred bytes each). */
const RECENT_TEXTS = 2000;

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

const isIntentId = (value: string): value is IntentId => (intentIds as readonly string[]).includes(value);

/**
 * Turns text into botbuilder's RecognizerResult and into a decision: an intent, a
 * "did you mean" between two close ones, or none when nothing is likely enough.
 */
export class IntentRecognizer {
  private readonly classifier: IntentClassifier;
  /** Scores by exact text, least recently used first. */
  private readonly recent = new Map<string, RecognizerResult['intents']>();
  private readonly decisions = new WeakMap<RecognizerResult['intents'], Decision>();

  constructor(
    content: IntentContent,
    private readonly settings: ClassifierSettings,
    examples: readonly Example[] = trainingExamples(content),
    /** Tables saved from a classifier trained on the same examples and settings (the start-up cache). */
    tables?: ClassifierTables,
  ) {
    this.classifier = new IntentClassifier(examples, settings.features, settings.bayesWeight, tables, settings.linear);
  }

  /** The trained classifier's tables, for the start-up cache. */
  classifierTables(): ClassifierTables {
    return this.classifier.tables();
  }

  /**
   * Scores for every intent, best first, as the Bot Framework Emulator shows them.
   *
   * Most messages are one of a few: the guide's answers ("Ja", "Nej", "Ved ikke"), which are
   * classified too in case they are questions, and the questions everybody asks in a rush. The
   * scores of the latest {@link RECENT_TEXTS} distinct texts are kept, frozen because every turn
   * with that text shares them; a classification costs 0.1–0.2 ms, a kept one next to nothing.
   */
  recognize(text: string): RecognizerResult {
    let intents = this.recent.get(text);
    if (intents) {
      this.recent.delete(text);
    } else {
      intents = deepFreeze(this.recognizeAfresh(text).intents);
      if (this.recent.size >= RECENT_TEXTS) this.recent.delete(this.recent.keys().next().value!);
    }
    this.recent.set(text, intents);
    return { text, intents, entities: {} };
  }

  /** {@link recognize} without the kept scores (for measuring the classifier itself). */
  recognizeAfresh(text: string): RecognizerResult {
    const intents: RecognizerResult['intents'] = {};
    const scores = this.classifier.classify(text);
    if (scores.length === 0) intents[NONE_INTENT] = { score: 1 };
    // The best few, to four decimals, as the Emulator shows them: the rest say nothing a person
    // or the decision reads, and every turn log and trace would carry them.
    for (const { intent, score } of scores.slice(0, KEPT_INTENTS)) intents[intent] = { score: Math.round(score * 1e4) / 1e4 };
    return { text, intents, entities: {} };
  }

  /** The decision for a RecognizerResult from {@link recognize} (the same for shared scores, so worked out once). */
  decide(result: RecognizerResult): Decision {
    let decision = this.decisions.get(result.intents);
    if (!decision) {
      decision = deepFreeze(this.decideAfresh(result));
      this.decisions.set(result.intents, decision);
    }
    return decision;
  }

  private decideAfresh(result: RecognizerResult): Decision {
    const ranked = Object.entries(result.intents).map(([intent, { score }]) => ({ intent, score: score ?? 0 }));
    const [best, second] = ranked;
    if (!best || best.intent === NONE_INTENT || !isIntentId(best.intent)) return { kind: 'none', score: best?.score ?? 1 };
    const { threshold, ambiguityMargin, ambiguousFloor, notInClarification, takenWhenBest } = this.settings;
    if (
      second &&
      !(takenWhenBest.includes(best.intent) && best.score >= threshold) &&
      isIntentId(second.intent) &&
      !notInClarification.includes(best.intent) &&
      !notInClarification.includes(second.intent) &&
      second.score >= ambiguousFloor &&
      best.score - second.score < ambiguityMargin
    ) {
      return { kind: 'ambiguous', options: [best.intent, second.intent] };
    }
    if (best.score < threshold) return { kind: 'none', score: best.score };
    return { kind: 'intent', intent: best.intent, score: best.score };
  }

  /** The intent a text is taken as (ambiguous counts as the best of the two). */
  topIntent(text: string): RecognizedIntent {
    const decision = this.decide(this.recognize(text));
    return decision.kind === 'intent' ? decision.intent : decision.kind === 'ambiguous' ? decision.options[0] : NONE_INTENT;
  }
}
