import type { BayesClassifier as BayesClassifierType } from 'natural/lib/natural/classifiers';
import { DEFAULT_FEATURES, textFeatures, type FeatureOptions } from './features';
import { SimilarityIndex, type SimilarityTables } from './similarity-index';

// The classifiers index also loads logistic regression and maxent (about 250 ms and 40 MB at
// start-up); the Bayes module alone is the same class.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const BayesClassifier = require('natural/lib/natural/classifiers/bayes_classifier') as typeof BayesClassifierType;

/** The trained classifier as plain JSON, for the start-up cache (see classifier-cache.ts). */
export interface ClassifierTables {
  labels: string[];
  logPrior: number[];
  logUnseen: number[];
  /** Every feature seen in training, with its log likelihood per label. */
  logLikelihood: Array<[string, number[]]>;
  similarity: SimilarityTables;
}

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
 * natural trains the model. Scoring reads the trained counts from tables of log
 * probabilities built once, because natural's own scoring walks objects and takes a
 * logarithm per feature and intent on every message (the profile showed ~170 µs of
 * ~240 µs there). The result is the same posterior; a test compares the two.
 */
export class IntentClassifier {
  /** natural's model; a classifier restored from tables trains it only if {@link naturalPosterior} is asked. */
  private bayes: InstanceType<typeof BayesClassifier> | undefined;
  private readonly similarity: SimilarityIndex;
  private readonly known = new Set<string>();
  private readonly labels: string[];
  private readonly logPrior: Float64Array;
  private readonly logUnseen: Float64Array;
  private readonly logLikelihood = new Map<string, Float64Array>();

  /** Trains on `examples`, or, given `tables` trained on the same examples and options, restores them. */
  constructor(
    private readonly examples: readonly Example[],
    private readonly features: FeatureOptions = DEFAULT_FEATURES,
    private readonly bayesWeight = 0.5,
    tables?: ClassifierTables,
  ) {
    if (tables) {
      this.labels = tables.labels;
      this.logPrior = Float64Array.from(tables.logPrior);
      this.logUnseen = Float64Array.from(tables.logUnseen);
      for (const [f, row] of tables.logLikelihood) {
        this.known.add(f);
        this.logLikelihood.set(f, Float64Array.from(row));
      }
      this.similarity = new SimilarityIndex({ tables: tables.similarity });
      return;
    }
    const documents = examples.map((example) => ({ features: textFeatures(example.text, features), label: example.intent }));
    for (const doc of documents) for (const f of doc.features) this.known.add(f);
    const model = this.trainedBayes(documents).classifier;
    this.similarity = new SimilarityIndex(documents);

    this.labels = Object.keys(model.classTotals);
    const totals = this.labels.map((l) => model.classTotals[l]!);
    this.logPrior = Float64Array.from(totals, (t) => Math.log(t / model.totalExamples));
    this.logUnseen = Float64Array.from(totals, (t) => Math.log(model.smoothing / t));
    for (const f of this.known) {
      this.logLikelihood.set(
        f,
        Float64Array.from(this.labels, (label, c) => {
          const count = (model.classFeatures[label] as Record<string, number>)[f];
          return count ? Math.log(count / totals[c]!) : this.logUnseen[c]!;
        }),
      );
    }
  }

  /** Everything scoring reads, restorable with the constructor's `tables`. */
  tables(): ClassifierTables {
    return {
      labels: this.labels,
      logPrior: Array.from(this.logPrior),
      logUnseen: Array.from(this.logUnseen),
      logLikelihood: [...this.logLikelihood].map(([f, row]) => [f, Array.from(row)]),
      similarity: this.similarity.tables(),
    };
  }

  private trainedBayes(documents: ReadonlyArray<{ features: ReadonlySet<string>; label: string }>): InstanceType<typeof BayesClassifier> {
    const bayes = new BayesClassifier();
    for (const doc of documents) bayes.classifier.addExample(sparse(doc.features), doc.label);
    bayes.classifier.train();
    this.bayes = bayes;
    return bayes;
  }

  /** Posterior per intent from natural's trained counts, as natural computes it (normalised). */
  bayesPosterior(features: ReadonlySet<string>): Map<string, number> {
    const log = Float64Array.from(this.logPrior);
    for (const f of features) {
      const row = this.logLikelihood.get(f);
      if (!row) continue;
      for (let c = 0; c < log.length; c++) log[c]! += row[c]!;
    }
    const max = Math.max(...log);
    let total = 0;
    for (let c = 0; c < log.length; c++) total += log[c] = Math.exp(log[c]! - max);
    return new Map(this.labels.map((l, c) => [l, log[c]! / total]));
  }

  /** natural's own scoring, normalised; kept to check the fast path against. */
  naturalPosterior(features: ReadonlySet<string>): Map<string, number> {
    this.bayes ??= this.trainedBayes(this.examples.map((example) => ({ features: textFeatures(example.text, this.features), label: example.intent })));
    const raw = this.bayes.classifier.getClassifications(sparse(features));
    const total = raw.reduce((sum, c) => sum + c.value, 0);
    return new Map(raw.map((c) => [c.label, c.value / total]));
  }

  /**
   * Intents by score (0..1), best first. Only features seen in training count, so a
   * word the classifier never met neither helps nor hurts any intent.
   */
  classify(text: string): IntentScore[] {
    const seen = this.knownFeatures(text);
    if (seen.size === 0) return [];
    const posterior = this.bayesPosterior(seen);
    const nearest = this.similarity.bestByLabel(seen);
    const w = this.bayesWeight;
    return this.labels
      .map((label) => ({ intent: label, score: w * posterior.get(label)! + (1 - w) * (nearest.get(label) ?? 0) }))
      .sort((a, b) => b.score - a.score);
  }

  /** The features of `text` that occurred in training. */
  knownFeatures(text: string): Set<string> {
    const seen = new Set<string>();
    for (const f of textFeatures(text, this.features)) if (this.known.has(f)) seen.add(f);
    return seen;
  }
}

function sparse(features: Iterable<string>): Record<string, string> {
  const observation: Record<string, string> = {};
  let i = 0;
  for (const f of features) observation[i++] = f;
  return observation;
}
