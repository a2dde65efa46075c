import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CallerIdConstants, type ConfigurationBotFrameworkAuthenticationOptions } from 'botbuilder';
import { AuthenticationConstants } from 'botframework-connector';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createApp, type App } from '../src/app';
import { fixedClock } from '../src/clock';
import { parseConfig } from '../src/config';
import { createLogger } from '../src/logger';
import { openSqliteStorage } from '../src/storage/sqlite-storage';
import { content, recognizer } from './helpers/bot-harness';
import { call } from './helpers/directline-client';
import { activity, post } from './helpers/http-bot';

// Records console.error from before the app's modules load, so it sees what botframework-connector
// writes there (beneath any filter the app installs).
const consoleErrors = vi.hoisted(() => {
  const seen: unknown[][] = [];
  const write = console.error;
  console.error = (...args: unknown[]) => {
    seen.push(args);
    write.apply(console, args);
  };
  return seen;
});

const APP_ID = '11111111-2222-3333-4444-555555555555';
const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

async function start(env: Record<string, string> = {}, authOverrides: Partial<ConfigurationBotFrameworkAuthenticationOptions> = {}): Promise<{ url: string; app: App }> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'mitid-sec-'));
  const config = parseConfig({ PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'silent', ...env });
  const storage = await openSqliteStorage({ DATA_DIR: dataDir, STORAGE_FSYNC: false });
  const app = createApp({ config, content, storage, clock: fixedClock('2026-11-21T12:00:00+01:00'), logger: createLogger('silent'), recognizer, authOverrides });
  const port = await app.listen();
  stops.push(() => app.close());
  return { url: `http://127.0.0.1:${port}`, app };
}

