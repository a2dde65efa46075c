import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { App } from '../src/app';
import type { BotStorage } from '../src/storage/bot-storage';
import { openSqliteStorage, type SqliteStorage } from '../src/storage/sqlite-storage';
import { activity, exited, post, startInProcess, startProcess } from './helpers/http-bot';

let dataDir: string;
let running: App[] = [];

beforeEach(() => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'mitid-server-'));
});

afterEach(async () => {
  for (const app of running) await app.close();
  running = [];
  rmSync(dataDir, { recursive: true, force: true });
});

async function start(env: Record<string, string> = {}, storage?: BotStorage) {
  const started = await startInProcess(dataDir, env, storage);
  running.push(started.app);
  return started;
}

describe('POST /api/messages', () => {
  it('answers expectReplies with the replies in the body', async () => {
    const { url } = await start();
    const joined = await post(url, activity('c1', { type: 'conversationUpdate', membersAdded: [{ id: 'user-c1' }] }));
    expect(joined.status).toBe(200);
    expect(joined.texts[0]).toContain('Jeg er MitID-hjælperen');
    const guide = await post(url, activity('c1', { text: 'Hjælp mig med at få MitID' }));
    expect(guide.status).toBe(200);
    expect(guide.texts.at(-1)).toBe('Har du et gyldigt dansk eller udenlandsk pas eller ID-kort med chip?');
    const messages = (guide.body as { activities: Array<{ type: string; suggestedActions?: { actions: Array<{ type: string; title: string }> } }> }).activities.filter((a) => a.type === 'message');
    const buttons = messages.at(-1)!.suggestedActions!.actions;
    expect(buttons.map((b) => [b.type, b.title])).toEqual([['imBack', 'Ja'], ['imBack', 'Nej']]);
  });

  it('keeps each conversation to itself', async () => {
    const { url } = await start();
    await post(url, activity('a', { text: 'Hjælp mig med at få MitID' }));
    const other = await post(url, activity('b', { text: 'ja' }));
    expect(other.texts[0]).toBe('Hvad vil du gerne have hjælp til?');
    const same = await post(url, activity('a', { text: 'ja' }));
    expect(same.texts[0]).toContain('smartphone, som kan scanne pas');
  });

  it('refuses malformed JSON with 400', async () => {
    const { url } = await start();
    const res = await post(url, '{"type": "message", ');
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).toContain('JSON');
  });

  it('refuses a body over the limit with 413', async () => {
    const { url } = await start({ MAX_BODY_BYTES: '10000' });
    const res = await post(url, activity('big', { text: 'x'.repeat(20_000) }));
    expect(res.status).toBe(413);
    expect(JSON.stringify(res.body)).toContain('for stor');
  });

  it.each([
    ['no conversation', { conversation: undefined }, 'conversation'],
    ['no type', { type: undefined }, 'type'],
    ['no from', { from: undefined }, 'from'],
    ['a number as text', { text: 42 }, 'text'],
  ])('refuses an activity with %s with 400', async (_what, fields, key) => {
    const { url } = await start();
    const res = await post(url, activity('bad', fields));
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).toContain(key);
  });

  it('refuses a JSON array or a bare string with 400', async () => {
    const { url } = await start();
    expect((await post(url, '[1,2,3]')).status).toBe(400);
    expect((await post(url, '"hej"')).status).toBe(400);
  });

  it('answers an unknown activity type with 200 and no messages, and the conversation goes on', async () => {
    const { url } = await start();
    await post(url, activity('u', { text: 'Hjælp mig med at få MitID' }));
    const odd = await post(url, activity('u', { type: 'fancyNewType', value: { a: 1 } }));
    expect(odd.status).toBe(200);
    expect(odd.texts).toEqual([]);
    expect((await post(url, activity('u', { text: 'ja' }))).texts[0]).toContain('smartphone, som kan scanne pas');
  });

  it('answers empty text, 10,000 characters, an attachment and emoji in Danish', async () => {
    const { url } = await start();
    expect((await post(url, activity('e', { text: '' }))).texts[0]).toContain('tom besked');
    expect((await post(url, activity('e', { text: 'a'.repeat(10_000) }))).texts[0]).toContain('for lang');
    expect((await post(url, activity('e', { attachments: [{ contentType: 'image/png', contentUrl: 'https://example.invalid/a.png' }] }))).texts[0]).toContain('billeder');
    expect((await post(url, activity('e', { text: '🙈🙉🙊' }))).texts[0]).toContain('forstod jeg desværre ikke');
  });

  it('with MicrosoftAppId set, a request without a token gets 401', async () => {
    const { url } = await start({ MicrosoftAppId: '11111111-2222-3333-4444-555555555555', MicrosoftAppPassword: 'x', MicrosoftAppTenantId: '99999999-8888-7777-6666-555555555555' });
    const res = await post(url, activity('auth', { text: 'hej', channelId: 'webchat', serviceUrl: 'https://webchat.botframework.com/' }));
    expect(res.status).toBe(401);
  });
});

