import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  method: string;
  path: string;
  body: Record<string, unknown>;
}

/**
 * Stands in for the Teams Bot Connector at an activity's `serviceUrl`: records what the bot
 * posts (replies, proactive messages, createConversation) and answers as Teams would.
 */
export class FakeTeamsConnector {
  readonly received: Received[] = [];
  private server?: Server;
  private created = 0;
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      let raw = '';
      req.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
      req.on('end', () => {
        const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
        const path = (req.url ?? '').replace(/^\/teams/, '');
        this.received.push({ method: req.method ?? '', path, body });
        res.setHeader('content-type', 'application/json');
        if (req.method === 'POST' && path === '/v3/conversations') {
          this.created++;
          res.end(JSON.stringify({ id: `a:personal-${this.created}` }));
          return;
        }
        res.end(JSON.stringify({ id: `activity-${this.received.length}` }));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}/teams/`;
    return this;
  }

  /** Activities posted into `conversationId` (replies and proactive messages). */
  activitiesIn(conversationId: string): Array<Record<string, unknown>> {
    const prefix = `/v3/conversations/${encodeURIComponent(conversationId)}/activities`;
    return this.received.filter((r) => r.method === 'POST' && r.path.startsWith(prefix)).map((r) => r.body);
  }

  texts(conversationId: string): string[] {
    return this.activitiesIn(conversationId).map((a) => String(a.text ?? ''));
  }

  /** Waits until `until` holds (proactive messages arrive after the triggering request returns). */
  async waitFor<T>(until: () => T | undefined | false, ms = 5000): Promise<T> {
    const deadline = Date.now() + ms;
    for (;;) {
      const value = until();
      if (value) return value;
      if (Date.now() > deadline) throw new Error(`gave up waiting; received ${JSON.stringify(this.received.map((r) => [r.path, r.body.text ?? r.body.type]))}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  close(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

export const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
export const BOT = { id: '28:bot-id', name: 'MitID-hjælperen' };

/** A Teams-shaped activity (as the Teams channel posts to /api/messages). */
export function teamsActivity(
  serviceUrl: string,
  scope: 'personal' | 'channel' | 'groupChat',
  from: { id: string; name: string; aadObjectId: string },
  fields: Record<string, unknown> = {},
): Record<string, unknown> {
  const conversationId = scope === 'personal' ? `a:personal-${from.aadObjectId}` : scope === 'channel' ? '19:channel@thread.tacv2;messageid=1' : '19:group@thread.v2';
  return {
    type: 'message',
    id: `msg-${Math.random().toString(36).slice(2)}`,
    channelId: 'msteams',
    serviceUrl,
    timestamp: new Date().toISOString(),
    from,
    recipient: BOT,
    conversation: { id: conversationId, conversationType: scope, tenantId: TENANT, ...(scope === 'personal' ? {} : { isGroup: true }) },
    channelData: { tenant: { id: TENANT }, ...(scope === 'channel' ? { channel: { id: '19:channel@thread.tacv2' }, team: { id: '19:team@thread.tacv2' } } : {}) },
    locale: 'da-DK',
    ...fields,
  };
}

/** A message that @mentions the bot, as Teams sends it (`<at>` in the text and a mention entity). */
export function mentioning(text: string): Record<string, unknown> {
  return {
    text: `<at>${BOT.name}</at> ${text}`,
    entities: [{ type: 'mention', text: `<at>${BOT.name}</at>`, mentioned: BOT }],
  };
}
