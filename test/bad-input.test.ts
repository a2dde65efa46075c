import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { describeActivityProblem } from '../src/http/activity-schema';
import { nestedDeeperThan } from '../src/http/json-depth';
import { parsePostedActivity } from '../src/directline/activity-input';
import { escapeMarkdownHtml } from '../src/text/markdown';
import { startDirectLine, type DirectLineServer } from './helpers/directline-server';
import { call } from './helpers/directline-client';
import { activity, post } from './helpers/http-bot';

// Regressions from the fuzz test (test/fuzz.test.ts): each of these once got a 500 or failed the turn.
const deepText = (depth: number) => `${'['.repeat(depth)}1${']'.repeat(depth)}`;
const deep = (depth: number) => JSON.parse(deepText(depth)) as unknown;
/** An activity's JSON with a deeply nested field, written as text (JSON.stringify itself would overflow). */
const withDeep = (fields: Record<string, unknown>, key: string, depth: number) => `${JSON.stringify(fields).slice(0, -1)},${JSON.stringify(key)}:${deepText(depth)}}`;

let server: DirectLineServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('nesting depth', () => {
  it('is measured without recursion, at any depth', () => {
    expect(nestedDeeperThan(deep(64))).toBe(false);
    expect(nestedDeeperThan(deep(65))).toBe(true);
    expect(nestedDeeperThan(deep(200_000))).toBe(true);
    expect(nestedDeeperThan({ a: [{ b: 'x' }] }, 3)).toBe(false);
  });

  it('/api/messages and Direct Line refuse deeply nested activities with 400 (the echoed reply once overflowed the JSON formatter: 500)', async () => {
    server = await startDirectLine(mkdtempSync(path.join(tmpdir(), 'mitid-bad-')));
    const echoed = await post(server.url, withDeep(activity('deep-1', { text: 'hej' }), 'recipient', 5_000));
    expect(echoed.status).toBe(400);
    const valued = await post(server.url, withDeep(activity('deep-1', { text: 'hej' }), 'value', 100));
    expect(valued.status).toBe(400);

    const { body } = await call(`${server.url}/v3/directline/tokens/generate`, { method: 'POST' });
    const { token, conversationId } = body as { token: string; conversationId: string };
    await call(`${server.url}/v3/directline/conversations`, { method: 'POST', token });
    const posted = await call(`${server.url}/v3/directline/conversations/${conversationId}/activities`, { method: 'POST', token, body: withDeep({ type: 'message', text: 'hej' }, 'channelData', 5_000) });
    expect(posted.status).toBe(400);
    expect(parsePostedActivity({ type: 'message', value: deep(10) }).ok).toBe(true);
  });
});

describe('fields botbuilder relies on are type-checked at the door', () => {
  it.each([
    ['conversation.tenantId a number', { conversation: { id: 'c', tenantId: 7 } }, 'conversation.tenantId'],
    ['conversation.isGroup a string', { conversation: { id: 'c', isGroup: 'true' } }, 'conversation.isGroup'],
    ['recipient.id a number', { recipient: { id: 5 } }, 'recipient.id'],
    ['from.role an object', { from: { id: 'u', role: {} } }, 'from.role'],
    ['membersAdded not a list', { type: 'conversationUpdate', membersAdded: 'x' }, 'membersAdded'],
    ['membersAdded with null', { type: 'conversationUpdate', membersAdded: [null] }, 'membersAdded.0'],
    ['entities with null', { entities: [null] }, 'entities.0'],
    ['serviceUrl not a URL', { serviceUrl: 'not a url', deliveryMode: 'normal' }, 'serviceUrl'],
    ['serviceUrl not http(s)', { serviceUrl: 'javascript:alert(1)' }, 'serviceUrl'],
    ['a Teams activity without channelData', { channelId: 'msteams', type: 'messageUpdate' }, 'channelData'],
  ])('%s → 400 naming the field', (_title, fields, field) => {
    expect(describeActivityProblem(activity('typed', { text: 'hej', ...fields }))).toContain(`${field}:`);
  });

  it('accepts what real channels send, nulls included', () => {
    expect(describeActivityProblem(activity('typed', { text: 'hej', conversation: { id: 'c', tenantId: null, isGroup: false }, membersAdded: [{ id: 'u', name: 'Anna' }], entities: [{ type: 'clientInfo', locale: 'da-DK' }] }))).toBeUndefined();
    expect(describeActivityProblem(activity('typed', { text: 'hej', channelId: 'msteams', channelData: { tenant: { id: 't' } } }))).toBeUndefined();
  });

  it('such activities get a clean 400 instead of a failed turn and an apology', async () => {
    server = await startDirectLine(mkdtempSync(path.join(tmpdir(), 'mitid-bad-')));
    const res = await post(server.url, activity('typed-2', { type: 'conversationUpdate', membersAdded: [null, 5] }));
    expect(res.status).toBe(400);
    expect(res.texts).toEqual([]);
  });
});

describe('relayed chat lines', () => {
  it('escape what markdown would turn into HTML, the backslash first, and leave the rest alone', () => {
    expect(escapeMarkdownHtml('<img src=x onerror=alert(1)> & co')).toBe('\\<img src=x onerror=alert(1)\\> \\& co');
    expect(escapeMarkdownHtml('\\<script>')).toBe('\\\\\\<script\\>');
    expect(escapeMarkdownHtml('Ring evt. på [telefon], *tak*')).toBe('Ring evt. på [telefon], *tak*');
  });
});
