import { pickDated } from '../content/dated';
import type { Content } from '../content/load-content';
import type { IntentId } from '../content/intents-content';
import { sourceTitlesOf } from '../content/labels';
import type { IntentRecognizer } from '../nlu/recognizer';
import { normalizeText, tokenize } from '../text/normalize';

export interface FoundAnswer {
  intent: IntentId;
  title: string;
  /** Today's answer. */
  text: string;
  /** "Fra NemID til MitID", for the "Kilde:" line. */
  source: string;
  score: number;
}

const MAX_RESULTS = 8;
// How much a word of the search found in an answer's title or text counts next to the
// classifier's probability: a staff member typing "kodeviser" expects the answers that say it.
const TEXT_MATCH_WEIGHT = 0.6;
const MIN_SCORE = 0.1;

/**
 * FAQ answers for a search typed in Teams' compose box, ranked by the same classifier the
 * bot uses plus plain text match (a single word is often too little for the classifier).
 * Small talk (hello, thanks) is never offered.
 */
export function searchAnswers(query: string, content: Content, recognizer: IntentRecognizer, today: string): FoundAnswer[] {
  const words = tokenize(normalizeText(query)).filter((w) => w.length > 1);
  if (words.length === 0) return [];
  const probabilities = recognizer.recognize(query).intents;
  const skip = new Set<string>(content.classifier.notInClarification);
  const found: FoundAnswer[] = [];
  for (const intent of content.intents.intents.values()) {
    if (skip.has(intent.id)) continue;
    const text = pickDated(intent.answer, today);
    const haystack = ` ${normalizeText(`${intent.title} ${text}`)} `;
    const matched = words.filter((w) => haystack.includes(` ${w}`)).length / words.length;
    const score = (probabilities[intent.id]?.score ?? 0) + TEXT_MATCH_WEIGHT * matched;
    if (score < MIN_SCORE) continue;
    const source = sourceTitlesOf(content.labels, intent.sources.map((s) => s.file));
    found.push({ intent: intent.id, title: intent.title, text, source, score });
  }
  return found.sort((a, b) => b.score - a.score).slice(0, MAX_RESULTS);
}
