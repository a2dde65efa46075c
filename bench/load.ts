/** Load on POST /api/messages: closed loop (max throughput), autocannon's overallRate, and evenly paced. */
import http from 'node:http';
import autocannon from 'autocannon';
import { activityBody, nextCitizen, TURNS_PER_SCRIPT } from './citizens';
import { cpuMs, ms, RssSampler, sleep, summarise, type Latencies, type Server } from './lib';
import { SCRIPTS } from './scripts';
import { log } from './setup';

export interface LoadResult {
  label: string;
  turnsPerS: number;
  responses: number;
  latency: Latencies;
  non2xx: number;
  errors: number;
  timeouts: number;
  /** 200s whose body held no `activities` (expectReplies must always answer with them). */
  badBodies: number;
  peakRssMb: number;
  /** The server's CPU time (all threads) per answered turn. */
  cpuMsPerTurn: number;
  offered?: number;
}

function runPrefix(label: string): string {
  return `${label.replace(/\W+/g, '-')}-${Date.now().toString(36)}`;
}

/** autocannon's requests: one per turn of a script; it loops back to the first, a new citizen. */
function scriptRequests(prefix: string, onBadBody: () => void): autocannon.Request[] {
  const requests: autocannon.Request[] = [];
  for (let turn = 0; turn < TURNS_PER_SCRIPT; turn++) {
    requests.push({
      method: 'POST',
      path: '/api/messages',
      headers: { 'content-type': 'application/json' },
      setupRequest: (req, context) => {
        // autocannon resets the context when it loops back to the first request: a new citizen.
        if (turn === 0 || typeof context.conversationId !== 'string') {
          const n = nextCitizen();
          context.conversationId = `${prefix}-${n}`;
          context.script = n % SCRIPTS.length;
        }
        const text = SCRIPTS[context.script as number]![turn]!;
        return { ...req, body: activityBody(context.conversationId as string, text) };
      },
      onResponse: (status, body) => {
        if (status === 200 && !body.includes('"activities"')) onBadBody();
      },
    });
  }
  return requests;
}

/** `connections` citizens at once through autocannon, each as fast as the server answers (or at `overallRate` in all). */
export async function loadTest(server: Server, label: string, durationS: number, opts: { connections: number; overallRate?: number }): Promise<LoadResult> {
  let badBodies = 0;
  const requests = scriptRequests(runPrefix(label), () => badBodies++);
  const times: number[] = [];
  const rss = new RssSampler(server.pid);
  const cpuBefore = cpuMs(server.pid);
  const started = performance.now();
  const instance = autocannon({
    url: server.url,
    connections: opts.connections,
    duration: durationS,
    timeout: 10,
    requests,
    ...(opts.overallRate ? { overallRate: opts.overallRate } : {}),
  });
  instance.on('response', (_client: unknown, status: number, _bytes: number, responseTime: number) => {
    if (status >= 200 && status < 300) times.push(responseTime);
  });
  const result = await instance;
  const elapsedS = (performance.now() - started) / 1000;
  const peakRssMb = rss.stop();
  return {
    label,
    turnsPerS: result['2xx'] / Math.min(elapsedS, result.duration || elapsedS),
    responses: result['2xx'],
    latency: summarise(times),
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    badBodies,
    peakRssMb,
    cpuMsPerTurn: (cpuMs(server.pid) - cpuBefore) / Math.max(1, result['2xx']),
    offered: opts.overallRate,
  };
}

interface PacedCitizen {
  id: string;
  script: number;
  turn: number;
}

interface PacedTally {
  times: number[];
  non2xx: number;
  errors: number;
  badBodies: number;
}

