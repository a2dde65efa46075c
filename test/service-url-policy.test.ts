import { mkdtempSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../src/app';
import { fixedClock } from '../src/clock';
import { parseConfig, serviceUrlAllowList } from '../src/config';
import { serviceUrlAllowed } from '../src/http/service-url-policy';
import { createLogger } from '../src/logger';
import { openSqliteStorage } from '../src/storage/sqlite-storage';
import { content, recognizer } from './helpers/bot-harness';
import { post } from './helpers/http-bot';

const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

/** A server that writes down every request it gets: the address an attacker would name. */
async function listener(): Promise<{ url: string; requests: IncomingMessage[] }> {
  const requests: IncomingMessage[] = [];
  const server = createServer((req, res) => {
    requests.push(req);
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"id":"1"}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  stops.push(
    () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, requests };
}

async function bot(env: Record<string, string>): Promise<string> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'mitid-ssrf-'));
  const config = parseConfig({ PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'silent', ...env });
  const storage = await openSqliteStorage({ DATA_DIR: dataDir, STORAGE_FSYNC: false });
  const app = createApp({ config, content, storage, clock: fixedClock('2026-12-02T12:00:00+01:00'), logger: createLogger('silent'), recognizer });
  const port = await app.listen();
  stops.push(() => app.close());
  return `http://127.0.0.1:${port}`;
}

const message = (serviceUrl: string, extra: Record<string, unknown> = {}) => ({
  type: 'message',
  id: 'a1',
  channelId: 'emulator',
  serviceUrl,
  conversation: { id: 'c-ssrf' },
  from: { id: 'u1' },
  recipient: { id: 'bot' },
  text: 'hvad er en kodeviser',
  ...extra,
});

describe('replies only to allowed service URLs when requests are not authenticated', () => {
  it('in production (no list set) a serviceUrl is refused with 400, and the named address is never called', async () => {
    const target = await listener();
    const url = await bot({ NODE_ENV: 'production' });
    const res = await post(url, message(target.url));
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).toContain('SERVICE_URL_ALLOW_LIST');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(target.requests).toHaveLength(0);
  });

  it('expectReplies needs no callback, so it is answered in production too', async () => {
    const target = await listener();
    const url = await bot({ NODE_ENV: 'production' });
    const res = await post(url, message(target.url, { deliveryMode: 'expectReplies' }));
    expect(res.status).toBe(200);
    expect(target.requests).toHaveLength(0);
  });

  it('in development loopback is allowed, so the Emulator gets its replies, and an address elsewhere is not', async () => {
    const target = await listener();
    const url = await bot({});
    expect((await post(url, message(target.url))).status).toBe(200);
    expect(target.requests.length).toBeGreaterThan(0);
    expect((await post(url, message('http://169.254.169.254/latest/'))).status).toBe(400);
  });

  it('an allow-list entry admits its own address and path only', async () => {
    const target = await listener();
    const url = await bot({ SERVICE_URL_ALLOW_LIST: `${target.url}allowed/` });
    expect((await post(url, message(`${target.url}other/`))).status).toBe(400);
    expect((await post(url, message(`${target.url}allowed/v3/`))).status).toBe(200);
  });
});

describe('serviceUrlAllowed and the default list', () => {
  it('reads loopback, prefixes and refuses look-alikes', () => {
    expect(serviceUrlAllowed('http://localhost:56789/', ['loopback'])).toBe(true);
    expect(serviceUrlAllowed('http://127.0.0.2:1/', ['loopback'])).toBe(true);
    expect(serviceUrlAllowed('http://[::1]:3978/', ['loopback'])).toBe(true);
    expect(serviceUrlAllowed('http://10.0.0.5/', ['loopback'])).toBe(false);
    expect(serviceUrlAllowed('https://smba.trafficmanager.net.evil.dk/', ['https://smba.trafficmanager.net/'])).toBe(false);
    expect(serviceUrlAllowed('https://user:pw@smba.trafficmanager.net/', ['https://smba.trafficmanager.net/'])).toBe(false);
    expect(serviceUrlAllowed('https://smba.trafficmanager.net/emea/', ['https://smba.trafficmanager.net/'])).toBe(true);
  });

  it('defaults to loopback in development and to nothing in production; "none" is nothing', () => {
    expect(serviceUrlAllowList({ SERVICE_URL_ALLOW_LIST: undefined, NODE_ENV: undefined })).toEqual(['loopback']);
    expect(serviceUrlAllowList({ SERVICE_URL_ALLOW_LIST: undefined, NODE_ENV: 'production' })).toEqual([]);
    expect(serviceUrlAllowList({ SERVICE_URL_ALLOW_LIST: ['none'], NODE_ENV: undefined })).toEqual([]);
  });

  it('a bad entry stops start-up with a Danish/English message', () => {
    expect(() => parseConfig({ SERVICE_URL_ALLOW_LIST: 'ftp://x' })).toThrow(/SERVICE_URL_ALLOW_LIST.*adresser.*URLs/);
  });
});
