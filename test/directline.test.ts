import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { request } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { call, DlClient, errorOf, StreamClient, type ActivitySet, type Conversation, type DlActivity } from './helpers/directline-client';
import { startDirectLine, type DirectLineServer } from './helpers/directline-server';

const WELCOME = 'Jeg er MitID-hjælperen';
// Today the guide begins at the passport question (Q1 has nothing to decide since NemID closed).
const QUESTION = 'Har du et gyldigt dansk eller udenlandsk pas eller ID-kort med chip?';

let dataDir: string;
let running: DirectLineServer[] = [];
let sockets: StreamClient[] = [];

beforeEach(() => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'mitid-directline-'));
});

afterEach(async () => {
  for (const socket of sockets) socket.close();
  sockets = [];
  for (const server of running) await server.close();
  running = [];
  rmSync(dataDir, { recursive: true, force: true });
});

async function start(env: Record<string, string> = {}, options = {}) {
  const server = await startDirectLine(dataDir, env, options);
  running.push(server);
  return server;
}

/** A client with a token and a started conversation whose welcome has arrived. */
async function joined(server: DirectLineServer): Promise<{ client: DlClient; watermark: string; start: Conversation }> {
  const client = new DlClient(server.url);
  expect((await client.generate()).status).toBe(200);
  const started = await client.start();
  expect(started.status).toBe(201);
  const set = await client.poll(undefined, (acts) => acts.some((a) => a.text?.includes(WELCOME)));
  return { client, watermark: set.watermark, start: started.body as Conversation };
}

const texts = (activities: DlActivity[]) => activities.filter((a) => a.type === 'message').map((a) => a.text ?? '');
const endsWithQuestion = (activities: DlActivity[]) => texts(activities).at(-1) === QUESTION;

async function openStream(streamUrl: string, headers: Record<string, string> = {}) {
  const socket = await StreamClient.open(streamUrl, headers);
  sockets.push(socket);
  return socket;
}

describe('Direct Line: a conversation by polling', () => {
  it('generates a token, starts, welcomes, echoes the user and answers in order', async () => {
    const server = await start();
    const client = new DlClient(server.url);
    const generated = await client.generate();
    expect(generated.status).toBe(200);
    const token = generated.body as Conversation;
    expect(token.conversationId).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(token.expires_in).toBe(1800);

    const started = await client.start();
    expect(started.status).toBe(201);
    const conversation = started.body as Conversation;
    expect(conversation.conversationId).toBe(token.conversationId);
    expect(conversation.streamUrl).toMatch(new RegExp(`^ws://127\\.0\\.0\\.1:\\d+/v3/directline/conversations/${token.conversationId}/stream\\?t=`));

    const welcome = await client.poll(undefined, (acts) => acts.some((a) => a.text?.includes(WELCOME)));
    expect(welcome.activities[0]!.from.id).toBe('mitid-hjaelperen');
    expect(welcome.activities[0]!.channelId).toBe('directline');
    expect(welcome.activities.some((a) => a.type === 'conversationUpdate')).toBe(false);

    const posted = await client.post('Hjælp mig med at få MitID', { channelData: { clientActivityID: 'web-1' } });
    expect(posted.status).toBe(200);
    const { id } = posted.body as { id: string };
    expect(id).toMatch(new RegExp(`^${token.conversationId}\\|\\d+$`));

    const after = await client.poll(welcome.watermark, endsWithQuestion);
    const [echo, ...replies] = after.activities;
    expect(echo).toMatchObject({ id, type: 'message', text: 'Hjælp mig med at få MitID', channelData: { clientActivityID: 'web-1' } });
    expect(echo!.from.id).toMatch(/^dl_/);
    expect(replies.length).toBeGreaterThan(0);
    for (const reply of replies) {
      expect(reply.from.id).toBe('mitid-hjaelperen');
      expect(reply.replyToId).toBe(id);
      expect(Number.isNaN(Date.parse(reply.timestamp))).toBe(false);
    }
    expect(texts(replies).at(-1)).toBe(QUESTION);
    expect(Number(after.watermark)).toBeGreaterThan(Number(welcome.watermark));

    const seqs = [...welcome.activities, ...after.activities].map((a) => Number(a.id.split('|')[1]));
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(seqs.length);

    // Nothing new after the last watermark; everything again without one.
    const none = await client.activities(after.watermark);
    expect((none.body as ActivitySet).activities).toEqual([]);
    expect((none.body as ActivitySet).watermark).toBe(after.watermark);
    const all = await client.activities();
    expect((all.body as ActivitySet).activities.map((a) => a.id)).toEqual([...welcome.activities, ...after.activities].map((a) => a.id));
  });

  it('still delivers a text over MAX_MESSAGE_CHARS to the bot', async () => {
    const server = await start({ MAX_MESSAGE_CHARS: '50' });
    const { client, watermark } = await joined(server);
    const posted = await client.post('x'.repeat(200));
    expect(posted.status).toBe(200);
    const after = await client.poll(watermark, (acts) => acts.length >= 2);
    expect(after.activities[0]!.text).toBe('x'.repeat(200));
    expect(after.activities[1]!.from.id).toBe('mitid-hjaelperen');
  });
});

