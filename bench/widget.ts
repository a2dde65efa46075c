/** Benchmark 2: the widget's path, Direct Line token → conversation → WebSocket → messages, with many clients at once. */
import WebSocket from 'ws';
import { ms, RssSampler, sleep, startServer, stopServer, summarise, type Latencies } from './lib';
import { BOT, BOT_ENV, BOT_TSX, log, tempDir, type BenchParams, type Row } from './setup';

/** Widget users think between messages: uniform in [min, max] ms (a person reading and tapping a button). */
const THINK_MS = { min: 2000, max: 6000 };

const WIDGET_TEXTS = [
  ['Hjælp mig med at få MitID', 'ja', 'kan jeg beholde nemid', 'ja'],
  ['hvad er en kodeviser', 'Hjælp mig med at få MitID', 'ja', 'nej'],
  ['hvad bliver vejret', 'jeg har ikke en dansk bank', 'Hjælp mig med at få MitID', 'ved ikke'],
];

interface WidgetResult {
  clients: number;
  connected: number;
  messages: number;
  latency: Latencies;
  errors: number;
  errorKinds: Record<string, number>;
  setupS: number;
  messagingS: number;
  peakRssMb: number;
  startMs: number;
}

interface Client {
  conversationId: string;
  token: string;
  ws: WebSocket;
  /** When the bot's first reply to each posted activity arrived, by the activity's id. */
  arrivals: Map<string, number>;
  waiters: Map<string, (t: number) => void>;
}

/** Counts failures by kind. */
type Fail = (kind: string) => void;

async function postJson(url: string, token: string | undefined, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(url, { method: 'POST', headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let parsed: Record<string, unknown> = {};
  try {
    parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    // not JSON
  }
  return { status: res.status, body: parsed };
}

/** One client as Web Chat starts: a token, the conversation, its WebSocket; undefined (and a failure counted) when a step fails. */
async function connect(dl: string, sockets: WebSocket[], fail: Fail): Promise<Client | undefined> {
  const gen = await postJson(`${dl}/tokens/generate`, undefined, undefined);
  if (gen.status !== 200) return void fail(`generate ${gen.status}`);
  const token = gen.body.token as string;
  const start = await postJson(`${dl}/conversations`, token, { user: { id: 'ignored' }, locale: 'da-DK' });
  if (start.status !== 201 && start.status !== 200) return void fail(`start ${start.status}`);
  const conversationId = start.body.conversationId as string;
  const ws = new WebSocket(start.body.streamUrl as string);
  sockets.push(ws);
  const client: Client = { conversationId, token, ws, arrivals: new Map(), waiters: new Map() };
  ws.on('message', (data: Buffer) => {
    const t = performance.now();
    const text = data.toString('utf8');
    if (!text) return;
    const set = JSON.parse(text) as { activities: Array<{ replyToId?: string; from?: { role?: string } }> };
    for (const a of set.activities) {
      if (a.from?.role !== 'bot' || !a.replyToId || client.arrivals.has(a.replyToId)) continue;
      client.arrivals.set(a.replyToId, t);
      client.waiters.get(a.replyToId)?.(t);
    }
  });
  ws.on('error', () => fail('websocket error'));
  const opened = await new Promise<boolean>((resolve) => {
    ws.once('open', () => resolve(true));
    ws.once('error', () => resolve(false));
    ws.once('unexpected-response', () => resolve(false));
  });
  if (!opened) return void fail('websocket open');
  return client;
}

/** Sets up `n` conversations, 25 at a time, as tabs would open over a short while. */
async function connectAll(n: number, dl: string, sockets: WebSocket[], fail: Fail): Promise<Client[]> {
  const clients: Client[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: 25 }, async () => {
      while (next < n) {
        next++;
        try {
          const c = await connect(dl, sockets, fail);
          if (c) clients.push(c);
        } catch {
          fail('setup exception');
        }
      }
    }),
  );
  return clients;
}

/** One message posted; resolves with the time to the bot's first reply on the WebSocket, undefined after 10 s or a failed post. */
async function postAndWait(dl: string, client: Client, text: string | undefined, fail: Fail): Promise<number | undefined> {
  const t0 = performance.now();
  const posted = await postJson(`${dl}/conversations/${client.conversationId}/activities`, client.token, {
    type: 'message',
    text,
    from: { id: 'anyone', name: 'Borger' },
    locale: 'da-DK',
  });
  if (posted.status !== 200) {
    fail(`post ${posted.status}`);
    return undefined;
  }
  const id = posted.body.id as string;
  const arrived =
    client.arrivals.get(id) ??
    (await new Promise<number | undefined>((resolve) => {
      const timer = setTimeout(() => resolve(undefined), 10_000);
      client.waiters.set(id, (t) => {
        clearTimeout(timer);
        resolve(t);
      });
    }));
  client.waiters.delete(id);
  if (arrived === undefined) {
    fail('no reply within 10 s');
    return undefined;
  }
  return arrived - t0;
}

