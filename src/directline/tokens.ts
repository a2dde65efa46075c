import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Clock } from '../clock';
import type { DirectLineRole } from './bot-bridge';

/** `access`: the Bearer token of the REST API; `stream`: the short-lived `t` of a streamUrl. */
export type TokenKind = 'access' | 'stream';

export interface TokenClaims {
  kind: TokenKind;
  conversationId: string;
  userId: string;
  /** Agents' tokens come only from the agent sign-in; everyone else is a user. */
  role: DirectLineRole;
  /** Expiry, seconds since the epoch. */
  exp: number;
  /** The staff session an agent's token belongs to (src/desk/agent-tokens.ts), so logging out ends the token too. */
  sessionId?: string;
}

export type VerifyResult = { ok: true; claims: TokenClaims } | { ok: false; reason: 'invalid' | 'expired' };

interface Payload {
  k: 'a' | 's';
  c: string;
  u: string;
  e: number;
  /** Present ("g") only on agents' tokens, so citizens' tokens stay as they were. */
  r?: 'g';
  /** The session id, only on tokens issued for a staff session; older tokens simply lack it. */
  i?: string;
}

/**
 * The characters of every Direct Line id here (conversations, users, sessions). Dots are in, so
 * a local agent "anna.b" keeps her name in her ids; slashes, colons and spaces stay out, since
 * ids end up in URLs and storage keys.
 */
export const DIRECT_LINE_ID = /^[A-Za-z0-9._-]{1,100}$/;
const ID_PATTERN = DIRECT_LINE_ID;

/**
 * Direct Line tokens: `base64url(JSON payload).base64url(HMAC-SHA256(payload))`. Stateless, so
 * they survive a restart as long as the secret does, and bound to one conversation and one user.
 */
export class TokenSigner {
  constructor(
    private readonly secret: Buffer,
    private readonly clock: Clock,
  ) {}

  sign(claims: Omit<TokenClaims, 'exp' | 'role'> & { role?: DirectLineRole }, ttlSeconds: number): { token: string; expiresIn: number } {
    const payload: Payload = {
      k: claims.kind === 'access' ? 'a' : 's',
      c: claims.conversationId,
      u: claims.userId,
      e: this.nowSeconds() + ttlSeconds,
      ...(claims.role === 'agent' ? { r: 'g' as const } : {}),
      ...(claims.sessionId !== undefined ? { i: claims.sessionId } : {}),
    };
    const body = Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
    return { token: `${body}.${this.mac(body).toString('base64url')}`, expiresIn: ttlSeconds };
  }

  verify(token: string, kind: TokenKind): VerifyResult {
    const invalid: VerifyResult = { ok: false, reason: 'invalid' };
    if (token.length > 2048) return invalid;
    const parts = token.split('.');
    if (parts.length !== 2) return invalid;
    const [body, signature] = parts as [string, string];
    const given = Buffer.from(signature, 'base64url');
    const expected = this.mac(body);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return invalid;
    let payload: unknown;
    try {
      payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
    } catch {
      return invalid;
    }
    if (!isPayload(payload) || payload.k !== (kind === 'access' ? 'a' : 's')) return invalid;
    if (payload.e <= this.nowSeconds()) return { ok: false, reason: 'expired' };
    const claims: TokenClaims = { kind, conversationId: payload.c, userId: payload.u, role: payload.r === 'g' ? 'agent' : 'user', exp: payload.e };
    return { ok: true, claims: payload.i !== undefined ? { ...claims, sessionId: payload.i } : claims };
  }

  private mac(body: string): Buffer {
    return createHmac('sha256', this.secret).update(body, 'utf8').digest();
  }

  private nowSeconds(): number {
    return Math.floor(this.clock.now().getTime() / 1000);
  }
}

function isPayload(value: unknown): value is Payload {
  if (typeof value !== 'object' || value === null) return false;
  const p = value as Record<string, unknown>;
  return (
    (p.k === 'a' || p.k === 's') &&
    typeof p.c === 'string' &&
    ID_PATTERN.test(p.c) &&
    typeof p.u === 'string' &&
    ID_PATTERN.test(p.u) &&
    typeof p.e === 'number' &&
    Number.isSafeInteger(p.e) &&
    (p.r === undefined || p.r === 'g') &&
    (p.i === undefined || (typeof p.i === 'string' && ID_PATTERN.test(p.i)))
  );
}

/** Where the generated secret is kept when DIRECTLINE_SECRET is unset. */
export function secretFile(dataDir: string): string {
  return path.resolve(dataDir, 'directline-secret');
}

/**
 * DIRECTLINE_SECRET when set; otherwise a random secret generated once and kept in
 * `${DATA_DIR}/directline-secret` (mode 0600), so tokens stay valid across restarts.
 * Synchronous: it runs once at start-up.
 */
export function loadSigningSecret(configured: string | undefined, dataDir: string): Buffer {
  if (configured) return Buffer.from(configured, 'utf8');
  const file = secretFile(dataDir);
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  try {
    writeFileSync(file, randomBytes(32).toString('base64url'), { flag: 'wx', mode: 0o600 });
  } catch (err) {
    if (!(err instanceof Error && 'code' in err && err.code === 'EEXIST')) throw err;
  }
  const stored = readFileSync(file, 'utf8').trim();
  if (stored.length < 32) throw new Error(`${file} holds no usable secret (at least 32 characters); delete it to generate a new one`);
  return Buffer.from(stored, 'utf8');
}
