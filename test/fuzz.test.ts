import { mkdirSync, mkdtempSync, readdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../src/app';
import { parseConfig } from '../src/config';
import { hashAgentPassword } from '../src/config/agent-accounts';
import { createLogger } from '../src/logger';
import { openSqliteStorage, type SqliteStorage } from '../src/storage/sqlite-storage';
import { content, recognizer } from './helpers/bot-harness';
import { movableClock } from './helpers/directline-server';
import { activity, post } from './helpers/http-bot';

/** Cases per target; fixed seeds make every run send the same requests. */
const RUNS = { apiMessages: 2000, directLine: 2000 } as const;
const SEED = 20261121;
/** Heap growth allowed over the whole run, measured after a full GC. */
const HEAP_GROWTH_BYTES = 64 * 1024 * 1024;
const MAX_BODY_BYTES = 262_144;

// ---------------------------------------------------------------- hostile values

const HOSTILE_STRINGS = [
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '"><svg/onload=alert(1)>',
  'javascript:alert(1)',
  '[klik](javascript:alert(1))',
  '__proto__',
  'constructor',
  'prototype',
  '{"__proto__":{"polluted":true}}',
  '../../../../etc/passwd',
  '..\\..\\windows\\win.ini',
  '%00%2e%2e%2f',
  '\u0000\u0001\u0002\u001b[31m\u007f',
  '\u202eevil\u202c',
  '\ufeff\u200b\u200d',
  '\u2028\u2029',
  '\ud800',
  '\udfff\ud800',
  '👩‍👩‍👧‍👦🏳️‍🌈🇩🇰'.repeat(20),
  'Z̸̡̛̙̗͎̈́̇a̵̧̛̰l̷̢̛g̴̢̛o̷̡̧',
  '${process.exit(1)}',
  '{{constructor.constructor("return process")()}}',
  '%s%s%s%n',
  'mit cpr er 010190-1234, ring 12345678',
  'Tal med en medarbejder',
  'Ja, send den videre',
  'start forfra',
  'annuller',
  'Hjælp mig med at få MitID',
  '/overtag M-1001',
  'NaN',
  '-1',
  '1e309',
  '',
  ' ',
];
const hostileText = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...HOSTILE_STRINGS) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 80 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 80 }) },
  { weight: 1, arbitrary: fc.string({ unit: fc.constantFrom('\u0000', '\u0007', '\u001b', '\u2028', '\ufeff', '\u202e', '\ud800', '<', '>', '&', '"', "'", '\\', '/', 'æ'), maxLength: 60 }) },
  { weight: 1, arbitrary: fc.integer({ min: 1_000, max: 60_000 }).map((n) => 'ø'.repeat(n)) },
);
const hostileKey = fc.oneof(
  fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', '__defineGetter__', 'then', 'id', 'type', 'text', 'caseId', 'action'),
  fc.string({ maxLength: 12 }),
);

/** JSON with objects as key/value pairs, so `__proto__` really ends up as a key in the text sent. */
type Json = null | boolean | number | string | Json[] | { pairs: Array<[string, Json]> };
const json: fc.Arbitrary<Json> = fc.letrec<{ node: Json }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small' },
    fc.constant(null),
    fc.boolean(),
    fc.double(),
    fc.integer(),
    hostileText,
    fc.array(tie('node'), { maxLength: 4 }),
    fc.array(fc.tuple(hostileKey, tie('node')), { maxLength: 4 }).map((pairs) => ({ pairs })),
  ),
})).node;

