/** Benchmark 1: start-up, and POST /api/messages (expectReplies) under load, the bot against the echo baseline. */
import { ms, rssKb, sleep, startServer, stopServer, type Server } from './lib';
import { combine, loadTest, pacedTest, printLoad, type LoadResult } from './load';
import { BASELINE, BOT, BOT_ENV, BOT_TSX, log, tempDir, type BenchParams, type Row } from './setup';

/** Max throughput: `rounds` closed-loop runs of each server in turn, after a warm-up of each. */
async function maxThroughput(ours: Server, base: Server, p: BenchParams): Promise<{ oursMax: LoadResult; baseMax: LoadResult; row: Row }> {
  const connections = p.connections;
  await loadTest(ours, 'warm-up bot', p.warmS, { connections });
  await loadTest(base, 'warm-up baseline', p.warmS, { connections });
  const oursRuns: LoadResult[] = [];
  const baseRuns: LoadResult[] = [];
  for (let round = 1; round <= p.rounds; round++) {
    oursRuns.push(await loadTest(ours, `bot, closed loop (max) ${round}/${p.rounds}`, p.loadS, { connections }));
    printLoad(oursRuns.at(-1)!);
    baseRuns.push(await loadTest(base, `baseline, closed loop (max) ${round}/${p.rounds}`, p.loadS, { connections }));
    printLoad(baseRuns.at(-1)!);
  }
  const oursMax = combine('bot, closed loop (max), all rounds', oursRuns);
  const baseMax = combine('baseline, closed loop (max), all rounds', baseRuns);
  printLoad(oursMax);
  printLoad(baseMax);
  const ratio = oursMax.turnsPerS / baseMax.turnsPerS;
  const oursErrors = oursMax.non2xx + oursMax.errors + oursMax.timeouts + oursMax.badBodies;
  log(`  bot throughput = ${ratio.toFixed(2)} × baseline; CPU per turn ${oursMax.cpuMsPerTurn.toFixed(2)} ms vs ${baseMax.cpuMsPerTurn.toFixed(2)} ms (${(baseMax.cpuMsPerTurn / oursMax.cpuMsPerTurn).toFixed(2)} × by CPU)`);
  const row = {
    target: 'throughput ≥ 0.6 × baseline, no errors',
    measured: `${ratio.toFixed(2)} × (${oursMax.turnsPerS.toFixed(0)} vs ${baseMax.turnsPerS.toFixed(0)} turns/s; CPU ${oursMax.cpuMsPerTurn.toFixed(2)} vs ${baseMax.cpuMsPerTurn.toFixed(2)} ms/turn), ${oursErrors} errors`,
    ok: ratio >= 0.6 && oursErrors === 0,
  };
  return { oursMax, baseMax, row };
}

/** Latency at half the bot's max throughput, through autocannon's overallRate and evenly paced. */
async function halfLoad(ours: Server, base: Server, p: BenchParams, oursMax: LoadResult, baseMax: LoadResult): Promise<Row[]> {
  const half = Math.max(1, Math.floor(oursMax.turnsPerS / 2));
  log(`  at half the bot's max throughput (${half} turns/s):`);
  const oursRated = await loadTest(ours, 'bot, autocannon overallRate', p.loadS, { overallRate: half, connections: 8 });
  printLoad(oursRated);
  const baseRated = await loadTest(base, 'baseline, autocannon overallRate', p.loadS, { overallRate: half, connections: 8 });
  printLoad(baseRated);
  const oursPaced = await pacedTest(ours, 'bot, evenly paced', half, p.loadS);
  printLoad(oursPaced);
  const basePaced = await pacedTest(base, 'baseline, evenly paced', half, p.loadS);
  printLoad(basePaced);
  log('  (autocannon sends each connection\'s share at the start of every second, so its "rate" is a burst at full speed;');
  log('   the evenly paced run sends one turn every 1/rate s and measures from the planned send time)');
  log(`  peak RSS under load: bot ${Math.max(oursMax.peakRssMb, oursRated.peakRssMb, oursPaced.peakRssMb).toFixed(0)} MB, baseline ${Math.max(baseMax.peakRssMb, baseRated.peakRssMb, basePaced.peakRssMb).toFixed(0)} MB`);
  return [
    { target: 'p99 ≤ 25 ms at ½ max (autocannon overallRate, 8 conns)', measured: `${ms(oursRated.latency.p99)} (baseline ${ms(baseRated.latency.p99)})`, ok: oursRated.latency.p99 <= 25 },
    { target: 'p99 ≤ 25 ms at ½ max (evenly paced)', measured: `${ms(oursPaced.latency.p99)} (baseline ${ms(basePaced.latency.p99)})`, ok: oursPaced.latency.p99 <= 25 },
  ];
}

export async function benchApi(p: BenchParams): Promise<Row[]> {
  log('\n1. Start-up and POST /api/messages (expectReplies)');
  let ours: Server | undefined;
  let base: Server | undefined;
  try {
    ours = await startServer('bot', BOT, { ...BOT_ENV, DATA_DIR: tempDir('api') }, [], BOT_TSX);
    await sleep(200);
    const oursIdle = rssKb(ours.pid) / 1024;
    log(`  bot start-up (spawn → /readyz 200)    ${ms(ours.startMs)}, idle RSS ${oursIdle.toFixed(0)} MB`);
    base = await startServer('baseline', BASELINE, {});
    await sleep(200);
    log(`  baseline start-up                     ${ms(base.startMs)}, idle RSS ${(rssKb(base.pid) / 1024).toFixed(0)} MB`);
    const rows: Row[] = [{ target: 'start-up ≤ 1.5 s (spawn → /readyz 200)', measured: ms(ours.startMs), ok: ours.startMs <= 1500 }];
    const { oursMax, baseMax, row } = await maxThroughput(ours, base, p);
    rows.push(row, ...(await halfLoad(ours, base, p, oursMax, baseMax)));
    return rows;
  } finally {
    await stopServer(ours);
    await stopServer(base);
  }
}
