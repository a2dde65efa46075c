import type { Example } from './intent-classifier';

/** Precision, recall and F1 for one label. */
export interface LabelScores {
  label: string;
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

/** The figures `npm run eval` prints for one set of predictions. */
export interface EvalReport {
  total: number;
  accuracy: number;
  macroF1: number;
  perLabel: LabelScores[];
  outOfScopeRecall: number;
  falseFallbackRate: number;
  confusions: Array<{ expected: string; predicted: string; count: number }>;
}

/** Scores predictions against gold labels; "none" is the out-of-scope label. */
export function evaluate(gold: readonly string[], predicted: readonly string[], none = 'none'): EvalReport {
  const labels = [...new Set([...gold, ...predicted])].sort();
  const perLabel = labels.map((label) => {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    gold.forEach((g, i) => {
      const p = predicted[i];
      if (p === label && g === label) tp++;
      else if (p === label) fp++;
      else if (g === label) fn++;
    });
    const precision = tp + fp === 0 ? 0 : tp / (tp + fp);
    const recall = tp + fn === 0 ? 0 : tp / (tp + fn);
    const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
    return { label, precision, recall, f1, support: tp + fn };
  });
  const withSupport = perLabel.filter((l) => l.support > 0);
  const confusionCounts = new Map<string, number>();
  gold.forEach((g, i) => {
    const p = predicted[i]!;
    if (p !== g) confusionCounts.set(`${g}\u0000${p}`, (confusionCounts.get(`${g}\u0000${p}`) ?? 0) + 1);
  });
  const outOfScope = gold.map((g, i) => [g, predicted[i]] as const).filter(([g]) => g === none);
  const inScope = gold.map((g, i) => [g, predicted[i]] as const).filter(([g]) => g !== none);
  return {
    total: gold.length,
    accuracy: gold.filter((g, i) => predicted[i] === g).length / Math.max(1, gold.length),
    macroF1: withSupport.reduce((sum, l) => sum + l.f1, 0) / Math.max(1, withSupport.length),
    perLabel,
    outOfScopeRecall: outOfScope.filter(([, p]) => p === none).length / Math.max(1, outOfScope.length),
    falseFallbackRate: inScope.filter(([, p]) => p === none).length / Math.max(1, inScope.length),
    confusions: [...confusionCounts.entries()]
      .map(([key, count]) => {
        const [expected, predictedLabel] = key.split('\u0000') as [string, string];
        return { expected, predicted: predictedLabel, count };
      })
      .sort((a, b) => b.count - a.count || a.expected.localeCompare(b.expected)),
  };
}

/** Splits examples into k folds, each intent spread evenly over them. */
export function stratifiedFolds(examples: readonly Example[], k: number): Example[][] {
  const folds: Example[][] = Array.from({ length: k }, () => []);
  const seenPerIntent = new Map<string, number>();
  for (const example of examples) {
    const n = seenPerIntent.get(example.intent) ?? 0;
    seenPerIntent.set(example.intent, n + 1);
    folds[n % k]!.push(example);
  }
  return folds;
}
