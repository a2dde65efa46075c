import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { call, DlClient, StreamClient, type Conversation, type DlActivity } from './helpers/directline-client';
import { hashAgentPassword } from '../src/config/agent-accounts';
import { agentApi, agentSignsIn, citizenJoins, escalates, PASSWORD } from './helpers/desk-client';
import type { DirectLineServer } from './helpers/directline-server';
import { exited, startProcess } from './helpers/http-bot';
import { PostgresServer } from './helpers/postgres';

const WELCOME = 'Jeg er MitID-hjælperen';
// Today the guide begins at the passport question (Q1 has nothing to decide since NemID closed).
const FIRST = 'Har du et gyldigt dansk eller udenlandsk pas eller ID-kort med chip?';
const SECOND = 'Har du adgang til en smartphone, som kan scanne pas? Det behøver ikke at være din egen. Du kan også få hjælp af en pårørende med en smartphone.';
const THIRD = 'Har du en smartphone eller tablet?';

let server: PostgresServer;
let children: ChildProcessWithoutNullStreams[] = [];
let sockets: StreamClient[] = [];
let dirs: string[] = [];

beforeAll(async () => {
  server = await PostgresServer.start();
}, 60_000);

afterAll(async () => {
  await server.stop();
});

afterEach(async () => {
  for (const socket of sockets) socket.close();
  sockets = [];
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited(child);
    }
  }
  children = [];
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  dirs = [];
});

/** Two bot processes on one database, each with its own DATA_DIR (nothing shared but PostgreSQL and the secret). */
async function twoInstances(env: Record<string, string> = {}): Promise<[{ url: string; child: ChildProcessWithoutNullStreams }, { url: string; child: ChildProcessWithoutNullStreams }]> {
  const url = await server.createDatabase();
  const start = async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'mitid-pg-instance-'));
    dirs.push(dataDir);
    const started = await startProcess({ STORAGE: 'postgres', DATABASE_URL: url, DIRECTLINE_SECRET: 'en-fælles-hemmelighed-til-alle-instanser-0123456789', DATA_DIR: dataDir, ...env });
    children.push(started.child);
    return started;
  };
  return Promise.all([start(), start()]);
}

async function stream(streamUrl: string): Promise<StreamClient> {
  const socket = await StreamClient.open(streamUrl);
  sockets.push(socket);
  return socket;
}

const texts = (activities: DlActivity[]) => activities.filter((a) => a.type === 'message' && a.from?.id !== undefined && a.from.role === 'bot').map((a) => a.text ?? '');
const lastIs = (text: string) => (activities: DlActivity[]) => texts(activities).at(-1) === text;

describe('the built-in Direct Line on two instances sharing PostgreSQL (no sticky sessions)', () => {
  it('a token from one instance works on the other; a WebSocket on one gets what is posted on the other', { timeout: 60_000 }, async () => {
    const [a, b] = await twoInstances();
    const onA = new DlClient(a.url);
    expect((await onA.generate()).status).toBe(200);
    const onB = new DlClient(b.url, onA.token, onA.conversationId);
    const started = await onB.start();
    expect(started.status).toBe(201);
    // Starting again elsewhere does not welcome twice.
    expect((await onA.start()).status).toBe(200);
    const reconnected = (await call(`${a.url}/v3/directline/conversations/${onA.conversationId}`, { token: onA.token })).body as Conversation;
    const socket = await stream(reconnected.streamUrl!);
    await socket.waitFor((acts) => texts(acts).some((t) => t.includes(WELCOME)), 10_000);

    expect((await onB.post('Hjælp mig med at få MitID')).status).toBe(200);
    await socket.waitFor(lastIs(FIRST), 10_000);
    expect((await onA.post('Ja')).status).toBe(200);
    await socket.waitFor(lastIs(SECOND), 10_000);
    expect((await onB.post('Ja')).status).toBe(200);
    await socket.waitFor(lastIs(THIRD), 10_000);
    expect(texts(socket.activities).filter((t) => t.includes(WELCOME))).toHaveLength(1);
    // The person's own lines came back too, each once, and the ids never repeat.
    const ids = socket.activities.map((x) => x.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(socket.activities.filter((x) => x.from?.role === 'user').map((x) => x.text)).toEqual(['Hjælp mig med at få MitID', 'Ja', 'Ja']);
  });

  it('an instance killed mid-conversation loses nothing: the client reconnects to the other with its watermark and goes on', { timeout: 60_000 }, async () => {
    const [a, b] = await twoInstances();
    const client = new DlClient(a.url);
    await client.generate();
    const started = (await client.start()).body as Conversation;
    const socket = await stream(started.streamUrl!);
    await socket.waitFor((acts) => texts(acts).some((t) => t.includes(WELCOME)), 10_000);
    await client.post('Hjælp mig med at få MitID');
    await client.post('Ja');
    await socket.waitFor(lastIs(SECOND), 10_000);
    const watermark = socket.frames.flatMap((f) => (f === '' ? [] : [f.watermark])).at(-1)!;

    a.child.kill('SIGKILL');
    await exited(a.child);
    // Its stream is gone with it.
    await socket.closed();
    expect(socket.ws.readyState).toBe(socket.ws.CLOSED);

    // Web Chat reconnects through the load balancer, which now sends it to B.
    const moved = new DlClient(b.url, client.token, client.conversationId);
    const reconnect = await call(`${b.url}/v3/directline/conversations/${client.conversationId}?watermark=${watermark}`, { token: client.token });
    expect(reconnect.status).toBe(200);
    const again = await stream((reconnect.body as Conversation).streamUrl!);
    expect((await moved.post('Ja')).status).toBe(200);
    await again.waitFor(lastIs(THIRD), 10_000);
    // Nothing from before the watermark is sent again, and the whole conversation is still there.
    expect(texts(again.activities)).not.toContain(SECOND);
    const all = ((await moved.activities()).body as { activities: DlActivity[] }).activities;
    expect(texts(all).filter((t) => t === FIRST || t === SECOND || t === THIRD)).toEqual([FIRST, SECOND, THIRD]);
  });

  it('the agent desk works across instances: signed in on one, the case opened on the other, chat both ways', { timeout: 90_000 }, async () => {
    const [a, b] = await twoInstances({ AGENT_ACCOUNTS: await hashAgentPassword('anna', PASSWORD) });
    const desk = (url: string) => ({ url }) as DirectLineServer;
    const anna = await agentSignsIn(desk(a.url), 'anna');
    const citizen = await citizenJoins(desk(b.url));
    const caseId = await escalates(citizen);
    // Told on her own conversation, though she signed in on the other instance.
    await anna.side.expect(`Ny sag i køen: ${caseId}`);
    // Her token and staff session hold on B as well; she takes the case there.
    expect((await agentApi(desk(b.url), anna.token, `/cases/${caseId}/take`, {})).status).toBe(200);
    await citizen.movedTo(a.url).expect('Du er nu i kontakt med en medarbejder, Anna');
    await anna.side.movedTo(b.url).say('Hej, jeg hedder Anna.');
    await citizen.expectFromAgent('Anna', 'Hej, jeg hedder Anna.');
    await citizen.movedTo(a.url).say('Tak, jeg har ikke noget pas.');
    await anna.side.expect('Tak, jeg har ikke noget pas.');
    expect((await agentApi(desk(a.url), anna.token, `/cases/${caseId}/close`, {})).status).toBe(200);
    await citizen.expect('Hvor tilfreds er du med hjælpen?');
  });
});
