import { isIPv6 } from 'node:net';
import type { Clock } from '../clock';

/** Whether a sign-in may be tried now; when not, how long to wait (for Retry-After) and why. */
export type SignInVerdict = { allowed: true } | { allowed: false; retryAfterSeconds: number; limitedBy: 'account' | 'address' };

export interface SignInLimitsOptions {
  clock: Clock;
  /** Failures of one account allowed without any wait; 5 unless given. */
  freeTries?: number;
  /** The wait after the first failure past the free ones, doubling with each further one; 1 s unless given. */
  firstDelayMs?: number;
  /** The longest wait one account can be made to have; 15 minutes unless given. */
  maxDelayMs?: number;
  /** Attempts from one client address per window; 20 unless given. */
  perAddress?: number;
  addressWindowMs?: number;
  /** An account's failures are forgotten after this long without a try; 24 hours unless given. */
  forgetAfterMs?: number;
  /** Accounts (and addresses) remembered at most, the least recently tried dropped first; 50,000 unless given. */
  maxKeys?: number;
}

interface AccountState {
  failures: number;
  blockedUntil: number;
  lastTriedAt: number;
}

const MINUTE = 60_000;

/** The key of a username: `Anna`, ` anna ` and `ANNA` are one account to the limits. */
export function accountKey(username: string): string {
  return username.normalize('NFKC').trim().replace(/\s+/g, ' ').toLowerCase().slice(0, 64);
}

/**
 * The key of a client address. An IPv4 address mapped into IPv6 is the IPv4 address, and an
 * IPv6 address counts by its /64, the block one subscriber gets: within it they can change
 * address at will, so counting single addresses would limit nobody.
 */
export function addressKey(address: string): string {
  const bare = address.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1').replace(/%.*$/, '');
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(bare);
  if (mapped) return mapped[1]!;
  if (!isIPv6(bare)) return bare.slice(0, 64);
  const [head = '', tail] = bare.split('::');
  const groups = (part: string | undefined): string[] => (part ? part.split(':').flatMap((g) => (g.includes('.') ? ['0', '0'] : [g])) : []);
  const front = groups(head);
  const back = groups(tail);
  const full = [...front, ...Array<string>(Math.max(0, 8 - front.length - back.length)).fill('0'), ...back];
  return `${full
    .slice(0, 4)
    .map((g) => parseInt(g, 16).toString(16))
    .join(':')}::/64`;
}

/**
 * Limits on staff sign-in, per account and per client address.
 *
 * Per account: a few free failures, then a wait that doubles with each further failure up to
 * `maxDelayMs`, and a success starts afresh. Guesses from many addresses are slowed all the
 * same, yet the account is never locked for good: at worst its owner waits `maxDelayMs`.
 * Per address: a sliding window, so one guesser behind a proxy holds up the colleagues behind
 * it for at most one window, and a successful sign-in gives its place in the window back (a
 * whole shift signing in through one proxy at nine is not an attack).
 *
 * Every attempt counts as a failure the moment it is let through and is taken back by
 * {@link succeeded}: guesses sent in parallel cannot all slip past before the first has been
 * refused, as they could if only the refusal were counted.
 *
 * The counts are kept in this process's memory. With several instances behind a load balancer
 * each keeps its own, so an attacker spreading guesses across N instances gets N times the free
 * tries and N times the rate at the longest wait (still a handful per hour per account); a
 * restart forgets the counts. Sessions, by contrast, are in shared storage (staff-sessions.ts).
 */
export class SignInLimits {
  private readonly clock: Clock;
  private readonly freeTries: number;
  private readonly firstDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly perAddress: number;
  private readonly addressWindowMs: number;
  private readonly forgetAfterMs: number;
  private readonly maxKeys: number;
  private readonly accounts = new Map<string, AccountState>();
  private readonly addresses = new Map<string, number[]>();

  constructor(options: SignInLimitsOptions) {
    this.clock = options.clock;
    this.freeTries = options.freeTries ?? 5;
    this.firstDelayMs = options.firstDelayMs ?? 1000;
    this.maxDelayMs = options.maxDelayMs ?? 15 * MINUTE;
    this.perAddress = options.perAddress ?? 20;
    this.addressWindowMs = options.addressWindowMs ?? MINUTE;
    this.forgetAfterMs = options.forgetAfterMs ?? 24 * 60 * MINUTE;
    this.maxKeys = options.maxKeys ?? 50_000;
  }

  /**
   * Call before checking the password. When allowed, the attempt is counted against both the
   * account and the address; a refused attempt counts for nothing, so hammering a waiting
   * account does not make its wait longer.
   */
  attempt(username: string, address: string): SignInVerdict {
    const now = this.clock.now().getTime();
    const where = addressKey(address);
    const recent = this.recentFrom(where, now);
    if (recent.length >= this.perAddress) {
      return { allowed: false, retryAfterSeconds: seconds(recent[0]! + this.addressWindowMs - now), limitedBy: 'address' };
    }
    const who = accountKey(username);
    const state = this.stateOf(who, now);
    if (state.blockedUntil > now) return { allowed: false, retryAfterSeconds: seconds(state.blockedUntil - now), limitedBy: 'account' };
    const failures = state.failures + 1;
    remember(this.accounts, who, { failures, blockedUntil: now + this.delayAfter(failures), lastTriedAt: now }, this.maxKeys);
    remember(this.addresses, where, [...recent, now], this.maxKeys);
    return { allowed: true };
  }

  /** Call after a right password: the account starts afresh and the address gets its attempt back. */
  succeeded(username: string, address: string): void {
    this.accounts.delete(accountKey(username));
    const where = addressKey(address);
    const times = this.addresses.get(where);
    if (times && times.length > 0) this.addresses.set(where, times.slice(0, -1));
  }

  /** Forgets what no longer limits anybody; run it now and then (e.g. with the other sweeps). */
  prune(): void {
    const now = this.clock.now().getTime();
    for (const [key, state] of this.accounts) if (this.forgotten(state, now)) this.accounts.delete(key);
    for (const [key, times] of this.addresses) if (times.every((at) => at <= now - this.addressWindowMs)) this.addresses.delete(key);
  }

  /** How many accounts and addresses are remembered. */
  get size(): { accounts: number; addresses: number } {
    return { accounts: this.accounts.size, addresses: this.addresses.size };
  }

  private delayAfter(failures: number): number {
    if (failures < this.freeTries) return 0;
    // 2 ** 40 already exceeds any sensible cap, and keeps the arithmetic finite.
    return Math.min(this.maxDelayMs, this.firstDelayMs * 2 ** Math.min(40, failures - this.freeTries));
  }

  private stateOf(key: string, now: number): AccountState {
    const state = this.accounts.get(key);
    return state && !this.forgotten(state, now) ? state : { failures: 0, blockedUntil: 0, lastTriedAt: now };
  }

  private forgotten(state: AccountState, now: number): boolean {
    return state.blockedUntil <= now && now - state.lastTriedAt > this.forgetAfterMs;
  }

  private recentFrom(key: string, now: number): number[] {
    return (this.addresses.get(key) ?? []).filter((at) => at > now - this.addressWindowMs);
  }
}

/** Sets `key` as the most recently used entry, dropping the least recently used past `max`. */
function remember<V>(map: Map<string, V>, key: string, value: V, max: number): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > max) map.delete(map.keys().next().value!);
}

function seconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}
