import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { agentSessions } from '../scripts/agent-sessions';
import { hashAgentPassword } from '../src/config/agent-accounts';
import { call, DlClient, errorOf } from './helpers/directline-client';
import { agentApi, agentSignsIn, citizenJoins, escalates, PASSWORD, Side } from './helpers/desk-client';
import { movableClock, startDirectLine, type DirectLineServer } from './helpers/directline-server';
import { TestOidcProvider } from './helpers/oidc-provider';

// Staff sessions against the running server: what an attacker with a stolen or left-behind agent token can still do.

let accounts: Record<string, string> = {};
let dataDir: string;
let running: DirectLineServer[] = [];

beforeAll(async () => {
  for (const name of ['anna', 'bo', 'carl']) accounts[name] = await hashAgentPassword(name, PASSWORD);
});

beforeEach(() => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'mitid-sessions-'));
});

afterEach(async () => {
  for (const server of running) await server.close();
  running = [];
  rmSync(dataDir, { recursive: true, force: true });
});

async function start(env: Record<string, string> = {}, clock = movableClock()): Promise<DirectLineServer> {
  const server = await startDirectLine(dataDir, { AGENT_ACCOUNTS: Object.values(accounts).join(','), ...env }, {}, clock);
  running.push(server);
  return server;
}

const login = (server: DirectLineServer, username: string, password: string, from?: string) =>
  call(`${server.url}/agent/api/login`, { method: 'POST', body: { username, password }, ...(from ? { headers: { 'x-forwarded-for': from } } : {}) });

