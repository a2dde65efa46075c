import type { Request, Response, Server } from 'restify';
import { parseBotReply } from './activity-input';
import { BOT_ACCOUNT } from './bot-bridge';
import type { DirectLineContext } from './context';
import { messages, sendError } from './errors';
import { guarded, param, type Handler } from './http-util';
import { hasInternalSecret } from './internal-auth';

const CONVERSATION_ID = /^[A-Za-z0-9_-]{1,100}$/;

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

  const receive = (req: Request, res: Response, replyToId: string | undefined): void => {
    const reply = parseBotReply(req.body);
    if (!reply) {
      sendError(res, 400, 'BadArgument', messages.badActivity);
      return;
    }
    const conversationId = param(req, 'conversationId');
    if (reply.type === 'trace') {
      // Traces are for the Emulator; botbuilder does not send them here, and they never reach a user.
      res.send(200, { id: '' });
      return;
    }
    const { serviceUrl: _internal, id: _theirs, ...fields } = reply;
    const stored = ctx.store.append(conversationId, {
      ...fields,
      type: reply.type,
      channelId: 'directline',
      timestamp: ctx.clock.now().toISOString(),
      conversation: { id: conversationId },
      from: { ...BOT_ACCOUNT },
      ...(replyToId ? { replyToId } : {}),
    });
    res.send(200, { id: stored.id });
  };

  server.post(
    '/v3/conversations/:conversationId/activities',
    internal(async (req, res) => receive(req, res, undefined)),
  );
  server.post(
    '/v3/conversations/:conversationId/activities/:activityId',
    internal(async (req, res) => receive(req, res, param(req, 'activityId'))),
  );
  const notAllowed = internal(async (_req, res) => sendError(res, 405, 'MethodNotAllowed', messages.methodNotAllowed));
  server.put('/v3/conversations/:conversationId/activities/:activityId', notAllowed);
  server.del('/v3/conversations/:conversationId/activities/:activityId', notAllowed);
}
