import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { DirectLineContext } from './context';
import { originAllowed } from './cors';
import { parseWatermark } from './http-util';
import { DIRECTLINE_PREFIX } from './client-routes';

const STREAM_PATH = new RegExp(`^${DIRECTLINE_PREFIX}/conversations/([A-Za-z0-9_-]{1,100})/stream$`);

export interface StreamServer {
  /** For `server.server.on('upgrade', …)`. */
  onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  close(): void;
}

/**
 * The WebSocket stream of a conversation: on connect the activities after `watermark`, then
 * every new one, each frame an ActivitySet. Client messages (DirectLineJS sends "" as a ping)
 * are ignored; a ping every `keepAliveMs` drops dead connections.
 */
export function createStreamServer(ctx: DirectLineContext, keepAliveMs: number): StreamServer {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 4096 });
  const alive = new WeakMap<WebSocket, boolean>();
  // Open streams per conversation: a person has a tab or two open, not hundreds on one token.
  const open = new Map<string, number>();

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

  const refuse = (socket: Duplex, status: string): void => {
    socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  };

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
      if ((open.get(conversationId) ?? 0) >= ctx.config.MAX_STREAMS_PER_CONVERSATION) return refuse(socket, '429 Too Many Requests');
      open.set(conversationId, (open.get(conversationId) ?? 0) + 1);
      let counted = true;
      const release = () => {
        if (!counted) return;
        counted = false;
        const left = (open.get(conversationId) ?? 1) - 1;
        if (left > 0) open.set(conversationId, left);
        else open.delete(conversationId);
      };
      socket.once('close', release);

      wss.handleUpgrade(req, socket, head, (ws) => {
        alive.set(ws, true);
        ws.on('pong', () => alive.set(ws, true));
        ws.on('error', (err) => ctx.logger.debug({ err }, 'direct line stream error'));
        const { backlog, unsubscribe } = ctx.store.subscribe(
          conversationId,
          {
            activity: (set) => ws.send(JSON.stringify(set)),
            dropped: () => ws.close(1000, 'conversation idle'),
          },
          watermark,
        );
        ws.on('close', unsubscribe);
        for (const frame of backlog) ws.send(JSON.stringify(frame));
      });
    },
    close() {
      clearInterval(keepAlive);
      for (const ws of wss.clients) ws.terminate();
      wss.close();
    },
  };
}