describe('an agent session ends when it should, everywhere at once', () => {
  it('sign-out: the token no longer reads the desk, refreshes, reads her Direct Line chat or a case chat', async () => {
    const server = await start();
    const anna = await agentSignsIn(server, 'anna');
    const citizen = await citizenJoins(server);
    const id = await escalates(citizen);
    await agentApi(server, anna.token, `/cases/${id}/take`, {});
    const caseChat = (await agentApi(server, anna.token, `/cases/${id}/chat`, {})).body as { token: string; conversationId: string };
    const tab = new DlClient(server.url, caseChat.token, caseChat.conversationId);
    expect([200, 201]).toContain((await tab.start()).status);

    expect((await agentApi(server, anna.token, '/logout', {})).status).toBe(204);
    for (const route of ['/queue', '/desk', `/cases/${id}`]) {
      const answer = await agentApi(server, anna.token, route);
      expect([route, answer.status, errorOf(answer).code]).toEqual([route, 401, 'SessionEnded']);
    }
    expect((await agentApi(server, anna.token, '/tokens/refresh', {})).status).toBe(401);
    // Direct Line refuses as Azure's does for a token that is no longer good (401 or 403), so Web Chat stops.
    const refused = [401, 403];
    expect(refused).toContain((await call(`${server.url}/v3/directline/tokens/refresh`, { method: 'POST', token: anna.token })).status);
    expect(refused).toContain((await anna.side.client.activities(undefined)).status);
    expect(refused).toContain((await tab.post('Er du der?')).status);
    expect(refused).toContain((await tab.activities(undefined)).status);
    // Signing in again works as before.
    expect((await agentSignsIn(server, 'anna')).token).not.toBe(anna.token);
  });

  it('refresh gives a new token while the session lives, never one that outlives it, and none after its end', async () => {
    const clock = movableClock();
    const server = await start({ AGENT_SESSION_HOURS: '1', AGENT_IDLE_MINUTES: '120' }, clock);
    const anna = await agentSignsIn(server, 'anna');
    const signedIn = (await login(server, 'anna', PASSWORD)).body as { token: string; sessionEndsAt: string };
    const endsAt = Date.parse(signedIn.sessionEndsAt);
    expect(endsAt - clock.now().getTime()).toBe(3_600_000);

    // The page refreshes every quarter of an hour, as Web Chat does; each token lives at most to the session's end.
    let token = signedIn.token;
    let chatToken = anna.token;
    for (let quarter = 1; quarter <= 3; quarter++) {
      clock.advance(15 * 60_000);
      const refreshed = await agentApi(server, token, '/tokens/refresh', {});
      expect(refreshed.status).toBe(200);
      const body = refreshed.body as { token: string; expires_in: number; sessionEndsAt: string };
      expect(clock.now().getTime() + body.expires_in * 1000).toBeLessThanOrEqual(endsAt);
      expect(body.sessionEndsAt).toBe(signedIn.sessionEndsAt);
      token = body.token;
      const viaDirectLine = await call(`${server.url}/v3/directline/tokens/refresh`, { method: 'POST', token: chatToken });
      expect(viaDirectLine.status).toBe(200);
      const chat = viaDirectLine.body as { token: string; expires_in: number };
      expect(clock.now().getTime() + chat.expires_in * 1000).toBeLessThanOrEqual(endsAt + 1000);
      chatToken = chat.token;
    }
    clock.advance(15 * 60_000 + 1000);
    expect((await agentApi(server, token, '/tokens/refresh', {})).status).toBe(401);
    expect((await agentApi(server, token, '/desk')).status).toBe(401);
    expect([401, 403]).toContain((await call(`${server.url}/v3/directline/tokens/refresh`, { method: 'POST', token: chatToken })).status);
  });

  it('a session left idle ends; polling the desk and refreshing do not keep it alive, an action does', async () => {
    const clock = movableClock();
    const server = await start({ AGENT_IDLE_MINUTES: '30' }, clock);
    const tokens = { anna: (await agentSignsIn(server, 'anna')).token, bo: (await agentSignsIn(server, 'bo')).token };
    // Both pages poll and refresh their tokens; only Bo does anything.
    for (let minute = 5; minute <= 35; minute += 5) {
      clock.advance(5 * 60_000);
      for (const name of ['anna', 'bo'] as const) {
        const refreshed = await agentApi(server, tokens[name], '/tokens/refresh', {});
        if (refreshed.status === 200) tokens[name] = (refreshed.body as { token: string }).token;
        await agentApi(server, tokens[name], '/queue');
      }
      expect((await agentApi(server, tokens.bo, '/presence', { status: 'available' })).status).toBe(200);
    }
    expect((await agentApi(server, tokens.anna, '/queue')).status).toBe(401);
    expect((await agentApi(server, tokens.bo, '/queue')).status).toBe(200);
  });

  it('a new password ends that agent’s sessions when the server restarts with it; colleagues stay signed in', async () => {
    const first = await start();
    const anna = await agentSignsIn(first, 'anna');
    const bo = await agentSignsIn(first, 'bo');
    await first.close();
    running = [];

    const changed = { ...accounts, anna: await hashAgentPassword('anna', 'et-helt-nyt-kodeord') };
    const second = await startDirectLine(dataDir, { AGENT_ACCOUNTS: Object.values(changed).join(',') }, {}, movableClock());
    running.push(second);
    expect((await agentApi(second, anna.token, '/queue')).status).toBe(401);
    expect((await agentApi(second, bo.token, '/queue')).status).toBe(200);
    expect((await login(second, 'anna', PASSWORD)).status).toBe(401);
    expect((await login(second, 'anna', 'et-helt-nyt-kodeord')).status).toBe(200);
  });

  it('the admin command lists who is signed in and ends one agent’s sessions, or all, while the server runs', async () => {
    // The command runs on the real clock, so the server does too here.
    const server = await start({}, movableClock(new Date().toISOString()));
    const anna = await agentSignsIn(server, 'anna');
    const annaAgain = ((await login(server, 'anna', PASSWORD)).body as { token: string }).token;
    const bo = await agentSignsIn(server, 'bo');

    const run = promisify(execFile);
    const listed = await run(process.execPath, ['--import', 'tsx', 'scripts/agent-sessions.ts', 'list'], {
      env: { ...process.env, DATA_DIR: dataDir, AGENT_ACCOUNTS: Object.values(accounts).join(','), LOG_LEVEL: 'silent' },
    });
    const rows = listed.stdout.split('\n').filter((line) => /^(anna|bo)\s/.test(line));
    expect(rows.map((line) => line.split(/\s+/).slice(0, 3))).toEqual([
      ['bo', 'Bo', '1'],
      ['anna', 'Anna', '2'],
    ]);

    const said: string[] = [];
    expect(await agentSessions(['end', 'ANNA'], server.config, (line) => said.push(line))).toBe(0);
    expect(said.join('\n')).toContain('anna: 2');
    for (const token of [anna.token, annaAgain]) expect((await agentApi(server, token, '/queue')).status).toBe(401);
    expect((await agentApi(server, bo.token, '/queue')).status).toBe(200);
    expect(await agentSessions(['end', 'nobody'], server.config, (line) => said.push(line))).toBe(1);
    expect(await agentSessions(['end'], server.config, (line) => said.push(line))).toBe(2);

    expect(await agentSessions(['end-all'], server.config, (line) => said.push(line))).toBe(0);
    expect((await agentApi(server, bo.token, '/queue')).status).toBe(401);
    expect((await login(server, 'bo', PASSWORD)).status).toBe(200);
  });
});

