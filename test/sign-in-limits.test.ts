import { describe, expect, it } from 'vitest';
import type { Clock } from '../src/clock';
import { accountKey, addressKey, SignInLimits, type SignInLimitsOptions, type SignInVerdict } from '../src/desk/sign-in-limits';

const MINUTE = 60_000;

function setUp(options: Partial<SignInLimitsOptions> = {}) {
  let at = Date.parse('2026-11-23T08:00:00Z');
  const clock: Clock = { now: () => new Date(at) };
  const limits = new SignInLimits({ clock, ...options });
  return { limits, advance: (ms: number) => void (at += ms) };
}

const refused = (verdict: SignInVerdict) => (verdict.allowed ? undefined : verdict);

describe('sign-in limits per account', () => {
  it('lets 5 failures through, then waits 1 s, 2 s, 4 s … doubling up to 15 minutes', () => {
    const { limits, advance } = setUp({ perAddress: 10_000 });
    for (let i = 0; i < 5; i++) expect(limits.attempt('anna', '192.0.2.1')).toEqual({ allowed: true });
    const waits: number[] = [];
    for (let i = 0; i < 14; i++) {
      const verdict = refused(limits.attempt('anna', '192.0.2.1'));
      expect(verdict?.limitedBy).toBe('account');
      waits.push(verdict!.retryAfterSeconds);
      advance(verdict!.retryAfterSeconds * 1000);
      expect(limits.attempt('anna', '192.0.2.1')).toEqual({ allowed: true });
    }
    expect(waits).toEqual([1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900, 900, 900]);
  });

  it('starts afresh after a right password', () => {
    const { limits, advance } = setUp();
    for (let i = 0; i < 5; i++) limits.attempt('anna', '192.0.2.1');
    expect(refused(limits.attempt('anna', '192.0.2.1'))?.retryAfterSeconds).toBe(1);
    advance(1000);
    expect(limits.attempt('anna', '192.0.2.1').allowed).toBe(true);
    expect(refused(limits.attempt('anna', '192.0.2.1'))?.retryAfterSeconds).toBe(2);
    advance(2000);
    expect(limits.attempt('anna', '192.0.2.1').allowed).toBe(true);
    limits.succeeded('anna', '192.0.2.1');
    for (let i = 0; i < 5; i++) expect(limits.attempt('anna', '192.0.2.1').allowed).toBe(true);
    expect(refused(limits.attempt('anna', '192.0.2.1'))?.retryAfterSeconds).toBe(1);
  });

  it('does not make the wait longer for attempts that were refused', () => {
    const { limits, advance } = setUp();
    for (let through = 0; through < 8; ) {
      const verdict = limits.attempt('anna', '192.0.2.1');
      if (verdict.allowed) through += 1;
      else advance(verdict.retryAfterSeconds * 1000);
    }
    expect(refused(limits.attempt('anna', '192.0.2.1'))!.retryAfterSeconds).toBe(8);
    for (let i = 0; i < 100; i++) limits.attempt('anna', '192.0.2.1');
    expect(refused(limits.attempt('anna', '192.0.2.1'))!.retryAfterSeconds).toBe(8);
    advance(8000);
    expect(limits.attempt('anna', '192.0.2.1').allowed).toBe(true);
  });

  it('still limits an account guessed at from 20 addresses', () => {
    const { limits, advance } = setUp();
    let through = 0;
    // 200 guesses, 10 from each of 20 addresses, over ten minutes.
    for (let i = 0; i < 200; i++) {
      if (limits.attempt('anna', `198.51.100.${i % 20}`).allowed) through += 1;
      advance(3000);
    }
    // The 5 free ones and the waits 1, 2, 4 … 256 s that fit in ten minutes.
    expect(through).toBeLessThanOrEqual(15);
    expect(through).toBeGreaterThanOrEqual(5);
  });

  it('lets only one of many parallel guesses through once the free tries are used', () => {
    const { limits } = setUp();
    // Each attempt counts as a failure before its password is checked, so the fifth one,
    // still being checked, already holds back the thirty sent alongside it.
    const verdicts = Array.from({ length: 35 }, (_, i) => limits.attempt('anna', `198.51.100.${i}`));
    expect(verdicts.filter((v) => v.allowed)).toHaveLength(5);
  });

  it('treats Anna, " anna " and ANNA as one account', () => {
    const { limits } = setUp();
    for (const name of ['Anna', ' anna ', 'ANNA', 'anna', 'aNNa\t']) limits.attempt(name, '192.0.2.1');
    expect(refused(limits.attempt('anna', '192.0.2.1'))?.limitedBy).toBe('account');
    expect(limits.attempt('bo', '192.0.2.1').allowed).toBe(true);
    expect(accountKey('  Anna  Jensen ')).toBe('anna jensen');
    expect(accountKey('x'.repeat(10_000))).toHaveLength(64);
  });

  it('forgets the failures of an account left alone for a day', () => {
    const { limits, advance } = setUp();
    for (let i = 0; i < 5; i++) limits.attempt('anna', '192.0.2.1');
    advance(24 * 60 * MINUTE + 1000);
    for (let i = 0; i < 5; i++) expect(limits.attempt('anna', '192.0.2.1').allowed).toBe(true);
    limits.prune();
    expect(limits.size.accounts).toBe(1);
    advance(24 * 60 * MINUTE + 1000);
    limits.prune();
    expect(limits.size).toEqual({ accounts: 0, addresses: 0 });
  });

  it('remembers a bounded number of accounts, however many names are tried', () => {
    const { limits } = setUp({ maxKeys: 100, perAddress: 1_000_000 });
    for (let i = 0; i < 1000; i++) limits.attempt(`name-${i}`, `10.0.${Math.floor(i / 250)}.${i % 250}`);
    expect(limits.size.accounts).toBe(100);
    expect(limits.size.addresses).toBe(100);
  });
});

