import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp, type App } from '../src/app';
import { parseConfig } from '../src/config';
import { createLogger } from '../src/logger';
import { openSqliteStorage } from '../src/storage/sqlite-storage';
import { content, recognizer } from './helpers/bot-harness';
import { activity, post } from './helpers/http-bot';

interface TurnLine {
  msg: string;
  turn?: { conversation: string; channel: string; type: string; intent?: string; score?: number; latencyMs: number; replies: number; fallback?: boolean; caseId?: string; escalation?: string };
}

let running: App | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

/** The real app with its log lines captured, on a clock that moves only when the test says so. */
async function start(env: Record<string, string> = {}) {
  const lines: string[] = [];
  const logger = createLogger('info', new Writable({ write: (chunk: Buffer, _enc, done) => void (lines.push(...chunk.toString('utf8').split('\n').filter(Boolean)), done()) }));
  const dataDir = mkdtempSync(path.join(tmpdir(), 'mitid-ops-'));
  const config = parseConfig({ PORT: '0', DATA_DIR: dataDir, ...env });
  const storage = await openSqliteStorage({ DATA_DIR: dataDir, STORAGE_FSYNC: false });
  let now = new Date('2026-11-21T12:00:00+01:00').getTime();
  const clock = { now: () => new Date(now) };
  const app = createApp({ config, content, storage, clock, logger, recognizer });
  running = app;
  const url = `http://127.0.0.1:${await app.listen()}`;
  const turns = () => lines.map((l) => JSON.parse(l) as TurnLine).filter((l) => l.msg === 'turn').map((l) => l.turn!);
  return { url, turns, lines, advance: (seconds: number) => (now += seconds * 1000) };
}

async function scrape(url: string, headers: Record<string, string> = {}): Promise<{ status: number; text: string }> {
  const res = await fetch(`${url}/metrics`, { headers });
  return { status: res.status, text: await res.text() };
}

