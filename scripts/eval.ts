/**
 * `npm run eval`: the bot's reading of free text (the same MessageReader the bot uses: each
 * sentence classified, rules for a person, small talk giving way) against NLP.js trained on
 * exactly the same examples, side by side on the held-out set (test/eval/heldout.yaml, never
 * used for training) and on its dressed variants (scripts/eval/dress.ts). Then the detail of
 * the held-out set and 5-fold cross-validation on the training examples.
 *
 * `--grid` compares feature options and thresholds by cross-validation; `--cv` prints only the
 * cross-validation, in detail (for content editors: it never shows the held-out sentences, so
 * writing examples against it does not tune us to the test). `--misses` lists what the project
 * got wrong in each set. `--no-peer` leaves NLP.js out.
 */
import path from 'node:path';
import { heldoutSchema } from '../src/content/check-content';
import { defaultContentRoot, loadContent } from '../src/content/load-content';
import { loadYaml } from '../src/content/yaml';
import type { FeatureOptions } from '../src/nlu/features';
import type { Example } from '../src/nlu/intent-classifier';
import { evaluate, stratifiedFolds, type EvalReport } from '../src/nlu/evaluation';
import type { ClassifierSettings } from '../src/content/classifier-settings';
import { NONE_INTENT } from '../src/content/intents-content';
import { MessageReader } from '../src/nlu/message-reader';
import { IntentRecognizer, trainingExamples } from '../src/nlu/recognizer';
import { dress, dressingSchema, variantNames } from './eval/dress';
import { nlpjsPeer } from './eval/nlpjs-peer';

const pct = (x: number) => `${(x * 100).toFixed(1)} %`;

/** One evaluation set: the held-out utterances as written, or dressed. */
export interface EvalSet {
  name: string;
  texts: string[];
  gold: string[];
}

/** In-scope top-1: of the utterances that have an intent, the share read as that intent. */
export function inScopeAccuracy(gold: readonly string[], predicted: readonly string[]): number {
  const inScope = gold.map((g, i) => [g, predicted[i]] as const).filter(([g]) => g !== NONE_INTENT);
  return inScope.filter(([g, p]) => g === p).length / Math.max(1, inScope.length);
}

