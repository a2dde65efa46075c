/*
 * The agent API (/agent/api, src/handoff/agent-routes.ts): JSON both ways, the agent's token
 * as a bearer, errors as ApiError with the server's own message for the agent.
 */

const API = '/agent/api';

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** The API path of case `id`, or of one of its actions ("take", "note", "release", "close"). */
export function casePath(id, action) {
  return '/cases/' + encodeURIComponent(id) + (action ? '/' + action : '');
}

/** An error already dealt with (the agent was signed out) or an answer to an old session: nothing to show. */
export function quiet(err) {
  return Boolean(err && (err.handled || err.code === 'Stale'));
}

// Only the provider sign-in's exchange needs a cookie (the HttpOnly one bound to its code); every other call goes without.
async function send(method, path, body, token, t, credentials = 'omit') {
  const headers = { Accept: 'application/json' };
  if (token) headers.Authorization = 'Bearer ' + token;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let res;
  try {
    res = await fetch(API + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: 'no-store', credentials });
  } catch {
    throw new ApiError(0, 'Network', t.requests.network);
  }
  if (res.status === 204) return null;
  const data = await res.json().catch(() => null);
  if (res.ok) return data;
  const error = (data && data.error) || {};
  throw new ApiError(res.status, error.code || '', error.message || t.requests.failed);
}

/**
 * Calls for the page's `state` (its session and generation). `expired(message)` is told when
 * the server no longer takes the agent's token (expired or revoked).
 */
export function createApi(state, t, expired) {
  const stale = () => new ApiError(0, 'Stale', '');

  /** A call with the agent's token; answers to requests made before a sign-out are ignored. */
  async function call(method, path, body) {
    const asked = state.generation;
    let data;
    try {
      data = await send(method, path, body, state.session && state.session.token, t);
    } catch (err) {
      if (asked !== state.generation) throw stale();
      if (err.status === 401 && state.session) {
        expired(err.message || t.signIn.expired);
        err.handled = true;
      }
      throw err;
    }
    if (asked !== state.generation) throw stale();
    return data;
  }

  return {
    call,
    /** Signing in, before there is a token. */
    login: (username, password) => send('POST', '/login', { username, password }, null, t),
    /** Which sign-ins the server offers: {password, oidc: {name, start} or null}. */
    signInOptions: () => send('GET', '/sign-in-options', undefined, null, t),
    /** The one-time code the provider's sign-in left in the URL, with its cookie, for the same body as `login`. */
    exchange: (code) => send('POST', '/oidc/exchange', { code }, null, t, 'same-origin')
  };
}