describe('Direct Line: the WebSocket stream', () => {
  it('sends the backlog and every new activity as ActivitySet frames, and reconnects from a watermark', async () => {
    const server = await start();
    const { client, start: started } = await joined(server);
    const stream = await openStream(started.streamUrl!);
    await stream.waitFor((acts) => acts.some((a) => a.text?.includes(WELCOME)));

    const posted = await client.post('Hjælp mig med at få MitID', { channelData: { clientActivityID: 'ws-1' } });
    const { id } = posted.body as { id: string };
    const received = await stream.waitFor(endsWithQuestion);
    const frames = stream.frames.filter((f): f is ActivitySet => f !== '');
    for (const frame of frames) {
      expect(frame.activities).toHaveLength(1);
      expect(frame.watermark).toBe(String(Number(frame.activities[0]!.id.split('|')[1])));
    }
    const marks = frames.map((f) => Number(f.watermark));
    expect(marks).toEqual([...marks].sort((a, b) => a - b));
    const echoAt = received.findIndex((a) => a.id === id);
    expect(received[echoAt]!.channelData).toMatchObject({ clientActivityID: 'ws-1' });
    expect(received.slice(echoAt + 1).every((a) => a.from.id === 'mitid-hjaelperen')).toBe(true);

    // The stream sees exactly what polling sees.
    const polled = (await client.activities()).body as ActivitySet;
    expect(received.map((a) => a.id)).toEqual(polled.activities.map((a) => a.id));

    // Reconnect after the echo: only what came later.
    const echoMark = frames.find((f) => f.activities[0]!.id === id)!.watermark;
    const reconnect = await call(`${client.dl}/conversations/${client.conversationId}?watermark=${echoMark}`, { token: client.token });
    expect(reconnect.status).toBe(200);
    const again = reconnect.body as Conversation;
    expect(again.conversationId).toBe(client.conversationId);
    expect(again.streamUrl).toContain(`watermark=${echoMark}`);
    const second = await openStream(again.streamUrl!);
    const later = await second.waitFor(endsWithQuestion);
    expect(later.map((a) => a.id)).toEqual(received.slice(echoAt + 1).map((a) => a.id));
  });

  it('refuses a stream without a valid stream token, for another conversation, or with the REST token', async () => {
    const server = await start();
    const a = await joined(server);
    const b = await joined(server);
    const wsBase = server.url.replace('http', 'ws');
    await expect(StreamClient.open(`${wsBase}/v3/directline/conversations/${a.client.conversationId}/stream`)).rejects.toThrow('403');
    await expect(StreamClient.open(`${wsBase}/v3/directline/conversations/${a.client.conversationId}/stream?t=${a.client.token}`)).rejects.toThrow('403');
    const streamToken = new URL(b.start.streamUrl!).searchParams.get('t')!;
    await expect(StreamClient.open(`${wsBase}/v3/directline/conversations/${a.client.conversationId}/stream?t=${streamToken}`)).rejects.toThrow('403');
    // The right one works.
    await openStream(a.start.streamUrl!);
  });

  it('destroys upgrades on other paths', async () => {
    const server = await start();
    const { port } = new URL(server.url);
    const outcome = await new Promise<string>((resolve) => {
      const req = request({ port, host: '127.0.0.1', path: '/api/messages', headers: { connection: 'Upgrade', upgrade: 'websocket' } });
      req.on('upgrade', () => resolve('upgraded'));
      req.on('response', (res) => resolve(`response ${res.statusCode}`));
      req.on('error', () => resolve('destroyed'));
      req.end();
    });
    expect(outcome).toBe('destroyed');
  });
});

