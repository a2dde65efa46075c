import type * as Oidc from 'openid-client';
import { systemClock, type Clock } from '../clock';
import { ConfigError, type Config } from '../config';
import { PendingSignIns } from './oidc-pending';
import { admit, SignInRefused, type StaffIdentity } from './staff-identity';

// Loaded with the first sign-in object, not at start-up: about 25 ms that a site without a provider need not pay.
let library: typeof Oidc | undefined;
function openidClient(): typeof Oidc {
  return (library ??= require('openid-client') as typeof Oidc);
}

export { SignInRefused, type SignInRefusalReason, type StaffIdentity } from './staff-identity';

/** The OIDC_* settings, as parseConfig resolves them. */
export interface OidcSettings {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Where the provider sends the browser back; registered with the provider as it is. */
  redirectUri: string;
  allowedGroups: readonly string[];
  allowedUsers: readonly string[];
  /** `openid profile email` unless given. */
  scopes?: string;
}

/** The settings from the configuration; undefined when OIDC sign-in is off (parseConfig has checked the rest). */
export function oidcSettingsFrom(config: Config): OidcSettings | undefined {
  const { OIDC_ISSUER: issuer, OIDC_CLIENT_ID: clientId, OIDC_CLIENT_SECRET: clientSecret, OIDC_REDIRECT_URL: redirectUri } = config;
  if (!issuer || !clientId || !clientSecret || !redirectUri) return undefined;
  return { issuer, clientId, clientSecret, redirectUri, allowedGroups: config.OIDC_ALLOWED_GROUPS, allowedUsers: config.OIDC_ALLOWED_USERS };
}

export interface OidcSignInOptions {
  clock?: Clock;
  /** How long a started sign-in may take; 10 minutes unless given. */
  pendingTtlMs?: number;
  /** The longest wait for the provider on each request, in seconds; 10 unless given. */
  timeoutSeconds?: number;
  /** After a failed discovery, sign-ins are refused at once for this long before it is tried again; 30 s unless given. */
  rediscoverAfterMs?: number;
}

/**
 * Where to send the browser, and the value to keep in its pending-sign-in cookie until the
 * callback: `HttpOnly; Secure; Path=/agent/oidc; Max-Age=maxAgeSeconds` and `SameSite=Lax`, not
 * Strict, since the provider's redirect back is a navigation from another site, on which a Strict
 * cookie would not be sent.
 */
export interface SignInStart {
  url: string;
  kept: string;
  /** The cookie's Max-Age. */
  maxAgeSeconds: number;
}

/** The provider could not be discovered: one line naming OIDC_ISSUER, for start-up to print. */
export class OidcDiscoveryError extends ConfigError {
  override name = 'OidcDiscoveryError';
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * Staff sign-in with the municipality's OpenID provider (Entra ID): the authorization code flow
 * with PKCE, state and nonce; openid-client checks the ID token (signature, issuer, audience,
 * expiry, nonce). Create it with {@link OidcSignIn.create} at start-up so a wrong issuer shows
 * at once; if the provider is down later, sign-ins are refused and discovery is tried again.
 */
export class OidcSignIn {
  private readonly pending: PendingSignIns;
  private readonly clock: Clock;
  private readonly timeoutSeconds: number;
  private readonly rediscoverAfterMs: number;
  private readonly oidc = openidClient();
  private configuration: Oidc.Configuration | undefined;
  private discovering: Promise<Oidc.Configuration> | undefined;
  private failedAt = Number.NEGATIVE_INFINITY;
  private lastFailure = '';

  constructor(
    private readonly settings: OidcSettings,
    options: OidcSignInOptions = {},
  ) {
    this.clock = options.clock ?? systemClock;
    this.pending = new PendingSignIns({ secret: settings.clientSecret, clock: this.clock, ttlMs: options.pendingTtlMs });
    this.timeoutSeconds = options.timeoutSeconds ?? 10;
    this.rediscoverAfterMs = options.rediscoverAfterMs ?? 30_000;
  }

  /** A sign-in whose provider has been discovered; throws {@link OidcDiscoveryError} if it cannot be. */
  static async create(settings: OidcSettings, options: OidcSignInOptions = {}): Promise<OidcSignIn> {
    const signIn = new OidcSignIn(settings, options);
    await signIn.discover();
    return signIn;
  }