describe('security headers', () => {
  it('the pages and their files send a strict CSP and the usual headers; embedding follows WIDGET_ALLOWED_ORIGINS', async () => {
    const { url } = await start({ WIDGET_ALLOWED_ORIGINS: 'https://kommune.dk' });
    for (const route of ['/', '/widget.js', '/widget/tokens.js', '/shared/webchat.js', '/widget.css', '/embed.js', '/agent', '/agent.js', '/agent/queue.js', '/agent.css']) {
      const res = await fetch(`${url}${route}`);
      expect(res.status, route).toBe(200);
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp, route).toContain("default-src 'self'");
      expect(csp, route).toContain("script-src 'self'");
      expect(csp, route).not.toMatch(/script-src[^;]*unsafe/);
      expect(csp, route).toContain("object-src 'none'");
      expect(csp, route).toContain("base-uri 'none'");
      expect(res.headers.get('x-content-type-options'), route).toBe('nosniff');
      expect(res.headers.get('referrer-policy'), route).toBe('no-referrer');
      expect(res.headers.get('permissions-policy'), route).toContain('camera=()');
      expect(res.headers.get('cross-origin-opener-policy'), route).toBe('same-origin');
      expect(res.headers.get('strict-transport-security'), route).toBeNull();
      await res.arrayBuffer();
    }
    const widget = await fetch(`${url}/`);
    expect(widget.headers.get('content-security-policy')).toContain("frame-ancestors 'self' https://kommune.dk");
    // X-Frame-Options cannot list kommune.dk, so it is left to frame-ancestors.
    expect(widget.headers.get('x-frame-options')).toBeNull();
    const agent = await fetch(`${url}/agent`);
    expect(agent.headers.get('content-security-policy')).toMatch(/frame-ancestors 'self'(;|$)/);
    expect(agent.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(agent.headers.get('cross-origin-resource-policy')).toBe('same-origin');
    const embed = await fetch(`${url}/embed.js`);
    expect(embed.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
  });

  it('without other sites the widget page may only be framed by itself', async () => {
    const { url } = await start();
    const res = await fetch(`${url}/`);
    expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(res.headers.get('content-security-policy')).toMatch(/frame-ancestors 'self'(;|$)/);
  });

  it('API answers are nosniff and no-store, also errors; HSTS only when reached over https', async () => {
    const { url } = await start();
    const answers = [
      await fetch(`${url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(activity('sec-1', { text: 'hej' })) }),
      await fetch(`${url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{' }),
      await fetch(`${url}/v3/directline/tokens/generate`, { method: 'POST' }),
      await fetch(`${url}/v3/directline/conversations`, { method: 'POST' }),
      await fetch(`${url}/agent/api/queue`),
      await fetch(`${url}/healthz`),
      await fetch(`${url}/no/such/route`),
    ];
    for (const res of answers) {
      expect(res.headers.get('x-content-type-options'), res.url).toBe('nosniff');
      expect(res.headers.get('cache-control'), res.url).toBe('no-store');
      expect(res.headers.get('strict-transport-security'), res.url).toBeNull();
      await res.arrayBuffer();
    }
    const proxied = await fetch(`${url}/`, { headers: { 'x-forwarded-proto': 'https' } });
    expect(proxied.headers.get('strict-transport-security')).toMatch(/^max-age=\d{7,}/);
    const proxiedApi = await fetch(`${url}/healthz`, { headers: { 'x-forwarded-proto': 'https, http' } });
    expect(proxiedApi.headers.get('strict-transport-security')).toMatch(/^max-age=/);
  });
});

describe('CORS only for configured origins', () => {
  it('another origin gets 403 and no CORS headers from every Direct Line route and none on /embed.js', async () => {
    const { url } = await start({ WIDGET_ALLOWED_ORIGINS: 'https://kommune.dk' });
    const good = await call(`${url}/v3/directline/tokens/generate`, { method: 'POST', headers: { origin: 'https://kommune.dk' } });
    const token = (good.body as { token: string; conversationId: string }).token;
    const conversationId = (good.body as { conversationId: string }).conversationId;
    const evil = { origin: 'https://kommune.dk.evil.example' };
    const attempts = [
      call(`${url}/v3/directline/tokens/generate`, { method: 'POST', headers: evil }),
      call(`${url}/v3/directline/tokens/refresh`, { method: 'POST', token, headers: evil }),
      call(`${url}/v3/directline/conversations`, { method: 'POST', token, headers: evil }),
      call(`${url}/v3/directline/conversations/${conversationId}`, { token, headers: evil }),
      call(`${url}/v3/directline/conversations/${conversationId}/activities`, { token, headers: evil }),
      call(`${url}/v3/directline/conversations/${conversationId}/activities`, { method: 'POST', token, headers: evil, body: { type: 'message', text: 'hej' } }),
      call(`${url}/v3/directline/conversations`, { method: 'OPTIONS', headers: { ...evil, 'access-control-request-method': 'POST' } }),
      call(`${url}/v3/directline/tokens/generate`, { method: 'POST', headers: { origin: 'null' } }),
    ];
    for (const reply of await Promise.all(attempts)) {
      expect(reply.status).toBe(403);
      expect(reply.headers.get('access-control-allow-origin')).toBeNull();
      expect(reply.headers.get('access-control-allow-methods')).toBeNull();
    }
    const embed = await fetch(`${url}/embed.js`, { headers: evil });
    expect(embed.headers.get('access-control-allow-origin')).toBeNull();
    const allowedEmbed = await fetch(`${url}/embed.js`, { headers: { origin: 'https://kommune.dk' } });
    expect(allowedEmbed.headers.get('access-control-allow-origin')).toBe('https://kommune.dk');
  });
});

/** A stand-in for Microsoft's OpenID metadata and signing keys, so the test needs no network. */
async function openIdStandIn(publicKey: KeyObject, kid: string): Promise<{ url: string }> {
  const jwk = publicKey.export({ format: 'jwk' });
  let base = '';
  const server: Server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    if (req.url === '/openid') res.end(JSON.stringify({ issuer: 'https://api.botframework.com', jwks_uri: `${base}/keys` }));
    else res.end(JSON.stringify({ keys: [{ kty: 'RSA', use: 'sig', kid, n: jwk.n, e: jwk.e }] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  stops.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `${base}/openid` };
}

function jwt(header: Record<string, unknown>, payload: Record<string, unknown>, key: KeyObject): string {
  const encode = (part: Record<string, unknown>) => Buffer.from(JSON.stringify(part)).toString('base64url');
  const signed = `${encode(header)}.${encode(payload)}`;
  return `${signed}.${sign('sha256', Buffer.from(signed), key).toString('base64url')}`;
}

describe('/api/messages with MicrosoftAppId set', () => {
  it('a token signed by the published key passes; a forged signature, a garbage token or none gets 401', async () => {
    const published = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const attacker = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const metadata = await openIdStandIn(published.publicKey, 'key-1');
    const { url } = await start({ MicrosoftAppId: APP_ID, MicrosoftAppPassword: 'not-used-with-expect-replies', MicrosoftAppTenantId: '99999999-8888-7777-6666-555555555555' }, {
      // With its own metadata URL botbuilder takes every other public-cloud setting from us too.
      ToBotFromChannelOpenIdMetadataUrl: metadata.url,
      ToBotFromChannelTokenIssuer: AuthenticationConstants.ToBotFromChannelTokenIssuer,
      ToBotFromEmulatorOpenIdMetadataUrl: AuthenticationConstants.ToBotFromEmulatorOpenIdMetadataUrl,
      ToChannelFromBotLoginUrl: AuthenticationConstants.ToChannelFromBotLoginUrl,
      ToChannelFromBotOAuthScope: AuthenticationConstants.ToChannelFromBotOAuthScope,
      OAuthUrl: AuthenticationConstants.OAuthUrl,
      CallerId: CallerIdConstants.PublicAzureChannel,
      ValidateAuthority: true,
    });
    const body = activity('auth-1', { text: 'hej', channelId: 'webchat' });
    const now = Math.floor(Date.now() / 1000);
    const claims = { iss: 'https://api.botframework.com', aud: APP_ID, nbf: now - 60, exp: now + 3600, serviceurl: body.serviceUrl };
    const header = { alg: 'RS256', typ: 'JWT', kid: 'key-1' };

    const genuine = await post(url, body, { authorization: `Bearer ${jwt(header, claims, published.privateKey)}` });
    expect(genuine.status, JSON.stringify(genuine.body)).toBe(200);
    expect(genuine.texts.length).toBeGreaterThan(0);

    const forged = jwt(header, claims, attacker.privateKey);
    // The published key's genuine signature over other claims: the payload was changed afterwards.
    const [head, , signature] = jwt(header, claims, published.privateKey).split('.');
    const tampered = `${head}.${Buffer.from(JSON.stringify({ ...claims, serviceurl: 'https://evil.example' })).toString('base64url')}.${signature}`;
    const noneAlg = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.`;
    const otherIssuer = jwt(header, { ...claims, iss: 'https://evil.example' }, attacker.privateKey);
    const expired = jwt(header, { ...claims, nbf: now - 7200, exp: now - 3600 }, published.privateKey);
    for (const authorization of [`Bearer ${forged}`, `Bearer ${tampered}`, `Bearer ${noneAlg}`, `Bearer ${otherIssuer}`, `Bearer ${expired}`, 'Bearer garbage', 'Bearer a.b.c', 'Basic dXNlcjpwYXNz', 'garbage', undefined]) {
      const res = await post(url, body, authorization === undefined ? {} : { authorization });
      expect(res.status, authorization).toBe(401);
      expect(res.texts).toEqual([]);
    }
    // A refused token is a 401, not a stack trace or a public key on stderr.
    const printed = consoleErrors.map((args) => (args[0] instanceof Error ? `${args[0].name}: ${args[0].message}` : String(args[0])));
    expect(printed.filter((line) => /jwt|token/i.test(line))).toEqual([]);
  });
});
