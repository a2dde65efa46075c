import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Storage } from 'botbuilder';
import type { Clock } from '../clock';
import { readModifyWrite } from '../storage/stored-records';

interface StoredCode {
  sessionId: string;
  /** sha256 of the binding cookie's value, so the stored record alone cannot be redeemed. */
  binding: string;
  expiresAt: number;
  used?: boolean;
}

/** A code for the page, and the value of the cookie that must come with it. */
export interface IssuedCode {
  code: string;
  binding: string;
}

const PREFIX = 'desk/sign-in-code/';
const CODE = /^[A-Za-z0-9_-]{43}$/;

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

/**
 * One-time codes that carry a finished provider sign-in to the page, which trades one for its
 * token (POST /agent/api/oidc/exchange). Kept in storage, so the instance the page asks need not
 * be the one the provider sent the browser back to; redeemed once (a read-modify-write marks it
 * used before anything else), and only within `ttlMs` and together with the cookie set beside it.
 */
export class SignInCodes {
  constructor(
    private readonly storage: Storage,
    private readonly clock: Clock,
    private readonly ttlMs = 60_000,
  ) {}

  async create(sessionId: string): Promise<IssuedCode> {
    const code = randomBytes(32).toString('base64url');
    const binding = randomBytes(32).toString('base64url');
    const record: StoredCode = { sessionId, binding: digest(binding).toString('base64url'), expiresAt: this.clock.now().getTime() + this.ttlMs };
    await this.storage.write({ [PREFIX + code]: { ...record, eTag: '*' } });
    return { code, binding };
  }

  /** The session id the code stands for; undefined when it is unknown, used, too old or without its cookie. */
  async redeem(code: string, binding: string | undefined): Promise<string | undefined> {
    if (!CODE.test(code)) return undefined;
    const key = PREFIX + code;
    const { before, after } = await readModifyWrite<StoredCode>(this.storage, key, (current) => (current && !current.used ? { ...current, used: true } : undefined));
    if (!before) return undefined;
    await this.storage.delete([key]);
    if (!after || after.expiresAt <= this.clock.now().getTime() || binding === undefined) return undefined;
    const given = digest(binding);
    const expected = Buffer.from(after.binding, 'base64url');
    return given.length === expected.length && timingSafeEqual(given, expected) ? after.sessionId : undefined;
  }
}
