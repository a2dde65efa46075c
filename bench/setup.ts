/** What the benchmarks of bench/run.ts share: their parameters, the servers they start, temp dirs, output and the summary's rows. */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** One line of the summary: a target, what was measured, and whether it was met (undefined when the run was too small to say). */
export interface Row {
  target: string;
  measured: string;
  ok: boolean | undefined;
  note?: string;
}

export interface BenchParams {
  quick: boolean;
  warmS: number;
  loadS: number;
  rounds: number;
  connections: number;
  widgetClients: number;
  widgetMessages: number;
  storedCounts: number[];
  storedTurns: number;
  classifyRounds: number;
  profileS: number;
}

// Warm-up: V8 needs some thousands of turns before the bot's code runs optimised (CPU per turn
// still fell by a third between the 2nd and the 10th second of load); both servers get the same.
// Max throughput is measured in `rounds` alternating runs of each server, so that a slow spell of
// this shared machine hits both alike; the ratio is over the sums.
export function benchParams(quick: boolean): BenchParams {
  return quick
    ? { quick, warmS: 4, loadS: 4, rounds: 3, connections: 32, widgetClients: 50, widgetMessages: 3, storedCounts: [10_000], storedTurns: 100, classifyRounds: 5, profileS: 5 }
    : { quick, warmS: 10, loadS: 8, rounds: 3, connections: 32, widgetClients: 500, widgetMessages: 4, storedCounts: [10_000, 100_000], storedTurns: 300, classifyRounds: 20, profileS: 15 };
}

/** What `npm start` runs: the compiled server (built at the start of the run), not tsx. */
export const BOT = path.join('dist', 'src', 'main.js');
export const BOT_TSX = false;
export const BASELINE = path.join('bench', 'baseline-echo-bot.ts');
export const BOT_ENV = { LOG_LEVEL: 'warn' };

const tempDirs: string[] = [];

/** A new temp dir, removed by {@link removeTempDirs} at the end of the run. */
export function tempDir(label: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), `mitid-bench-${label}-`));
  tempDirs.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
}

export function log(line = ''): void {
  process.stdout.write(`${line}\n`);
}