describe('health and readiness', () => {
  it('/healthz and /readyz answer 200 when all is well', async () => {
    const { url } = await start();
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready' });
  });

  it('/readyz answers 503 when storage is unreachable', async () => {
    const database = await openSqliteStorage({ DATA_DIR: dataDir, STORAGE_FSYNC: false });
    const broken: BotStorage = Object.assign(Object.create(database) as SqliteStorage, {
      ping: () => Promise.reject(new Error('disk gone')),
    });
    const { url } = await start({}, broken);
    expect((await fetch(`${url}/readyz`)).status).toBe(503);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
  });
});

describe('start-up', () => {
  it('a bad setting stops the real process with one line naming the key, exit code 1', async () => {
    const { spawnSync } = await import('node:child_process');
    const result = spawnSync(process.execPath, ['--import', 'tsx', path.join(__dirname, '..', 'src', 'main.ts')], {
      cwd: path.join(__dirname, '..'),
      env: { PATH: process.env.PATH ?? '', PORT: 'abc', DATA_DIR: dataDir },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toBe('Ugyldig konfiguration / invalid configuration: PORT: skal være et tal / must be a number');
  });
});

describe('state survives a restart', () => {
  it('in process: a new app on the same data folder resumes at the same question', async () => {
    const first = await start();
    await post(first.url, activity('r', { text: 'Hjælp mig med at få MitID' }));
    await post(first.url, activity('r', { text: 'ja' }));
    await first.app.close();
    running = [];
    expect(readdirSync(dataDir)).toContain('mitid-hjaelperen.db');

    const second = await start();
    const resumed = await post(second.url, activity('r', { text: 'nej' }));
    expect(resumed.texts[0]).toMatch(/^Du kan få MitID i Borgerservice/);
  });

  it('a real process killed with SIGKILL mid-flow resumes at the same question', async () => {
    const env = { DATA_DIR: dataDir, BOT_DATE: '2021-06-01' };
    const first = await startProcess(env);
    await post(first.url, activity('k', { text: 'Hjælp mig med at få MitID' }));
    const atQ0 = await post(first.url, activity('k', { text: 'ved ikke' }));
    expect(atQ0.texts.at(-1)).toContain('Lykkedes det at oprette MitID');
    first.child.kill('SIGKILL');
    await exited(first.child);

    const second = await startProcess(env);
    try {
      const resumed = await post(second.url, activity('k', { text: 'det virkede ikke' }));
      expect(resumed.texts).toEqual(['Har du et gyldigt dansk eller udenlandsk pas eller ID-kort med chip?']);
    } finally {
      second.child.kill('SIGKILL');
      await exited(second.child);
    }
  });

  it('SIGTERM lets the turn in flight finish and exits 0', async () => {
    const bot = await startProcess({ DATA_DIR: dataDir });
    expect(bot.output()).toContain('MicrosoftAppId er tom');
    const inFlight = post(bot.url, activity('t', { text: 'Hjælp mig med at få MitID' }));
    await new Promise((resolve) => setTimeout(resolve, 5));
    bot.child.kill('SIGTERM');
    const [reply, code] = await Promise.all([inFlight, exited(bot.child)]);
    expect(reply.status).toBe(200);
    expect(reply.texts.at(-1)).toBe('Har du et gyldigt dansk eller udenlandsk pas eller ID-kort med chip?');
    expect(code).toBe(0);
  });
});