describe('sign-in limits on the running server', () => {
  it('an account guessed at from 20 addresses is slowed down, its owner gets in after the wait, a colleague at once', async () => {
    const clock = movableClock();
    const server = await start({ TRUST_PROXY: 'loopback' }, clock);
    const statuses: number[] = [];
    let retryAfter = 0;
    for (let i = 0; i < 20; i++) {
      const answer = await login(server, 'anna', `gæt-nummer-${i}`, `198.51.100.${i + 1}`);
      statuses.push(answer.status);
      if (answer.status === 429) retryAfter = Number(answer.headers.get('retry-after'));
    }
    expect(statuses.filter((s) => s === 401).length).toBeLessThan(10);
    expect(statuses.at(-1)).toBe(429);
    expect(retryAfter).toBeGreaterThan(0);
    // A colleague behind one of the same addresses is not locked out of her own account.
    expect((await login(server, 'bo', PASSWORD, '198.51.100.7')).status).toBe(200);
    // Not a permanent lock: after the wait the right password lets Anna in.
    expect((await login(server, 'anna', PASSWORD, '198.51.100.7')).status).toBe(429);
    clock.advance(retryAfter * 1000 + 1);
    expect((await login(server, 'anna', PASSWORD, '203.0.113.9')).status).toBe(200);
  });
});

describe('what a role may read', () => {
  it('a supervisor reads every case, closed ones and their history too; an agent her own and the queue', async () => {
    const server = await start({ AGENT_SUPERVISORS: 'Carl' });
    const anna = await agentSignsIn(server, 'anna');
    const bo = await agentSignsIn(server, 'bo');
    const carl = await agentSignsIn(server, 'carl');
    expect((await agentApi(server, carl.token, '/desk')).body).toMatchObject({ agent: { username: 'carl', role: 'supervisor' } });

    const citizen = await citizenJoins(server);
    const id = await escalates(citizen);
    await citizen.say('Min kodeviser er ikke kommet');
    expect((await agentApi(server, anna.token, `/cases/${id}/take`, {})).status).toBe(200);
    expect((await agentApi(server, anna.token, `/cases/${id}/close`, {})).status).toBe(200);

    expect((await agentApi(server, anna.token, `/cases/${id}`)).status).toBe(200);
    expect((await agentApi(server, bo.token, `/cases/${id}`)).status).toBe(404);
    expect((await agentApi(server, carl.token, `/cases/${id}`)).body).toMatchObject({ id, status: 'closed' });
    const history = async (token: string) => ((await agentApi(server, token, '/history?q=kodeviser')).body as { cases: Array<{ id: string }> }).cases.map((c) => c.id);
    expect(await history(bo.token)).toEqual([]);
    expect(await history(carl.token)).toEqual([id]);
    expect(await history(anna.token)).toEqual([id]);
  });

  it('case ids do not run in sequence: 20 cases share no neighbour', async () => {
    const server = await start();
    const ids: number[] = [];
    for (let i = 0; i < 20; i++) ids.push(Number((await escalates(await citizenJoins(server))).replace(/\D/g, '')));
    const sorted = [...ids].sort((a, b) => a - b);
    const gaps = sorted.slice(1).map((n, i) => n - sorted[i]!);
    expect(new Set(ids).size).toBe(20);
    expect(gaps.filter((gap) => gap < 10).length).toBeLessThan(3);
  });
});

/** A port nothing listens on, for the provider to register the bot's redirect address before the bot starts. */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

const DESK_GROUP = '5b0c9a7e-0000-4000-8000-0000000de5c0';
const LEADS = '5b0c9a7e-0000-4000-8000-000000001ead';