describe('Direct Line: tokens', () => {
  it('refuses a missing token with 401 and a garbled or forged one with 403', async () => {
    const server = await start();
    const { client } = await joined(server);
    const missing = await call(`${client.dl}/conversations/${client.conversationId}/activities`);
    expect(missing.status).toBe(401);
    expect(errorOf(missing).code).toBe('MissingToken');
    const garbled = await call(`${client.dl}/conversations/${client.conversationId}/activities`, { token: 'not-a-token' });
    expect(garbled.status).toBe(403);
    const [body, signature] = client.token.split('.') as [string, string];
    const payload = JSON.parse(Buffer.from(body, 'base64url').toString()) as Record<string, unknown>;
    const forgedBody = Buffer.from(JSON.stringify({ ...payload, u: 'dl_someoneelse' })).toString('base64url');
    const forged = await call(`${client.dl}/conversations/${client.conversationId}/activities`, { token: `${forgedBody}.${signature}` });
    expect(forged.status).toBe(403);
    expect(errorOf(forged).code).toBe('TokenInvalid');
    expect(errorOf(forged).message).toContain('Adgangsnøglen');
    expect((await call(`${client.dl}/conversations`, { method: 'POST' })).status).toBe(401);
  });

  it('refuses an expired token with 403', async () => {
    const server = await start();
    const { client } = await joined(server);
    expect((await client.activities()).status).toBe(200);
    server.clock.advance(1801 * 1000);
    const expired = await client.activities();
    expect(expired.status).toBe(403);
    expect(errorOf(expired).code).toBe('TokenExpired');
    expect((await client.post('hej')).status).toBe(403);
    expect((await call(`${client.dl}/tokens/refresh`, { method: 'POST', token: client.token })).status).toBe(403);
  });

  it('refreshes a token for the same conversation with a fresh expiry', async () => {
    const server = await start();
    const { client, watermark } = await joined(server);
    const oldToken = client.token;
    server.clock.advance(1000 * 1000);
    const refreshed = await call(`${client.dl}/tokens/refresh`, { method: 'POST', token: oldToken });
    expect(refreshed.status).toBe(200);
    const body = refreshed.body as Conversation;
    expect(body.conversationId).toBe(client.conversationId);
    expect(body.token).not.toBe(oldToken);
    expect(body.expires_in).toBe(1800);
    server.clock.advance(900 * 1000);
    expect((await client.activities()).status).toBe(403);
    client.token = body.token;
    expect((await client.post('Hjælp mig med at få MitID')).status).toBe(200);
    const after = await client.poll(watermark, endsWithQuestion);
    expect(texts(after.activities).at(-1)).toBe(QUESTION);
  });

  it('refuses a token for conversation A on conversation B, for reading, posting and reconnecting', async () => {
    const server = await start();
    const a = await joined(server);
    const b = await joined(server);
    const read = await a.client.activities(undefined, b.client.conversationId);
    expect(read.status).toBe(403);
    expect(errorOf(read).code).toBe('WrongConversation');
    const posted = await a.client.post('ja', {}, b.client.conversationId);
    expect(posted.status).toBe(403);
    const reconnect = await call(`${a.client.dl}/conversations/${b.client.conversationId}`, { token: a.client.token });
    expect(reconnect.status).toBe(403);
    // B saw nothing from A.
    const bActivities = ((await b.client.activities()).body as ActivitySet).activities;
    expect(bActivities.some((x) => x.text === 'ja')).toBe(false);
  });

  it('takes the user id from the token, never from the body', async () => {
    const server = await start();
    const { client, watermark } = await joined(server);
    const [body] = client.token.split('.') as [string];
    const userId = (JSON.parse(Buffer.from(body, 'base64url').toString()) as { u: string }).u;
    const posted = await client.post('hej', { from: { id: 'admin', name: 'Borger' }, recipient: { id: 'x' }, conversation: { id: 'other' }, serviceUrl: 'http://evil.example' });
    expect(posted.status).toBe(200);
    const after = await client.poll(watermark, (acts) => acts.length >= 2);
    expect(after.activities[0]!.from).toEqual({ id: userId, name: 'Borger', role: 'user' });
    expect(after.activities[0]!.conversation.id).toBe(client.conversationId);
    expect(JSON.stringify(after.activities)).not.toContain('evil.example');
  });

  it('persists a generated signing secret in DATA_DIR (0600), so tokens survive a restart', async () => {
    const first = await start();
    const { client } = await joined(first);
    const file = path.join(dataDir, 'directline-secret');
    expect(existsSync(file)).toBe(true);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const secret = readFileSync(file, 'utf8');
    expect(secret.length).toBeGreaterThanOrEqual(32);
    await first.close();
    running = running.filter((s) => s !== first);

    const second = await start();
    expect(readFileSync(file, 'utf8')).toBe(secret);
    const restarted = new DlClient(second.url, client.token, client.conversationId);
    expect((await restarted.activities()).status).toBe(200);
  });

  it('uses DIRECTLINE_SECRET when set and writes no file', async () => {
    const server = await start({ DIRECTLINE_SECRET: 'a'.repeat(40) });
    await joined(server);
    expect(existsSync(path.join(dataDir, 'directline-secret'))).toBe(false);
  });
});

