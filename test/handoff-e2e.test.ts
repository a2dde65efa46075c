import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { hashAgentPassword } from '../src/config/agent-accounts';
import { content } from './helpers/bot-harness';
import { fill } from '../src/content/placeholders';
import { call, DlClient, errorOf } from './helpers/directline-client';
import { agentApi, agentSignsIn, citizenJoins, escalates, PASSWORD } from './helpers/desk-client';
import { movableClock, startDirectLine, type DirectLineServer } from './helpers/directline-server';

let accounts = '';
let dataDir: string;
let running: DirectLineServer[] = [];

beforeAll(async () => {
  accounts = [await hashAgentPassword('anna', PASSWORD), await hashAgentPassword('bo', PASSWORD)].join(',');
});

beforeEach(() => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'mitid-handoff-'));
});

afterEach(async () => {
  for (const server of running) await server.close();
  running = [];
  rmSync(dataDir, { recursive: true, force: true });
});

async function start(clock = movableClock()): Promise<DirectLineServer> {
  const server = await startDirectLine(dataDir, { AGENT_ACCOUNTS: accounts }, {}, clock);
  running.push(server);
  return server;
}


describe('escalation end to end: a citizen and an agent as two Direct Line clients on the real server', () => {
  it('escalate, consent, queue, take, chat both ways, note, close, satisfaction', async () => {
    const server = await start();
    const anna = await agentSignsIn(server, 'anna');
    const citizen = await citizenJoins(server);
    await citizen.say('Hjælp mig med at få MitID');
    await citizen.expect('pas eller ID-kort');
    await citizen.say('Ja');
    await citizen.expect('smartphone, som kan scanne pas');

    const caseId = await escalates(citizen);
    await anna.side.expect(`Ny sag i køen: ${caseId}`);
    const queue = (await agentApi(server, anna.token, '/queue')).body as { cases: Array<{ id: string; status: string; guidePath: string[] }> };
    expect(queue.cases).toEqual([expect.objectContaining({ id: caseId, status: 'queued', guidePath: ['Q2 Ja', `Q3 ${content.labels.unanswered}`] })]);

    const take = await agentApi(server, anna.token, `/cases/${caseId}/take`, {});
    expect(take.status).toBe(200);
    await citizen.expect('Du er nu i kontakt med en medarbejder, Anna');
    const summary = await anna.side.expect(`Du har nu sag ${caseId}`);
    expect(summary.join('\n')).toContain(`Q2 Ja → Q3 ${content.labels.unanswered}`);

    await anna.side.say('Hej, jeg hedder Anna. Hvordan kan jeg hjælpe?');
    await citizen.expectFromAgent('Anna', 'Hej, jeg hedder Anna. Hvordan kan jeg hjælpe?');
    await citizen.say('Jeg har ikke noget pas. Mit nummer er 12 34 56 78.');
    const atAgent = await anna.side.expect(fill(content.handoff.agent.fromCitizen.text, { caseId, text: '' }).trim());
    expect(atAgent.join()).toContain('Mit nummer er [telefon].');
    expect(atAgent.join()).not.toContain('12 34 56 78');

    expect((await agentApi(server, anna.token, `/cases/${caseId}/note`, { text: 'Skal i Borgerservice' })).status).toBe(200);
    const stored = (await agentApi(server, anna.token, `/cases/${caseId}`)).body as { notes: Array<{ text: string }>; transcript: Array<{ text: string }> };
    expect(stored.notes.map((n) => n.text)).toEqual(['Skal i Borgerservice']);
    expect(JSON.stringify(stored)).not.toContain('12 34 56 78');

    expect((await agentApi(server, anna.token, `/cases/${caseId}/close`, {})).status).toBe(200);
    await citizen.expect('Hvor tilfreds er du med hjælpen?');
    await citizen.say('5');
    await citizen.expect('Tak for dit svar');
    const closed = (await agentApi(server, anna.token, `/cases/${caseId}`)).body as { status: string; satisfaction: number };
    expect(closed).toMatchObject({ status: 'closed', satisfaction: 5 });
    // The bot answers again.
    await citizen.say('hvad er en kodeviser');
    await citizen.expect('kodeviser');
  });

  it('a restart of the server in the middle of the chat loses no case and no message; both sides go on', async () => {
    const first = await start();
    const anna = await agentSignsIn(first, 'anna');
    const citizen = await citizenJoins(first);
    const caseId = await escalates(citizen);
    expect((await agentApi(first, anna.token, `/cases/${caseId}/take`, {})).status).toBe(200);
    await citizen.expect('Du er nu i kontakt med en medarbejder');
    await anna.side.say('Et øjeblik, jeg kigger på det.');
    await citizen.expect('Et øjeblik, jeg kigger på det.');

    await first.close();
    running = running.filter((s) => s !== first);
    const second = await start();
    const citizenAgain = citizen.movedTo(second.url);
    const annaAgain = anna.side.movedTo(second.url);

    await citizenAgain.say('Er du der stadig?');
    await annaAgain.expect('Er du der stadig?');
    await annaAgain.say('Ja, jeg er her. Du skal i Borgerservice.');
    await citizenAgain.expectFromAgent('Anna', 'Ja, jeg er her. Du skal i Borgerservice.');

    const stored = (await agentApi(second, anna.token, `/cases/${caseId}`)).body as { status: string; transcript: Array<{ from: string; text: string }> };
    expect(stored.status).toBe('assigned');
    expect(stored.transcript.map((l) => l.text)).toEqual(
      expect.arrayContaining(['Et øjeblik, jeg kigger på det.', 'Er du der stadig?', 'Ja, jeg er her. Du skal i Borgerservice.']),
    );
    expect((await agentApi(second, anna.token, '/queue')).body).toMatchObject({ activeCaseId: caseId });
  });
});

