import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { freePort } from './free-port';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

/** The folder with initdb and postgres: PG_BIN, else the highest version under /usr/lib/postgresql. */
function binaries(): string {
  if (process.env.PG_BIN) return process.env.PG_BIN;
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((name) => existsSync(path.join(root, name, 'bin', 'postgres')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (!versions[0]) throw new Error('PostgreSQL is not installed: run `bash scripts/ensure-postgres.sh` or set PG_BIN');
  return path.join(root, versions[0], 'bin');
}

/** Postgres refuses to run as root, so as root the server runs as the `postgres` system user. */
function serverUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string): number => Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim());
  const uid = id('-u');
  const gid = id('-g');
  if (!Number.isInteger(uid) || uid <= 0) throw new Error('running as root, but there is no `postgres` user to run the server as');
  return { uid, gid };
}

/** The environment without libpq's PG* variables, which would steer initdb and the server. */
function cleanEnv(): NodeJS.ProcessEnv {
  return { ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('PG'))), LC_ALL: 'C', LANG: 'C' };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

let databases = 0;

/**
 * A throwaway PostgreSQL server for tests: a fresh cluster in a temp folder (trust auth, fsync
 * off), on 127.0.0.1 only, with its socket in that folder, so nothing outside the test sees it.
 * {@link pause} freezes the postmaster and every backend, as a hung database host would.
 */
export class PostgresServer {
  private child: ChildProcess | undefined;
  // At exit nothing can be awaited: the server is told to go, and the watchdog finishes the job.
  private readonly cleanUp = (): void => this.shutDown();
  private watchdog: ChildProcess | undefined;

  private constructor(
    private readonly dir: string,
    readonly port: number,
  ) {}

