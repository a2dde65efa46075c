import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clock } from '../src/clock';
import { ConfigError } from '../src/config';
import { OidcDiscoveryError, OidcSignIn, SignInRefused, type OidcSettings, type SignInRefusalReason } from '../src/desk/oidc-sign-in';
import { TestOidcProvider, type TestAccount } from './helpers/oidc-provider';

const REDIRECT = 'http://127.0.0.1:3978/agent/oidc/callback';
const DESK_GROUP = '6f1c2d3e-0000-4000-8000-00000000d35c';

const ACCOUNTS: TestAccount[] = [
  // In the desk's group.
  { sub: 'anna', claims: { name: 'Anna Agent', preferred_username: 'anna@kommune.dk', email: 'anna@kommune.dk', oid: 'oid-anna', groups: ['other', DESK_GROUP] } },
  // On the allow-list by username (written with capitals there), in no group.
  { sub: 'bo', claims: { name: 'Bo Borgerservice', preferred_username: 'bo@kommune.dk', oid: 'oid-bo', groups: [] } },
  // Neither.
  { sub: 'eve', claims: { name: 'Eve', preferred_username: 'eve@kommune.dk', oid: 'oid-eve', groups: ['other'] } },
];

/** A clock the test moves by hand. */
function manualClock(): Clock & { advance(ms: number): void } {
  let now = Date.parse('2026-03-02T09:00:00Z');
  return { now: () => new Date(now), advance: (ms) => (now += ms) };
}

async function refusal(promise: Promise<unknown>): Promise<SignInRefused> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SignInRefused);
  return err as SignInRefused;
}

async function expectRefused(promise: Promise<unknown>, reason: SignInRefusalReason): Promise<SignInRefused> {
  const err = await refusal(promise);
  expect(err.reason, err.detail).toBe(reason);
  // Shown to staff as "dansk / english".
  expect(err.message).toMatch(/^\S.* \/ [A-Z].*\.$/);
  return err;
}

