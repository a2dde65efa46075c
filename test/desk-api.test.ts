import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { hashAgentPassword } from '../src/config/agent-accounts';
import { content } from './helpers/bot-harness';
import { call, DlClient, type ActivitySet } from './helpers/directline-client';
import { agentApi, agentSignsIn, citizenJoins, escalates, PASSWORD, Side } from './helpers/desk-client';
import { movableClock, startDirectLine, type DirectLineServer } from './helpers/directline-server';

let accounts = '';
let dataDir: string;
let server: DirectLineServer;

beforeAll(async () => {
  accounts = [await hashAgentPassword('anna', PASSWORD), await hashAgentPassword('bo', PASSWORD)].join(',');
});

beforeEach(async () => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'mitid-desk-'));
  server = await startDirectLine(dataDir, { AGENT_ACCOUNTS: accounts, AGENT_MAX_CHATS: '2' }, {}, movableClock());
});

afterEach(async () => {
  await server.close();
  rmSync(dataDir, { recursive: true, force: true });
});

interface DeskState {
  agent: { username: string; role: string };
  presence: string;
  maxChats: number;
  activeCaseIds: string[];
  colleagues: Array<{ username: string; presence: string; chats: number }>;
  cases: Array<{ id: string; status: string; lastCitizenLine?: string }>;
}

