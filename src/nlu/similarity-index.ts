const COMMON_SHARE = 0.1;

/** The trained index as plain JSON, for the start-up cache (see classifier-cache.ts). */
export interface SimilarityTables {
  idf: Array<[string, number]>;
  postings: Array<[string, number[], number[]]>;
  docLabel: number[];
  labels: string[];
  commonLimit: number;
}

type Documents = ReadonlyArray<{ features: ReadonlySet<string>; label: string }>;

interface Posting {
  docs: Int32Array;
  /** The feature's normalised TF-IDF weight in each of those documents. */
  weights: Float64Array;
}

/**
 * Nearest training examples by TF-IDF cosine similarity over the same features the
 * Bayes model uses. Naive Bayes always picks *some* intent with high confidence; how close
 * a message is to anything people have actually asked is the better sign of "out of scope".
 * Postings are typed arrays because this runs on every message.
 */
export class SimilarityIndex {
  private readonly idf = new Map<string, number>();
  private readonly postings = new Map<string, Posting>();
  private readonly docLabel: Int32Array;
  private readonly labels: string[];
  private readonly dot: Float64Array;
  private readonly touched: Int32Array;
  private readonly commonLimit: number;

  constructor(source: Documents | { tables: SimilarityTables }) {
    if ('tables' in source) {
      const { tables } = source;
      this.idf = new Map(tables.idf);
      for (const [f, docs, weights] of tables.postings) this.postings.set(f, { docs: Int32Array.from(docs), weights: Float64Array.from(weights) });
      this.docLabel = Int32Array.from(tables.docLabel);
      this.labels = tables.labels;
      this.dot = new Float64Array(tables.docLabel.length);
      this.touched = new Int32Array(tables.docLabel.length);
      this.commonLimit = tables.commonLimit;
      return;
    }
    const documents = source;
    const df = new Map<string, number>();
    for (const doc of documents) for (const f of doc.features) df.set(f, (df.get(f) ?? 0) + 1);
    for (const [f, n] of df) this.idf.set(f, Math.log((documents.length + 1) / (n + 1)) + 1);

    this.labels = [...new Set(documents.map((d) => d.label))];
    const labelIndex = new Map(this.labels.map((l, i) => [l, i]));
    this.docLabel = Int32Array.from(documents, (d) => labelIndex.get(d.label)!);
    this.dot = new Float64Array(documents.length);
    this.touched = new Int32Array(documents.length);
    this.commonLimit = Math.max(20, Math.floor(documents.length * COMMON_SHARE));

    const lists = new Map<string, { docs: number[]; weights: number[] }>();
    documents.forEach((doc, i) => {
      for (const [f, w] of this.weigh(doc.features)) {
        let list = lists.get(f);
        if (!list) lists.set(f, (list = { docs: [], weights: [] }));
        list.docs.push(i);
        list.weights.push(w);
      }
    });
    for (const [f, list] of lists) this.postings.set(f, { docs: Int32Array.from(list.docs), weights: Float64Array.from(list.weights) });
  }

  /** Everything {@link bestPerLabel} reads, restorable with `new SimilarityIndex({ tables })`. */
  tables(): SimilarityTables {
    return {
      idf: [...this.idf],
      postings: [...this.postings].map(([f, p]) => [f, Array.from(p.docs), Array.from(p.weights)]),
      docLabel: Array.from(this.docLabel),
      labels: this.labels,
      commonLimit: this.commonLimit,
    };
  }

  /** The labels in the order {@link bestPerLabel} gives them. */
  get labelOrder(): readonly string[] {
    return this.labels;
  }

  /** Per label (in {@link labelOrder}), the highest cosine similarity of any of its examples to `features` (0..1). */
  bestPerLabel(features: ReadonlySet<string>): Float64Array {
    const dot = this.dot;
    // Only the examples that share a feature with the message are visited, and reset after.
    const touched = this.touched;
    let count = 0;
    for (const [f, w] of this.weigh(features)) {
      const posting = this.postings.get(f)!;
      // Features found in a large share of all examples (a common letter triple) move every
      // score alike; skipping them keeps per-message work small.
      if (posting.docs.length > this.commonLimit) continue;
      for (let i = 0; i < posting.docs.length; i++) {
        const doc = posting.docs[i]!;
        if (dot[doc] === 0) touched[count++] = doc;
        dot[doc]! += w * posting.weights[i]!;
      }
    }
    const best = new Float64Array(this.labels.length);
    for (let i = 0; i < count; i++) {
      const doc = touched[i]!;
      const label = this.docLabel[doc]!;
      if (dot[doc]! > best[label]!) best[label] = dot[doc]!;
      dot[doc] = 0;
    }
    return best;
  }

  private weigh(features: ReadonlySet<string>): Map<string, number> {
    const weights = new Map<string, number>();
    let norm = 0;
    for (const f of features) {
      const w = this.idf.get(f);
      if (w === undefined) continue;
      weights.set(f, w);
      norm += w * w;
    }
    norm = Math.sqrt(norm) || 1;
    for (const [f, w] of weights) weights.set(f, w / norm);
    return weights;
  }
}