describe('the agent hub API', () => {
  it('two agents cannot take the same case: one wins, the other is refused', async () => {
    const server = await start();
    const anna = await agentSignsIn(server, 'anna');
    const bo = await agentSignsIn(server, 'bo');
    const citizen = await citizenJoins(server);
    const caseId = await escalates(citizen);
    const [a, b] = await Promise.all([agentApi(server, anna.token, `/cases/${caseId}/take`, {}), agentApi(server, bo.token, `/cases/${caseId}/take`, {})]);
    const [winner, loser] = a.status === 200 ? [a, b] : [b, a];
    expect(winner.status).toBe(200);
    // Refused inside the take (409) when both saw it queued; a take that arrives once the case is
    // the other's may not even see it (404, as for any case not one's own: ids cannot be probed).
    expect([[409, 'already_taken'], [404, 'not_found']]).toContainEqual([loser.status, errorOf(loser).code]);
    const [token, username] = winner === a ? [anna.token, 'anna'] : [bo.token, 'bo'];
    expect(((await agentApi(server, token, `/cases/${caseId}`)).body as { agent?: { id: string } }).agent?.id).toBe(username);
  });

  it('every agent route refuses an unauthenticated request (401) and a citizen\'s widget token (403)', async () => {
    const server = await start();
    const citizen = await citizenJoins(server);
    const routes: Array<[string, unknown]> = [
      ['/queue', undefined],
      ['/cases/M-1234', undefined],
      ['/cases/M-1234/take', {}],
      ['/cases/M-1234/note', { text: 'x' }],
      ['/cases/M-1234/release', {}],
      ['/cases/M-1234/close', {}],
      ['/logout', {}],
    ];
    for (const [route, body] of routes) {
      expect((await agentApi(server, '', route, body)).status, `${route} without a token`).toBe(401);
      expect((await agentApi(server, 'forged.token', route, body)).status, `${route} with a forged token`).toBe(401);
      expect((await agentApi(server, citizen.client.token, route, body)).status, `${route} with a citizen's token`).toBe(403);
    }
  });

  it('a wrong password is refused without saying which part was wrong; repeated tries are slowed down', async () => {
    const server = await start();
    const wrong = await call(`${server.url}/agent/api/login`, { method: 'POST', body: { username: 'anna', password: 'forkert-adgangskode' } });
    expect(wrong.status).toBe(401);
    const unknown = await call(`${server.url}/agent/api/login`, { method: 'POST', body: { username: 'nobody', password: 'forkert-adgangskode' } });
    expect(errorOf(unknown)).toEqual(errorOf(wrong));
    let last = 0;
    for (let i = 0; i < 10; i++) last = (await call(`${server.url}/agent/api/login`, { method: 'POST', body: { username: 'anna', password: 'x' } })).status;
    expect(last).toBe(429);
  });

  it('behind a trusted proxy (TRUST_PROXY) the sign-in limit is per client, so one guesser does not lock out everyone', async () => {
    const server = await startDirectLine(dataDir, { AGENT_ACCOUNTS: accounts, TRUST_PROXY: 'loopback' }, {}, movableClock());
    running.push(server);
    const login = (client: string, password: string, username = 'anna') =>
      call(`${server.url}/agent/api/login`, { method: 'POST', headers: { 'x-forwarded-for': client }, body: { username, password } });
    let last = 0;
    for (let i = 0; i < 12; i++) last = (await login('198.51.100.1', 'x')).status;
    expect(last).toBe(429);
    // Another client behind the same proxy is still asked for the password of another account (per account limits: test/agent-sessions.test.ts).
    expect((await login('198.51.100.2', 'forkert-adgangskode', 'bo')).status).toBe(401);
  });

  it('an agent\'s token cannot be used to act as a citizen elsewhere, nor a citizen post into an agent\'s chat', async () => {
    const server = await start();
    const anna = await agentSignsIn(server, 'anna');
    const citizen = await citizenJoins(server);
    const intoAgentChat = await citizen.client.post('hej', {}, 'agent-anna');
    expect(intoAgentChat.status).toBe(403);
    expect((await anna.side.client.activities(undefined, citizen.client.conversationId)).status).toBe(403);
  });

  it('the timeout message reaches a waiting citizen over Direct Line, and "annuller" leaves the queue', async () => {
    const clock = movableClock();
    const server = await startDirectLine(dataDir, { AGENT_ACCOUNTS: accounts, HANDOFF_WAIT_SECONDS: '60' }, {}, clock);
    running.push(server);
    const app = server;
    const citizen = await citizenJoins(app);
    const caseId = await escalates(citizen);
    clock.advance(61_000);
    expect(await server.sweepHandoffs()).toBe(1);
    const told = await citizen.expect('Der er desværre ikke nogen medarbejder ledig endnu');
    expect(told.join()).toContain('MitID support');
    await citizen.say('annuller');
    await citizen.expect(`Du har forladt køen, og sag ${caseId} er lukket`);
  });
});