  /** Fetches the provider's configuration (once at a time); throws {@link OidcDiscoveryError}. */
  async discover(): Promise<void> {
    this.discovering ??= this.fetchConfiguration().finally(() => (this.discovering = undefined));
    this.configuration = await this.discovering;
  }

  /** Begins a sign-in. Throws {@link SignInRefused} (`provider_error`) while the provider cannot be discovered. */
  async start(): Promise<SignInStart> {
    const configuration = await this.ready();
    const codeVerifier = this.oidc.randomPKCECodeVerifier();
    const state = this.oidc.randomState();
    const nonce = this.oidc.randomNonce();
    const url = this.oidc.buildAuthorizationUrl(configuration, {
      redirect_uri: this.settings.redirectUri,
      scope: this.settings.scopes ?? 'openid profile email',
      code_challenge: await this.oidc.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    const kept = this.pending.seal({ codeVerifier, state, nonce, startedAt: this.clock.now().getTime() });
    return { url: url.href, kept, maxAgeSeconds: Math.ceil(this.pending.ttlMs / 1000) };
  }

  /**
   * Ends a sign-in: `callbackUrl` is the URL the provider sent the browser to (only its query is
   * used, so a proxy in front that rewrites host or scheme does no harm), `kept` the cookie's value.
   * Returns the member of staff, or throws {@link SignInRefused}.
   */
  async finish(callbackUrl: string | URL, kept: string | undefined): Promise<StaffIdentity> {
    const taken = this.pending.take(kept);
    if (!taken.ok) throw new SignInRefused(taken.reason, taken.reason === 'expired' ? 'no pending sign-in, or it expired or was used' : 'the pending sign-in was not sealed by us');
    const { codeVerifier, state, nonce } = taken.pending;
    const current = new URL(this.settings.redirectUri);
    current.search = new URL(callbackUrl, current).search;
    if (current.searchParams.get('state') !== state) throw new SignInRefused('state_mismatch', 'the callback state is not the pending sign-in’s');
    const configuration = await this.ready();
    let claims: Oidc.IDToken | undefined;
    try {
      const tokens = await this.oidc.authorizationCodeGrant(configuration, current, { pkceCodeVerifier: codeVerifier, expectedState: state, expectedNonce: nonce, idTokenExpected: true });
      claims = tokens.claims();
    } catch (err) {
      throw new SignInRefused('provider_error', describe(err));
    }
    if (!claims) throw new SignInRefused('provider_error', 'the token response has no ID token');
    return admit(claims, { groups: this.settings.allowedGroups, users: this.settings.allowedUsers });
  }

  private async ready(): Promise<Oidc.Configuration> {
    if (this.configuration) return this.configuration;
    if (this.clock.now().getTime() - this.failedAt < this.rediscoverAfterMs) throw new SignInRefused('provider_error', this.lastFailure);
    try {
      await this.discover();
    } catch {
      throw new SignInRefused('provider_error', this.lastFailure);
    }
    return this.configuration!;
  }

  private async fetchConfiguration(): Promise<Oidc.Configuration> {
    const { issuer, clientId, clientSecret } = this.settings;
    try {
      const url = new URL(issuer);
      // Plain http only to a provider on this machine (the tests'; a developer's); config refuses it elsewhere.
      const insecure = url.protocol === 'http:' && LOOPBACK.has(url.hostname);
      return await this.oidc.discovery(url, clientId, clientSecret, this.oidc.ClientSecretPost(clientSecret), {
        timeout: this.timeoutSeconds,
        execute: insecure ? [this.oidc.allowInsecureRequests] : [],
      });
    } catch (err) {
      const cause = describe(err);
      this.failedAt = this.clock.now().getTime();
      this.lastFailure = `OIDC_ISSUER ${issuer}: ${cause}`;
      throw new OidcDiscoveryError(
        `Ugyldig konfiguration / invalid configuration: OIDC_ISSUER: OpenID-udbyderen ${issuer} kunne ikke findes / the OpenID provider ${issuer} could not be discovered: ${cause}`,
      );
    }
  }
}

/** One line for the log: openid-client's message with the provider's error code, or the network's cause. */
function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const body = err as Error & { error?: unknown; error_description?: unknown; cause?: unknown };
  const code = typeof body.error === 'string' ? ` [${body.error}${typeof body.error_description === 'string' ? `: ${body.error_description}` : ''}]` : '';
  const cause = body.cause instanceof Error ? ` (${body.cause.message})` : '';
  return `${err.message}${code}${cause}`;
}
