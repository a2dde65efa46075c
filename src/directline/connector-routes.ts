import type { Request, Response, Server } from 'restify';
import { parseBotReply } from './activity-input';
import { BOT_ACCOUNT } from './bot-bridge';
import type { DirectLineContext } from './context';
import { messages, sendError } from './errors';
import { guarded, param, type Handler } from './http-util';
import { hasInternalSecret } from './internal-auth';
import { DIRECT_LINE_ID } from './tokens';

const CONVERSATION_ID = DIRECT_LINE_ID;

/**
 * The slice of the Bot Connector API the bot's replies use (`sendToConversation`,
 * `replyToActivity`), for our own ConnectorClient only: every call needs the per-process
 * internal secret (401 otherwise).
 */
export function registerConnectorRoutes(server: Server, ctx: DirectLineContext): void {
  const internal =
    (handler: Handler): Handler =>
    // restify insists on a real async function (it checks), not one that returns a promise.
    async (req, res) =>
      guarded(ctx, req, res, async () => {
        if (!hasInternalSecret(req.headers.authorization, ctx.internalSecret)) {
          sendError(res, 401, 'Unauthorized', messages.unauthorized);
          return;
        }
        if (!CONVERSATION_ID.test(param(req, 'conversationId'))) {
          sendError(res, 404, 'NotFound', messages.notFound);
          return;
        }
        await handler(req, res);
        // Replies of turns still running during shutdown must get through.
      }, false);

  const receive = async (req: Request, res: Response, replyToId: string | undefined): Promise<void> => {
    const stored = await storeReply(ctx, param(req, 'conversationId'), req.body, replyToId);
    if (!stored) sendError(res, 400, 'BadArgument', messages.badActivity);
    else res.send(200, stored);
  };

  // The bot's replies take the same path without the HTTP round trip (see BotBridge).
  ctx.bridge.receiveRepliesWith((conversationId, reply, replyToId) => (CONVERSATION_ID.test(conversationId) ? storeReply(ctx, conversationId, reply, replyToId) : Promise.resolve(undefined)));

  server.post(
    '/v3/conversations/:conversationId/activities',
    internal((req, res) => receive(req, res, undefined)),
  );
  server.post(
    '/v3/conversations/:conversationId/activities/:activityId',
    internal((req, res) => receive(req, res, param(req, 'activityId'))),
  );
  const notAllowed = internal(async (_req, res) => sendError(res, 405, 'MethodNotAllowed', messages.methodNotAllowed));
  server.put('/v3/conversations/:conversationId/activities/:activityId', notAllowed);
  server.del('/v3/conversations/:conversationId/activities/:activityId', notAllowed);
}

/** Stores one bot reply for the client to fetch or receive on its stream; `undefined` for a malformed one. */
async function storeReply(ctx: DirectLineContext, conversationId: string, body: unknown, replyToId: string | undefined): Promise<{ id: string } | undefined> {
  const reply = parseBotReply(body);
  if (!reply) return undefined;
  // Traces are for the Emulator; botbuilder does not send them here, and they never reach a user.
  if (reply.type === 'trace') return { id: '' };
  const { serviceUrl: _internal, id: _theirs, ...fields } = reply;
  const stored = await ctx.store.append(conversationId, {
    ...fields,
    type: reply.type,
    channelId: 'directline',
    timestamp: ctx.clock.now().toISOString(),
    conversation: { id: conversationId },
    from: { ...BOT_ACCOUNT },
    ...(replyToId ? { replyToId } : {}),
  });
  return { id: stored.id };
}
