/**
 * Benchmark 1: start-up, and POST /api/messages (expectReplies) under load: the bot (SQLite, the
 * default store) against the echo baseline and against the last FileStorage release (reference-release.ts).
 */
import { ms, rssKb, sleep, startServer, stopServer, type Server } from './lib';
import { loadTest, pacedTest, printLoad, type LoadResult } from './load';
import { prepareReferenceRelease, REFERENCE_COMMIT, removeReferenceRelease, type Reference } from './reference-release';
import { alternate, errorCount, logVersusBaseline, versusBaseline, type Contender } from './rounds';
import { BASELINE, BOT, BOT_ENV, BOT_TSX, log, tempDir, type BenchParams, type Row } from './setup';

/** The summary's rows on max throughput: today's bot (SQLite) against the baseline, and against the FileStorage release. */
function throughputRows(base: LoadResult, ours: LoadResult, old: LoadResult | undefined, reference: Reference): Row[] {
  const ratio = ours.turnsPerS / base.turnsPerS;
  const rows: Row[] = [{ target: 'throughput ≥ 0.6 × baseline, no errors', measured: versusBaseline(ours, base), ok: ratio >= 0.6 && errorCount(ours) === 0 }];
  const sameRun = 'SQLite throughput ≥ FileStorage (same run)';
  if (!old || 'unavailable' in reference) {
    const why = 'unavailable' in reference ? reference.unavailable : 'not measured';
    rows.push({ target: `FileStorage release ${REFERENCE_COMMIT} throughput × baseline`, measured: `n/a: ${why}`, ok: undefined }, { target: sameRun, measured: `n/a (SQLite ${ratio.toFixed(2)} × baseline)`, ok: undefined });
    return rows;
  }
  const oldRatio = old.turnsPerS / base.turnsPerS;
  rows.push(
    { target: `FileStorage release ${REFERENCE_COMMIT} throughput × baseline`, measured: versusBaseline(old, base), ok: undefined },
    {
      target: sameRun,
      measured: `SQLite ${ratio.toFixed(2)} × vs FileStorage ${oldRatio.toFixed(2)} × baseline (${((ratio / oldRatio - 1) * 100).toFixed(1)} %; CPU ${ours.cpuMsPerTurn.toFixed(2)} vs ${old.cpuMsPerTurn.toFixed(2)} ms/turn)`,
      ok: ratio >= oldRatio && errorCount(ours) === 0,
    },
  );
  return rows;
}

/** Max throughput: `rounds` closed-loop runs of the baseline, the bot and the FileStorage release (if there is one) in turn, after the same warm-up of each. */
async function maxThroughput(servers: ApiServers, reference: Reference, p: BenchParams): Promise<{ oursMax: LoadResult; baseMax: LoadResult; rows: Row[] }> {
  const contenders: Contender[] = [
    { label: 'baseline', servers: [servers.base] },
    { label: 'bot (SQLite)', servers: [servers.ours] },
    ...(servers.old ? [{ label: `FileStorage ${REFERENCE_COMMIT}`, servers: [servers.old] }] : []),
  ];
  const [base, ours, old] = (await alternate(contenders, p)).map((m) => m.load) as [LoadResult, LoadResult, LoadResult | undefined];
  logVersusBaseline('bot (SQLite)', ours, base);
  if (old) logVersusBaseline(`FileStorage ${REFERENCE_COMMIT}`, old, base);
  return { oursMax: ours, baseMax: base, rows: throughputRows(base, ours, old, reference) };
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

interface ApiServers {
  ours: Server;
  base: Server;
  /** The FileStorage release, when its worktree could be made. */
  old?: Server;
}

async function startApiServers(reference: Reference, servers: Partial<ApiServers>): Promise<ApiServers> {
  const ours = (servers.ours = await startServer('bot', BOT, { ...BOT_ENV, DATA_DIR: tempDir('api') }, [], BOT_TSX));
  await sleep(200);
  log(`  ${'bot start-up (spawn → /readyz 200)'.padEnd(37)} ${ms(ours.startMs)}, idle RSS ${(rssKb(ours.pid) / 1024).toFixed(0)} MB`);
  const base = (servers.base = await startServer('baseline', BASELINE, {}));
  await sleep(200);
  log(`  ${'baseline start-up'.padEnd(37)} ${ms(base.startMs)}, idle RSS ${(rssKb(base.pid) / 1024).toFixed(0)} MB`);
  if ('unavailable' in reference) {
    log(`  FileStorage release ${REFERENCE_COMMIT}: n/a (${reference.unavailable})`);
    return { ours, base };
  }
  const old = (servers.old = await startServer(`FileStorage ${REFERENCE_COMMIT}`, reference.script, { ...BOT_ENV, DATA_DIR: tempDir('api-file') }, [], BOT_TSX, reference.dir));
  await sleep(200);
  log(`  ${`FileStorage ${REFERENCE_COMMIT} start-up`.padEnd(37)} ${ms(old.startMs)}, idle RSS ${(rssKb(old.pid) / 1024).toFixed(0)} MB`);
  return { ours, base, old };
}

export async function benchApi(p: BenchParams): Promise<Row[]> {
  log('\n1. Start-up and POST /api/messages (expectReplies): the bot (SQLite), the echo baseline and the FileStorage release');
  const started: Partial<ApiServers> = {};
  let reference: Reference | undefined;
  try {
    reference = await prepareReferenceRelease();
    if (!('unavailable' in reference)) log(`  FileStorage release: git worktree of ${reference.commit} in ${reference.dir}, built by its npm run build in ${reference.buildS.toFixed(1)} s (${reference.caches || 'no build-caches line'})`);
    const servers = await startApiServers(reference, started);
    const rows: Row[] = [{ target: 'start-up ≤ 1.5 s (spawn → /readyz 200)', measured: ms(servers.ours.startMs), ok: servers.ours.startMs <= 1500 }];
    const { oursMax, baseMax, rows: throughput } = await maxThroughput(servers, reference, p);
    rows.push(...throughput, ...(await halfLoad(servers.ours, servers.base, p, oursMax, baseMax)));
    return rows;
  } finally {
    await stopServer(started.ours);
    await stopServer(started.base);
    await stopServer(started.old);
    removeReferenceRelease(reference);
  }
}
