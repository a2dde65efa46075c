import type { BayesClassifier as BayesClassifierType } from 'natural/lib/natural/classifiers';
import { DEFAULT_FEATURES, textFeatures, type FeatureOptions } from './features';
import { LinearModel, type LinearOptions, type LinearTables, type NumberedDocuments } from './linear-model';
import { gramWords, wordGrams } from './features';
import { SimilarityIndex, type SimilarityTables } from './similarity-index';
import { Speller } from './spelling';

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
  linear?: LinearTables;
}

/** The linear model beside Bayes and the nearest example, and its share of the score (0 = off). */
export interface LinearSettings extends LinearOptions {
  weight: number;
  letterGrams: { min: number; max: number };
}

export const NO_LINEAR: LinearSettings = { weight: 0, epochs: 0, learningRate: 0, l2: 0, letterGrams: { min: 3, max: 5 } };

const WORDS_KEPT = 50_000;

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
  private linear: LinearModel | undefined;
  private readonly gramsByWord = new Map<string, readonly number[]>();
  private aligned: { nearestAt: Int32Array; linearAt: Int32Array } | undefined;
  private stamps: Uint32Array | undefined;
  private stamp = 0;
  /** Built from the examples, which a classifier restored from tables is given too (it costs ~10 ms). */
  private readonly speller: Speller;

  /** Trains on `examples`, or, given `tables` trained on the same examples and options, restores them. */
  constructor(
    private readonly examples: readonly Example[],
    private readonly features: FeatureOptions = DEFAULT_FEATURES,
    private readonly bayesWeight = 0.5,
    tables?: ClassifierTables,
    private readonly linearSettings: LinearSettings = NO_LINEAR,
  ) {
    this.speller = new Speller(examples.map((e) => e.text));
    if (tables) {
      if (tables.linear) this.linear = new LinearModel({ tables: tables.linear });
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
    if (linearSettings.weight > 0) {
      this.linear = new LinearModel({ numbered: this.numberedGrams(examples), options: linearSettings });
    }

    this.labels = Object.keys(model.classTotals);
    const totals = this.labels.map((l) => model.classTotals[l]!);
    this.logPrior = Float64Array.from(totals, (t) => Math.log(t / model.totalExamples));
    this.logUnseen = Float64Array.from(totals, (t) => Math.log(model.smoothing / t));
    // Every row starts as "never seen with this label"; then only the counts natural kept are
    // read, label by label (a few per feature, where reading every label of every feature was not).
    for (const f of this.known) this.logLikelihood.set(f, Float64Array.from(this.logUnseen));
    this.labels.forEach((label, c) => {
      for (const [f, count] of Object.entries(model.classFeatures[label] as Record<string, number>)) {
        const row = this.logLikelihood.get(f);
        if (row && count) row[c] = Math.log(count / totals[c]!);
      }
    });
  }

  /**
   * The examples' letter n-grams, numbered as met. A word's n-grams are numbered once (the
   * examples use a few thousand distinct words), each n-gram once per example, as
   * `letterGrams` gives them.
   */
  private numberedGrams(examples: readonly Example[]): NumberedDocuments {
    const { min, max } = this.linearSettings.letterGrams;
    const numberOf = new Map<string, number>();
    const names: string[] = [];
    const byWord = new Map<string, number[]>();
    const stamps: number[] = [];
    let stamp = 0;
    const docs = examples.map((example) => {
      stamp++;
      const numbers: number[] = [];
      for (const word of gramWords(example.text)) {
        let ofWord = byWord.get(word);
        if (!ofWord) {
          ofWord = wordGrams(word, min, max).map((gram) => {
            let n = numberOf.get(gram);
            if (n === undefined) {
              numberOf.set(gram, (n = names.length));
              names.push(gram);
            }
            return n;
          });
          byWord.set(word, ofWord);
        }
        for (const n of ofWord) {
          if (stamps[n] === stamp) continue;
          stamps[n] = stamp;
          numbers.push(n);
        }
      }
      return { features: Int32Array.from(numbers), label: example.intent };
    });
    return { docs, names };
  }

  /** Everything scoring reads, restorable with the constructor's `tables`. */
  tables(): ClassifierTables {
    return {
      labels: this.labels,
      logPrior: Array.from(this.logPrior),
      logUnseen: Array.from(this.logUnseen),
      logLikelihood: [...this.logLikelihood].map(([f, row]) => [f, Array.from(row)]),
      similarity: this.similarity.tables(),
      ...(this.linear ? { linear: this.linear.tables() } : {}),
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
    const posterior = this.posteriorPerLabel(features);
    return new Map(this.labels.map((l, c) => [l, posterior[c]!]));
  }

  /** {@link bayesPosterior} as an array in the order of `labels`. */
  private posteriorPerLabel(features: ReadonlySet<string>): Float64Array {
    const log = Float64Array.from(this.logPrior);
    for (const f of features) {
      const row = this.logLikelihood.get(f);
      if (!row) continue;
      for (let c = 0; c < log.length; c++) log[c]! += row[c]!;
    }
    const max = Math.max(...log);
    let total = 0;
    for (let c = 0; c < log.length; c++) total += log[c] = Math.exp(log[c]! - max);
    for (let c = 0; c < log.length; c++) log[c]! /= total;
    return log;
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
  classify(written: string): IntentScore[] {
    const text = this.speller.correct(written);
    const seen = this.knownFeatures(text);
    if (seen.size === 0) return [];
    const posterior = this.posteriorPerLabel(seen);
    const nearest = this.similarity.bestPerLabel(seen);
    const linear = this.linear ? this.linear.scoresOf(this.linearNumbers(this.linear, text)) : undefined;
    const { nearestAt, linearAt } = this.alignment();
    const w = this.bayesWeight;
    const lw = linear ? this.linearSettings.weight : 0;
    return this.labels
      .map((label, c) => {
        const blend = w * posterior[c]! + (1 - w) * (nearestAt[c]! >= 0 ? nearest[nearestAt[c]!]! : 0);
        return { intent: label, score: (1 - lw) * blend + lw * (linear && linearAt[c]! >= 0 ? linear[linearAt[c]!]! : 0) };
      })
      .sort((a, b) => b.score - a.score);
  }

  /** Where each of `labels` stands in the similarity index's and the linear model's own order. */
  private alignment(): { nearestAt: Int32Array; linearAt: Int32Array } {
    this.aligned ??= {
      nearestAt: Int32Array.from(this.labels, (l) => this.similarity.labelOrder.indexOf(l)),
      linearAt: Int32Array.from(this.labels, (l) => this.linear?.labels.indexOf(l) ?? -1),
    };
    return this.aligned;
  }

  /**
   * The linear model's scores. A word's n-grams are looked up once and kept by word (most
   * messages are made of the same few hundred words), and each n-gram counts once per message,
   * as in training.
   */
  private linearNumbers(linear: LinearModel, text: string): number[] {
    const numbers: number[] = [];
    // A stamp per feature says whether this message has it already (cheaper than a Set per message).
    this.stamps ??= new Uint32Array(linear.featureCount);
    const stamp = ++this.stamp;
    for (const word of gramWords(text)) {
      for (const n of this.gramNumbers(linear, word)) {
        if (this.stamps[n] === stamp) continue;
        this.stamps[n] = stamp;
        numbers.push(n);
      }
    }
    return numbers;
  }

  private gramNumbers(linear: LinearModel, word: string): readonly number[] {
    let numbers = this.gramsByWord.get(word);
    if (!numbers) {
      const { min, max } = this.linearSettings.letterGrams;
      numbers = wordGrams(word, min, max).flatMap((g) => linear.featureNumber(g) ?? []);
      // Bounded so that a flood of made-up words cannot grow memory without end.
      if (this.gramsByWord.size < WORDS_KEPT) this.gramsByWord.set(word, numbers);
    }
    return numbers;
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
