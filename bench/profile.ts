/** Benchmark 5: a CPU profile of the bot under the closed-loop load, and the functions with the most self time. */
import { copyFileSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT, startServer, stopServer } from './lib';
import { loadTest, printLoad } from './load';
import { BOT, BOT_ENV, BOT_TSX, log, tempDir, type BenchParams } from './setup';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

/** Self time per function over the samples taken between `fromUs` and `toUs` (CLOCK_MONOTONIC µs, as process.hrtime). */
function topSelfTime(file: string, fromUs: number, toUs: number, top = 10): Array<{ name: string; where: string; selfMs: number; pct: number }> {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[]; startTime: number };
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  let total = 0;
  let at = profile.startTime;
  profile.samples.forEach((id, i) => {
    const dt = (profile.timeDeltas[i] ?? 0) / 1000;
    at += profile.timeDeltas[i] ?? 0;
    const node = byId.get(id);
    if (!node || at < fromUs || at > toUs) return;
    const { functionName, url, lineNumber } = node.callFrame;
    const where = url ? `${url.replace(`file://${ROOT}/`, '').replace(/^.*node_modules\//, 'node_modules/')}:${lineNumber + 1}` : '';
    const key = `${functionName || '(anonymous)'}\t${where}`;
    self.set(key, (self.get(key) ?? 0) + dt);
    total += dt;
  });
  return [...self.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([key, selfMs]) => {
      const [name, where] = key.split('\t') as [string, string];
      return { name, where, selfMs, pct: (100 * selfMs) / total };
    });
}

/** `keepProfile`: where to copy the profile (--keep-profile=FILE), for DevTools or a closer look. */
export async function benchProfile(p: BenchParams, keepProfile: string | undefined): Promise<void> {
  log(`\n5. CPU profile of the bot under closed-loop load (${p.profileS} s)`);
  const profDir = tempDir('prof');
  const window = [0, Number.MAX_SAFE_INTEGER];
  const bot = await startServer('bot (profiled)', BOT, { ...BOT_ENV, DATA_DIR: tempDir('prof-data') }, ['--cpu-prof', `--cpu-prof-dir=${profDir}`], BOT_TSX);
  try {
    await loadTest(bot, 'warm-up', p.warmS, { connections: p.connections });
    window[0] = Number(process.hrtime.bigint() / 1000n);
    printLoad(await loadTest(bot, 'bot under --cpu-prof', p.profileS, { connections: p.connections }));
    window[1] = Number(process.hrtime.bigint() / 1000n);
  } finally {
    await stopServer(bot, 15_000);
  }
  const file = readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) {
    log('  no profile was written');
    return;
  }
  if (keepProfile) {
    copyFileSync(path.join(profDir, file), keepProfile);
    log(`  profile kept in ${keepProfile} (open it in Chrome DevTools → Performance)`);
  }
  log('  top self time during the measured load (start-up and warm-up left out):');
  for (const t of topSelfTime(path.join(profDir, file), window[0]!, window[1]!)) log(`  ${t.pct.toFixed(1).padStart(5)} %  ${t.selfMs.toFixed(0).padStart(6)} ms  ${t.name}  ${t.where}`);
}
