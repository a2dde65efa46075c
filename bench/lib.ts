/** Helpers for bench/run.ts: child processes, RSS sampling, percentiles, HTTP without keep-alive surprises. */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '..');

/** Every child started here, so they can all be stopped on exit or error. */
const children = new Set<ChildProcess>();

export interface Server {
  name: string;
  child: ChildProcess;
  pid: number;
  url: string;
  port: number;
  /** Spawn → first GET /readyz 200, in ms. */
  startMs: number;
  output: () => string;
}

/** A port that was free a moment ago (the bot must log at warn, so it cannot tell us a PORT=0 port). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

function getStatus(url: string): Promise<number> {
  return new Promise((resolve) => {
    const req = http.get(url, { agent: false, timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', () => resolve(0));
    req.on('timeout', () => {
      req.destroy();
      resolve(0);
    });
  });
}

/**
 * Spawns `node [nodeArgs] script` with env in `cwd`, then polls GET /readyz every 10 ms until 200.
 * Start-up time is spawn → that first 200.
 */
export async function startServer(name: string, script: string, env: Record<string, string>, nodeArgs: string[] = [], useTsx = true, cwd = ROOT): Promise<Server> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, ['--disable-warning=DEP0111', ...nodeArgs, ...(useTsx ? ['--import', 'tsx'] : []), script], {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000)));
  child.stderr?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${name} exited before it was ready:\n${output}`);
    if ((await getStatus(`${url}/readyz`)) === 200) break;
    if (Date.now() > deadline) throw new Error(`${name} not ready after 30 s:\n${output}`);
    await sleep(10);
  }
  const startMs = performance.now() - started;
  // Cross-check the port with the log line when there is one (the baseline prints it; the bot does at LOG_LEVEL=info).
  const logged = /"port":(\d+)/.exec(output);
  if (logged && Number(logged[1]) !== port) throw new Error(`${name} logged port ${logged[1]}, expected ${port}`);
  return { name, child, pid: child.pid!, url, port, startMs, output: () => output };
}

/** SIGTERM, then SIGKILL after `graceMs`. Resolves when the child is gone. */
export async function stopServer(server: Server | undefined, graceMs = 5000): Promise<void> {
  if (!server) return;
  await stopChild(server.child, graceMs);
}

async function stopChild(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await gone;
  clearTimeout(timer);
}

export async function stopAll(): Promise<void> {
  await Promise.all([...children].map((child) => stopChild(child, 3000)));
}

/** Kills the children synchronously (for process 'exit'). */
export function killAllNow(): void {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}

export function rssKb(pid: number): number {
  try {
    const match = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

/**
 * CPU time (user + system, all threads) the process has used so far, in ms. Per turn, this is
 * steadier than turns/s on a shared machine: it does not count time spent waiting for a core.
 */
export function cpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may hold spaces; the numeric fields start after its closing parenthesis (field 3 on).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_S;
  } catch {
    return NaN;
  }
}

/** USER_HZ: 100 on every Linux build in practice (`getconf CLK_TCK`). */
const CLOCK_TICKS_PER_S = 100;

/** Samples VmRSS every 100 ms; `peakMb` is the highest sample so far. */
export class RssSampler {
  private peak = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly pid: number) {
    this.sample();
    this.timer = setInterval(() => this.sample(), 100);
  }

  private sample(): void {
    this.peak = Math.max(this.peak, rssKb(this.pid));
  }

  get peakMb(): number {
    return this.peak / 1024;
  }

  get nowMb(): number {
    return rssKb(this.pid) / 1024;
  }

  reset(): void {
    this.peak = rssKb(this.pid);
  }

  stop(): number {
    this.sample();
    clearInterval(this.timer);
    return this.peakMb;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Nearest-rank quantile of an ascending array. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

export interface Latencies {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export function summarise(values: number[]): Latencies {
  const sorted = [...values].sort((a, b) => a - b);
  return { count: sorted.length, p50: quantile(sorted, 0.5), p95: quantile(sorted, 0.95), p99: quantile(sorted, 0.99), max: sorted[sorted.length - 1] ?? NaN };
}

export const ms = (value: number): string => (Number.isFinite(value) ? `${value.toFixed(value < 10 ? 2 : 1)} ms` : 'n/a');
