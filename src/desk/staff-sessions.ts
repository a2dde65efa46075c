import { createHash, randomBytes } from 'node:crypto';
import type { Storage } from 'botbuilder';
import type { Clock } from '../clock';
import type { AgentAccount } from '../config/agent-accounts';
import { readModifyWrite, readRecord, unwrapRecord as unwrap, type Modified, type ReadRecord } from '../storage/stored-records';

export type StaffRole = 'agent' | 'supervisor';
export type SignInMethod = 'password' | 'oidc';

/** A signed-in member of staff, as the routes see it. Times are ISO strings, as stored. */
export interface StaffSession {
  /** 128 random bits, base64url: unguessable, and it is only ever sent inside a signed token. */
  id: string;
  agentId: string;
  /** The name shown for her on the desk and to citizens, as she signed in. */
  displayName: string;
  role: StaffRole;
  method: SignInMethod;
  createdAt: string;
  lastSeenAt: string;
  /** The absolute end, however busy the session is. */
  expiresAt: string;
  /** When the session ends unless it is used before then; never later than {@link expiresAt}. */
  idleUntil: string;
}

/** Where the current credential of an account comes from; undefined when the account is gone. */
export type FingerprintSource = (agentId: string) => string | undefined | Promise<string | undefined>;

export interface StaffSessionsOptions {
  storage: Storage;
  clock: Clock;
  currentFingerprint: FingerprintSource;
  /** Absolute lifetime; 12 hours unless given (a long shift, not a week). */
  maxAgeMs?: number;
  /** Ends a session nobody used for this long; 30 minutes unless given. */
  idleMs?: number;
  /** How stale `lastSeenAt` may get before a request writes it again; 1 minute unless given. */
  touchEveryMs?: number;
}

interface StoredSession extends Omit<StaffSession, 'idleUntil'> {
  fingerprint: string;
  /** The value of the revoke-all counter when the session was opened. */
  generation: number;
}

/** An account's open sessions, oldest first: the index `revokeAgent` works from (Storage cannot list keys). */
interface AgentIndex {
  sessions: string[];
}

interface Generation {
  generation: number;
}

/** Someone who has signed in, for an admin to find by id or by the name she signs in with. */
export interface StaffEntry {
  id: string;
  name: string;
  /** What she types or the provider calls her (an e-mail address for OIDC); absent when it is the id. */
  login?: string;
}

/** Who may have sessions (the same reason as the index: Storage cannot list keys). */
interface StaffDirectory {
  staff: StaffEntry[];
}

/** What a sign-in knows of the person besides her id. */
export interface StaffProfile {
  displayName?: string;
  login?: string;
}

const SESSION_PREFIX = 'desk/session/';
const AGENT_PREFIX = 'desk/staff/';
const GENERATION_KEY = 'desk/session-generation';
const DIRECTORY_KEY = 'desk/staff-directory';
// A municipality's staff, with room; past it the entries not seen longest go first.
const MAX_DIRECTORY = 5_000;
const HOUR = 3_600_000;
// One person needs a few (desk, phone, a second window); more than this is a script, and the oldest go.
const MAX_SESSIONS_PER_AGENT = 20;

/** A fingerprint of credential parts (e.g. an AGENT_ACCOUNTS entry, or an OIDC issuer and subject). */
export function credentialFingerprint(...parts: string[]): string {
  return createHash('sha256').update(JSON.stringify(parts), 'utf8').digest('base64url');
}

/** The fingerprint of a local account's password entry: a new password gives a new one. */
export function passwordFingerprint(account: AgentAccount): string {
  return credentialFingerprint('password', account.username, account.salt.toString('base64url'), account.hash.toString('base64url'));
}

/**
 * Staff sessions kept in the bot's storage, so a sign-out, a password change or an admin's
 * "end all sessions" holds on every instance at once. A session is live while its record
 * exists, it is listed in its account's index, it has neither reached its absolute end nor sat
 * idle too long, the revoke-all counter has not moved since it was opened, and the account's
 * credential is still the one it was opened with. Membership in the index is what counts (not
 * the record alone): every storage here lets a write with a stale eTag recreate a deleted key,
 * so a late `touch` could bring a deleted record back, but never its index entry. The index is
 * changed through {@link readModifyWrite}, so two sign-ins at once both end up in it.
 */
export class StaffSessions {
  private readonly storage: Storage;
  private readonly clock: Clock;
  private readonly currentFingerprint: FingerprintSource;
  private readonly maxAgeMs: number;
  private readonly idleMs: number;
  private readonly touchEveryMs: number;

