import { readFileSync } from 'node:fs';
import path from 'node:path';
import type restify from 'restify';

interface Asset {
  body: Buffer;
  type: string;
  cache: string;
}

/** Where the official Web Chat browser bundle lives in node_modules (served, never from a CDN). */
function webChatBundlePath(): string {
  // The package's exports hide dist/, so find it from the entry point that is exported.
  return path.join(path.dirname(require.resolve('botframework-webchat')), '..', 'dist', 'webchat.js');
}

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

/**
 * Serves the widget: the page at `/`, its script and styles, Web Chat's bundle and the
 * embed snippet. Files are read once at start-up; they do not change while the bot runs.
 */
export function registerWidgetRoutes(server: restify.Server, options: { webDir: string; allowedOrigins: readonly string[] }): void {
  const read = (file: string) => readFileSync(path.join(options.webDir, file));
  const assets: Record<string, Asset> = {
    '/': { body: read('index.html'), type: 'text/html; charset=utf-8', cache: 'no-cache' },
    '/widget.js': { body: read('widget.js'), type: 'text/javascript; charset=utf-8', cache: 'no-cache' },
    '/widget.css': { body: read('widget.css'), type: 'text/css; charset=utf-8', cache: 'no-cache' },
    '/common.css': { body: read('common.css'), type: 'text/css; charset=utf-8', cache: 'no-cache' },
    '/embed.js': { body: read('embed.js'), type: 'text/javascript; charset=utf-8', cache: 'public, max-age=300' },
    '/webchat.js': { body: readFileSync(webChatBundlePath()), type: 'text/javascript; charset=utf-8', cache: 'public, max-age=86400' },
    // The agent page: same Web Chat, never embedded in other sites.
    '/agent': { body: read('agent.html'), type: 'text/html; charset=utf-8', cache: 'no-cache' },
    '/agent.js': { body: read('agent.js'), type: 'text/javascript; charset=utf-8', cache: 'no-cache' },
    '/agent.css': { body: read('agent.css'), type: 'text/css; charset=utf-8', cache: 'no-cache' },
  };
  const widgetHeaders = pageHeaders(options.allowedOrigins);
  const agentHeaders = pageHeaders([]);

  for (const [route, asset] of Object.entries(assets)) {
    server.get(route, async (req, res) => {
      res.setHeader('content-type', asset.type);
      res.setHeader('cache-control', asset.cache);
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
      res.writeHead(200);
      res.end(asset.body);
    });
  }
}