describe('staff sign-in with the municipality’s provider, end to end on the running server', () => {
  let provider: TestOidcProvider;
  let port: number;
  let server: DirectLineServer;

  beforeAll(async () => {
    port = await freePort();
    provider = await new TestOidcProvider({
      redirectUri: `http://127.0.0.1:${port}/agent/oidc/callback`,
      accounts: [
        { sub: 'sub-anna', claims: { name: 'Anna Andersen', preferred_username: 'anna@kommune.dk', oid: 'oid-anna', groups: [DESK_GROUP] } },
        { sub: 'sub-lise', claims: { name: 'Lise Leder', preferred_username: 'lise@kommune.dk', oid: 'oid-lise', groups: [DESK_GROUP, LEADS] } },
        { sub: 'sub-eve', claims: { name: 'Eve', preferred_username: 'eve@kommune.dk', oid: 'oid-eve', groups: ['andre'] } },
      ],
    }).start();
  });

  afterAll(async () => {
    expect(provider.serverErrors).toEqual([]);
    await provider.close();
  });

  beforeEach(async () => {
    server = await start({
      PORT: String(port),
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      OIDC_ISSUER: provider.issuer,
      OIDC_CLIENT_ID: provider.clientId,
      OIDC_CLIENT_SECRET: provider.clientSecret,
      OIDC_ALLOWED_GROUPS: DESK_GROUP,
      OIDC_SUPERVISOR_GROUPS: LEADS,
    });
  });

  /** The browser's way: start, the provider's pages, back to the callback; returns where the desk sends it and the cookies it set. */
  async function throughProvider(account: string): Promise<{ location: string; cookies: string[] }> {
    const started = await fetch(`${server.url}/agent/oidc/start`, { redirect: 'manual' });
    expect(started.status).toBe(302);
    const pending = started.headers.getSetCookie().map((c) => c.split(';')[0]!);
    const callback = await provider.signIn(started.headers.get('location')!, account);
    const back = await fetch(callback, { redirect: 'manual', headers: { cookie: pending.join('; ') } });
    expect(back.status).toBe(302);
    return { location: back.headers.get('location')!, cookies: back.headers.getSetCookie().map((c) => c.split(';')[0]!).filter((c) => !c.endsWith('=')) };
  }

  const exchange = (code: string, cookies: string[]) =>
    call(`${server.url}/agent/api/oidc/exchange`, { method: 'POST', body: { code }, headers: { cookie: cookies.join('; ') } });

  it('the page offers the provider; a member of the group signs in, gets her desk and chats with a citizen', async () => {
    expect((await call(`${server.url}/agent/api/sign-in-options`)).body).toEqual({ password: true, oidc: { name: 'Microsoft', start: '/agent/oidc/start' } });
    const { location, cookies } = await throughProvider('sub-anna');
    const code = /^\/agent#signin=([\w-]+)$/.exec(location)?.[1];
    expect(code, location).toBeDefined();
    const signedIn = await exchange(code!, cookies);
    expect(signedIn.status).toBe(200);
    const body = signedIn.body as { token: string; conversationId: string; agent: { username: string; displayName: string; role: string } };
    expect(body.agent).toMatchObject({ displayName: 'Anna Andersen', role: 'agent' });
    expect(body.agent.username).toMatch(/^oidc-[a-z2-7]{10}$/);
    // The code is good once only, and only with the cookie this browser got.
    expect((await exchange(code!, cookies)).status).toBe(401);

    const deskChat = new Side(new DlClient(server.url, body.token, body.conversationId));
    expect([200, 201]).toContain((await deskChat.client.start()).status);
    await deskChat.expect('Hej Anna Andersen');
    const citizen = await citizenJoins(server);
    const id = await escalates(citizen);
    expect((await agentApi(server, body.token, `/cases/${id}/take`, {})).status).toBe(200);
    await citizen.expect('Anna Andersen');
    await deskChat.say('Jeg hjælper dig gerne.');
    await citizen.expectFromAgent('Anna Andersen', 'Jeg hjælper dig gerne.');
    expect((await agentApi(server, body.token, '/logout', {})).status).toBe(204);
    expect((await agentApi(server, body.token, '/desk')).status).toBe(401);
  });

  it('a code without its cookie is worth nothing; someone outside the groups is sent back with the reason; a leader is a supervisor', async () => {
    const anna = await throughProvider('sub-anna');
    const code = anna.location.split('=')[1]!;
    expect((await exchange(code, [])).status).toBe(401);
    expect((await exchange(code, anna.cookies)).status).toBe(401);

    expect((await throughProvider('sub-eve')).location).toBe('/agent#oidc-error=not_allowed');

    const lise = await throughProvider('sub-lise');
    const leader = (await exchange(lise.location.split('=')[1]!, lise.cookies)).body as { agent: { role: string } };
    expect(leader.agent.role).toBe('supervisor');
  });
});
