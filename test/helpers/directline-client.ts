import WebSocket from 'ws';

export interface Reply {
  status: number;
  headers: Headers;
  body: unknown;
}

export interface Conversation {
  conversationId: string;
  token: string;
  expires_in: number;
  streamUrl?: string;
}

export interface DlActivity {
  id: string;
  type: string;
  text?: string;
  from: { id: string; name?: string; role?: string };
  conversation: { id: string };
  channelId: string;
  timestamp: string;
  replyToId?: string;
  channelData?: Record<string, unknown>;
}

export interface ActivitySet {
  activities: DlActivity[];
  watermark: string;
}

/** One HTTP call; JSON bodies are parsed. */
export async function call(url: string, init: { method?: string; token?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<Reply> {
  const headers: Record<string, string> = { ...init.headers };
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  let body: string | undefined;
  if (init.body !== undefined) {
    headers['content-type'] ??= 'application/json';
    body = typeof init.body === 'string' ? init.body : JSON.stringify(init.body);
  }
  const response = await fetch(url, { method: init.method ?? 'GET', headers, body });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // keep the text
  }
  return { status: response.status, headers: response.headers, body: parsed };
}

export function errorOf(reply: Reply): { code: string; message: string } {
  return (reply.body as { error: { code: string; message: string } }).error;
}

/** A Direct Line client as Web Chat drives it. */
export class DlClient {
  constructor(
    readonly base: string,
    public token = '',
    public conversationId = '',
  ) {}

  get dl(): string {
    return `${this.base}/v3/directline`;
  }

  async generate(headers: Record<string, string> = {}): Promise<Reply> {
    const reply = await call(`${this.dl}/tokens/generate`, { method: 'POST', headers });
    if (reply.status === 200) {
      const body = reply.body as Conversation;
      this.token = body.token;
      this.conversationId = body.conversationId;
    }
    return reply;
  }

  start(): Promise<Reply> {
    return call(`${this.dl}/conversations`, { method: 'POST', token: this.token, body: { user: { id: 'ignored' }, locale: 'da-DK' } });
  }

  activities(watermark?: string, conversationId = this.conversationId): Promise<Reply> {
    const query = watermark === undefined ? '' : `?watermark=${watermark}`;
    return call(`${this.dl}/conversations/${conversationId}/activities${query}`, { token: this.token });
  }

  post(text: string, extra: Record<string, unknown> = {}, conversationId = this.conversationId): Promise<Reply> {
    return call(`${this.dl}/conversations/${conversationId}/activities`, {
      method: 'POST',
      token: this.token,
      body: { type: 'message', text, from: { id: 'anyone', name: 'Borger' }, locale: 'da-DK', ...extra },
    });
  }

  /** Polls until `until` holds for the activities after `watermark` (Web Chat polls the same way). */
  async poll(watermark: string | undefined, until: (activities: DlActivity[]) => boolean): Promise<ActivitySet> {
    let collected: DlActivity[] = [];
    let mark = watermark;
    for (let i = 0; i < 100; i++) {
      const reply = await this.activities(mark);
      if (reply.status !== 200) throw new Error(`poll answered ${reply.status}`);
      const set = reply.body as ActivitySet;
      collected = [...collected, ...set.activities];
      mark = set.watermark;
      if (until(collected)) return { activities: collected, watermark: set.watermark };
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error(`poll gave up with ${JSON.stringify(collected.map((a) => a.text))}`);
  }
}

/** A WebSocket on a streamUrl that collects its frames. */
export class StreamClient {
  readonly frames: Array<ActivitySet | ''> = [];
  private readonly waiters: Array<() => void> = [];

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data: Buffer) => {
      const text = data.toString('utf8');
      this.frames.push(text === '' ? '' : (JSON.parse(text) as ActivitySet));
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  static open(streamUrl: string, headers: Record<string, string> = {}): Promise<StreamClient> {
    const ws = new WebSocket(streamUrl, { headers });
    const client = new StreamClient(ws);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(client));
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) => reject(new Error(`unexpected response ${res.statusCode}`)));
    });
  }

  get activities(): DlActivity[] {
    return this.frames.flatMap((f) => (f === '' ? [] : f.activities));
  }

  async waitFor(until: (activities: DlActivity[]) => boolean, ms = 5000): Promise<DlActivity[]> {
    const deadline = Date.now() + ms;
    while (!until(this.activities)) {
      if (Date.now() > deadline) throw new Error(`stream gave up with ${JSON.stringify(this.activities.map((a) => a.text))}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
    return this.activities;
  }

  closed(): Promise<number> {
    if (this.ws.readyState === WebSocket.CLOSED) return Promise.resolve(-1);
    return new Promise((resolve) => this.ws.once('close', (code: number) => resolve(code)));
  }

  close(): void {
    this.ws.terminate();
  }
}