/** The value of one sample, e.g. `mitid_turns_total{channel="emulator",type="message"}`. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('one log line per turn', () => {
  it('carries conversation, channel, type, intent, score and latency, never the text, with personal data masked', async () => {
    const bot = await start();
    await post(bot.url, activity('log-1', { text: 'kan jeg beholde mit nemid? mit cpr er 010190-1234' }));
    await post(bot.url, activity('log-1', { text: 'blå bananer på månen' }));
    await post(bot.url, activity('log-1', { type: 'conversationUpdate', membersAdded: [{ id: 'user-log-1' }] }));

    const turns = bot.turns();
    expect(turns).toHaveLength(3);
    const [question, fallback, joined] = turns;
    expect(question).toMatchObject({ conversation: 'log-1', channel: 'emulator', type: 'message', intent: 'keep_nemid' });
    expect(question!.score).toBeGreaterThan(0);
    expect(question!.latencyMs).toBeGreaterThanOrEqual(0);
    expect(question!.replies).toBeGreaterThan(0);
    expect(fallback).toMatchObject({ intent: 'none', fallback: true });
    expect(question!).not.toHaveProperty('fallback');
    expect(joined).toMatchObject({ type: 'conversationUpdate' });
    expect(joined!.intent).toBeUndefined();
    const all = bot.lines.join('\n');
    expect(all).not.toContain('beholde');
    expect(all).not.toContain('bananer');
    expect(all).not.toContain('010190');
  });

  it('reads the intent from the trace on every channel, while only the Emulator gets the trace', async () => {
    const bot = await start();
    const webchat = await post(bot.url, activity('log-3', { channelId: 'webchat', serviceUrl: 'https://webchat.botframework.com/', text: 'kan jeg beholde nemid' }));
    const emulator = await post(bot.url, activity('log-4', { text: 'kan jeg beholde nemid' }));
    const types = (body: unknown) => (body as { activities: Array<{ type: string }> }).activities.map((a) => a.type);
    expect(types(webchat.body)).not.toContain('trace');
    expect(webchat.texts.length).toBeGreaterThan(0);
    expect(types(emulator.body)).toContain('trace');
    expect(bot.turns().map((t) => [t.channel, t.intent])).toEqual([
      ['webchat', 'keep_nemid'],
      ['emulator', 'keep_nemid'],
    ]);
  });

  it('names the case and the reason when the turn opens a case', async () => {
    const bot = await start();
    await post(bot.url, activity('log-2', { text: 'Tal med en medarbejder' }));
    await post(bot.url, activity('log-2', { text: 'Ja, send den videre' }));
    const last = bot.turns().at(-1)!;
    expect(last.caseId).toMatch(/^M-\d{3}-\d{4}$/);
    expect(last.escalation).toBe('asked');
  });
});

describe('GET /metrics', () => {
  it('counts turns, intents, fallbacks and escalations, and reads the queue when scraped', async () => {
    const bot = await start();
    await post(bot.url, activity('m-1', { text: 'kan jeg beholde mit nemid?' }));
    await post(bot.url, activity('m-1', { text: 'blå bananer på månen' }));
    // Answers in the guide score nothing, yet they are no fallback.
    await post(bot.url, activity('m-g', { text: 'Hjælp mig med at få MitID' }));
    await post(bot.url, activity('m-g', { text: 'Ja' }));
    await post(bot.url, activity('m-2', { text: 'Tal med en medarbejder' }));
    await post(bot.url, activity('m-2', { text: 'Ja, send den videre' }));
    bot.advance(90);
    await post(bot.url, activity('m-3', { text: 'Tal med en medarbejder' }));
    await post(bot.url, activity('m-3', { text: 'Ja, send den videre' }));
    bot.advance(30);

    const { status, text } = await scrape(bot.url);
    expect(status).toBe(200);
    expect(sample(text, 'mitid_turns_total{channel="emulator",type="message"}')).toBe(8);
    expect(sample(text, 'mitid_intents_total{intent="keep_nemid"}')).toBe(1);
    // The classifier's decisions: only the nonsense was classified as nothing (the guide reads its own "Ja") ...
    expect(sample(text, 'mitid_intents_total{intent="none"}')).toBe(1);
    // ... and only it got "I did not understand".
    expect(sample(text, 'mitid_fallbacks_total')).toBe(1);
    expect(sample(text, 'mitid_escalations_total{reason="asked"}')).toBe(2);
    expect(sample(text, 'mitid_handoff_queue_length')).toBe(2);
    expect(sample(text, 'mitid_handoff_oldest_wait_seconds')).toBe(120);
    expect(sample(text, 'mitid_handoff_open_cases{status="queued"}')).toBe(2);
    expect(sample(text, 'mitid_turn_duration_seconds_count{channel="emulator"}')).toBe(8);
    expect(text).toContain('process_cpu_user_seconds_total');
    expect(sample(text, 'mitid_http_responses_total{route="messages",status="200"}')).toBe(8);
  });

  it('keeps label values to a fixed set whatever channel and type callers claim', async () => {
    const bot = await start();
    await post(bot.url, activity('m-4', { channelId: 'x'.repeat(60), type: 'y'.repeat(60), text: 'hej' }));
    const { text } = await scrape(bot.url);
    expect(sample(text, 'mitid_turns_total{channel="other",type="other"}')).toBe(1);
    expect(text).not.toContain('xxxxxxxx');
  });

  it('without METRICS_TOKEN answers only direct local scrapers; with it, only the token', async () => {
    const open = await start();
    expect((await scrape(open.url)).status).toBe(200);
    expect((await scrape(open.url, { 'x-forwarded-for': '203.0.113.7' })).status).toBe(403);
    await running!.close();
    running = undefined;

    const token = 'a-long-metrics-token-0123456789';
    const guarded = await start({ METRICS_TOKEN: token });
    expect((await scrape(guarded.url)).status).toBe(403);
    expect((await scrape(guarded.url, { authorization: 'Bearer wrong-token-wrong-token-00' })).status).toBe(403);
    const allowed = await scrape(guarded.url, { authorization: `Bearer ${token}` });
    expect(allowed.status).toBe(200);
    expect(allowed.text).toContain('mitid_turns_total');
  });
});