describe('Direct Line: connector routes for the bot replies', () => {
  it('refuse calls without the internal secret with 401', async () => {
    const server = await start();
    const { client } = await joined(server);
    const reply = { type: 'message', text: 'falsk svar', from: { id: 'mitid-hjaelperen' } };
    const url = `${server.url}/v3/conversations/${client.conversationId}/activities`;
    const none = await call(url, { method: 'POST', body: reply });
    expect(none.status).toBe(401);
    expect(errorOf(none).code).toBe('Unauthorized');
    expect((await call(url, { method: 'POST', body: reply, token: client.token })).status).toBe(401);
    expect((await call(`${url}/abc`, { method: 'POST', body: reply, token: 'guess' })).status).toBe(401);
    const activities = ((await client.activities()).body as ActivitySet).activities;
    expect(activities.some((a) => a.text === 'falsk svar')).toBe(false);
  });
});

describe('Direct Line: limits and bad input', () => {
  it('limits messages per minute per conversation with 429 and a Danish message', async () => {
    const server = await start({ LIMIT_MESSAGES_PER_MINUTE: '2' });
    const { client } = await joined(server);
    expect((await client.post('hej')).status).toBe(200);
    expect((await client.post('hej')).status).toBe(200);
    const third = await client.post('hej');
    expect(third.status).toBe(429);
    expect(errorOf(third)).toMatchObject({ code: 'TooManyRequests' });
    expect(errorOf(third).message).toContain('Du har sendt mange beskeder');
    expect(third.headers.get('retry-after')).toBeTruthy();
    server.clock.advance(61_000);
    expect((await client.post('hej')).status).toBe(200);
  });

  it('limits new conversations per IP per hour with 429', async () => {
    const server = await start({ LIMIT_CONVERSATIONS_PER_IP_PER_HOUR: '2' });
    const client = new DlClient(server.url);
    expect((await client.generate()).status).toBe(200);
    expect((await client.generate()).status).toBe(200);
    const third = await client.generate();
    expect(third.status).toBe(429);
    expect(errorOf(third).code).toBe('TooManyRequests');
    expect(errorOf(third).message).toContain('for mange samtaler');
    server.clock.advance(3601 * 1000);
    expect((await client.generate()).status).toBe(200);
  });

  it('refuses malformed JSON and invalid activities with 400', async () => {
    const server = await start();
    const { client } = await joined(server);
    const url = `${client.dl}/conversations/${client.conversationId}/activities`;
    const malformed = await call(url, { method: 'POST', token: client.token, body: '{"type": "message", ' });
    expect(malformed.status).toBe(400);
    expect(JSON.stringify(malformed.body)).toContain('JSON');
    for (const bad of [[1, 2], { text: 'no type' }, { type: 'invoke', name: 'x' }, { type: 'message', text: 42 }]) {
      const res = await call(url, { method: 'POST', token: client.token, body: bad });
      expect(res.status).toBe(400);
      expect(errorOf(res).code).toBe('BadArgument');
    }
    // Still alive and well.
    expect((await client.post('hej')).status).toBe(200);
  });
});