function toJson(value: Json): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(toJson).join(',')}]`;
  return `{${value.pairs.map(([k, v]) => `${JSON.stringify(k)}:${toJson(v)}`).join(',')}}`;
}
const obj = (fields: Record<string, string | undefined>): string =>
  `{${Object.entries(fields)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${JSON.stringify(k)}:${v}`)
    .join(',')}}`;

const deepNesting = fc.tuple(fc.integer({ min: 70, max: 20_000 }), fc.constantFrom('[', '{"a":', '{"__proto__":')).map(([depth, open]) => {
  const close = open === '[' ? ']' : '}';
  return `${open.repeat(depth)}1${close.repeat(depth)}`;
});

/** Nesting the gate lets through (below 64 levels), which replies and storage must still cope with. */
const allowedNesting = fc.tuple(fc.integer({ min: 5, max: 55 }), fc.constantFrom('[', '{"__proto__":', '{"constructor":')).map(([depth, open]) => `${open.repeat(depth)}"x"${(open === '[' ? ']' : '}').repeat(depth)}`);

/** A JSON text for a field: right or wrong type, hostile, pollution payloads, deep nesting. */
const anyValue = fc.oneof(
  { weight: 30, arbitrary: json.map(toJson) },
  { weight: 1, arbitrary: deepNesting },
  { weight: 3, arbitrary: allowedNesting },
  { weight: 3, arbitrary: fc.constantFrom('{"__proto__":{"polluted":"yes"}}', '{"constructor":{"prototype":{"polluted":"yes"}}}', '[{"__proto__":{"polluted":"yes"}}]') },
);
const strValue = hostileText.map((s) => JSON.stringify(s));
const orWrong = (good: fc.Arbitrary<string>) => fc.oneof({ weight: 30, arbitrary: good }, { weight: 1, arbitrary: anyValue }, { weight: 1, arbitrary: fc.constant(undefined) });

// ---------------------------------------------------------------- /api/messages

const ACTIVITY_TYPES = ['message', 'conversationUpdate', 'event', 'invoke', 'typing', 'messageReaction', 'installationUpdate', 'endOfConversation', 'trace', 'handoff', 'messageUpdate', 'messageDelete', 'command', 'delay'];
const NAMES = ['handoff.status', 'ContinueConversation', 'adaptiveCard/action', 'composeExtension/query', 'signin/verifyState', 'webchat/join', 'healthCheck'];

function apiActivity(sinkUrl: string): fc.Arbitrary<string> {
  return fc
    .record({
      type: orWrong(fc.oneof(fc.constantFrom(...ACTIVITY_TYPES).map((t) => JSON.stringify(t)), strValue)),
      channelId: orWrong(fc.constantFrom('emulator', 'msteams', 'directline', 'webchat', 'test', 'x'.repeat(64)).map((c) => JSON.stringify(c))),
      serviceUrl: orWrong(fc.oneof({ weight: 10, arbitrary: fc.constant(JSON.stringify(sinkUrl)) }, { weight: 1, arbitrary: fc.constantFrom('"not a url"', '"javascript:alert(1)"', `"${sinkUrl}/../../x"`, '"http://[::1"') })),
      deliveryMode: fc.option(fc.oneof({ weight: 6, arbitrary: fc.constant('"expectReplies"') }, { weight: 1, arbitrary: fc.constantFrom('"normal"', '"notification"', '"ephemeral"') }, { weight: 1, arbitrary: anyValue }), { nil: undefined, freq: 10 }),
      conversation: orWrong(
        fc.tuple(fc.oneof(fc.nat({ max: 40 }).map((n) => `fuzz-${n}`), hostileText.filter((s) => s.length > 0 && s.length <= 1024)), fc.option(fc.oneof({ weight: 8, arbitrary: strValue }, { weight: 1, arbitrary: anyValue }), { nil: undefined }), fc.constantFrom(undefined, '"channel"', '"personal"', '"groupChat"')).map(([id, tenant, kind]) =>
          obj({ id: JSON.stringify(id), tenantId: tenant, conversationType: kind, isGroup: kind === undefined ? undefined : String(kind !== '"personal"') }),
        ),
      ),
      from: orWrong(fc.tuple(fc.nat({ max: 5 }), fc.option(strValue, { nil: undefined }), fc.option(fc.oneof({ weight: 8, arbitrary: fc.constantFrom('"user"', '"bot"', '"skill"') }, { weight: 1, arbitrary: anyValue }), { nil: undefined })).map(([n, name, role]) => obj({ id: `"fuzz-user-${n}"`, name, role, aadObjectId: name }))),
      recipient: fc.option(fc.oneof({ weight: 6, arbitrary: fc.constant('{"id":"bot","name":"MitID-hjælperen"}') }, { weight: 1, arbitrary: anyValue }), { nil: undefined, freq: 2 }),
      text: fc.option(fc.oneof({ weight: 15, arbitrary: strValue }, { weight: 1, arbitrary: anyValue }), { nil: undefined, freq: 6 }),
      name: fc.option(fc.oneof(fc.constantFrom(...NAMES).map((n) => JSON.stringify(n)), strValue), { nil: undefined }),
      value: fc.option(fc.oneof(anyValue, fc.constantFrom('{"action":"takeCase","caseId":"M-1001"}', '{"action":"takeCase","caseId":{}}', '{"state":"accepted"}', '{"commandId":"searchAnswers","parameters":[{"name":"query","value":"<script>"}]}')), { nil: undefined }),
      channelData: fc.option(fc.oneof(anyValue, fc.constantFrom('{"tenant":{"id":"t"}}', '{"tags":"{\\"type\\":\\"Escalate\\"}"}')), { nil: undefined }),
      entities: fc.option(fc.oneof({ weight: 6, arbitrary: fc.array(fc.tuple(fc.constantFrom('"mention"', '"clientInfo"', '"x"'), anyValue).map(([type, extra]) => `{"type":${type},"mentioned":${extra},"text":"<at>bot</at>"}`), { maxLength: 3 }).map((items) => `[${items.join(',')}]`) }, { weight: 1, arbitrary: anyValue }), { nil: undefined }),
      attachments: fc.option(fc.oneof({ weight: 6, arbitrary: fc.array(fc.tuple(strValue, anyValue).map(([type, content]) => `{"contentType":${type},"content":${content}}`), { maxLength: 3 }).map((items) => `[${items.join(',')}]`) }, { weight: 1, arbitrary: anyValue }), { nil: undefined }),
      membersAdded: fc.option(fc.oneof({ weight: 6, arbitrary: fc.constantFrom('[{"id":"fuzz-user-1"},{"id":"bot"}]', '[]', '[{"id":"bot"}]', '[{"name":"no id"}]') }, { weight: 1, arbitrary: anyValue }), { nil: undefined }),
      locale: fc.option(strValue, { nil: undefined }),
      unknown: fc.option(fc.tuple(hostileKey, anyValue), { nil: undefined }),
    })
    .map(({ unknown, ...fields }) => {
      const text = obj(fields);
      return unknown ? `${text.slice(0, -1)}${text.length > 2 ? ',' : ''}${JSON.stringify(unknown[0])}:${unknown[1]}}` : text;
    });
}

interface RawRequest {
  body: string;
  contentType: string | undefined;
}

function apiRequest(sinkUrl: string): fc.Arbitrary<RawRequest> {
  const good = apiActivity(sinkUrl);
  const body = fc.oneof(
    { weight: 12, arbitrary: good },
    { weight: 1, arbitrary: deepNesting },
    { weight: 1, arbitrary: fc.tuple(good, fc.nat()).map(([text, at]) => text.slice(0, at % Math.max(1, text.length))) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
    { weight: 1, arbitrary: fc.constantFrom('[]', 'null', '"x"', '1', 'true', '{}', '', '{"type":"message"}', '\u0000', '{"a":1,}', "{'a':1}") },
    { weight: 1, arbitrary: fc.integer({ min: MAX_BODY_BYTES - 200, max: MAX_BODY_BYTES + 2_000 }).map((n) => JSON.stringify(activity('fuzz-huge', { text: 'x'.repeat(n) }))) },
  );
  const contentType = fc.oneof({ weight: 10, arbitrary: fc.constant('application/json') }, { weight: 1, arbitrary: fc.constantFrom(undefined, 'text/plain', 'application/json; charset=latin1', 'multipart/form-data; boundary=x', 'application/x-www-form-urlencoded', 'application/json; charset=utf-16') });
  return fc.record({ body, contentType });
}

// ---------------------------------------------------------------- Direct Line

interface DlRequest {
  method: string;
  path: string;
  authorization: string | undefined;
  origin: string | undefined;
  body: string | undefined;
}

/** Percent-encoded, with lone surrogates sent as the invalid UTF-8 they would be. */
function pathSegment(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    return `${encodeURIComponent(text.replace(/[\ud800-\udfff]/g, ''))}%ED%A0%80`;
  }
}

function forgedTokens(valid: string, other: string): fc.Arbitrary<string> {
  const [body, signature] = valid.split('.') as [string, string];
  const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const flip = (s: string, at: number) => s.slice(0, at) + (s[at] === 'A' ? 'B' : 'A') + s.slice(at + 1);
  return fc.oneof(
    hostileText,
    fc.nat().map((n) => flip(valid, n % valid.length)),
    fc.constant(`${b64({ k: 'a', c: 'someone-else', u: 'dl_x', e: 9_999_999_999 })}.${signature}`),
    fc.constant(`${b64({ k: 'a', c: 'x', u: 'y', e: 9_999_999_999, r: 'g' })}.${signature}`),
    fc.constant(`${body}.${signature}.extra`),
    fc.constant(`${body}.`),
    fc.constant(other),
    fc.constant(`${b64({ alg: 'none' })}.${b64({ k: 'a' })}.`),
    fc.constant('a'.repeat(5_000)),
  );
}

function dlRequest(tokens: { valid: string; other: string; conversationId: string }): fc.Arbitrary<DlRequest> {
  const id = fc.oneof(fc.constant(tokens.conversationId), fc.constant('someone-else'), hostileText.map(pathSegment).filter((s) => s.length > 0 && s.length < 3_000));
  // Each route mostly with its own method, so most requests get past routing to the handlers.
  const route = (method: string, path: fc.Arbitrary<string>) => fc.tuple(fc.oneof({ weight: 8, arbitrary: fc.constant(method) }, { weight: 1, arbitrary: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD') }), path);
  const target = fc.oneof(
    route('POST', fc.constantFrom('/v3/directline/tokens/generate', '/v3/directline/tokens/refresh', '/v3/directline/conversations')),
    route('GET', id.map((c) => `/v3/directline/conversations/${c}`)),
    route('GET', fc.tuple(id, fc.option(hostileText, { nil: undefined })).map(([c, w]) => `/v3/directline/conversations/${c}/activities${w === undefined ? '' : `?watermark=${pathSegment(w)}`}`)),
    { weight: 3, arbitrary: route('POST', id.map((c) => `/v3/directline/conversations/${c}/activities`)) },
    route('GET', id.map((c) => `/v3/directline/conversations/${c}/stream`)),
    route('POST', id.map((c) => `/v3/directline/conversations/${c}/upload?userId=x`)),
    route('POST', id.map((c) => `/v3/conversations/${c}/activities`)),
    route('POST', id.map((c) => `/v3/conversations/${c}/activities/${c}`)),
    route('POST', fc.constantFrom('/agent/api/login', '/agent/api/logout', '/agent/api/cases/M-1001/take', '/agent/api/cases/M-1001/note')),
    route('GET', fc.constantFrom('/agent/api/queue', '/agent/api/cases/M-1001', '/v3/directline/', '/v3/directline/..%2f..%2fetc%2fpasswd', '/metrics')),
  );
  const authorization = fc.oneof(
    { weight: 3, arbitrary: fc.constant(`Bearer ${tokens.valid}`) },
    { weight: 4, arbitrary: forgedTokens(tokens.valid, tokens.other).map((t) => `Bearer ${t}`) },
    { weight: 1, arbitrary: fc.constantFrom(undefined, 'Basic dXNlcjpwYXNz', 'Bearer', 'Bearer  ', `bearer ${tokens.valid}`) },
  );
  const posted = fc
    .record({
      type: orWrong(fc.constantFrom('"message"', '"typing"', '"event"', '"conversationUpdate"', '"invoke"')),
      text: fc.option(fc.oneof({ weight: 5, arbitrary: strValue }, { weight: 1, arbitrary: anyValue }), { nil: undefined, freq: 5 }),
      textFormat: fc.option(fc.constantFrom('"plain"', '"markdown"', '"xml"', '"html"'), { nil: undefined }),
      name: fc.option(fc.oneof(fc.constantFrom(...NAMES).map((n) => JSON.stringify(n)), strValue), { nil: undefined }),
      value: fc.option(anyValue, { nil: undefined }),
      channelData: fc.option(anyValue, { nil: undefined }),
      from: fc.option(fc.oneof(strValue.map((n) => `{"name":${n},"id":"agent-1","role":"bot"}`), anyValue), { nil: undefined }),
      locale: fc.option(strValue, { nil: undefined }),
      conversation: fc.option(fc.constant('{"id":"someone-else"}'), { nil: undefined }),
      serviceUrl: fc.option(fc.constant('"http://169.254.169.254/"'), { nil: undefined }),
      [`__proto__`]: fc.option(fc.constant('{"polluted":"yes"}'), { nil: undefined }),
    })
    .map((fields) => obj(fields));
  const body = fc.oneof({ weight: 6, arbitrary: posted }, { weight: 1, arbitrary: anyValue }, { weight: 1, arbitrary: deepNesting }, { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 100 }) }, { weight: 1, arbitrary: fc.constant(undefined) });
  const origin = fc.oneof({ weight: 6, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constantFrom('https://evil.example', 'null', 'https://kommune.dk', '\u0000') });
  return fc.record({ target, authorization, origin, body }).map(({ target: [method, path], ...rest }) => ({ method, path, ...rest }));
}

// ---------------------------------------------------------------- the run

function gc(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

async function heapAfterGc(collect: () => void): Promise<number> {
  for (let i = 0; i < 3; i++) {
    collect();
    await new Promise((resolve) => setImmediate(resolve));
  }
  return process.memoryUsage().heapUsed;
}

const statuses = new Map<string, Map<number, number>>();
function count(target: string, status: number): void {
  const byStatus = statuses.get(target) ?? new Map<number, number>();
  byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
  statuses.set(target, byStatus);
}

let app: App;
let url: string;
let sink: Server;
let sinkUrl: string;
let parent: string;
let storage: SqliteStorage;
const errors: string[] = [];

beforeAll(async () => {
  sink = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      res.end('{"id":"1"}');
    });
  });
  await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
  sinkUrl = `http://127.0.0.1:${(sink.address() as AddressInfo).port}`;
  parent = mkdtempSync(path.join(tmpdir(), 'mitid-fuzz-'));
  const dataDir = path.join(parent, 'data');
  mkdirSync(dataDir);
  const config = parseConfig({
    PORT: '0',
    DATA_DIR: dataDir,
    MAX_BODY_BYTES: String(MAX_BODY_BYTES),
    LIMIT_MESSAGES_PER_MINUTE: '10000',
    LIMIT_CONVERSATIONS_PER_IP_PER_HOUR: '100000',
    WIDGET_ALLOWED_ORIGINS: 'https://kommune.dk',
    // With accounts the sign-in route is really exercised (without, it answers 503 "not set up").
    AGENT_ACCOUNTS: await hashAgentPassword('anna', 'en-lang-adgangskode'),
  });
  storage = await openSqliteStorage({ DATA_DIR: dataDir, STORAGE_FSYNC: false });
  const logger = createLogger('error', new Writable({ write: (chunk: Buffer, _enc, done) => void (errors.push(chunk.toString('utf8')), done()) }));
  app = createApp({ config, content, storage, clock: movableClock(), logger, recognizer });
  url = `http://127.0.0.1:${await app.listen()}`;
});

