import type { Request, Response, Server } from 'restify';
import { AGENT_API, fail } from '../handoff/agent-api';
import { oidcAgentId, oidcRole } from './desk-agents';
import { SignInRefused, type OidcSettings, type OidcSignIn, type SignInRefusalReason } from './oidc-sign-in';
import type { SignInCodes } from './sign-in-codes';
import { openDeskSession, signedInBody, type SignInDeps } from './sign-in-routes';

export interface OidcRouteDeps extends SignInDeps {
  oidc: OidcSignIn;
  settings: OidcSettings;
  codes: SignInCodes;
}

const PENDING_COOKIE = 'desk_oidc';
const BINDING_COOKIE = 'desk_oidc_code';

const texts = {
  badCode: 'Login kunne ikke gøres færdigt. Start forfra. (The sign-in could not be completed: start again.)',
} as const;

interface CookieOptions {
  path: string;
  maxAgeSeconds: number;
  sameSite: 'Lax' | 'Strict';
  secure: boolean;
}

function cookie(name: string, value: string, options: CookieOptions): string {
  return [`${name}=${value}`, `Path=${options.path}`, `Max-Age=${options.maxAgeSeconds}`, 'HttpOnly', `SameSite=${options.sameSite}`, ...(options.secure ? ['Secure'] : [])].join('; ');
}

/** One cookie of the request by name (values here are base64url, so nothing needs decoding). */
function cookieOf(req: Request, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at > 0 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim();
  }
  return undefined;
}

function redirect(res: Response, location: string, cookies: string[]): void {
  res.setHeader('Set-Cookie', cookies);
  res.setHeader('Location', location);
  res.send(302);
}

/**
 * The callback answers at the path of the redirect URI registered with the provider
 * (/agent/oidc/callback unless OIDC_REDIRECT_URL names another), and the pending sign-in's
 * cookie goes only to the folder it is in (/agent/oidc), never to the rest of the site.
 */
function callbackPaths(settings: OidcSettings): { callback: string; cookie: string } {
  const callback = new URL(settings.redirectUri).pathname;
  return { callback, cookie: callback.slice(0, callback.lastIndexOf('/')) || '/' };
}

const DESK = '/agent';
const EXCHANGE_PATH = `${AGENT_API}/oidc`;

/**
 * GET /agent/oidc/start sends the browser to the provider, with the sign-in's PKCE verifier,
 * state and nonce sealed in a cookie for the way back (SameSite=Lax: the provider's redirect
 * back is a navigation from another site, on which a Strict cookie would not come along).
 */
function registerStart(server: Server, deps: OidcRouteDeps, secure: boolean): void {
  const paths = callbackPaths(deps.settings);
  server.get('/agent/oidc/start', async (_req, res) => {
    try {
      const start = await deps.oidc.start();
      redirect(res, start.url, [cookie(PENDING_COOKIE, start.kept, { path: paths.cookie, maxAgeSeconds: start.maxAgeSeconds, sameSite: 'Lax', secure })]);
    } catch (err) {
      refused(deps, res, err, []);
    }
  });
}

/** A refused or failed sign-in goes back to the sign-in page, which says why in words; the log gets the details. */
function refused(deps: OidcRouteDeps, res: Response, err: unknown, cookies: string[]): void {
  const reason: SignInRefusalReason = err instanceof SignInRefused ? err.reason : 'provider_error';
  if (err instanceof SignInRefused) deps.logger.warn({ reason, detail: err.detail }, 'oidc sign-in refused');
  else deps.logger.error({ err }, 'oidc sign-in failed');
  redirect(res, `${DESK}#oidc-error=${reason}`, cookies);
}

/**
 * GET /agent/oidc/callback finishes the sign-in (the provider vouches for the person; the group
 * or allow-list rules decide whether she may use the desk), opens her session and hands the page
 * a one-time code in the URL's fragment, with a cookie it must come back with.
 *
 * Why a code and not the token: a token in a URL would be kept in the browser's history and
 * could reach logs and Referer headers. A fragment is never sent to any server, the page removes
 * it at once, and the code is worth nothing after one use, after a minute, or without the
 * HttpOnly cookie that only this browser got (SameSite=Strict: no other site can make the
 * browser send it). The page trades the two for its token over POST (see {@link registerExchange}).
 */
function registerCallback(server: Server, deps: OidcRouteDeps, secure: boolean): void {
  const paths = callbackPaths(deps.settings);
  const clearPending = cookie(PENDING_COOKIE, '', { path: paths.cookie, maxAgeSeconds: 0, sameSite: 'Lax', secure });
  server.get(paths.callback, async (req, res) => {
    try {
      const identity = await deps.oidc.finish(req.url ?? '', cookieOf(req, PENDING_COOKIE));
      const session = await openDeskSession(deps, {
        agentId: oidcAgentId(deps.settings.issuer, identity.subject),
        displayName: identity.name.slice(0, 100),
        role: oidcRole(deps.config, identity.groups),
        method: 'oidc',
        login: identity.username.slice(0, 200),
      });
      const { code, binding } = await deps.codes.create(session.id);
      const bind = cookie(BINDING_COOKIE, binding, { path: EXCHANGE_PATH, maxAgeSeconds: 60, sameSite: 'Strict', secure });
      redirect(res, `${DESK}#signin=${code}`, [clearPending, bind]);
    } catch (err) {
      refused(deps, res, err, [clearPending]);
    }
  });
}

/** POST /agent/api/oidc/exchange {code}: the code and its cookie, once, for the same body a password sign-in gets. */
function registerExchange(server: Server, deps: OidcRouteDeps, secure: boolean): void {
  const clearBinding = cookie(BINDING_COOKIE, '', { path: EXCHANGE_PATH, maxAgeSeconds: 0, sameSite: 'Strict', secure });
  server.post(`${EXCHANGE_PATH}/exchange`, async (req, res) => {
    res.setHeader('cache-control', 'no-store');
    res.setHeader('Set-Cookie', [clearBinding]);
    const given: unknown = (req.body as { code?: unknown } | undefined)?.code;
    const sessionId = typeof given === 'string' ? await deps.codes.redeem(given, cookieOf(req, BINDING_COOKIE)) : undefined;
    const session = sessionId ? await deps.sessions.check(sessionId) : undefined;
    const signedIn = session && signedInBody(deps, session);
    if (!signedIn) return fail(res, 401, 'SignInCodeInvalid', texts.badCode);
    res.send(200, signedIn);
  });
}

/** Staff sign-in with the municipality's provider: start, the provider's callback, and the page's exchange. */
export function registerOidcRoutes(server: Server, deps: OidcRouteDeps): void {
  const secure = deps.config.PUBLIC_URL?.startsWith('https:') === true || deps.settings.redirectUri.startsWith('https:');
  registerStart(server, deps, secure);
  registerCallback(server, deps, secure);
  registerExchange(server, deps, secure);
}