describe('Direct Line: CORS', () => {
  it('answers allowed origins and the same origin, and refuses foreign ones', async () => {
    const server = await start({ WIDGET_ALLOWED_ORIGINS: 'https://kommune.dk' });
    const generate = `${server.url}/v3/directline/tokens/generate`;

    const allowed = await call(generate, { method: 'POST', headers: { origin: 'https://kommune.dk' } });
    expect(allowed.status).toBe(200);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://kommune.dk');

    const same = await call(generate, { method: 'POST', headers: { origin: server.url } });
    expect(same.status).toBe(200);
    expect(same.headers.get('access-control-allow-origin')).toBe(server.url);

    const foreign = await call(generate, { method: 'POST', headers: { origin: 'https://evil.example' } });
    expect(foreign.status).toBe(403);
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
    expect(errorOf(foreign).code).toBe('OriginNotAllowed');

    const preflight = await call(`${server.url}/v3/directline/conversations/x/activities`, {
      method: 'OPTIONS',
      headers: { origin: 'https://kommune.dk', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('https://kommune.dk');
    expect(preflight.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('authorization');
    const foreignPreflight = await call(generate, { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
    expect(foreignPreflight.headers.get('access-control-allow-origin')).toBeNull();

    const ws = `${server.url.replace('http', 'ws')}/v3/directline/conversations/x/stream?t=x`;
    await expect(StreamClient.open(ws, { origin: 'https://evil.example' })).rejects.toThrow('403');
  });
});

describe('Direct Line: memory', () => {
  it('sweeps idle conversations, closes their streams, and the bot continues where it was', async () => {
    const server = await start({ CONVERSATION_IDLE_MINUTES: '1', DIRECTLINE_TOKEN_TTL_SECONDS: '7200' }, { sweepIntervalMs: 20 });
    const { client, watermark, start: started } = await joined(server);
    await client.post('Hjælp mig med at få MitID');
    const before = await client.poll(watermark, endsWithQuestion);
    const stream = await openStream(started.streamUrl!);
    await stream.waitFor(endsWithQuestion);

    // A sweep while the conversation is active keeps it.
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(((await client.activities()).body as ActivitySet).activities.length).toBeGreaterThan(2);

    server.clock.advance(2 * 60_000);
    expect(await stream.closed()).toBe(1000);
    const emptied = (await client.activities()).body as ActivitySet;
    expect(emptied.activities).toEqual([]);

    // An old watermark still gets the new activities, and the bot remembers the guide.
    const answer = await client.post('ja');
    expect(answer.status).toBe(200);
    const after = await client.poll(before.watermark, (acts) => acts.length >= 2);
    expect(after.activities[0]!.text).toBe('ja');
    expect(texts(after.activities).join(' ')).toContain('smartphone, som kan scanne pas');
    expect(Number(after.watermark)).toBeGreaterThan(Number(before.watermark));
  });

  it('keeps only the last activities of a conversation', async () => {
    const server = await start({ LIMIT_MESSAGES_PER_MINUTE: '100' }, { maxActivitiesPerConversation: 5 });
    const { client, watermark } = await joined(server);
    for (let i = 0; i < 4; i++) await client.post(`hej ${i}`);
    const all = ((await client.activities()).body as ActivitySet).activities;
    expect(all).toHaveLength(5);
    // The welcome (at or below the first watermark) is gone; the newest are kept.
    expect(all.every((a) => Number(a.id.split('|')[1]) > Number(watermark))).toBe(true);
    expect(all.some((a) => a.text === 'hej 3')).toBe(true);
  });
});

describe('Direct Line: streams per conversation', () => {
  it('opens MAX_STREAMS_PER_CONVERSATION streams on one token, refuses the next with 429, and opens one again once a stream is closed', async () => {
    const server = await start({ MAX_STREAMS_PER_CONVERSATION: '2' });
    const { start: started } = await joined(server);
    const first = await openStream(started.streamUrl!);
    await openStream(started.streamUrl!);
    await expect(StreamClient.open(started.streamUrl!)).rejects.toThrow('429');
    first.close();
    // The server sees the close a moment later.
    let reopened: StreamClient | undefined;
    for (let i = 0; i < 50 && !reopened; i++) {
      reopened = await StreamClient.open(started.streamUrl!).catch(async () => {
        await new Promise((resolve) => setTimeout(resolve, 20));
        return undefined;
      });
    }
    expect(reopened).toBeDefined();
    sockets.push(reopened!);
  });
});

describe('Direct Line: a post retried with the same clientActivityID', () => {
  it('is processed once: the same id back, one echo and one set of replies in the log', async () => {
    const server = await start();
    const { client, watermark } = await joined(server);
    const first = await client.post('hvad er en kodeviser', { channelData: { clientActivityID: 'retry-1' } });
    expect(first.status).toBe(200);
    const answered = await client.poll(watermark, (acts) => acts.some((a) => a.from.role !== 'user' && a.type === 'message'));
    const again = await client.post('hvad er en kodeviser', { channelData: { clientActivityID: 'retry-1' } });
    expect(again.status).toBe(200);
    expect((again.body as { id: string }).id).toBe((first.body as { id: string }).id);
    // Nothing new arrives after the retry: a later message is the next thing in the log.
    await client.post('tak');
    const after = await client.poll(answered.watermark, (acts) => acts.some((a) => a.text === 'tak'));
    expect(after.activities[0]!.text).toBe('tak');
  });
});
