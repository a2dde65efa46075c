/**
 * The release before the storage change, b7569de (the last with the slot-file FileStorage), checked
 * out in a temporary git worktree and built as its own `npm run build` builds it, so that the api
 * benchmark can run it beside today's bot in the same run. Our node_modules is linked into it (its
 * dependencies are a subset of ours). The worktree is removed at the end, also after an error or a
 * signal ({@link removeReferenceReleases}, which bench/run.ts calls).
 */
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { lstatSync, mkdtempSync, rmSync, symlinkSync, unlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from './lib';
import { BOT } from './setup';

/** The last commit with FileStorage. */
export const REFERENCE_COMMIT = 'b7569de';

export interface ReferenceRelease {
  commit: string;
  /** The worktree: the server runs with this as its working directory. */
  dir: string;
  /** Its compiled server, as its `npm start` runs it. */
  script: string;
  buildS: number;
  /** What its build-caches step kept (its last line of output). */
  caches: string;
}

/** The release, or why there is none (no git history with the commit, a failed checkout or build). */
export type Reference = ReferenceRelease | { unavailable: string };

interface Worktree {
  parent: string;
  dir: string;
}

const run = promisify(execFile);
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const worktrees = new Set<Worktree>();

function firstLine(err: unknown): string {
  const e = err as { stderr?: string; message?: string };
  const text = (e.stderr?.trim() || e.message || String(err)).split('\n').find((line) => line.trim() !== '');
  return (text ?? 'unknown error').trim().slice(0, 200);
}

/** Undefined when the commit is in this checkout's git history; else why not (e.g. a shallow clone). */
async function whyUnavailable(commit: string): Promise<string | undefined> {
  try {
    await run('git', ['-C', ROOT, 'cat-file', '-e', `${commit}^{commit}`]);
    return undefined;
  } catch (err) {
    let shallow = '';
    try {
      shallow = (await run('git', ['-C', ROOT, 'rev-parse', '--is-shallow-repository'])).stdout.trim() === 'true' ? ' (shallow clone)' : '';
    } catch {
      return `not a git checkout: ${firstLine(err)}`;
    }
    return `commit ${commit} is not in the git history${shallow}`;
  }
}

/** The build under way, if any: its own process group, so that an early end can stop npm, tsc and build-caches at once. */
let building: ChildProcess | undefined;

/**
 * Runs what the release's own `npm run build` runs (tsc -p . --incremental, then dist/scripts/build-caches.js),
 * in its worktree; resolves with build-caches' line of what it kept.
 */
function build(dir: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(NPM, ['run', '--silent', 'build'], { cwd: dir, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, npm_config_update_notifier: 'false' } });
    building = child;
    let output = '';
    const keep = (chunk: Buffer): void => {
      output = (output + chunk.toString()).slice(-4_000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.once('error', reject);
    child.once('close', (code, signal) => {
      building = undefined;
      if (code === 0) return resolve(output.split('\n').find((line) => line.startsWith('build-caches:')) ?? '');
      process.stderr.write(output);
      reject(new Error(`npm run build exited with ${signal ?? code}: ${output.trim().split('\n').at(-1) ?? ''}`));
    });
  });
}

function stopBuild(): void {
  if (building?.pid === undefined || building.exitCode !== null) return;
  try {
    process.kill(-building.pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

/** A worktree of `commit` in a new temp dir, with our node_modules linked in and built. */
export async function prepareReferenceRelease(commit = REFERENCE_COMMIT): Promise<Reference> {
  const unavailable = await whyUnavailable(commit);
  if (unavailable) return { unavailable };
  const parent = mkdtempSync(path.join(os.tmpdir(), 'mitid-bench-ref-'));
  const tree: Worktree = { parent, dir: path.join(parent, commit) };
  worktrees.add(tree);
  try {
    await run('git', ['-C', ROOT, 'worktree', 'add', '--detach', tree.dir, commit]);
  } catch (err) {
    removeWorktree(tree);
    return { unavailable: `git worktree add failed: ${firstLine(err)}` };
  }
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(tree.dir, 'node_modules'), 'dir');
  const started = performance.now();
  try {
    const caches = await build(tree.dir);
    return { commit, dir: tree.dir, script: path.join(tree.dir, BOT), buildS: (performance.now() - started) / 1000, caches };
  } catch (err) {
    removeWorktree(tree);
    return { unavailable: `the build of ${commit} failed: ${firstLine(err)}` };
  }
}

/**
 * Unlinks node_modules first (so nothing can reach ours through the link), then lets git remove
 * the worktree and its record in .git/worktrees, then removes the temp dir.
 */
function removeWorktree(tree: Worktree): void {
  worktrees.delete(tree);
  const link = path.join(tree.dir, 'node_modules');
  try {
    if (lstatSync(link).isSymbolicLink()) unlinkSync(link);
  } catch {
    // Not linked yet.
  }
  try {
    execFileSync('git', ['-C', ROOT, 'worktree', 'remove', '--force', tree.dir], { stdio: 'ignore' });
  } catch {
    // Not added, or already gone.
  }
  rmSync(tree.parent, { recursive: true, force: true });
}

/** Removes one release's worktree now (the api benchmark is done with it). */
export function removeReferenceRelease(release: Reference | undefined): void {
  if (!release || 'unavailable' in release) return;
  for (const tree of [...worktrees]) if (tree.dir === release.dir) removeWorktree(tree);
}

/** Removes every worktree made here; synchronous, so it also works in process 'exit'. */
export function removeReferenceReleases(): void {
  stopBuild();
  for (const tree of [...worktrees]) removeWorktree(tree);
}