describe('the desk API', () => {
  it('an agent sees the queue and her own cases only; another agent’s case is not found, not forbidden', async () => {
    const anna = await agentSignsIn(server, 'anna');
    const bo = await agentSignsIn(server, 'bo');
    const first = await citizenJoins(server);
    const second = await citizenJoins(server);
    const annas = await escalates(first);
    const queued = await escalates(second);
    expect((await agentApi(server, anna.token, `/cases/${annas}/take`, {})).status).toBe(200);

    const desk = (await agentApi(server, bo.token, '/desk')).body as DeskState;
    expect(desk).toMatchObject({ agent: { username: 'bo', role: 'agent' }, presence: 'available', maxChats: 2, activeCaseIds: [] });
    expect(desk.cases.map((c) => c.id)).toEqual([queued]);
    expect(desk.colleagues).toEqual([{ username: 'anna', displayName: 'Anna', presence: 'available', chats: 1 }]);
    expect((await agentApi(server, anna.token, '/desk')).body).toMatchObject({ activeCaseIds: [annas] });

    for (const route of [`/cases/${annas}`, `/cases/${annas}/note`, `/cases/${annas}/chat`, `/cases/${annas}/transfer`]) {
      const answer = await agentApi(server, bo.token, route, route.endsWith(annas) ? undefined : { text: 'x' });
      expect([route, answer.status]).toEqual([route, 404]);
    }
    expect((await agentApi(server, bo.token, '/cases/..%2f..%2fetc')).status).toBe(404);
    expect((await agentApi(server, bo.token, `/cases/${queued}`)).status).toBe(200);
  });

  it('the case chat: its own Direct Line conversation, lines both ways, the citizen’s words as plain text, typing relayed', async () => {
    const anna = await agentSignsIn(server, 'anna');
    const citizen = await citizenJoins(server);
    const id = await escalates(citizen);
    await citizen.say('<img src=x onerror=alert(1)> **fed**');
    await agentApi(server, anna.token, `/cases/${id}/take`, {});
    const access = (await agentApi(server, anna.token, `/cases/${id}/chat`, {})).body as { token: string; conversationId: string };
    expect(access.conversationId).toBe(`case-${id}-anna`);
    const chat = new DlClient(server.url, access.token, access.conversationId);
    expect([200, 201]).toContain((await chat.start()).status);
    const tab = new Side(chat);
    const summary = await tab.expect(`Sag ${id}`);
    expect(summary.join('\n')).toContain('<img src=x onerror=alert(1)> **fed**');
    expect(tab.last.find((a) => a.text?.includes(`Sag ${id}`))).toMatchObject({ textFormat: 'plain' });

    await tab.say('Hej fra fanen');
    await citizen.expectFromAgent('Anna', 'Hej fra fanen');
    await citizen.say('Tak!');
    await tab.expect('Tak!');
    expect(tab.last.find((a) => a.text?.includes('Tak!'))).toMatchObject({ textFormat: 'plain' });

    // Typing from the citizen shows in the tab; the agent's typing reaches the citizen with her name.
    const since = async (client: DlClient, watermark: string | undefined) => ((await client.activities(watermark)).body as ActivitySet).activities;
    expect((await citizen.client.post('', { type: 'typing' })).status).toBe(200);
    await expect.poll(async () => (await since(chat, tab.watermark)).some((a) => a.type === 'typing')).toBe(true);
    expect((await chat.post('', { type: 'typing' })).status).toBe(200);
    await expect.poll(async () => (await since(citizen.client, citizen.watermark)).some((a) => a.type === 'typing' && JSON.stringify(a.channelData ?? {}).includes('"name":"Anna"'))).toBe(true);

    // A citizen's token cannot open an agent's case chat.
    const stolen = new DlClient(server.url, citizen.client.token, access.conversationId);
    expect((await stolen.activities()).status).toBe(403);
    expect((await stolen.post('Jeg er Anna')).status).toBe(403);
  });

  it('transfer to a signed-in colleague or the queue; an unknown colleague is a 400', async () => {
    const anna = await agentSignsIn(server, 'anna');
    const bo = await agentSignsIn(server, 'bo');
    const citizen = await citizenJoins(server);
    const id = await escalates(citizen);
    await agentApi(server, anna.token, `/cases/${id}/take`, {});
    expect((await agentApi(server, anna.token, `/cases/${id}/transfer`, { to: 'mallory' })).status).toBe(400);
    expect((await agentApi(server, anna.token, `/cases/${id}/transfer`, { to: 'bo', note: 'Bo kender sagen' })).body).toMatchObject({ status: 'assigned', agent: { id: 'bo' } });
    await citizen.expect('Du får nu hjælp af Bo');
    await bo.side.expect(`Anna har givet dig sag ${id}`);
    expect((await agentApi(server, bo.token, `/cases/${id}/transfer`, {})).body).toMatchObject({ status: 'queued' });
    await citizen.expect('Bo har sendt din samtale videre');
  });

  it('history, templates, presence and scores', async () => {
    const anna = await agentSignsIn(server, 'anna');
    const citizen = await citizenJoins(server);
    const id = await escalates(citizen);
    await citizen.say('Hvornår kommer min kodeviser?');
    await agentApi(server, anna.token, `/cases/${id}/take`, {});
    await agentApi(server, anna.token, `/cases/${id}/close`, {});
    await citizen.expect('Hvor tilfreds er du');
    await citizen.say('4');
    await citizen.expect('Tak for dit svar');

    const found = (await agentApi(server, anna.token, '/history?q=kodeviser')).body as { cases: Array<{ id: string; satisfaction?: number }> };
    expect(found.cases).toEqual([expect.objectContaining({ id, satisfaction: 4, status: 'closed' })]);
    expect(((await agentApi(server, anna.token, '/history?q=pas')).body as { cases: unknown[] }).cases).toEqual([]);
    expect((await agentApi(server, anna.token, '/history?from=igår')).status).toBe(400);
    expect((await agentApi(server, anna.token, `/cases/${id}`)).body).toMatchObject({ id, status: 'closed', satisfaction: 4 });

    const templates = (await agentApi(server, anna.token, '/templates')).body as { templates: Array<{ name: string; text: string }> };
    expect(templates.templates.map((t) => t.name)).toEqual(Object.keys(content.handoff.templates));

    expect((await agentApi(server, anna.token, '/presence', { status: 'busy' })).status).toBe(400);
    expect((await agentApi(server, anna.token, '/presence', { status: 'away' })).body).toEqual({ presence: 'away' });
    expect((await agentApi(server, anna.token, '/desk')).body).toMatchObject({ presence: 'away' });

    expect((await agentApi(server, anna.token, '/scores')).body).toEqual({ overall: { rated: 1, average: 4, counts: { '4': 1 } }, agents: [{ id: 'anna', name: 'Anna', closed: 1, rated: 1, average: 4 }] });
    const metrics = await call(`${server.url}/metrics`, { method: 'GET' });
    expect(String(metrics.body)).toMatch(/mitid_handoff_satisfaction_ratings\{score="4"\} 1/);
    expect(String(metrics.body)).toMatch(/mitid_handoff_agent_satisfaction_average\{agent="anna"\} 4/);
  });
});