/** Every client sends `messagesPerClient` messages, thinking between them; returns how many were sent. */
async function talk(dl: string, clients: Client[], messagesPerClient: number, latencies: number[], fail: Fail): Promise<number> {
  let sent = 0;
  await Promise.all(
    clients.map(async (client, index) => {
      const texts = WIDGET_TEXTS[index % WIDGET_TEXTS.length]!;
      await sleep(Math.random() * THINK_MS.max); // spread the first messages
      for (let m = 0; m < messagesPerClient; m++) {
        if (m > 0) await sleep(THINK_MS.min + Math.random() * (THINK_MS.max - THINK_MS.min));
        try {
          sent++;
          const latency = await postAndWait(dl, client, texts[m % texts.length], fail);
          if (latency !== undefined) latencies.push(latency);
        } catch {
          fail('post exception');
        }
      }
    }),
  );
  return sent;
}

async function widgetTest(n: number, messagesPerClient: number): Promise<WidgetResult> {
  const server = await startServer(
    'bot (widget)',
    BOT,
    {
      ...BOT_ENV,
      DATA_DIR: tempDir('widget'),
      LIMIT_CONVERSATIONS_PER_IP_PER_HOUR: '100000',
      // The config caps this at 10,000 per token per minute; the brief's 100000 would be refused.
      LIMIT_MESSAGES_PER_MINUTE: '10000',
    },
    [],
    BOT_TSX,
  );
  const rss = new RssSampler(server.pid);
  const dl = `${server.url}/v3/directline`;
  const errorKinds: Record<string, number> = {};
  const fail: Fail = (kind) => {
    errorKinds[kind] = (errorKinds[kind] ?? 0) + 1;
  };
  const latencies: number[] = [];
  const sockets: WebSocket[] = [];

  // Set up all conversations, then let them all talk.
  const setupStart = performance.now();
  const clients = await connectAll(n, dl, sockets, fail);
  const setupS = (performance.now() - setupStart) / 1000;
  rss.reset();

  const messagingStart = performance.now();
  const sent = await talk(dl, clients, messagesPerClient, latencies, fail);
  const messagingS = (performance.now() - messagingStart) / 1000;
  const peakRssMb = rss.stop();
  for (const ws of sockets) ws.terminate();
  await stopServer(server);
  const errors = Object.values(errorKinds).reduce((a, b) => a + b, 0);
  return { clients: n, connected: clients.length, messages: sent, latency: summarise(latencies), errors, errorKinds, setupS, messagingS, peakRssMb, startMs: server.startMs };
}

export async function benchWidget(p: BenchParams): Promise<Row[]> {
  log(`\n2. Widget: ${p.widgetClients} Direct Line clients (token → conversation → WebSocket → ${p.widgetMessages} messages, think ${THINK_MS.min / 1000}–${THINK_MS.max / 1000} s)`);
  const w = await widgetTest(p.widgetClients, p.widgetMessages);
  log(`  set-up of ${w.connected}/${w.clients} conversations in ${w.setupS.toFixed(1)} s; ${w.messages} messages in ${w.messagingS.toFixed(1)} s (${(w.messages / w.messagingS).toFixed(0)} msg/s offered)`);
  log(`  post → first reply frame on the WebSocket: p50 ${ms(w.latency.p50)}  p95 ${ms(w.latency.p95)}  p99 ${ms(w.latency.p99)}  max ${ms(w.latency.max)} over ${w.latency.count} replies`);
  log(`  errors ${w.errors}${w.errors ? ` ${JSON.stringify(w.errorKinds)}` : ''}; peak RSS ${w.peakRssMb.toFixed(0)} MB; start-up ${ms(w.startMs)}`);
  return [
    {
      target: 'widget p99 ≤ 50 ms at 500 concurrent conversations',
      measured: `${ms(w.latency.p99)} at ${w.connected} conversations, ${w.errors} errors`,
      ok: w.clients >= 500 ? w.latency.p99 <= 50 && w.errors === 0 : undefined,
      note: w.clients < 500 ? `only ${w.clients} clients (quick run)` : undefined,
    },
  ];
}
