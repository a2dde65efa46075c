import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MemoryStorage, type Storage } from 'botbuilder';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Clock } from '../src/clock';
import type { AgentAccount } from '../src/config/agent-accounts';
import { AgentTokens } from '../src/desk/agent-tokens';
import { credentialFingerprint, passwordFingerprint, StaffSessions, type StaffSessionsOptions } from '../src/desk/staff-sessions';
import { TokenSigner } from '../src/directline/tokens';
import { openSqliteStorage } from '../src/storage/sqlite-storage';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

interface TestClock extends Clock {
  advance(ms: number): void;
}

function testClock(start = '2026-11-23T08:00:00Z'): TestClock {
  let at = Date.parse(start);
  return { now: () => new Date(at), advance: (ms) => void (at += ms) };
}

function account(username: string): AgentAccount {
  return { username, displayName: username, salt: randomBytes(16), hash: randomBytes(32) };
}

/** Counts writes, to see that touching a session does not write on every request. */
function countingWrites(storage: Storage): { storage: Storage; writes: () => number } {
  let writes = 0;
  return {
    storage: {
      read: (keys) => storage.read(keys),
      write: (changes) => {
        writes += 1;
        return storage.write(changes);
      },
      delete: (keys) => storage.delete(keys),
    },
    writes: () => writes,
  };
}

/** The same storage with a random pause of up to 4 ms before each call. */
function slowed(storage: Storage): Storage {
  const wait = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, Math.random() * 4));
  return {
    read: async (keys) => (await wait(), storage.read(keys)),
    write: async (changes) => (await wait(), storage.write(changes)),
    delete: async (keys) => (await wait(), storage.delete(keys)),
  };
}

let dir: string;
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'staff-sessions-'));
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

const storages: [string, () => Promise<Storage>][] = [
  [
    'SqliteStorage',
    async () => {
      const storage = await openSqliteStorage({ DATA_DIR: path.join(dir, 'data'), STORAGE_FSYNC: false });
      return storage;
    },
  ],
  ['MemoryStorage', async () => new MemoryStorage()],
];

