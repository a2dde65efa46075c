import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ActivitySet } from './conversation-log';
import type { DirectLineContext } from './context';
import { originAllowed } from './cors';
import { parseWatermark } from './http-util';
import { DIRECTLINE_PREFIX } from './client-routes';

const STREAM_PATH = new RegExp(`^${DIRECTLINE_PREFIX}/conversations/([A-Za-z0-9._-]{1,100})/stream$`);

export interface StreamServer {
  /** For `server.server.on('upgrade', …)`. */
  onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  close(): void;
}

/** Pings every open socket each `keepAliveMs`; one that did not answer the ping before is dropped. */
function startKeepAlive(wss: WebSocketServer, alive: WeakMap<WebSocket, boolean>, keepAliveMs: number): NodeJS.Timeout {
  const keepAlive = setInterval(() => {
    for (const ws of wss.clients) {
      if (alive.get(ws) === false) {
        ws.terminate();
        continue;
      }
      alive.set(ws, false);
      ws.ping();
    }
  }, keepAliveMs);
  keepAlive.unref();
  return keepAlive;
}

/**
 * Open streams per conversation: a person has a tab or two open, not hundreds on one token.
 * `open` counts one more, or says no when `max` are open; the release it gives counts it off once.
 */
function streamCounter(max: () => number): { open(conversationId: string): (() => void) | undefined } {
  const open = new Map<string, number>();
  return {
    open(conversationId) {
      if ((open.get(conversationId) ?? 0) >= max()) return undefined;
      open.set(conversationId, (open.get(conversationId) ?? 0) + 1);
      let counted = true;
      return () => {
        if (!counted) return;
        counted = false;
        const left = (open.get(conversationId) ?? 1) - 1;
        if (left > 0) open.set(conversationId, left);
        else open.delete(conversationId);
      };
    },
  };
}

function refuse(socket: Duplex, status: string): void {
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

/** A connected socket gets the activities after `watermark`, then every new one, until either side goes. */
async function stream(ctx: DirectLineContext, ws: WebSocket, alive: WeakMap<WebSocket, boolean>, conversationId: string, watermark: number | undefined): Promise<void> {
  alive.set(ws, true);
  ws.on('pong', () => alive.set(ws, true));
  ws.on('error', (err) => ctx.logger.debug({ err }, 'direct line stream error'));
  // Frames that arrive while the backlog is read wait behind it, so the client sees them in order.
  let waiting: string[] | undefined = [];
  const send = (frame: string): void => (waiting ? void waiting.push(frame) : ws.send(frame));
  const listener = { activity: (set: ActivitySet) => send(JSON.stringify(set)), dropped: () => ws.close(1000, 'conversation idle') };
  let subscription: Awaited<ReturnType<DirectLineContext['store']['subscribe']>>;
  try {
    subscription = await ctx.store.subscribe(conversationId, listener, watermark);
  } catch (err) {
    ctx.logger.warn({ err, conversation: conversationId }, 'direct line stream could not be opened');
    ws.close(1011, 'try again');
    return;
  }
  if (ws.readyState !== ws.OPEN) {
    subscription.unsubscribe();
    return;
  }
  ws.on('close', subscription.unsubscribe);
  for (const frame of subscription.backlog) ws.send(JSON.stringify(frame));
  const held = waiting;
  waiting = undefined;
  for (const frame of held) ws.send(frame);
}

/**
 * The WebSocket stream of a conversation: on connect the activities after `watermark`, then
 * every new one, each frame an ActivitySet. Client messages (DirectLineJS sends "" as a ping)
 * are ignored; a ping every `keepAliveMs` drops dead connections.
 */
export function createStreamServer(ctx: DirectLineContext, keepAliveMs: number): StreamServer {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 4096 });
  const alive = new WeakMap<WebSocket, boolean>();
  const streams = streamCounter(() => ctx.config.MAX_STREAMS_PER_CONVERSATION);
  const keepAlive = startKeepAlive(wss, alive, keepAliveMs);

  return {
    onUpgrade(req, socket, head) {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const match = STREAM_PATH.exec(url.pathname);
      if (!match) {
        socket.destroy();
        return;
      }
      if (ctx.isClosing()) return refuse(socket, '503 Service Unavailable');
      if (!originAllowed(req.headers, ctx.config.WIDGET_ALLOWED_ORIGINS)) return refuse(socket, '403 Forbidden');
      const verified = ctx.signer.verify(url.searchParams.get('t') ?? '', 'stream');
      if (!verified.ok || verified.claims.conversationId !== match[1]) return refuse(socket, '403 Forbidden');
      const conversationId = verified.claims.conversationId;
      const watermark = parseWatermark(url.searchParams.get('watermark') ?? undefined);
      const release = streams.open(conversationId);
      if (!release) return refuse(socket, '429 Too Many Requests');
      socket.once('close', release);
      wss.handleUpgrade(req, socket, head, (ws) => void stream(ctx, ws, alive, conversationId, watermark));
    },
    close() {
      clearInterval(keepAlive);
      for (const ws of wss.clients) ws.terminate();
      wss.close();
    },
  };
}