  constructor(options: StaffSessionsOptions) {
    this.storage = options.storage;
    this.clock = options.clock;
    this.currentFingerprint = options.currentFingerprint;
    this.maxAgeMs = options.maxAgeMs ?? 12 * HOUR;
    this.idleMs = options.idleMs ?? HOUR / 2;
    this.touchEveryMs = options.touchEveryMs ?? 60_000;
  }

  /** Opens a session after a successful sign-in; throws when the account has no credential to bind it to. */
  async open(agentId: string, role: StaffRole, method: SignInMethod, profile: StaffProfile = {}): Promise<StaffSession> {
    const fingerprint = await this.currentFingerprint(agentId);
    if (fingerprint === undefined) throw new Error(`no account "${agentId}" to open a session for`);
    const now = this.clock.now();
    const generation = (await this.read<Generation>(GENERATION_KEY))?.value.generation ?? 0;
    const record: StoredSession = {
      id: randomBytes(16).toString('base64url'),
      agentId,
      displayName: profile.displayName ?? agentId,
      role,
      method,
      createdAt: now.toISOString(),
      lastSeenAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + this.maxAgeMs).toISOString(),
      fingerprint,
      generation,
    };
    // A fresh random key: nobody else can be writing it.
    await this.storage.write({ [SESSION_PREFIX + record.id]: { ...record, eTag: '*' } });
    await this.listInIndex(record);
    await this.listInDirectory({ id: agentId, name: record.displayName, ...(profile.login && profile.login !== agentId ? { login: profile.login } : {}) });
    return this.view(record);
  }

  /** Everyone who has signed in, the newest (or newly renamed) first; for `npm run agent:sessions`. */
  async staff(): Promise<StaffEntry[]> {
    return [...((await this.read<StaffDirectory>(DIRECTORY_KEY))?.value.staff ?? [])].reverse();
  }

  /** The live session with this id, or undefined (unknown, ended, expired, idle, revoked, credential changed). */
  async check(id: string): Promise<StaffSession | undefined> {
    const found = await this.live(id);
    return found && this.view(found.value);
  }

  /**
   * Like {@link check}, and marks the session as used so it does not go idle. The record is
   * written at most once per `touchEveryMs`, so a busy page does not write on every request;
   * the idle end may thus come up to that much early.
   */
  async touch(id: string): Promise<StaffSession | undefined> {
    const found = await this.live(id);
    if (!found) return undefined;
    const now = this.clock.now();
    if (now.getTime() - Date.parse(found.value.lastSeenAt) < this.touchEveryMs) return this.view(found.value);
    const { before, after } = await this.readModifyWrite<StoredSession>(SESSION_PREFIX + id, (current) =>
      current && Date.parse(current.lastSeenAt) < now.getTime() ? { ...current, lastSeenAt: now.toISOString() } : undefined,
    );
    // Gone between the check and the write: signed out by a request running alongside this one.
    return before ? this.view(after ?? before) : undefined;
  }

  /** Ends one session (sign-out). Ending one that is already gone is no error. */
  async revoke(id: string): Promise<void> {
    const record = (await this.read<StoredSession>(SESSION_PREFIX + id))?.value;
    if (!record) return;
    await this.readModifyWrite<AgentIndex>(agentKey(record.agentId), (index) =>
      index?.sessions.includes(id) ? { sessions: index.sessions.filter((s) => s !== id) } : undefined,
    );
    await this.storage.delete([SESSION_PREFIX + id]);
  }

  /** Ends every session of one account (password changed, account suspended); returns how many were listed. */
  async revokeAgent(agentId: string): Promise<number> {
    const { before } = await this.readModifyWrite<AgentIndex>(agentKey(agentId), (index) => (index && index.sessions.length > 0 ? { sessions: [] } : undefined));
    const ended = before?.sessions ?? [];
    if (ended.length > 0) await this.storage.delete(ended.map((id) => SESSION_PREFIX + id));
    return ended.length;
  }

  /** Ends every session of every account at once: sessions opened before this call are no longer live. */
  async revokeAll(): Promise<void> {
    await this.readModifyWrite<Generation>(GENERATION_KEY, (current) => ({ generation: (current?.generation ?? 0) + 1 }));
  }

  /** The account's live sessions, oldest first (for an admin's "who is signed in"). */
  async sessionsOf(agentId: string): Promise<StaffSession[]> {
    const ids = (await this.read<AgentIndex>(agentKey(agentId)))?.value.sessions ?? [];
    const live = await Promise.all(ids.map((id) => this.check(id)));
    return live.filter((s): s is StaffSession => s !== undefined);
  }

  /** The stored session when it is live; a session found dead is cleared away so storage does not fill up. */
  private async live(id: string): Promise<{ value: StoredSession; eTag?: string } | undefined> {
    if (!/^[A-Za-z0-9_-]{22}$/.test(id)) return undefined;
    const items = await this.storage.read([SESSION_PREFIX + id, GENERATION_KEY]);
    const found = unwrap<StoredSession>(items[SESSION_PREFIX + id]);
    if (!found) return undefined;
    const record = found.value;
    const generation = unwrap<Generation>(items[GENERATION_KEY])?.value.generation ?? 0;
    const listed = (await this.read<AgentIndex>(agentKey(record.agentId)))?.value.sessions.includes(id) ?? false;
    if (listed && generation === record.generation && this.inTime(record) && (await this.currentFingerprint(record.agentId)) === record.fingerprint) return found;
    // Revoking, not just refusing: a credential put back as it was must not bring the session back.
    await this.revoke(id);
    return undefined;
  }

  private inTime(record: StoredSession): boolean {
    const now = this.clock.now().getTime();
    return now < Date.parse(record.expiresAt) && now < Date.parse(record.lastSeenAt) + this.idleMs;
  }

  private view(record: StoredSession): StaffSession {
    const idleUntil = Math.min(Date.parse(record.lastSeenAt) + this.idleMs, Date.parse(record.expiresAt));
    return {
      id: record.id,
      agentId: record.agentId,
      displayName: record.displayName ?? record.agentId,
      role: record.role,
      method: record.method,
      createdAt: record.createdAt,
      lastSeenAt: record.lastSeenAt,
      expiresAt: record.expiresAt,
      idleUntil: new Date(idleUntil).toISOString(),
    };
  }

  /** Adds the new session to its account's index, dropping sessions that have ended and, past the cap, the oldest. */
  private async listInIndex(record: StoredSession): Promise<void> {
    const key = agentKey(record.agentId);
    const ended = await this.endedAmong(((await this.read<AgentIndex>(key))?.value.sessions ?? []).filter((id) => id !== record.id));
    const { before, after } = await this.readModifyWrite<AgentIndex>(key, (index) => {
      const kept = (index?.sessions ?? []).filter((id) => !ended.has(id) && id !== record.id);
      return { sessions: [...kept.slice(Math.max(0, kept.length - MAX_SESSIONS_PER_AGENT + 1)), record.id] };
    });
    const dropped = (before?.sessions ?? []).filter((id) => !after?.sessions.includes(id));
    if (dropped.length > 0) await this.storage.delete(dropped.map((id) => SESSION_PREFIX + id));
  }

  /** Written only for someone new or renamed, so an everyday sign-in reads it and writes nothing. */
  private async listInDirectory(entry: StaffEntry): Promise<void> {
    const same = (e: StaffEntry) => e.id === entry.id && e.name === entry.name && e.login === entry.login;
    if ((await this.read<StaffDirectory>(DIRECTORY_KEY))?.value.staff.some(same)) return;
    await this.readModifyWrite<StaffDirectory>(DIRECTORY_KEY, (directory) => {
      const staff = directory?.staff ?? [];
      if (staff.some(same)) return undefined;
      const others = staff.filter((e) => e.id !== entry.id);
      return { staff: [...others.slice(Math.max(0, others.length - MAX_DIRECTORY + 1)), entry] };
    });
  }

  /** Which of these sessions have ended (gone, or past their absolute end or idle time). */
  private async endedAmong(ids: string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const items = await this.storage.read(ids.map((id) => SESSION_PREFIX + id));
    return new Set(
      ids.filter((id) => {
        const record = unwrap<StoredSession>(items[SESSION_PREFIX + id])?.value;
        return !record || !this.inTime(record);
      }),
    );
  }

  private read<T>(key: string): Promise<ReadRecord<T> | undefined> {
    return readRecord<T>(this.storage, key);
  }

  private readModifyWrite<T extends object>(key: string, change: (current: T | undefined) => T | undefined): Promise<Modified<T>> {
    return readModifyWrite(this.storage, key, change);
  }
}

function agentKey(agentId: string): string {
  return AGENT_PREFIX + encodeURIComponent(agentId);
}