describe('sign-in limits per client address', () => {
  it('allows 20 attempts a minute from one address, and then says how long to wait', () => {
    const { limits, advance } = setUp();
    for (let i = 0; i < 20; i++) {
      expect(limits.attempt(`user${i}`, '192.0.2.7').allowed).toBe(true);
      advance(1000);
    }
    const verdict = refused(limits.attempt('someone', '192.0.2.7'));
    expect(verdict).toEqual({ allowed: false, retryAfterSeconds: 40, limitedBy: 'address' });
    expect(limits.attempt('someone', '192.0.2.8').allowed).toBe(true);
    advance(40_000);
    expect(limits.attempt('someone', '192.0.2.7').allowed).toBe(true);
  });

  it('does not lock colleagues behind one proxy out of their accounts after 10 bad tries', () => {
    const { limits } = setUp();
    const proxy = '10.1.1.1';
    for (let i = 0; i < 10; i++) limits.attempt('anna', proxy);
    expect(refused(limits.attempt('anna', proxy))?.limitedBy).toBe('account');
    // Anna's account is slowed; the others behind the same proxy are not.
    for (const name of ['bo', 'carla', 'dan']) {
      expect(limits.attempt(name, proxy).allowed).toBe(true);
      limits.succeeded(name, proxy);
    }
  });

  it('holds up a proxy that a guesser has filled for no longer than the window, and never for good', () => {
    const { limits, advance } = setUp();
    const proxy = '10.1.1.1';
    for (let i = 0; i < 20; i++) limits.attempt(`guess${i}`, proxy);
    const verdict = refused(limits.attempt('bo', proxy));
    expect(verdict?.limitedBy).toBe('address');
    expect(verdict!.retryAfterSeconds).toBeLessThanOrEqual(60);
    advance(verdict!.retryAfterSeconds * 1000);
    expect(limits.attempt('bo', proxy).allowed).toBe(true);

    // Even an account kept at the longest wait for hours can be tried every 15 minutes.
    for (let i = 0; i < 200; i++) {
      const anna = limits.attempt('anna', `198.51.100.${i % 50}`);
      advance(anna.allowed ? 1000 : anna.retryAfterSeconds * 1000);
    }
    const last = refused(limits.attempt('anna', proxy));
    expect(last?.retryAfterSeconds).toBeLessThanOrEqual(15 * 60);
    advance(15 * MINUTE);
    expect(limits.attempt('anna', proxy).allowed).toBe(true);
  });

  it('gives a successful sign-in its place back, so a shift can sign in through one proxy at once', () => {
    const { limits } = setUp();
    for (let i = 0; i < 40; i++) {
      expect(limits.attempt(`agent${i}`, '10.1.1.1').allowed).toBe(true);
      limits.succeeded(`agent${i}`, '10.1.1.1');
    }
  });

  it('counts IPv6 addresses by their /64 and IPv4-mapped ones as IPv4', () => {
    expect(addressKey('2001:db8:1:2::1')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:0DB8:0001:0002:ffff:1:2:3')).toBe('2001:db8:1:2::/64');
    expect(addressKey('[2001:db8:1:2::abcd]')).toBe('2001:db8:1:2::/64');
    expect(addressKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(addressKey('::ffff:192.0.2.1')).toBe('192.0.2.1');
    expect(addressKey(' 192.0.2.1 ')).toBe('192.0.2.1');

    const { limits } = setUp();
    for (let i = 0; i < 20; i++) limits.attempt(`user${i}`, `2001:db8:1:2::${(i + 1).toString(16)}`);
    expect(refused(limits.attempt('x', '2001:db8:1:2:aaaa:bbbb:cccc:dddd'))?.limitedBy).toBe('address');
    expect(limits.attempt('x', '2001:db8:1:3::1').allowed).toBe(true);
  });
});
