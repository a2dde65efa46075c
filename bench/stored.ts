/** Benchmark 4: RSS and start-up with many conversations' state stored, and their owners coming back. */
import { rmSync } from 'node:fs';
import http from 'node:http';
import { loadContent } from '../src/content/load-content';
import { openSqliteStorage } from '../src/storage/sqlite-storage';
import { activityBody, CHANNEL_ID } from './citizens';
import { ms, RssSampler, rssKb, sleep, startServer, stopServer, summarise, type Latencies } from './lib';
import { BOT, BOT_ENV, BOT_TSX, log, tempDir, type BenchParams, type Row } from './setup';

interface StoredResult {
  count: number;
  writeS: number;
  startMs: number;
  idleRssMb: number;
  afterTurnsRssMb: number;
  peakRssMb: number;
  turns: number;
  turnErrors: number;
  latency: Latencies;
}

/** A conversation paused at Q2 of the guide, as ConversationState stores it (dialogState + flags). */
function storedState(guideVersion: string, i: number): Record<string, unknown> {
  const yesNo = { suggestedActions: { actions: [{ type: 'imBack', value: 'Ja', title: 'Ja' }, { type: 'imBack', value: 'Nej', title: 'Nej' }] } };
  return {
    dialogState: {
      dialogStack: [
        {
          id: 'guide',
          state: {
            dialogs: {
              dialogStack: [
                {
                  id: 'guide.Q2',
                  state: { options: { node: 'Q2', path: [{ node: 'T1' }, { node: 'Q1', answer: 'ja' }] }, values: { instanceId: `bench-${i}` }, stepIndex: 0 },
                },
                {
                  id: 'guide.answer',
                  state: {
                    options: {
                      prompt: { type: 'message', inputHint: 'expectingInput', ...yesNo, text: 'Har du et gyldigt dansk eller udenlandsk pas eller ID-kort med chip?', textFormat: 'markdown', locale: 'da-DK' },
                      retryPrompt: { type: 'message', inputHint: 'expectingInput', ...yesNo, text: 'Det forstod jeg ikke helt. Svar Ja eller Nej, eller tryk på en knap.', textFormat: 'markdown', locale: 'da-DK' },
                      choices: ['ja', 'nej'],
                    },
                    state: {},
                  },
                },
              ],
            },
          },
          version: guideVersion,
        },
      ],
    },
    flags: { welcomed: true },
  };
}

async function prefill(dir: string, count: number): Promise<number> {
  const guideVersion = loadContent().guideVersion;
  const storage = await openSqliteStorage({ DATA_DIR: dir, STORAGE_FSYNC: false });
  const started = performance.now();
  const batch = 500;
  for (let from = 0; from < count; from += batch) {
    const changes: Record<string, Record<string, unknown>> = {};
    for (let i = from; i < Math.min(count, from + batch); i++) changes[`${CHANNEL_ID}/conversations/bench-${i}/`] = storedState(guideVersion, i);
    await storage.write(changes);
  }
  await storage.flush();
  const stored = storage.count();
  storage.close();
  if (stored !== count) throw new Error(`prefill stored ${stored} conversations, expected ${count}`);
  return (performance.now() - started) / 1000;
}

function postTurn(url: string, body: string): Promise<{ status: number; text: string; ms: number }> {
  const started = performance.now();
  return new Promise((resolve) => {
    const req = http.request(`${url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text, ms: performance.now() - started }));
    });
    req.on('error', () => resolve({ status: 0, text: '', ms: performance.now() - started }));
    req.end(body);
  });
}

async function storedTest(count: number, turns: number): Promise<StoredResult> {
  const dir = tempDir(`stored-${count}`);
  const writeS = await prefill(dir, count);
  const server = await startServer(`bot (${count} stored)`, BOT, { ...BOT_ENV, DATA_DIR: dir }, [], BOT_TSX);
  try {
    await sleep(300);
    const idleRssMb = rssKb(server.pid) / 1024;
    const rss = new RssSampler(server.pid);
    const times: number[] = [];
    let turnErrors = 0;
    let next = 0;
    // Stored citizens come back and answer Q2 ("ja" → Q3), 8 at a time.
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < turns) {
          const i = Math.floor((next++ * 7919) % count);
          const r = await postTurn(server.url, activityBody(`bench-${i}`, 'ja'));
          if (r.status !== 200 || !r.text.includes('smartphone')) turnErrors++;
          else times.push(r.ms);
        }
      }),
    );
    await sleep(300);
    const afterTurnsRssMb = rssKb(server.pid) / 1024;
    return { count, writeS, startMs: server.startMs, idleRssMb, afterTurnsRssMb, peakRssMb: rss.stop(), turns, turnErrors, latency: summarise(times) };
  } finally {
    await stopServer(server);
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchStored(p: BenchParams): Promise<Row[]> {
  log('\n4. Stored conversations (SqliteStorage, conversations paused at Q2)');
  let largest: StoredResult | undefined;
  for (const count of p.storedCounts) {
    const s = await storedTest(count, p.storedTurns);
    largest = s;
    log(
      `  ${String(count).padStart(7)} stored: written in ${s.writeS.toFixed(1)} s; start-up ${ms(s.startMs)}; RSS idle ${s.idleRssMb.toFixed(0)} MB, ` +
        `after ${s.turns} returning turns ${s.afterTurnsRssMb.toFixed(0)} MB (peak ${s.peakRssMb.toFixed(0)} MB); turn p50 ${ms(s.latency.p50)} p99 ${ms(s.latency.p99)}; errors ${s.turnErrors}`,
    );
  }
  if (!largest) return [];
  const full = largest.count >= 100_000;
  const quick = full ? undefined : `only ${largest.count.toLocaleString('en')} stored (quick run): not the target's 100,000`;
  return [
    {
      target: 'RSS ≤ 200 MB with 100,000 conversations stored',
      measured: `${largest.peakRssMb.toFixed(0)} MB peak (idle ${largest.idleRssMb.toFixed(0)} MB) with ${largest.count.toLocaleString('en')} stored, ${largest.turnErrors} turn errors`,
      ok: full ? largest.peakRssMb <= 200 && largest.turnErrors === 0 : undefined,
      note: quick,
    },
    {
      target: 'start-up ≤ 1.5 s with 100,000 conversations stored',
      measured: `${ms(largest.startMs)} with ${largest.count.toLocaleString('en')} stored`,
      ok: full ? largest.startMs <= 1500 : undefined,
      note: quick,
    },
  ];
}
