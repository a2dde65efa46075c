/**
 * Classifier speed: training time at start-up and time per message, measured over the
 * held-out utterances (many rounds, after a warm-up). Prints numbers; asserts nothing.
 */
import path from 'node:path';
import { heldoutSchema } from '../src/content/check-content';
import { defaultContentRoot, loadContent } from '../src/content/load-content';
import { loadYaml } from '../src/content/yaml';
import { IntentRecognizer } from '../src/nlu/recognizer';
import { ms } from './lib';
import { log, type Row } from './setup';

export interface ClassifyBenchResult {
  loadMs: number;
  trainMs: number;
  messages: number;
  medianMs: number;
  p99Ms: number;
}

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

export function benchClassify(rounds = 20): ClassifyBenchResult {
  const root = defaultContentRoot();
  const loadStart = performance.now();
  const content = loadContent(root);
  const loadMs = performance.now() - loadStart;
  const trainStart = performance.now();
  const recognizer = new IntentRecognizer(content.intents, content.classifier);
  const trainMs = performance.now() - trainStart;

  const texts = loadYaml(path.join(root, 'test', 'eval', 'heldout.yaml'), heldoutSchema).data.utterances.map((u) => u.text);
  for (const text of texts) recognizer.decide(recognizer.recognizeAfresh(text)); // warm-up
  const times: number[] = [];
  for (let round = 0; round < rounds; round++) {
    for (const text of texts) {
      const start = performance.now();
      recognizer.decide(recognizer.recognizeAfresh(text));
      times.push(performance.now() - start);
    }
  }
  times.sort((a, b) => a - b);
  return { loadMs, trainMs, messages: times.length, medianMs: quantile(times, 0.5), p99Ms: quantile(times, 0.99) };
}

/** Benchmark 3 of bench/run.ts: the classifier in this process, against its targets. */
export function classifySection(rounds: number): Row[] {
  log('\n3. Classifier (bench/classify.ts, in this process)');
  const c = benchClassify(rounds);
  log(`  load content ${ms(c.loadMs)}; train ${ms(c.trainMs)}; classify median ${(c.medianMs * 1000).toFixed(0)} µs, p99 ${(c.p99Ms * 1000).toFixed(0)} µs over ${c.messages} messages`);
  return [
    { target: 'classification median ≤ 0.2 ms', measured: `${(c.medianMs * 1000).toFixed(0)} µs (p99 ${(c.p99Ms * 1000).toFixed(0)} µs)`, ok: c.medianMs <= 0.2 },
    { target: 'training ≤ 1 s', measured: ms(c.trainMs), ok: c.trainMs <= 1000 },
  ];
}

if (require.main === module) {
  const r = benchClassify();
  process.stdout.write(
    [
      'Classifier (intents/faq.yaml + out-of-scope.yaml)',
      `  load content (YAML + zod)   ${r.loadMs.toFixed(1)} ms`,
      `  train at start-up           ${r.trainMs.toFixed(1)} ms`,
      `  classify one message        median ${(r.medianMs * 1000).toFixed(0)} µs, p99 ${(r.p99Ms * 1000).toFixed(0)} µs over ${r.messages} messages`,
    ].join('\n') + '\n',
  );
}