describe.each(storages)('staff sessions on %s', (_name, makeStorage) => {
  let storage: Storage;
  let clock: TestClock;
  let accounts: Map<string, AgentAccount>;
  let sessions: StaffSessions;
  let tokens: AgentTokens;
  let signer: TokenSigner;

  const options = (extra: Partial<StaffSessionsOptions> = {}): StaffSessionsOptions => ({
    storage,
    clock,
    currentFingerprint: (agentId) => {
      const found = accounts.get(agentId);
      return found && passwordFingerprint(found);
    },
    ...extra,
  });

  beforeEach(async () => {
    storage = await makeStorage();
    clock = testClock();
    accounts = new Map(['anna', 'bo'].map((name) => [name, account(name)]));
    sessions = new StaffSessions(options());
    signer = new TokenSigner(Buffer.from('a test secret that is long enough for hmac'), clock);
    tokens = new AgentTokens({ signer, sessions, clock });
  });

  it('opens a session with a 128-bit id, a 12-hour cap and a 30-minute idle end', async () => {
    const session = await sessions.open('anna', 'supervisor', 'password');
    expect(session.id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(Buffer.from(session.id, 'base64url')).toHaveLength(16);
    expect(session).toMatchObject({ agentId: 'anna', role: 'supervisor', method: 'password', createdAt: '2026-11-23T08:00:00.000Z' });
    expect(session.expiresAt).toBe('2026-11-23T20:00:00.000Z');
    expect(session.idleUntil).toBe('2026-11-23T08:30:00.000Z');
    expect(await sessions.check(session.id)).toEqual(session);
    const other = await sessions.open('anna', 'agent', 'password');
    expect(other.id).not.toBe(session.id);
  });

  it('knows no session by an unknown or malformed id', async () => {
    expect(await sessions.check(randomBytes(16).toString('base64url'))).toBeUndefined();
    expect(await sessions.check('../../etc/passwd')).toBeUndefined();
    expect(await sessions.check('')).toBeUndefined();
  });

  it('refuses to open a session for an account that does not exist', async () => {
    await expect(sessions.open('mallory', 'agent', 'password')).rejects.toThrow(/mallory/);
  });

  it('ends a session at once on sign-out: its token no longer verifies or refreshes', async () => {
    const session = await sessions.open('anna', 'agent', 'password');
    const access = tokens.issue(session)!;
    expect(access.conversationId).toBe('agent-anna');
    const before = await tokens.verify(access.token);
    expect(before.ok && before.session.id).toBe(session.id);

    await sessions.revoke(session.id);

    expect(await sessions.check(session.id)).toBeUndefined();
    expect(await tokens.verify(access.token)).toEqual({ ok: false, reason: 'ended' });
    expect(await tokens.refresh(access.token)).toEqual({ ok: false, reason: 'ended' });
    // The signature alone is still fine: what ended it is the session, checked in storage.
    expect(signer.verify(access.token, 'access').ok).toBe(true);
    await expect(sessions.revoke(session.id)).resolves.toBeUndefined();
  });

  it('stays ended when a late write (a touch that read before the sign-out) puts the record back', async () => {
    const session = await sessions.open('anna', 'agent', 'password');
    const key = `desk/session/${session.id}`;
    const stale = (await storage.read([key]))[key];
    await sessions.revoke(session.id);
    // MemoryStorage lets a write with the old eTag create the key that is gone; SQLite refuses it,
    // so here the late write is an unconditional one, which both take.
    await storage.write({ [key]: { ...stale, eTag: '*' } });
    expect(Object.keys(await storage.read([key]))).toEqual([key]);
    expect(await sessions.check(session.id)).toBeUndefined();
    expect(await sessions.touch(session.id)).toBeUndefined();
  });

  it('binds the token to its session: Direct Line reads the session id, and tokens without one are refused', async () => {
    const session = await sessions.open('anna', 'agent', 'password');
    const access = tokens.issue(session)!;
    expect(access.expires_in).toBe(20 * 60);
    const claims = signer.verify(access.token, 'access');
    expect(claims).toMatchObject({ ok: true, claims: { role: 'agent', userId: 'agent_anna', conversationId: 'agent-anna', sessionId: session.id } });

    const old = signer.sign({ kind: 'access', conversationId: 'agent-anna', userId: 'agent_anna', role: 'agent' }, 3600).token;
    expect(await tokens.verify(old)).toEqual({ ok: false, reason: 'invalid' });
    const citizen = signer.sign({ kind: 'access', conversationId: 'c1', userId: 'dl_1', sessionId: session.id }, 3600).token;
    expect(await tokens.verify(citizen)).toEqual({ ok: false, reason: 'invalid' });
    const borrowed = signer.sign({ kind: 'access', conversationId: 'agent-bo', userId: 'agent_bo', role: 'agent', sessionId: session.id }, 3600).token;
    expect(await tokens.verify(borrowed)).toEqual({ ok: false, reason: 'invalid' });
    const [body] = access.token.split('.');
    expect(await tokens.verify(`${body}.${'A'.repeat(43)}`)).toEqual({ ok: false, reason: 'invalid' });
  });

  it('refuses to issue a token for an agent id that Direct Line ids cannot carry, and carries one with a dot', async () => {
    accounts.set('anna@kommune.dk', account('anna@kommune.dk'));
    const mail = await sessions.open('anna@kommune.dk', 'agent', 'password');
    expect(() => tokens.issue(mail)).toThrow(/anna@kommune/);
    accounts.set('anna.b', account('anna.b'));
    const dotted = tokens.issue(await sessions.open('anna.b', 'agent', 'password'))!;
    expect(dotted.conversationId).toBe('agent-anna.b');
    expect((await tokens.verify(dotted.token)).ok).toBe(true);
  });

  it('lets an access token expire after its 20 minutes even while the session lives', async () => {
    const session = await sessions.open('anna', 'agent', 'password');
    const access = tokens.issue(session)!;
    clock.advance(19 * MINUTE);
    const refreshed = await tokens.refresh(access.token);
    expect(refreshed.ok).toBe(true);
    clock.advance(2 * MINUTE);
    expect(await tokens.verify(access.token)).toEqual({ ok: false, reason: 'expired' });
    expect(await tokens.refresh(access.token)).toEqual({ ok: false, reason: 'expired' });
    expect((await tokens.verify(refreshed.ok ? refreshed.access.token : '')).ok).toBe(true);
  });

  it('refreshes only up to the absolute cap, however busy the session is', async () => {
    const session = await sessions.open('anna', 'agent', 'password');
    let token = tokens.issue(session)!.token;
    let lastExpiresIn = 0;
    for (let elapsed = 0; elapsed < 12 * HOUR - 15 * MINUTE; elapsed += 15 * MINUTE) {
      clock.advance(15 * MINUTE);
      expect((await tokens.verify(token)).ok).toBe(true);
      const refreshed = await tokens.refresh(token);
      if (!refreshed.ok) throw new Error(`refresh refused after ${elapsed} ms: ${refreshed.reason}`);
      token = refreshed.access.token;
      lastExpiresIn = refreshed.access.expires_in;
    }
    // At 11:45 the last token may only run to the session's end, at 12:00.
    expect(lastExpiresIn).toBe(15 * 60);
    clock.advance(15 * MINUTE);
    expect(await tokens.refresh(token)).toMatchObject({ ok: false });
    expect(await sessions.check(session.id)).toBeUndefined();
    const fresh = await tokens.refresh(signer.sign({ kind: 'access', conversationId: 'agent-anna', userId: 'agent_anna', role: 'agent', sessionId: session.id }, 600).token);
    expect(fresh).toEqual({ ok: false, reason: 'ended' });
  });

  it('ends a session left idle for 30 minutes, and keeps one in use alive', async () => {
    const idle = await sessions.open('anna', 'agent', 'password');
    const busy = await sessions.open('bo', 'agent', 'password');
    for (let i = 0; i < 4; i++) {
      clock.advance(10 * MINUTE);
      expect(await sessions.touch(busy.id)).toBeDefined();
    }
    expect(await sessions.check(idle.id)).toBeUndefined();
    expect(await sessions.check(busy.id)).toMatchObject({ lastSeenAt: '2026-11-23T08:40:00.000Z', idleUntil: '2026-11-23T09:10:00.000Z' });
    clock.advance(31 * MINUTE);
    expect(await sessions.touch(busy.id)).toBeUndefined();
  });

  it('does not count a refresh, or a verify without touch, as activity', async () => {
    const session = await sessions.open('anna', 'agent', 'password');
    let token = tokens.issue(session)!.token;
    for (let i = 0; i < 2; i++) {
      clock.advance(15 * MINUTE - 1000);
      expect((await tokens.verify(token, { touch: false })).ok).toBe(true);
      const refreshed = await tokens.refresh(token);
      token = refreshed.ok ? refreshed.access.token : '';
    }
    clock.advance(2000);
    expect(await tokens.verify(token)).toEqual({ ok: false, reason: 'ended' });
  });

  it('writes a touched session at most once a minute', async () => {
    const counted = countingWrites(storage);
    const counting = new StaffSessions(options({ storage: counted.storage }));
    const session = await counting.open('anna', 'agent', 'password');
    const afterOpen = counted.writes();
    for (let i = 0; i < 50; i++) {
      clock.advance(1000);
      expect(await counting.touch(session.id)).toBeDefined();
    }
    // 50 requests over 50 seconds: nothing written.
    expect(counted.writes()).toBe(afterOpen);
    clock.advance(10_000);
    expect((await counting.touch(session.id))?.lastSeenAt).toBe(clock.now().toISOString());
    expect(counted.writes()).toBe(afterOpen + 1);
    await counting.touch(session.id);
    expect(counted.writes()).toBe(afterOpen + 1);
  });

  it('ends all of one agent’s sessions on revokeAgent, and nobody else’s', async () => {
    const annas = await Promise.all([1, 2, 3].map(() => sessions.open('anna', 'agent', 'password')));
    const bos = await sessions.open('bo', 'agent', 'password');
    const annaToken = tokens.issue(annas[0]!)!.token;
    expect(await sessions.sessionsOf('anna')).toHaveLength(3);

    expect(await sessions.revokeAgent('anna')).toBe(3);

    for (const s of annas) expect(await sessions.check(s.id)).toBeUndefined();
    expect(await tokens.verify(annaToken)).toEqual({ ok: false, reason: 'ended' });
    expect(await sessions.check(bos.id)).toBeDefined();
    expect(await sessions.sessionsOf('anna')).toEqual([]);
    expect(await sessions.revokeAgent('anna')).toBe(0);
    const again = await sessions.open('anna', 'agent', 'password');
    expect(await sessions.check(again.id)).toBeDefined();
  });

  it('ends the sessions of an account whose password entry changed, for good', async () => {
    const anna = await sessions.open('anna', 'agent', 'password');
    const bo = await sessions.open('bo', 'agent', 'password');
    const original = accounts.get('anna')!;
    // A new AGENT_ACCOUNTS entry for anna, read at the next start-up.
    accounts.set('anna', account('anna'));
    expect(await sessions.check(anna.id)).toBeUndefined();
    expect(await sessions.check(bo.id)).toBeDefined();
    // Putting the old entry back does not bring the session back.
    accounts.set('anna', original);
    expect(await sessions.check(anna.id)).toBeUndefined();
    accounts.delete('bo');
    expect(await sessions.check(bo.id)).toBeUndefined();
  });

  it('binds an OIDC session to its subject the same way', async () => {
    const subjects = new Map([['carla', 'subject-1']]);
    const oidc = new StaffSessions(options({ currentFingerprint: (id) => (subjects.has(id) ? credentialFingerprint('oidc', 'https://login.example', subjects.get(id)!) : undefined) }));
    const session = await oidc.open('carla', 'agent', 'oidc');
    expect(await oidc.check(session.id)).toMatchObject({ method: 'oidc' });
    subjects.set('carla', 'subject-2');
    expect(await oidc.check(session.id)).toBeUndefined();
  });

  it('ends every session on revokeAll, and opens new ones after it', async () => {
    const anna = await sessions.open('anna', 'agent', 'password');
    const bo = await sessions.open('bo', 'supervisor', 'password');
    await sessions.revokeAll();
    expect(await sessions.check(anna.id)).toBeUndefined();
    expect(await sessions.check(bo.id)).toBeUndefined();
    const after = await sessions.open('anna', 'agent', 'password');
    expect(await sessions.check(after.id)).toBeDefined();
  });

  it('shows one instance’s revocations to another on the same storage', async () => {
    const other = new StaffSessions(options());
    const otherTokens = new AgentTokens({ signer, sessions: other, clock });
    const first = await sessions.open('anna', 'agent', 'password');
    const token = tokens.issue(first)!.token;
    expect((await otherTokens.verify(token)).ok).toBe(true);

    await other.revoke(first.id);
    expect(await tokens.verify(token)).toEqual({ ok: false, reason: 'ended' });

    const second = await other.open('anna', 'agent', 'password');
    await sessions.revokeAgent('anna');
    expect(await other.check(second.id)).toBeUndefined();

    const third = await other.open('bo', 'agent', 'password');
    expect(await sessions.check(third.id)).toBeDefined();
    await sessions.revokeAll();
    expect(await other.check(third.id)).toBeUndefined();
  });

  it('keeps every session when one account signs in many times at once', async () => {
    // Random delays on every call, as on a busy machine, so the sign-ins interleave in many ways.
    const slow = slowed(storage);
    const first = new StaffSessions({ ...options(), storage: slow });
    const other = new StaffSessions({ ...options(), storage: slow });
    const opened = await Promise.all(
      Array.from({ length: 16 }, async (_, i) => {
        await new Promise((resolve) => setTimeout(resolve, i));
        return (i % 2 ? other : first).open('anna', 'agent', 'password');
      }),
    );
    const live = await Promise.all(opened.map((s) => sessions.check(s.id)));
    expect(live.every((s) => s !== undefined)).toBe(true);
    expect((await sessions.sessionsOf('anna')).map((s) => s.id).sort()).toEqual(opened.map((s) => s.id).sort());
  });

  it('keeps at most 20 sessions per account, ending the oldest', async () => {
    const opened = [];
    for (let i = 0; i < 21; i++) {
      clock.advance(1000);
      opened.push(await sessions.open('anna', 'agent', 'password'));
    }
    expect(await sessions.check(opened[0]!.id)).toBeUndefined();
    expect(await sessions.check(opened[1]!.id)).toBeDefined();
    expect(await sessions.sessionsOf('anna')).toHaveLength(20);
  });

  it('clears ended sessions out of storage', async () => {
    const session = await sessions.open('anna', 'agent', 'password');
    const key = `desk/session/${session.id}`;
    expect(Object.keys(await storage.read([key]))).toEqual([key]);
    clock.advance(HOUR);
    expect(await sessions.check(session.id)).toBeUndefined();
    expect(await storage.read([key])).toEqual({});

    const expiring = await sessions.open('anna', 'agent', 'password');
    clock.advance(HOUR);
    // Nobody checked it again, yet the next sign-in of the account drops it.
    const next = await sessions.open('anna', 'agent', 'password');
    expect(await storage.read([`desk/session/${expiring.id}`])).toEqual({});
    expect((await sessions.sessionsOf('anna')).map((s) => s.id)).toEqual([next.id]);
  });
});
