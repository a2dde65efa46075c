/**
 * `npm run eval`: how well the intent classifier does on the held-out set
 * (test/eval/heldout.yaml, never used for training), and 5-fold cross-validation on the
 * training examples. `--grid` compares feature options and thresholds by cross-validation;
 * `--cv` prints only the cross-validation, in detail (for content editors: it never shows
 * the held-out sentences, so writing examples against it does not tune us to the test).
 */
import path from 'node:path';
import { heldoutSchema } from '../src/content/check-content';
import { defaultContentRoot, loadYaml } from '../src/content/load-content';
import type { FeatureOptions } from '../src/nlu/features';
import type { Example } from '../src/nlu/intent-classifier';
import { evaluate, stratifiedFolds, type EvalReport } from '../src/nlu/evaluation';
import { loadIntentContent } from '../src/nlu/intents-content';
import { loadClassifierSettings, type ClassifierSettings } from '../src/nlu/classifier-settings';
import { IntentRecognizer, trainingExamples } from '../src/nlu/recognizer';

const pct = (x: number) => `${(x * 100).toFixed(1)} %`;

function predictAll(recognizer: IntentRecognizer, texts: readonly string[]): string[] {
  return texts.map((t) => recognizer.topIntent(t));
}

function crossValidate(examples: readonly Example[], settings: ClassifierSettings, k = 5): EvalReport {
  const folds = stratifiedFolds(examples, k);
  const gold: string[] = [];
  const predicted: string[] = [];
  folds.forEach((test, i) => {
    const train = folds.filter((_, j) => j !== i).flat();
    const recognizer = new IntentRecognizer({ intents: new Map(), outOfScope: [] }, settings, train);
    gold.push(...test.map((e) => e.intent));
    predicted.push(...predictAll(recognizer, test.map((e) => e.text)));
  });
  return evaluate(gold, predicted);
}

function printReport(title: string, report: EvalReport, detail: boolean): void {
  const lines = [
    `\n${title} (${report.total} utterances)`,
    `  top-1 accuracy        ${pct(report.accuracy)}`,
    `  macro-F1              ${pct(report.macroF1)}`,
    `  out-of-scope recall   ${pct(report.outOfScopeRecall)}`,
    `  false-fallback rate   ${pct(report.falseFallbackRate)}  (in-scope sent to none)`,
  ];
  if (detail) {
    lines.push('  per intent:             precision  recall   support');
    for (const l of report.perLabel) {
      lines.push(`    ${l.label.padEnd(28)} ${pct(l.precision).padStart(8)} ${pct(l.recall).padStart(8)} ${String(l.support).padStart(6)}`);
    }
    lines.push('  most confused (expected → predicted):');
    for (const c of report.confusions.slice(0, 10)) lines.push(`    ${c.expected} → ${c.predicted}: ${c.count}`);
    if (report.confusions.length === 0) lines.push('    none');
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

function grid(examples: readonly Example[], base: ClassifierSettings): void {
  const rows: Array<{ name: string; report: EvalReport }> = [];
  for (const stemming of ['snowball', 'porter-no', 'none'] as const)
    for (const charNgrams of [0, 3, 4])
      for (const bigrams of [true, false])
        for (const dropStopWords of [true]) {
          const features: FeatureOptions = { stemming, charNgrams, bigrams, dropStopWords };
          for (const bayesWeight of [0, 0.3, 0.5, 1])
            for (const threshold of [0.3, 0.4, 0.5]) {
              const report = crossValidate(examples, { ...base, features, bayesWeight, threshold });
              rows.push({ name: `${stemming} ngram=${charNgrams} bigrams=${bigrams} stop=${dropStopWords} w=${bayesWeight} t=${threshold}`, report });
            }
        }
  rows.sort((a, b) => b.report.macroF1 - a.report.macroF1);
  process.stdout.write('\n5-fold cross-validation on the training examples, best macro-F1 first:\n');
  for (const { name, report } of rows.slice(0, 25)) {
    process.stdout.write(`  ${name.padEnd(58)} acc ${pct(report.accuracy)}  F1 ${pct(report.macroF1)}  oos ${pct(report.outOfScopeRecall)}  ff ${pct(report.falseFallbackRate)}\n`);
  }
}

function run(): void {
  const root = defaultContentRoot();
  const content = loadIntentContent(root);
  const settings = loadClassifierSettings(root);
  const examples = trainingExamples(content);
  if (process.argv.includes('--grid')) return grid(examples, settings);
  if (process.argv.includes('--cv')) return printReport('5-fold cross-validation on the training examples', crossValidate(examples, settings), true);

  const heldout = loadYaml(path.join(root, 'test', 'eval', 'heldout.yaml'), heldoutSchema).data.utterances;
  const started = performance.now();
  const recognizer = new IntentRecognizer(content, settings);
  const trainMs = performance.now() - started;
  process.stdout.write(`Trained on ${examples.length} examples (${content.intents.size} intents + none) in ${trainMs.toFixed(0)} ms; settings: ${JSON.stringify(settings)}\n`);
  printReport('Held-out set test/eval/heldout.yaml', evaluate(heldout.map((u) => u.intent), predictAll(recognizer, heldout.map((u) => u.text))), true);
  const decisions = heldout.map((u) => ({ gold: u.intent, decision: recognizer.decide(recognizer.recognize(u.text)) }));
  const asked = decisions.filter((d) => d.decision.kind === 'ambiguous');
  const helped = asked.filter((d) => d.decision.kind === 'ambiguous' && (d.decision.options as string[]).includes(d.gold));
  process.stdout.write(
    `  "Mente du …?" asked     ${pct(asked.length / heldout.length)} of utterances; the right intent among the two options in ${helped.length} of ${asked.length}\n`,
  );
  printReport('5-fold cross-validation on the training examples', crossValidate(examples, settings), false);
}

if (require.main === module) run();