function crossValidate(examples: readonly Example[], settings: ClassifierSettings, k = 5): EvalReport {
  const folds = stratifiedFolds(examples, k);
  const gold: string[] = [];
  const predicted: string[] = [];
  folds.forEach((test, i) => {
    const train = folds.filter((_, j) => j !== i).flat();
    const recognizer = new IntentRecognizer({ intents: new Map(), outOfScope: [] }, settings, train);
    gold.push(...test.map((e) => e.intent));
    predicted.push(...test.map((e) => recognizer.topIntent(e.text)));
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

/** The held-out set and each of its dressed variants. */
export function evalSets(root: string): EvalSet[] {
  const heldout = loadYaml(path.join(root, 'test', 'eval', 'heldout.yaml'), heldoutSchema).data.utterances;
  const dressing = loadYaml(path.join(root, 'test', 'eval', 'dressing.yaml'), dressingSchema).data;
  const gold = heldout.map((u) => u.intent);
  return [
    { name: 'held-out', texts: heldout.map((u) => u.text), gold },
    ...variantNames.map((variant) => ({ name: variant, texts: heldout.map((u) => dress(u.text, variant, dressing)), gold })),
  ];
}

/** What the bot takes a message as: its first decision ("Mente du" counts as its first option). */
export function readAs(reader: MessageReader, text: string): string {
  const first = reader.read(text).decisions[0];
  return !first || first.kind === 'none' ? NONE_INTENT : first.kind === 'ambiguous' ? first.options[0] : first.intent;
}

interface Row {
  set: string;
  system: string;
  report: EvalReport;
  inScope: number;
  msPerMessage: number;
}

function row(set: EvalSet, system: string, predicted: string[], ms: number): Row {
  return { set: set.name, system, report: evaluate(set.gold, predicted), inScope: inScopeAccuracy(set.gold, predicted), msPerMessage: ms / set.texts.length };
}

function printSideBySide(rows: readonly Row[]): void {
  const header = `  ${'set'.padEnd(10)} ${'system'.padEnd(12)} ${'top-1'.padStart(8)} ${'in-scope'.padStart(9)} ${'oos rec.'.padStart(9)} ${'false fb'.padStart(9)} ${'macro-F1'.padStart(9)} ${'ms/msg'.padStart(8)}`;
  const lines = ['\nThe project against NLP.js, same training examples, same run:', header];
  for (const r of rows) {
    lines.push(
      `  ${r.set.padEnd(10)} ${r.system.padEnd(12)} ${pct(r.report.accuracy).padStart(8)} ${pct(r.inScope).padStart(9)} ${pct(r.report.outOfScopeRecall).padStart(9)} ${pct(r.report.falseFallbackRate).padStart(9)} ${pct(r.report.macroF1).padStart(9)} ${r.msPerMessage.toFixed(3).padStart(8)}`,
    );
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

async function run(): Promise<void> {
  const root = defaultContentRoot();
  const started = performance.now();
  const content = loadContent(root);
  const recognizer = new IntentRecognizer(content.intents, content.classifier);
  const reader = new MessageReader(recognizer, content.classifier, content.phrases);
  const readyMs = performance.now() - started;
  const examples = trainingExamples(content.intents);
  const settings = content.classifier;
  if (process.argv.includes('--grid')) return grid(examples, settings);
  if (process.argv.includes('--cv')) return printReport('5-fold cross-validation on the training examples', crossValidate(examples, settings), true);

  process.stdout.write(`Content loaded and ${examples.length} examples (${content.intents.intents.size} intents + none) trained in ${readyMs.toFixed(0)} ms\n`);
  const peer = process.argv.includes('--no-peer') ? undefined : await nlpjsPeer(examples, NONE_INTENT);
  if (peer) process.stdout.write(`${peer.name} trained on the same examples in ${peer.trainMs.toFixed(0)} ms\n`);

  const rows: Row[] = [];
  const sets = evalSets(root);
  const tables = recognizer.classifierTables();
  for (const set of sets) {
    // A recognizer and reader of its own per set (restored, not retrained): both keep recent
    // texts, and a set must not be timed on the readings of the one before.
    const fresh = new MessageReader(new IntentRecognizer(content.intents, settings, undefined, tables), settings, content.phrases);
    let t = performance.now();
    const ours = set.texts.map((text) => readAs(fresh, text));
    const oursMs = performance.now() - t;
    rows.push(row(set, 'project', ours, oursMs));
    if (process.argv.includes('--misses')) {
      for (const [i, text] of set.texts.entries()) if (ours[i] !== set.gold[i]) process.stdout.write(`  miss ${set.name}: "${text}" ${set.gold[i]} → ${ours[i]}\n`);
    }
    if (peer) {
      t = performance.now();
      const theirs: string[] = [];
      for (const text of set.texts) theirs.push(await peer.classify(text));
      rows.push(row(set, peer.name, theirs, performance.now() - t));
    }
  }
  printSideBySide(rows);
  if (peer) {
    const ours = rows.filter((r) => r.system === 'project');
    const theirs = rows.filter((r) => r.system === peer.name);
    const ratio = theirs.reduce((s, r) => s + r.msPerMessage, 0) / ours.reduce((s, r) => s + r.msPerMessage, 0);
    const lead = ours.map((r, i) => (r.report.accuracy - theirs[i]!.report.accuracy) * 100);
    process.stdout.write(`  top-1 lead over ${peer.name}: ${lead.map((l, i) => `${ours[i]!.set} ${l >= 0 ? '+' : ''}${l.toFixed(1)}`).join(', ')} points\n`);
    process.stdout.write(`  time per message: ${peer.name} takes ${ratio.toFixed(1)}× the project's\n`);
  }

  const heldout = sets[0]!;
  printReport('Held-out set test/eval/heldout.yaml, as the bot reads it', evaluate(heldout.gold, heldout.texts.map((t) => readAs(reader, t))), true);
  const decisions = heldout.texts.map((text, i) => ({ gold: heldout.gold[i]!, decision: reader.read(text).decisions[0] }));
  const asked = decisions.filter((d) => d.decision?.kind === 'ambiguous');
  const helped = asked.filter((d) => d.decision?.kind === 'ambiguous' && (d.decision.options as string[]).includes(d.gold));
  process.stdout.write(`  "Mente du …?" asked     ${pct(asked.length / heldout.texts.length)} of utterances; the right intent among the two options in ${helped.length} of ${asked.length}\n`);
  printReport('5-fold cross-validation on the training examples', crossValidate(examples, settings), false);
}

if (require.main === module) void run();