/** A port nothing listens on (for a moment at least). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('staff sign-in with OpenID Connect, against a real provider', () => {
  let provider: TestOidcProvider;
  let settings: OidcSettings;
  let clock: ReturnType<typeof manualClock>;
  let signIn: OidcSignIn;

  beforeAll(async () => {
    provider = await new TestOidcProvider({ redirectUri: REDIRECT, accounts: ACCOUNTS }).start();
    settings = {
      issuer: provider.issuer,
      clientId: provider.clientId,
      clientSecret: provider.clientSecret,
      redirectUri: REDIRECT,
      allowedGroups: [DESK_GROUP.toUpperCase()],
      allowedUsers: ['BO@kommune.dk', 'oid-nobody'],
    };
    clock = manualClock();
    signIn = await OidcSignIn.create(settings, { clock });
  });

  afterAll(async () => {
    expect(provider.serverErrors).toEqual([]);
    await provider.close();
  });

  it('asks the provider for a code with PKCE (S256), state and nonce, back to the registered redirect', async () => {
    const start = await signIn.start();
    const url = new URL(start.url);
    expect(url.origin).toBe(provider.issuer);
    expect(Object.fromEntries(['response_type', 'client_id', 'redirect_uri', 'scope', 'code_challenge_method'].map((k) => [k, url.searchParams.get(k)]))).toEqual({
      response_type: 'code',
      client_id: provider.clientId,
      redirect_uri: REDIRECT,
      scope: 'openid profile email',
      code_challenge_method: 'S256',
    });
    for (const param of ['code_challenge', 'state', 'nonce']) expect(url.searchParams.get(param)).toMatch(/^[\w-]{40,}$/);
    // What the callback needs is sealed: neither the verifier nor the state can be read from the cookie.
    expect(start.kept).not.toContain(url.searchParams.get('state'));
    expect(start.maxAgeSeconds).toBe(600);
  });

  it('lets a member of an allowed group in', async () => {
    const start = await signIn.start();
    const callback = await provider.signIn(start.url, 'anna');
    expect(await signIn.finish(callback, start.kept)).toEqual({
      subject: 'anna',
      name: 'Anna Agent',
      username: 'anna@kommune.dk',
      groups: ['other', DESK_GROUP],
    });
  });

  it('lets a user on the allow-list in without the group', async () => {
    const start = await signIn.start();
    const callback = await provider.signIn(start.url, 'bo');
    expect(await signIn.finish(callback, start.kept)).toMatchObject({ subject: 'bo', name: 'Bo Borgerservice', username: 'bo@kommune.dk', groups: [] });
  });

  it('refuses a user in no allowed group and not on the list', async () => {
    const start = await signIn.start();
    const err = await expectRefused(signIn.finish(await provider.signIn(start.url, 'eve'), start.kept), 'not_allowed');
    expect(err.message).toContain('Du har ikke adgang');
    expect(err.detail).toContain('eve@kommune.dk');
  });

  it('takes only the query from the callback URL, so a proxy that rewrote host and scheme does no harm', async () => {
    const start = await signIn.start();
    const callback = new URL(await provider.signIn(start.url, 'anna'));
    expect((await signIn.finish(`/agent/oidc/callback${callback.search}`, start.kept)).subject).toBe('anna');
  });

  it('refuses a callback whose state was changed', async () => {
    const start = await signIn.start();
    const callback = new URL(await provider.signIn(start.url, 'anna'));
    callback.searchParams.set('state', `${callback.searchParams.get('state')}x`);
    await expectRefused(signIn.finish(callback, start.kept), 'state_mismatch');
  });

  it('refuses a callback brought to another sign-in (a replayed state, or a code pushed into someone else’s browser)', async () => {
    const attacker = await signIn.start();
    const attackersCallback = await provider.signIn(attacker.url, 'anna');
    const victim = await signIn.start();
    await expectRefused(signIn.finish(attackersCallback, victim.kept), 'state_mismatch');
  });

  it('refuses a pending sign-in that was not sealed here', async () => {
    const start = await signIn.start();
    const callback = await provider.signIn(start.url, 'anna');
    const bytes = Buffer.from(start.kept, 'base64url');
    bytes[20] = bytes[20]! ^ 1;
    await expectRefused(signIn.finish(callback, bytes.toString('base64url')), 'state_mismatch');
    await expectRefused(signIn.finish(callback, 'not-sealed'), 'state_mismatch');
  });

  it('lets a callback be used once', async () => {
    const start = await signIn.start();
    const callback = await provider.signIn(start.url, 'anna');
    expect((await signIn.finish(callback, start.kept)).subject).toBe('anna');
    await expectRefused(signIn.finish(callback, start.kept), 'expired');
    // Another instance (same secret, no memory of the first use) gets past the cookie, but the
    // provider will not exchange a code twice.
    const otherInstance = await OidcSignIn.create(settings, { clock });
    await expectRefused(otherInstance.finish(callback, start.kept), 'provider_error');
  });

  it('lets a failed callback not be retried either', async () => {
    const start = await signIn.start();
    const callback = new URL(await provider.signIn(start.url, 'anna'));
    const good = callback.searchParams.get('state')!;
    callback.searchParams.set('state', 'wrong');
    await expectRefused(signIn.finish(callback, start.kept), 'state_mismatch');
    callback.searchParams.set('state', good);
    await expectRefused(signIn.finish(callback, start.kept), 'expired');
  });

  it('refuses a pending sign-in after ten minutes, and one without its cookie', async () => {
    const start = await signIn.start();
    const callback = await provider.signIn(start.url, 'anna');
    clock.advance(10 * 60_000 + 1);
    await expectRefused(signIn.finish(callback, start.kept), 'expired');
    await expectRefused(signIn.finish(callback, undefined), 'expired');
  });

  it('refuses when the provider refuses (a wrong client secret), or sends the browser back with an error', async () => {
    const wrongSecret = await OidcSignIn.create({ ...settings, clientSecret: 'not-the-secret' }, { clock });
    const start = await wrongSecret.start();
    const err = await expectRefused(wrongSecret.finish(await provider.signIn(start.url, 'anna'), start.kept), 'provider_error');
    expect(err.detail).toContain('invalid_client');

    const cancelled = await signIn.start();
    const state = new URL(cancelled.url).searchParams.get('state')!;
    const back = `${REDIRECT}?error=access_denied&error_description=cancelled&state=${state}&iss=${encodeURIComponent(provider.issuer)}`;
    expect((await expectRefused(signIn.finish(back, cancelled.kept), 'provider_error')).detail).toContain('access_denied');
  });
});

describe('discovering the provider', () => {
  const settings = (issuer: string): OidcSettings => ({
    issuer,
    clientId: 'desk',
    clientSecret: 'secret',
    redirectUri: REDIRECT,
    allowedGroups: [DESK_GROUP],
    allowedUsers: [],
  });

  it('an unreachable issuer stops start-up with one line naming OIDC_ISSUER', async () => {
    const issuer = `http://127.0.0.1:${await freePort()}`;
    const err = await OidcSignIn.create(settings(issuer)).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(err).toBeInstanceOf(OidcDiscoveryError);
    expect(err).toBeInstanceOf(ConfigError);
    expect(err!.message).toMatch(new RegExp(`^Ugyldig konfiguration / invalid configuration: OIDC_ISSUER: OpenID-udbyderen ${issuer} kunne ikke findes / the OpenID provider ${issuer} could not be discovered: fetch failed \\(connect ECONNREFUSED`));
    expect(err!.message).not.toContain('\n');
  });

  it('an issuer that is no OpenID provider is named the same way', async () => {
    const server = createServer((_req, res) => res.writeHead(404).end('not here'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      await expect(OidcSignIn.create(settings(issuer))).rejects.toThrow(/OIDC_ISSUER: .* could not be discovered/);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('a running server refuses sign-ins while the provider is away, and finds it again later', async () => {
    const port = await freePort();
    const clock = manualClock();
    const signIn = new OidcSignIn({ ...settings(`http://127.0.0.1:${port}`) }, { clock, rediscoverAfterMs: 30_000 });
    await expect(signIn.discover()).rejects.toBeInstanceOf(OidcDiscoveryError);
    const provider = await new TestOidcProvider({ redirectUri: REDIRECT, accounts: ACCOUNTS, port }).start();
    try {
      // Not asked again at once: a provider that is down is not hammered by every click.
      const err = await expectRefused(signIn.start(), 'provider_error');
      expect(err.detail).toContain(`OIDC_ISSUER http://127.0.0.1:${port}`);
      clock.advance(30_000);
      const start = await signIn.start();
      expect(new URL(start.url).origin).toBe(provider.issuer);
    } finally {
      await provider.close();
    }
  });
});
