import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type restify from 'restify';

/** One year: the usual HSTS lifetime once a site is known to stay on https. */
const HSTS = 'max-age=31536000; includeSubDomains';

/**
 * True when the client reached us over https: our own TLS socket, or a proxy in front saying
 * so in `X-Forwarded-Proto`. Trusting that header is safe here because browsers ignore
 * Strict-Transport-Security received over plain http, so a forged header changes nothing.
 */
export function reachedOverHttps(req: IncomingMessage): boolean {
  if ((req.socket as Partial<TLSSocket>).encrypted === true) return true;
  const forwarded = req.headers['x-forwarded-proto'];
  const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim().toLowerCase();
  return first === 'https';
}

/**
 * Headers every response gets before its route runs: API answers (JSON, tokens, case data) must
 * not be sniffed into HTML or kept by caches on the way; the widget's own routes replace
 * `cache-control` for the files that may be cached.
 */
export function registerSecurityHeaders(server: restify.Server): void {
  server.pre((req, res, next) => {
    res.setHeader('x-content-type-options', 'nosniff');
    res.setHeader('cache-control', 'no-store');
    if (reachedOverHttps(req)) res.setHeader('strict-transport-security', HSTS);
    return next();
  });
}
