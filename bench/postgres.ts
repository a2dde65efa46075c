/**
 * Benchmark 6: STORAGE=postgres. A throwaway PostgreSQL server (test/helpers/postgres.ts: fsync
 * off, trust auth, 127.0.0.1 only), the bot on it as one instance and as two instances on the same
 * database (the built-in Direct Line keeps its conversations there too), each against the echo
 * baseline under the same closed-loop load as the SQLite bot in api.ts. The two instances share
 * the load: one autocannon per instance, half the connections each, at the same time, turns/s
 * summed. No targets: on 2 cores the instances, the database and the load generator share the CPUs.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { PostgresServer } from '../test/helpers/postgres';
import { ms, startServer, stopServer, type Server } from './lib';
import { alternate, errorCount, logVersusBaseline, versusBaseline, type Measured } from './rounds';
import { BASELINE, BOT, BOT_ENV, BOT_TSX, log, tempDir, type BenchParams, type Row } from './setup';

const SHARED_CPUS = 'no target; on 2 cores the bot instances, PostgreSQL and the load generator share the CPUs';

/** The fields of /proc/<pid>/stat after the command name: [0] state, [1] ppid, [11] utime, [12] stime, [13] cutime, [14] cstime (ticks). */
function statFields(pid: string): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** The postmaster of the server on `port`: the `postgres` process started with `-c port=N` (backends rename themselves). */
function postmasterPid(port: number): string | undefined {
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      if (path.basename(argv[0] ?? '') === 'postgres' && argv.includes(`port=${port}`)) return pid;
    } catch {
      // Gone meanwhile.
    }
  }
  return undefined;
}

/**
 * CPU time (ms) PostgreSQL has used so far: the postmaster, its live backends and workers, and the
 * backends that have already exited (the postmaster's cutime/cstime), so a closed pool connection still counts.
 */
function postgresCpuMs(port: number): number {
  const postmaster = postmasterPid(port);
  const own = postmaster ? statFields(postmaster) : undefined;
  if (!postmaster || !own) return NaN;
  let ticks = Number(own[11]) + Number(own[12]) + Number(own[13]) + Number(own[14]);
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    const fields = statFields(pid);
    if (fields?.[1] === postmaster) ticks += Number(fields[11]) + Number(fields[12]);
  }
  // USER_HZ is 100 (see cpuMs in lib.ts).
  return ticks * 10;
}

function unavailableRows(why: string): Row[] {
  return [
    { target: 'PostgreSQL, 1 instance: throughput × baseline', measured: `n/a: ${why}`, ok: undefined },
    { target: 'PostgreSQL, 2 instances, one database: throughput × baseline', measured: `n/a: ${why}`, ok: undefined },
  ];
}

function postgresCpu(m: Measured): string {
  return m.sideCpuMsPerTurn !== undefined && Number.isFinite(m.sideCpuMsPerTurn) ? `; PostgreSQL CPU ${m.sideCpuMsPerTurn.toFixed(2)} ms/turn` : '';
}

function postgresRows(base: Measured, one: Measured, two: Measured, connections: number): Row[] {
  const scaling = two.load.turnsPerS / one.load.turnsPerS;
  log(`  two instances: ${scaling.toFixed(2)} × one instance's turns/s (load split: one autocannon per instance, ${Math.round(connections / 2)} of the ${connections} connections each, at the same time; turns/s summed)`);
  return [
    { target: 'PostgreSQL, 1 instance: throughput × baseline', measured: `${versusBaseline(one.load, base.load)}${postgresCpu(one)}`, ok: undefined, note: SHARED_CPUS },
    {
      target: 'PostgreSQL, 2 instances, one database: throughput × baseline',
      measured: `${versusBaseline(two.load, base.load)}${postgresCpu(two)}; ${scaling.toFixed(2)} × 1 instance`,
      ok: undefined,
      note: `load split: 2 autocannon instances in the bench process at once, ${Math.round(connections / 2)} connections each, turns/s summed; ${SHARED_CPUS}`,
    },
  ];
}

/** The baseline and two bot instances on the database at `url`, each with its own DATA_DIR and the same DIRECTLINE_SECRET. */
async function startServers(url: string, servers: Server[]): Promise<[Server, Server, Server]> {
  const env = { ...BOT_ENV, STORAGE: 'postgres', DATABASE_URL: url, DIRECTLINE_SECRET: randomBytes(24).toString('hex') };
  servers.push(await startServer('baseline', BASELINE, {}));
  // One after the other: the first creates the tables.
  for (const n of [1, 2]) {
    const bot = await startServer(`bot (postgres ${n})`, BOT, { ...env, DATA_DIR: tempDir(`pg-${n}`) }, [], BOT_TSX);
    servers.push(bot);
    log(`  ${`postgres bot ${n} start-up`.padEnd(37)} ${ms(bot.startMs)}`);
  }
  return servers as [Server, Server, Server];
}

export async function benchPostgres(p: BenchParams): Promise<Row[]> {
  log('\n6. PostgreSQL (STORAGE=postgres, Direct Line in the database too): one bot instance, then two on the same database');
  let db: PostgresServer | undefined;
  const servers: Server[] = [];
  try {
    try {
      db = await PostgresServer.start();
    } catch (err) {
      const why = `no PostgreSQL server (${(err instanceof Error ? err.message : String(err)).split('\n')[0]})`;
      log(`  ${why}`);
      return unavailableRows(why);
    }
    const server = db;
    const [base, first, second] = await startServers(await server.createDatabase(), servers);
    const sideCpuMs = (): number => postgresCpuMs(server.port);
    const [baseM, one, two] = (await alternate(
      [
        { label: 'baseline', servers: [base] },
        { label: 'postgres, 1 instance', servers: [first], sideCpuMs },
        { label: 'postgres, 2 instances', servers: [first, second], sideCpuMs },
      ],
      p,
    )) as [Measured, Measured, Measured];
    logVersusBaseline('postgres, 1 instance', one.load, baseM.load);
    logVersusBaseline('postgres, 2 instances', two.load, baseM.load);
    if (errorCount(one.load) + errorCount(two.load) > 0) log('  (errors above: see the runs for non-2xx, timeouts and bodies without activities)');
    return postgresRows(baseM, one, two, p.connections);
  } finally {
    for (const server of servers) await stopServer(server);
    await db?.stop();
  }
}
