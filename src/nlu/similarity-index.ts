/**
 * Nearest training examples by TF-IDF cosine similarity over the same features the
 * Bayes model uses. Naive Bayes always picks *some* intent with high confidence; how close
 * a message is to anything people have actually asked is the better sign of "out of scope".
 */
export class SimilarityIndex {
  private readonly idf = new Map<string, number>();
  private readonly vectors: Array<{ label: string; weights: Map<string, number> }> = [];
  private readonly postings = new Map<string, number[]>();

  constructor(documents: ReadonlyArray<{ features: ReadonlySet<string>; label: string }>) {
    const df = new Map<string, number>();
    for (const doc of documents) for (const f of doc.features) df.set(f, (df.get(f) ?? 0) + 1);
    for (const [f, n] of df) this.idf.set(f, Math.log((documents.length + 1) / (n + 1)) + 1);
    documents.forEach((doc, i) => {
      this.vectors.push({ label: doc.label, weights: this.weigh(doc.features) });
      for (const f of doc.features) {
        const list = this.postings.get(f);
        if (list) list.push(i);
        else this.postings.set(f, [i]);
      }
    });
  }

  /** Per label, the highest cosine similarity of any of its examples to `features` (0..1). */
  bestByLabel(features: ReadonlySet<string>): Map<string, number> {
    const query = this.weigh(features);
    const dot = new Map<number, number>();
    for (const [f, w] of query) {
      for (const doc of this.postings.get(f) ?? []) dot.set(doc, (dot.get(doc) ?? 0) + w * this.vectors[doc]!.weights.get(f)!);
    }
    const best = new Map<string, number>();
    for (const [doc, value] of dot) {
      const label = this.vectors[doc]!.label;
      if (value > (best.get(label) ?? 0)) best.set(label, value);
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