afterAll(async () => {
  await app?.close();
  await new Promise<void>((resolve) => sink?.close(() => resolve()));
  console.log('fuzz statuses', JSON.stringify(Object.fromEntries([...statuses].map(([target, byStatus]) => [target, Object.fromEntries([...byStatus].sort(([a], [b]) => a - b))]))));
});

async function dl(pathname: string, init: { method?: string; token?: string; body?: unknown } = {}): Promise<{ status: number; body: any }> {
  const res = await fetch(`${url}${pathname}`, {
    method: init.method ?? 'GET',
    headers: { ...(init.token ? { authorization: `Bearer ${init.token}` } : {}), ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

async function newDirectLineConversation(): Promise<{ conversationId: string; token: string }> {
  const generated = await dl('/v3/directline/tokens/generate', { method: 'POST' });
  await dl('/v3/directline/conversations', { method: 'POST', token: generated.body.token });
  return generated.body;
}

function invokeType(body: string): boolean {
  try {
    return (JSON.parse(body) as { type?: unknown }).type === 'invoke';
  } catch {
    return false;
  }
}

const prototypes = [Object.prototype, Array.prototype, Function.prototype, String.prototype];
const keysOf = () => prototypes.map((p) => Object.getOwnPropertyNames(p).sort().join(','));

describe('fuzz: malformed and hostile requests', () => {
  it(`${RUNS.apiMessages} to /api/messages and ${RUNS.directLine} to Direct Line: no 5xx, no crash, no damage, memory bounded`, async () => {
    const collect = gc();
    const prototypeKeys = keysOf();

    // Control conversations, one per way in, half-way through the guide.
    const control = activity('control-api', { serviceUrl: sinkUrl });
    await post(url, { ...control, text: 'Hjælp mig med at få MitID' });
    const stateKey = 'emulator/conversations/control-api';
    const stateBefore = JSON.stringify((await storage.read([stateKey]))[stateKey]);
    const dlControl = await newDirectLineConversation();
    await dl(`/v3/directline/conversations/${dlControl.conversationId}/activities`, { method: 'POST', token: dlControl.token, body: { type: 'message', text: 'Hjælp mig med at få MitID', from: { id: 'x' } } });
    const dlBefore = (await dl(`/v3/directline/conversations/${dlControl.conversationId}/activities`, { token: dlControl.token })).body;

    const target = await newDirectLineConversation();
    const other = await newDirectLineConversation();
    const heapBefore = await heapAfterGc(collect);

    await fc.assert(
      fc.asyncProperty(apiRequest(sinkUrl), async ({ body, contentType }) => {
        const res = await fetch(`${url}/api/messages`, { method: 'POST', headers: contentType ? { 'content-type': contentType } : {}, body });
        await res.arrayBuffer();
        count('apiMessages', res.status);
        // botbuilder answers an invoke it has no handler for with 501, as the Bot Framework
        // protocol asks (channels read it as "not supported"); every other 5xx is a fault.
        if (res.status === 501 && invokeType(body)) return;
        expect(res.status, body.slice(0, 300)).toBeLessThan(500);
      }),
      { seed: SEED, numRuns: RUNS.apiMessages },
    );

    await fc.assert(
      fc.asyncProperty(dlRequest({ valid: target.token, other: other.token, conversationId: target.conversationId }), async (req) => {
        const headers: Record<string, string> = {};
        // fetch refuses control characters in headers; send what an HTTP client can send.
        if (req.authorization !== undefined) headers.authorization = req.authorization.replace(/[^\t\x20-\x7e\x80-\xff]/g, '?');
        if (req.origin !== undefined && !req.origin.includes('\u0000')) headers.origin = req.origin;
        if (req.body !== undefined) headers['content-type'] = 'application/json';
        const res = await fetch(`${url}${req.path}`, { method: req.method, headers, body: req.method === 'GET' || req.method === 'HEAD' ? undefined : req.body });
        await res.arrayBuffer();
        count('directLine', res.status);
        expect(res.status, `${req.method} ${req.path.slice(0, 200)} ${req.body?.slice(0, 200)}`).toBeLessThan(500);
        if (req.origin === 'https://evil.example') expect(res.headers.get('access-control-allow-origin')).toBeNull();
      }),
      { seed: SEED + 1, numRuns: RUNS.directLine },
    );

    // Nothing leaked onto shared prototypes.
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(keysOf()).toEqual(prototypeKeys);

    // The control conversations are where they were and go on as a fresh one would.
    expect(JSON.stringify((await storage.read([stateKey]))[stateKey])).toBe(stateBefore);
    const reference = activity('reference-api', { serviceUrl: sinkUrl });
    await post(url, { ...reference, text: 'Hjælp mig med at få MitID' });
    const expected = await post(url, { ...reference, text: 'Ja' });
    const next = await post(url, { ...control, text: 'Ja' });
    expect(next.status, JSON.stringify(next.body)).toBe(200);
    expect(next.texts).toEqual(expected.texts);
    expect(next.texts.length).toBeGreaterThan(0);

    const dlAfter = (await dl(`/v3/directline/conversations/${dlControl.conversationId}/activities`, { token: dlControl.token })).body;
    expect(dlAfter).toEqual(dlBefore);
    const sent = await dl(`/v3/directline/conversations/${dlControl.conversationId}/activities`, { method: 'POST', token: dlControl.token, body: { type: 'message', text: 'Ja' } });
    expect(sent.status).toBe(200);
    const replies = (await dl(`/v3/directline/conversations/${dlControl.conversationId}/activities?watermark=${dlBefore.watermark}`, { token: dlControl.token })).body;
    expect(replies.activities.filter((a: { type: string; from: { role?: string } }) => a.type === 'message' && a.from.role === 'bot').map((a: { text: string }) => a.text)).toEqual(expected.texts);

    // Storage holds only its own files: no conversation id led a write outside DATA_DIR.
    expect(readdirSync(parent)).toEqual(['data']);
    expect((await fetch(`${url}/readyz`)).status).toBe(200);

    const growth = (await heapAfterGc(collect)) - heapBefore;
    for (const line of new Set(errors.map((e) => (JSON.parse(e) as { msg: string; err?: { message?: string } }).msg + ': ' + (JSON.parse(e) as { err?: { message?: string } }).err?.message))) console.log('logged error', line.slice(0, 300));
    console.log(`fuzz heap growth ${(growth / 1024 / 1024).toFixed(1)} MB; errors logged: ${errors.length}`);
    expect(growth).toBeLessThan(HEAP_GROWTH_BYTES);
    // Bad input is refused at the door (400) rather than failing inside a turn.
    expect(errors).toEqual([]);
  }, 120_000);
});
