import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import type { Clock } from '../clock';

/** What a sign-in must remember between sending the browser to the provider and its return. */
export interface PendingSignIn {
  codeVerifier: string;
  state: string;
  nonce: string;
  /** Milliseconds since the epoch, by the injected clock. */
  startedAt: number;
}

export type TakenSignIn = { ok: true; pending: PendingSignIn } | { ok: false; reason: 'expired' | 'state_mismatch' };

export interface PendingSignInsOptions {
  /** Key material shared by every instance (the OIDC client secret does); the sealing key is derived from it. */
  secret: string;
  clock: Clock;
  /** How long a started sign-in may take; 10 minutes unless given. */
  ttlMs?: number;
  /** Used sign-ins remembered at most, against a second use on this instance; 10,000 unless given. */
  maxRemembered?: number;
}

const IV_BYTES = 12;
const TAG_BYTES = 16;
const AAD = Buffer.from('mitid-hjaelperen oidc pending v1');
// A clock a little behind the instance that started the sign-in must not refuse it.
const SKEW_MS = 60_000;

/**
 * Pending sign-ins travel in the browser, sealed (AES-256-GCM), rather than in a map in this
 * process: the desk runs on several stateless instances behind a load balancer (README, "Running
 * several instances"), and the provider's callback may reach another instance than the one the
 * sign-in started on. Sealing, not just signing, keeps the PKCE verifier unreadable even to the
 * browser holding it, and nothing piles up on the server for sign-ins that are never finished.
 * The key comes from the client secret, which every instance has already: no new secret to
 * manage, and a new client secret simply voids sign-ins under way.
 *
 * Usable once: a taken sign-in's state is remembered until it would have expired anyway, so the
 * same cookie is refused a second time here; on another instance the provider refuses, since an
 * authorization code is itself good for one exchange only.
 */
export class PendingSignIns {
  readonly ttlMs: number;
  private readonly key: Buffer;
  private readonly clock: Clock;
  private readonly maxRemembered: number;
  /** state → when it may be forgotten, in the order taken (so roughly oldest first). */
  private readonly used = new Map<string, number>();

  constructor(options: PendingSignInsOptions) {
    this.key = Buffer.from(hkdfSync('sha256', options.secret, 'mitid-hjaelperen', 'oidc pending sign-in', 32));
    this.clock = options.clock;
    this.ttlMs = options.ttlMs ?? 10 * 60_000;
    this.maxRemembered = options.maxRemembered ?? 10_000;
  }

  /** The sealed form, base64url, for a cookie. */
  seal(pending: PendingSignIn): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv).setAAD(AAD);
    const body = Buffer.concat([cipher.update(JSON.stringify(pending), 'utf8'), cipher.final()]);
    return Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url');
  }

  /**
   * Opens a sealed sign-in and uses it up. Missing, too old or used before: `expired` (the person
   * starts again). Not sealed by us: `state_mismatch` (it does not belong to this sign-in).
   */
  take(sealed: string | undefined): TakenSignIn {
    if (!sealed) return { ok: false, reason: 'expired' };
    const pending = this.open(sealed);
    if (!pending) return { ok: false, reason: 'state_mismatch' };
    const now = this.clock.now().getTime();
    this.forgetOld(now);
    const age = now - pending.startedAt;
    if (age > this.ttlMs || age < -SKEW_MS || this.used.has(pending.state)) return { ok: false, reason: 'expired' };
    this.used.set(pending.state, pending.startedAt + this.ttlMs + SKEW_MS);
    return { ok: true, pending };
  }

  private open(sealed: string): PendingSignIn | undefined {
    const bytes = Buffer.from(sealed, 'base64url');
    if (bytes.length <= IV_BYTES + TAG_BYTES) return undefined;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, bytes.subarray(0, IV_BYTES)).setAAD(AAD);
      decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
      const text = Buffer.concat([decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES)), decipher.final()]).toString('utf8');
      const value = JSON.parse(text) as Partial<PendingSignIn>;
      const strings = [value.codeVerifier, value.state, value.nonce].every((s) => typeof s === 'string' && s.length > 0);
      return strings && typeof value.startedAt === 'number' ? (value as PendingSignIn) : undefined;
    } catch {
      return undefined;
    }
  }

  private forgetOld(now: number): void {
    for (const [state, forgetAt] of this.used) {
      if (forgetAt > now && this.used.size < this.maxRemembered) break;
      this.used.delete(state);
    }
  }
}
