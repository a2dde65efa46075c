import type { IncomingHttpHeaders } from 'node:http';

/**
 * Browser callers are allowed from the page's own origin (same host as the request) and from
 * WIDGET_ALLOWED_ORIGINS. Requests without an Origin header (curl, servers) are not browser
 * cross-origin requests and pass.
 */
export function originAllowed(headers: IncomingHttpHeaders, allowed: readonly string[]): boolean {
  const origin = headers.origin;
  if (origin === undefined) return true;
  if (allowed.includes(origin)) return true;
  try {
    const url = new URL(origin);
    return (url.protocol === 'http:' || url.protocol === 'https:') && headers.host !== undefined && url.host === headers.host;
  } catch {
    return false;
  }
}

/** Headers for a request from an allowed origin (none when there is no Origin header). */
export function corsHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const origin = headers.origin;
  if (origin === undefined) return {};
  return { 'Access-Control-Allow-Origin': origin, Vary: 'Origin' };
}

export const preflightHeaders: Record<string, string> = {
  'Access-Control-Allow-Methods': 'GET, POST, OPTIONS',
  'Access-Control-Allow-Headers': 'Authorization, Content-Type, Accept, x-ms-bot-agent, x-requested-with',
  'Access-Control-Max-Age': '600',
};
