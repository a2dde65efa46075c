/*
 * What the provider's sign-in left in the page's URL fragment on its way back
 * (src/desk/oidc-routes.ts): `#signin=<one-time code>` or `#oidc-error=<reason>`.
 */
import { fill } from '../shared/texts.js';

/** The code or the refusal's reason in `where`'s fragment, or null when it carries neither. */
export function providerReturn(where) {
  const fragment = new URLSearchParams(String(where.hash || '').replace(/^#/, ''));
  const code = fragment.get('signin');
  if (code) return { code };
  const error = fragment.get('oidc-error');
  return error ? { error } : null;
}

/** Why the provider's sign-in did not let the person in, in words; `options` are the server's sign-in options. */
export function providerError(t, reason, options) {
  if (reason === 'not_allowed') return t.signIn.oidcNotAllowed;
  if (reason === 'expired' || reason === 'state_mismatch') return t.signIn.oidcExpired;
  const provider = options && options.oidc ? options.oidc.name : '';
  return provider ? fill(t.signIn.oidcFailed, { provider }) : t.requests.failed;
}