  /** `port`: listen there (a test can point the bot at it before the server exists). */
  static async start(options: { port?: number } = {}): Promise<PostgresServer> {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'mitid-pg-'));
    const server = new PostgresServer(dir, options.port ?? (await freePort()));
    try {
      server.initdb();
      await server.up();
    } catch (err) {
      await server.stop();
      throw err;
    }
    return server;
  }

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  /** A new empty database on this server, so tests sharing one server do not see each other's tables. */
  async createDatabase(): Promise<string> {
    const name = `test_${process.pid}_${++databases}`;
    const client = new pg.Client({ connectionString: this.url });
    await client.connect();
    try {
      await client.query(`CREATE DATABASE ${name}`);
    } finally {
      await client.end();
    }
    return `postgres://postgres@127.0.0.1:${this.port}/${name}`;
  }

  /** Freezes the postmaster and every backend (SIGSTOP): connections stay open and nothing answers. */
  pause(): void {
    // The postmaster first, so it starts no backend while they are being stopped.
    for (const pid of this.family()) signal(pid, 'SIGSTOP');
  }

  resume(): void {
    for (const pid of this.family().reverse()) signal(pid, 'SIGCONT');
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      this.shutDown();
      const timer = setTimeout(() => this.family().forEach((pid) => signal(pid, 'SIGKILL')), 5_000);
      await exited;
      clearTimeout(timer);
    }
    process.removeListener('exit', this.cleanUp);
    if (this.watchdog?.pid !== undefined && this.watchdog.exitCode === null) signal(-this.watchdog.pid, 'SIGKILL');
    rmSync(this.dir, { recursive: true, force: true });
  }

  private initdb(): void {
    const user = serverUser();
    if (user) chownSync(this.dir, user.uid, user.gid);
    const args = ['-D', this.dataDir, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync', '--no-instructions'];
    const result = spawnSync(path.join(binaries(), 'initdb'), args, { cwd: this.dir, env: cleanEnv(), encoding: 'utf8', ...user });
    if (result.status !== 0) throw new Error(`initdb failed: ${result.stderr || result.error?.message}`);
  }

  private get dataDir(): string {
    return path.join(this.dir, 'data');
  }

  private async up(): Promise<void> {
    const settings = ['listen_addresses=127.0.0.1', `port=${this.port}`, `unix_socket_directories=${this.dir}`, 'fsync=off', 'synchronous_commit=off', 'full_page_writes=off', 'max_connections=200', 'shared_buffers=32MB'];
    let stderr = '';
    const child = spawn(path.join(binaries(), 'postgres'), ['-D', this.dataDir, ...settings.flatMap((setting) => ['-c', setting])], {
      cwd: this.dir,
      env: cleanEnv(),
      // Out of the test run's process group, so a Ctrl-C meant for the run does not reach it half-way;
      // the exit handler, or the watchdog, shuts it down as a whole.
      detached: true,
      stdio: ['ignore', 'ignore', 'pipe'],
      ...serverUser(),
    });
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-4_000);
    });
    this.child = child;
    process.once('exit', this.cleanUp);
    this.startWatchdog(child);
    const deadline = Date.now() + 20_000;
    while (!(await this.accepts())) {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`postgres exited: ${stderr}`);
      if (Date.now() > deadline) throw new Error(`postgres did not start: ${stderr}`);
      await sleep(50);
    }
    child.stderr?.removeAllListeners('data').resume();
  }

  private async accepts(): Promise<boolean> {
    const client = new pg.Client({ connectionString: this.url, connectionTimeoutMillis: 1_000 });
    client.on('error', () => {});
    try {
      await client.connect();
      await client.end();
      return true;
    } catch {
      return false;
    }
  }

  // A test process killed outright (SIGKILL, a crashed worker) runs no exit handler; this shell
  // outlives it by a second and takes the server, its backends and its folder with it.
  private startWatchdog(child: ChildProcess): void {
    const script = [
      `pg=${child.pid}`,
      'kids() { for f in /proc/[0-9]*/stat; do read -r l < "$f" 2>/dev/null || continue; r=${l##*") "}; set -- $r; if [ "$2" = "$pg" ]; then p=${f#/proc/}; echo "${p%/stat}"; fi; done; }',
      `while kill -0 ${process.pid} 2>/dev/null; do sleep 1; done`,
      'kill -CONT $pg $(kids) 2>/dev/null; kill -QUIT $pg 2>/dev/null; sleep 3',
      'kill -CONT $pg $(kids) 2>/dev/null; kill -KILL $pg $(kids) 2>/dev/null',
      `rm -rf '${this.dir}'`,
    ].join('\n');
    this.watchdog = spawn('sh', ['-c', script], { detached: true, stdio: 'ignore' });
    this.watchdog.unref();
  }

  /** Immediate shutdown: nothing here is worth a checkpoint, and it still frees shared memory. */
  private shutDown(): void {
    this.resume();
    const pid = this.running();
    if (pid !== undefined) signal(pid, 'SIGQUIT');
  }

  private running(): number | undefined {
    const child = this.child;
    return child?.pid !== undefined && child.exitCode === null && child.signalCode === null ? child.pid : undefined;
  }

  /** The postmaster and its backends: each backend leads a process group of its own, so a group signal misses them. */
  private family(): number[] {
    const pid = this.running();
    return pid === undefined ? [] : [pid, ...childrenOf(pid)];
  }
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // Already gone.
  }
}

/** Processes whose parent is `parent`, from /proc (Linux), else from ps. */
function childrenOf(parent: number): number[] {
  if (existsSync('/proc/self/stat')) {
    return readdirSync('/proc')
      .filter((name) => /^\d+$/.test(name))
      .filter((name) => {
        try {
          const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
          // "pid (command) state ppid …"; the command may hold spaces and parentheses.
          return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1] === String(parent);
        } catch {
          return false;
        }
      })
      .map(Number);
  }
  const table = spawnSync('ps', ['-A', '-o', 'pid=,ppid='], { encoding: 'utf8' }).stdout ?? '';
  return table
    .split('\n')
    .map((line) => line.trim().split(/\s+/).map(Number))
    .filter(([, ppid]) => ppid === parent)
    .map(([pid]) => pid!);
}
