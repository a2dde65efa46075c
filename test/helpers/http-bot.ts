import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import { createApp, type App } from '../../src/app';
import { fixedClock } from '../../src/clock';
import { parseConfig } from '../../src/config';
import { createLogger } from '../../src/logger';
import type { BotStorage } from '../../src/storage/bot-storage';
import { DeadlineStorage } from '../../src/storage/deadline-storage';
import { openSqliteStorage } from '../../src/storage/sqlite-storage';
import { content, recognizer } from './bot-harness';
import { emulatorActivity } from './emulator-activity';

export const ROOT = path.resolve(__dirname, '..', '..');

/** A message (or other) activity as the Emulator sends it, asking for replies in the response. */
export const activity = emulatorActivity;

export interface Posted {
  status: number;
  body: unknown;
  texts: string[];
}

/** POSTs to /api/messages and returns the status, the body and the reply texts. */
export async function post(baseUrl: string, body: unknown, headers: Record<string, string> = {}): Promise<Posted> {
  const response = await fetch(`${baseUrl}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const raw = await response.text();
  let parsed: unknown = raw;
  try {
    parsed = raw ? JSON.parse(raw) : undefined;
  } catch {
    // not JSON: keep the text
  }
  const activities = (parsed as { activities?: Array<{ text?: string; type: string }> } | undefined)?.activities ?? [];
  return { status: response.status, body: parsed, texts: activities.filter((a) => a.type === 'message').map((a) => a.text ?? '') };
}

/** The real app in this process, listening on a free port, with the SQLite storage in `dataDir`. */
export async function startInProcess(dataDir: string, env: Record<string, string> = {}, storage?: BotStorage): Promise<{ app: App; url: string; storage: BotStorage }> {
  const config = parseConfig({ PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'silent', ...env });
  const store = storage ?? (await openSqliteStorage({ DATA_DIR: dataDir, STORAGE_FSYNC: false }));
  // As openStorage does: every call of the storage has its deadline.
  const guarded = store instanceof DeadlineStorage ? store : new DeadlineStorage(store, { timeoutMs: config.STORAGE_TIMEOUT_MS, pingTimeoutMs: config.READY_TIMEOUT_MS });
  const app = createApp({ config, content, storage: guarded, clock: fixedClock('2026-11-21T12:00:00+01:00'), logger: createLogger('silent'), recognizer });
  const port = await app.listen();
  return { app, url: `http://127.0.0.1:${port}`, storage: store };
}

/** The bot as its own process (`src/main.ts` through tsx); resolves once it listens. */
export async function startProcess(env: Record<string, string>): Promise<{ child: ChildProcessWithoutNullStreams; url: string; output: () => string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src', 'main.ts')], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', PORT: '0', LOG_LEVEL: 'info', ...env },
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`bot did not start:\n${output}`)), 20_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /"port":(\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(`http://127.0.0.1:${match[1]}`);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`bot exited with ${code}:\n${output}`));
    });
  });
  child.removeAllListeners('exit');
  return { child, url, output: () => output };
}

/** Resolves with the exit code (or signal) of a child process. */
export function exited(child: ChildProcessWithoutNullStreams): Promise<number | string> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));
}
