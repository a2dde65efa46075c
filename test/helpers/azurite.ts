import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { freePort } from './free-port';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
// Azurite's fixed development account; not a secret.
const ACCOUNT = 'devstoreaccount1';
const KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * A local Azurite blob service on loopback (the npm package, started by the tests, so CI
 * needs nothing else), keeping its data in a temp folder so it can be stopped and started
 * again to play an outage.
 */
export class Azurite {
  private child?: ChildProcess;
  private readonly location = mkdtempSync(path.join(os.tmpdir(), 'mitid-azurite-'));

  private constructor(
    readonly port: number,
    private readonly strictApiVersion: boolean,
  ) {}

  /** `strictApiVersion`: refuse the Azure SDK's newer API versions, as Azurite does by default. */
  static async start({ strictApiVersion = false }: { strictApiVersion?: boolean } = {}): Promise<Azurite> {
    const azurite = new Azurite(await freePort(), strictApiVersion);
    await azurite.up();
    return azurite;
  }

  get connectionString(): string {
    return `DefaultEndpointsProtocol=http;AccountName=${ACCOUNT};AccountKey=${KEY};BlobEndpoint=http://127.0.0.1:${this.port}/${ACCOUNT};`;
  }

  async up(): Promise<void> {
    this.child = spawn(process.execPath, [path.join(ROOT, 'node_modules', 'azurite', 'dist', 'src', 'blob', 'main.js'), '--blobHost', '127.0.0.1', '--blobPort', String(this.port), '--location', this.location, '--silent', ...(this.strictApiVersion ? [] : ['--skipApiVersionCheck']), '--loose'], {
      stdio: 'ignore',
    });
    const deadline = Date.now() + 20_000;
    while (!(await listening(this.port))) {
      if (Date.now() > deadline) throw new Error('Azurite did not start');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** Stops the service (SIGTERM, so Azurite saves its metadata; the data stays for {@link up}). */
  async down(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }

  /** Freezes the process (SIGSTOP): connections stay open and requests go unanswered, as in a network partition. */
  pause(): void {
    this.child?.kill('SIGSTOP');
  }

  /** Lets a paused process go on (SIGCONT); it then answers what it was sent meanwhile. */
  resume(): void {
    this.child?.kill('SIGCONT');
  }

  async stop(): Promise<void> {
    this.resume();
    await this.down();
    rmSync(this.location, { recursive: true, force: true });
  }
}