/** One paced turn: its latency counts from the planned send time; a citizen with turns left waits for its next. */
function sendPaced(url: string, agent: http.Agent, citizen: PacedCitizen, planned: number, tally: PacedTally, idle: PacedCitizen[]): Promise<void> {
  const body = activityBody(citizen.id, SCRIPTS[citizen.script]![citizen.turn]!);
  return new Promise<void>((resolve) => {
    const req = http.request(
      `${url}/api/messages`,
      { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }, timeout: 10_000 },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) {
            tally.times.push(performance.now() - planned);
            if (!text.includes('"activities"')) tally.badBodies++;
          } else tally.non2xx++;
          citizen.turn++;
          if (citizen.turn < TURNS_PER_SCRIPT) idle.push(citizen);
          resolve();
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => {
      tally.errors++;
      resolve();
    });
    req.end(body);
  });
}

/**
 * Open loop, evenly paced: one turn every 1/rate s (autocannon's overallRate sends each
 * connection's share at the start of every second, which is a burst, not a steady load).
 * Latency is measured from the planned send time. Citizens still take turns one at a time.
 */
export async function pacedTest(server: Server, label: string, rate: number, durationS: number): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1024 });
  const prefix = runPrefix(label);
  const idle: PacedCitizen[] = [];
  const tally: PacedTally = { times: [], non2xx: 0, errors: 0, badBodies: 0 };
  const pending = new Set<Promise<void>>();
  const rss = new RssSampler(server.pid);
  const cpuBefore = cpuMs(server.pid);
  const total = Math.round(rate * durationS);
  const start = performance.now();

  for (let i = 0; i < total; i++) {
    const planned = start + (i * 1000) / rate;
    const wait = planned - performance.now();
    if (wait > 1) await sleep(wait);
    let citizen = idle.pop();
    if (!citizen) {
      const n = nextCitizen();
      citizen = { id: `${prefix}-${n}`, script: n % SCRIPTS.length, turn: 0 };
    }
    const p = sendPaced(server.url, agent, citizen, planned, tally, idle);
    pending.add(p);
    void p.then(() => pending.delete(p));
  }
  await Promise.all([...pending]);
  const elapsedS = (performance.now() - start) / 1000;
  agent.destroy();
  const { times, non2xx, errors, badBodies } = tally;
  return { label, turnsPerS: times.length / elapsedS, responses: times.length, latency: summarise(times), non2xx, errors, timeouts: 0, badBodies, peakRssMb: rss.stop(), cpuMsPerTurn: (cpuMs(server.pid) - cpuBefore) / Math.max(1, times.length), offered: rate };
}

/** Runs of equal length as one: turns/s and CPU per turn over all of them, worst latencies and RSS. */
export function combine(label: string, runs: LoadResult[]): LoadResult {
  const responses = runs.reduce((sum, r) => sum + r.responses, 0);
  const sum = (pick: (r: LoadResult) => number): number => runs.reduce((total, r) => total + pick(r), 0);
  const worst = (pick: (r: LoadResult) => number): number => Math.max(...runs.map(pick));
  return {
    label,
    turnsPerS: sum((r) => r.turnsPerS) / runs.length,
    responses,
    latency: { count: sum((r) => r.latency.count), p50: worst((r) => r.latency.p50), p95: worst((r) => r.latency.p95), p99: worst((r) => r.latency.p99), max: worst((r) => r.latency.max) },
    non2xx: sum((r) => r.non2xx),
    errors: sum((r) => r.errors),
    timeouts: sum((r) => r.timeouts),
    badBodies: sum((r) => r.badBodies),
    peakRssMb: worst((r) => r.peakRssMb),
    cpuMsPerTurn: sum((r) => r.cpuMsPerTurn * r.responses) / responses,
  };
}

export function printLoad(r: LoadResult): void {
  const offered = r.offered ? ` (offered ${r.offered}/s)` : '';
  log(
    `  ${r.label.padEnd(52)} ${r.turnsPerS.toFixed(0).padStart(5)} turns/s${offered}  p50 ${ms(r.latency.p50)}  p95 ${ms(r.latency.p95)}  p99 ${ms(r.latency.p99)}  ` +
      `non-2xx ${r.non2xx}  errors ${r.errors + r.timeouts}  bad bodies ${r.badBodies}  CPU ${r.cpuMsPerTurn.toFixed(2)} ms/turn  peak RSS ${r.peakRssMb.toFixed(0)} MB`,
  );
}
