/**
 * Closed-loop max throughput of several contenders measured in alternating rounds, so that a slow
 * spell of this shared machine hits them alike. A contender is one server, or several that share
 * the load (one autocannon per server, the connections split between them, run at the same time).
 */
import { cpuMs, type Server } from './lib';
import { combine, loadTest, printLoad, type LoadResult } from './load';
import { log, type BenchParams } from './setup';

export interface Contender {
  label: string;
  servers: Server[];
  /** CPU time (ms) of processes besides the servers that the turns cost, e.g. the database's; sampled around each run. */
  sideCpuMs?: () => number;
}

export interface Measured {
  contender: Contender;
  /** All rounds as one (turns/s averaged over the rounds). */
  load: LoadResult;
  /** {@link Contender.sideCpuMs} per answered turn. */
  sideCpuMsPerTurn?: number;
}

/** Runs at the same time, one per server, as one: turns/s and errors summed, worst latencies and RSS. */
function parallel(label: string, runs: LoadResult[]): LoadResult {
  return { ...combine(label, runs), turnsPerS: runs.reduce((total, r) => total + r.turnsPerS, 0) };
}

/** One closed-loop run of a contender: `connections` in all, split evenly between its servers. */
export async function closedLoop(contender: Contender, label: string, durationS: number, connections: number): Promise<LoadResult> {
  const { servers } = contender;
  if (servers.length === 1) return loadTest(servers[0]!, label, durationS, { connections });
  const share = Math.max(1, Math.round(connections / servers.length));
  const runs = await Promise.all(servers.map((server, i) => loadTest(server, `${label} [${i + 1}]`, durationS, { connections: share })));
  return parallel(label, runs);
}

/** Every distinct server gets the same warm-up: a closed-loop run at full connections. */
async function warmUp(contenders: Contender[], p: BenchParams): Promise<void> {
  const warmed = new Set<Server>();
  for (const contender of contenders) {
    for (const server of contender.servers) {
      if (warmed.has(server)) continue;
      warmed.add(server);
      await loadTest(server, `warm-up ${server.name}`, p.warmS, { connections: p.connections });
    }
  }
}

/** After the warm-up, `p.rounds` rounds of one closed-loop run of each contender in turn; prints every run and the totals. */
export async function alternate(contenders: Contender[], p: BenchParams): Promise<Measured[]> {
  await warmUp(contenders, p);
  const runs = contenders.map(() => [] as LoadResult[]);
  const side = contenders.map(() => 0);
  for (let round = 1; round <= p.rounds; round++) {
    for (const [i, contender] of contenders.entries()) {
      const before = contender.sideCpuMs?.() ?? 0;
      const run = await closedLoop(contender, `${contender.label}, closed loop (max) ${round}/${p.rounds}`, p.loadS, p.connections);
      side[i]! += (contender.sideCpuMs?.() ?? 0) - before;
      runs[i]!.push(run);
      printLoad(run);
    }
  }
  return contenders.map((contender, i) => {
    const load = combine(`${contender.label}, closed loop (max), all rounds`, runs[i]!);
    printLoad(load);
    return { contender, load, sideCpuMsPerTurn: contender.sideCpuMs ? side[i]! / Math.max(1, load.responses) : undefined };
  });
}

/** Non-2xx, errors, timeouts and bodies without activities, all together. */
export function errorCount(r: LoadResult): number {
  return r.non2xx + r.errors + r.timeouts + r.badBodies;
}

/** "0.58 × (812 vs 1400 turns/s; CPU 2.10 vs 1.05 ms/turn), 0 errors": a contender against the baseline. */
export function versusBaseline(ours: LoadResult, base: LoadResult): string {
  const ratio = ours.turnsPerS / base.turnsPerS;
  return `${ratio.toFixed(2)} × (${ours.turnsPerS.toFixed(0)} vs ${base.turnsPerS.toFixed(0)} turns/s; CPU ${ours.cpuMsPerTurn.toFixed(2)} vs ${base.cpuMsPerTurn.toFixed(2)} ms/turn), ${errorCount(ours)} errors`;
}

export function logVersusBaseline(label: string, ours: LoadResult, base: LoadResult): void {
  const ratio = ours.turnsPerS / base.turnsPerS;
  log(`  ${label} throughput = ${ratio.toFixed(2)} × baseline; CPU per turn ${ours.cpuMsPerTurn.toFixed(2)} ms vs ${base.cpuMsPerTurn.toFixed(2)} ms (${(base.cpuMsPerTurn / ours.cpuMsPerTurn).toFixed(2)} × by CPU)`);
}
