/**
 * End-to-end benchmark of MitID-hjælperen. Prints numbers; asserts nothing.
 *
 *   npx tsx bench/run.ts            full run (~6–9 min on 2 cores)
 *   npx tsx bench/run.ts --quick    short run (~3 min): short loads, 50 widget clients, 10,000 stored conversations
 *   npx tsx bench/run.ts --profile  also takes a CPU profile of the bot under load and prints the top self-time functions
 *   (--only=api,widget,classify,storage,postgres,profile picks parts; --keep-profile=FILE keeps the profile)
 *
 * The parts:
 * - api (api.ts): start-up, and max throughput of the bot (SQLite, the default store) as a ratio to
 *   the echo baseline, in alternating rounds with the last FileStorage release, b7569de, checked out
 *   in a temporary git worktree and built there (reference-release.ts; "n/a" without git history);
 *   then latency at half the max;
 * - widget (widget.ts), classify (classify.ts);
 * - storage (stored.ts): RSS and start-up with 10,000 and 100,000 conversations stored in SQLite;
 * - postgres (postgres.ts): STORAGE=postgres on a throwaway PostgreSQL server, one bot instance and
 *   two on the same database, as ratios to the baseline (no targets: on 2 cores they share the CPUs);
 * - profile (profile.ts): only with --profile or --only=profile.
 * This file runs them (rounds.ts alternates the servers of a max-throughput measurement) and prints
 * the summary. All traffic goes to 127.0.0.1. Every child process is stopped, and every temp dir,
 * git worktree and PostgreSQL server removed at the end, also after an error or a signal.
 */
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { benchApi } from './api';
import { classifySection } from './classify';
import { killAllNow, ROOT, stopAll } from './lib';
import { benchPostgres } from './postgres';
import { benchProfile } from './profile';
import { removeReferenceReleases } from './reference-release';
import { SCRIPTS } from './scripts';
import { BASELINE, benchParams, BOT, log, removeTempDirs, type BenchParams, type Row } from './setup';
import { benchStored } from './stored';
import { benchWidget } from './widget';

const args = process.argv.slice(2);
const QUICK = args.includes('--quick');
const onlyArg = args.find((a) => a.startsWith('--only='))?.slice('--only='.length);
/** --keep-profile=FILE copies the CPU profile there, for DevTools or a closer look. */
const KEEP_PROFILE = args.find((a) => a.startsWith('--keep-profile='))?.slice('--keep-profile='.length);
const PARTS = new Set(onlyArg ? onlyArg.split(',') : ['api', 'widget', 'classify', 'storage', 'postgres', ...(args.includes('--profile') ? ['profile'] : [])]);
const KNOWN_PARTS = ['api', 'widget', 'classify', 'storage', 'postgres', 'profile'];
const unknownParts = [...PARTS].filter((part) => !KNOWN_PARTS.includes(part));
if (unknownParts.length > 0) {
  process.stderr.write(`unknown part(s) in --only: ${unknownParts.join(', ')} (known: ${KNOWN_PARTS.join(', ')})\n`);
  process.exit(2);
}

/** The servers run as `npm start` runs them, so dist/ must match src/ (tsc is incremental). */
function build(): void {
  const built = performance.now();
  execFileSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: 'inherit' });
  log(`  bot: ${BOT} (built by npm run build in ${((performance.now() - built) / 1000).toFixed(1)} s), as npm start runs it; baseline: ${BASELINE} through tsx`);
}

function printSummary(rows: Row[], runStart: number): void {
  log(`\nSummary (${QUICK ? 'QUICK run: short loads, fewer clients and stored conversations' : 'full run'}; ${((performance.now() - runStart) / 1000).toFixed(0)} s)`);
  const width = Math.max(...rows.map((r) => r.target.length));
  for (const r of rows) {
    const mark = r.ok === undefined ? 'n/a' : r.ok ? 'ok' : 'MISSED';
    log(`  ${r.target.padEnd(width)}  ${mark.padEnd(6)}  ${r.measured}${r.note ? `  [${r.note}]` : ''}`);
  }
}

async function main(): Promise<void> {
  const runStart = performance.now();
  const p: BenchParams = benchParams(QUICK);
  log(`MitID-hjælperen benchmark (${QUICK ? 'QUICK' : 'full'}) — node ${process.version}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${new Date().toISOString()}`);
  log(`  load: ${p.loadS} s per run after ${p.warmS} s warm-up, ${p.connections} connections (each a citizen walking 6-turn scripts, ${SCRIPTS.length} scripts)`);
  const rows: Row[] = [];
  if (['api', 'widget', 'storage', 'postgres', 'profile'].some((part) => PARTS.has(part))) build();
  if (PARTS.has('api')) rows.push(...(await benchApi(p)));
  if (PARTS.has('widget')) rows.push(...(await benchWidget(p)));
  if (PARTS.has('classify')) rows.push(...classifySection(p.classifyRounds));
  if (PARTS.has('storage')) rows.push(...(await benchStored(p)));
  if (PARTS.has('postgres')) rows.push(...(await benchPostgres(p)));
  if (PARTS.has('profile')) await benchProfile(p, KEEP_PROFILE);
  printSummary(rows, runStart);
}

process.on('exit', () => {
  killAllNow();
  removeReferenceReleases();
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void stopAll().finally(() => {
      removeReferenceReleases();
      removeTempDirs();
      process.exit(130);
    });
  });
}

main()
  .catch((err: unknown) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  })
  .finally(async () => {
    await stopAll();
    removeReferenceReleases();
    removeTempDirs();
  });
