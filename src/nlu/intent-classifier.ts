import { BayesClassifier } from 'natural/lib/natural/classifiers';
import { DEFAULT_FEATURES, textFeatures, type FeatureOptions } from './features';
import { SimilarityIndex } from './similarity-index';

/** One intent's share of the probability for a text. */
export interface IntentScore {
  intent: string;
  score: number;
}

/** A labelled training example. */
export interface Example {
  text: string;
  intent: string;
}

/**
 * Naive Bayes over stems, stem pairs and character n-grams (natural's BayesClassifier),
 * blended with the similarity to the nearest training example. `bayesWeight` 1 is Bayes
 * alone, 0 similarity alone; the blend was chosen by cross-validation (`npm run eval -- --grid`).
 *
 * Features are passed to natural as sparse sets, not its dense vectors: a dense vector has
 * one slot per feature ever seen (thousands), which would cost far more per message.
 */
export class IntentClassifier {
  private readonly bayes = new BayesClassifier();
  private readonly similarity: SimilarityIndex;
  private readonly known = new Set<string>();

  constructor(
    examples: readonly Example[],
    private readonly features: FeatureOptions = DEFAULT_FEATURES,
    private readonly bayesWeight = 0.5,
  ) {
    const documents = examples.map((example) => ({ features: textFeatures(example.text, features), label: example.intent }));
    for (const doc of documents) {
      for (const f of doc.features) this.known.add(f);
      this.bayes.classifier.addExample(sparse(doc.features), doc.label);
    }
    this.bayes.classifier.train();
    this.similarity = new SimilarityIndex(documents);
  }

  /**
   * Intents by score (0..1), best first. Only features seen in training count, so a
   * word the classifier never met neither helps nor hurts any intent.
   */
  classify(text: string): IntentScore[] {
    const seen = new Set([...textFeatures(text, this.features)].filter((f) => this.known.has(f)));
    if (seen.size === 0) return [];
    const raw = this.bayes.classifier.getClassifications(sparse(seen));
    const total = raw.reduce((sum, c) => sum + c.value, 0);
    const nearest = this.similarity.bestByLabel(seen);
    const w = this.bayesWeight;
    return raw
      .map((c) => ({ intent: c.label, score: w * (total > 0 ? c.value / total : 0) + (1 - w) * (nearest.get(c.label) ?? 0) }))
      .sort((a, b) => b.score - a.score);
  }
}

function sparse(features: Iterable<string>): Record<string, string> {
  const observation: Record<string, string> = {};
  let i = 0;
  for (const f of features) observation[i++] = f;
  return observation;
}
