import type restify from 'restify';
import { readWebFiles, type WebTexts } from './web-files';

/**
 * The pages' security headers; `frameAncestors` are the other sites allowed to embed the page.
 * X-Frame-Options cannot name several sites, so it is sent only when no other site may frame
 * the page; browsers that know CSP follow `frame-ancestors` either way.
 */
export function pageHeaders(frameAncestors: readonly string[]): Record<string, string> {
  return {
    'content-security-policy': [
      "default-src 'self'",
      "script-src 'self'",
      // Web Chat styles its components at run time, so inline styles must be allowed.
      "style-src 'self' 'unsafe-inline'",
      "img-src 'self' data: blob:",
      "connect-src 'self' ws: wss:",
      "object-src 'none'",
      "base-uri 'none'",
      "form-action 'self'",
      `frame-ancestors 'self'${frameAncestors.map((o) => ` ${o}`).join('')}`,
    ].join('; '),
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    ...(frameAncestors.length === 0 ? { 'x-frame-options': 'SAMEORIGIN' } : {}),
    // The chat needs none of these; a script slipped into the page cannot ask for them either.
    'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=()',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
  };
}

/** Whether the browser's `If-None-Match` names `etag` (or any version, `*`). */
function alreadyHas(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  return ifNoneMatch.split(',').some((tag) => {
    const t = tag.trim();
    return t === '*' || t === etag || t === `W/${etag}`;
  });
}

/**
 * Serves the widget (the page at `/`, its scripts and styles, Web Chat's bundle and the embed
 * snippet) and the agent page (`/agent`), each page with its `texts`; see readWebFiles.
 */
export function registerWidgetRoutes(server: restify.Server, options: { webDir: string; allowedOrigins: readonly string[]; texts: WebTexts }): void {
  const files = readWebFiles(options.webDir, options.texts);
  const widgetHeaders = pageHeaders(options.allowedOrigins);
  const agentHeaders = pageHeaders([]);

  for (const [route, file] of files) {
    server.get(route, async (req, res) => {
      res.setHeader('content-type', file.type);
      res.setHeader('cache-control', file.cache);
      res.setHeader('etag', file.etag);
      const headers = route.startsWith('/agent') ? agentHeaders : widgetHeaders;
      for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
      // The embed snippet is loaded by other sites; only the configured ones may read it cross-origin.
      const origin = req.headers.origin;
      // Other sites load the snippet with a plain <script> tag, which same-origin CORP would block.
      if (route === '/embed.js') res.setHeader('cross-origin-resource-policy', 'cross-origin');
      if (route === '/embed.js' && origin && options.allowedOrigins.includes(origin)) {
        res.setHeader('access-control-allow-origin', origin);
        res.setHeader('vary', 'Origin');
      }
      const notModified = alreadyHas(req.headers['if-none-match'], file.etag);
      res.writeHead(notModified ? 304 : 200);
      res.end(notModified ? undefined : file.body);
    });
  }
}
