import { randomBytes } from 'node:crypto';
import type { Request, Response, Server } from 'restify';
import { BOT_ACCOUNT, BUILT_IN_SERVICE_URL, toBotActivity } from './bot-bridge';
import type { DirectLineContext } from './context';
import { corsHeaders, originAllowed, preflightHeaders } from './cors';
import { messages, sendError } from './errors';
import { parsePostedActivity } from './activity-input';
import { clientAddress } from '../http/client-address';
import { authenticate, clientRoute, param, parseWatermark } from './http-util';
import type { TokenClaims } from './tokens';

export const DIRECTLINE_PREFIX = '/v3/directline';

/** The body of generate, refresh, start and reconnect. */
export interface ConversationBody {
  conversationId: string;
  token: string;
  expires_in: number;
  streamUrl?: string;
}

/** The Direct Line 3.0 client API (the part Web Chat uses) under /v3/directline. */
export function registerClientRoutes(server: Server, ctx: DirectLineContext): void {
  server.opts(`${DIRECTLINE_PREFIX}/*`, async (req, res) => {
    if (!originAllowed(req.headers, ctx.config.WIDGET_ALLOWED_ORIGINS)) {
      sendError(res, 403, 'OriginNotAllowed', messages.originNotAllowed);
      return;
    }
    res.send(204, undefined, { ...corsHeaders(req.headers), ...preflightHeaders });
  });
  registerTokenRoutes(server, ctx);
  registerConversationRoutes(server, ctx);
  server.post(
    `${DIRECTLINE_PREFIX}/conversations/:conversationId/activities`,
    clientRoute(ctx, (req, res) => postActivity(ctx, req, res)),
  );
}

/** A new conversation's token (rate-limited per client address), and a fresh one for a token about to expire. */
function registerTokenRoutes(server: Server, ctx: DirectLineContext): void {
  server.post(
    `${DIRECTLINE_PREFIX}/tokens/generate`,
    clientRoute(ctx, async (req, res) => {
      const wait = ctx.conversationsPerIp.hit(clientAddress(req, ctx.config.TRUST_PROXY));
      if (wait > 0) {
        sendError(res, 429, 'TooManyRequests', messages.tooManyConversations, { 'Retry-After': String(wait) });
        return;
      }
      const claims = { conversationId: randomBytes(12).toString('hex'), userId: `dl_${randomBytes(12).toString('hex')}`, role: 'user' as const };
      res.send(200, issue(ctx, claims, ctx.config.DIRECTLINE_TOKEN_TTL_SECONDS));
    }),
  );

  server.post(
    `${DIRECTLINE_PREFIX}/tokens/refresh`,
    clientRoute(ctx, async (req, res) => {
      const caller = await authorized(ctx, req, res);
      if (!caller) return;
      res.send(200, issue(ctx, caller.claims, caller.ttl));
    }),
  );
}

/** Starting the conversation (the bot's welcome on the first start), reconnecting to it, and reading its activities. */
function registerConversationRoutes(server: Server, ctx: DirectLineContext): void {
  server.post(
    `${DIRECTLINE_PREFIX}/conversations`,
    clientRoute(ctx, async (req, res) => {
      const caller = await authorized(ctx, req, res, undefined, true);
      if (!caller) return;
      const { claims, ttl } = caller;
      const first = await ctx.store.start(claims.conversationId);
      if (first) await welcome(ctx, claims, localeOf(req.body));
      res.send(first ? 201 : 200, { ...issue(ctx, claims, ttl), streamUrl: streamUrl(ctx, req, claims, undefined, ttl) });
    }),
  );

  server.get(
    `${DIRECTLINE_PREFIX}/conversations/:conversationId`,
    clientRoute(ctx, async (req, res) => {
      const caller = await authorized(ctx, req, res, param(req, 'conversationId'));
      if (!caller) return;
      const { claims, ttl } = caller;
      await ctx.store.touch(claims.conversationId);
      const watermark = parseWatermark(req.query?.watermark);
      res.send(200, { ...issue(ctx, claims, ttl), streamUrl: streamUrl(ctx, req, claims, watermark, ttl) });
    }),
  );

  server.get(
    `${DIRECTLINE_PREFIX}/conversations/:conversationId/activities`,
    clientRoute(ctx, async (req, res) => {
      const caller = await authorized(ctx, req, res, param(req, 'conversationId'));
      if (!caller) return;
      res.send(200, await ctx.store.since(caller.claims.conversationId, parseWatermark(req.query?.watermark)));
    }),
  );
}

/** The person's message: checked, rate-limited per token, stored once (a retry gets the same id), and given to the bot. */
async function postActivity(ctx: DirectLineContext, req: Request, res: Response): Promise<void> {
  const caller = await authorized(ctx, req, res, param(req, 'conversationId'), true);
  if (!caller) return;
  const { claims } = caller;
  const parsed = parsePostedActivity(req.body);
  if (!parsed.ok) {
    sendError(res, 400, 'BadArgument', `${messages.badActivity}: ${parsed.problem}`);
    return;
  }
  const wait = ctx.messagesPerToken.hit(`${claims.conversationId}/${claims.userId}`);
  if (wait > 0) {
    sendError(res, 429, 'TooManyRequests', messages.tooManyMessages, { 'Retry-After': String(wait) });
    return;
  }
  const { from, ...fields } = parsed.activity;
  const clientActivityId = fields.channelData?.clientActivityID;
  const now = ctx.clock.now();
  const { activity: stored, duplicate } = await ctx.store.post(
    claims.conversationId,
    {
      ...fields,
      channelId: 'directline',
      timestamp: now.toISOString(),
      conversation: { id: claims.conversationId },
      from: { id: claims.userId, ...(from?.name !== undefined ? { name: from.name } : {}), role: 'user' },
      recipient: { ...BOT_ACCOUNT },
    },
    { userId: claims.userId, clientActivityId: typeof clientActivityId === 'string' ? clientActivityId : undefined },
  );
  // A retried post (same clientActivityID): processed once; the client has, or will read, its replies.
  if (duplicate) {
    res.send(200, { id: stored.id });
    return;
  }
  const delivered = await deliver(ctx, claims, toBotActivity(stored, botFields(ctx, claims, now)));
  if (!delivered) {
    sendError(res, 502, 'BotError', messages.botError);
    return;
  }
  res.send(200, { id: stored.id });
}

const SESSION_ENDED = 'Dit login som medarbejder er afsluttet. Log ind igen. (Your staff session has ended. Sign in again.)';

/**
 * The token's claims and how long a token issued now may live, or undefined after answering.
 * Citizens get DIRECTLINE_TOKEN_TTL_SECONDS. An agent's token counts only while her staff session
 * lives, and a new one never outlives it, so no Direct Line call (refresh above all) keeps a
 * signed-out agent going; refused with 403, as Direct Line refuses an expired token, so Web Chat
 * stops trying and the agent page goes back to sign-in. `act`: the request is the caller's own doing.
 */
async function authorized(ctx: DirectLineContext, req: Request, res: Response, conversationId?: string, act = false): Promise<{ claims: TokenClaims; ttl: number } | undefined> {
  const claims = authenticate(ctx, req, res, conversationId);
  if (!claims) return undefined;
  if (claims.role !== 'agent') return { claims, ttl: ctx.config.DIRECTLINE_TOKEN_TTL_SECONDS };
  const left = ctx.agentSession ? await ctx.agentSession(claims, act) : undefined;
  if (left !== undefined && left > 0) return { claims, ttl: left };
  sendError(res, 403, 'TokenExpired', SESSION_ENDED);
  return undefined;
}

/** A REST token for the same conversation, user, role and staff session. */
function issue(ctx: DirectLineContext, claims: Pick<TokenClaims, 'conversationId' | 'userId' | 'role' | 'sessionId'>, ttl: number): ConversationBody {
  const { conversationId, userId, role, sessionId } = claims;
  const { token, expiresIn } = ctx.signer.sign({ kind: 'access', conversationId, userId, role, ...(sessionId !== undefined ? { sessionId } : {}) }, ttl);
  return { conversationId, token, expires_in: expiresIn };
}

/** ws(s)://<the host the client used>/v3/directline/conversations/<id>/stream?t=<stream token>[&watermark=N] */
function streamUrl(ctx: DirectLineContext, req: Request, claims: TokenClaims, watermark: number | undefined, ttl: number): string {
  const forwarded = req.headers['x-forwarded-proto'];
  const secure = req.isSecure() || (typeof forwarded === 'string' && forwarded.split(',')[0]?.trim() === 'https');
  const host = req.headers.host ?? new URL(ctx.selfUrl()).host;
  const { token } = ctx.signer.sign({ kind: 'stream', conversationId: claims.conversationId, userId: claims.userId, role: claims.role }, Math.min(ctx.streamTokenTtlSeconds, ttl));
  const query = new URLSearchParams({ t: token });
  if (watermark !== undefined) query.set('watermark', String(watermark));
  return `${secure ? 'wss' : 'ws'}://${host}${DIRECTLINE_PREFIX}/conversations/${encodeURIComponent(claims.conversationId)}/stream?${query.toString()}`;
}

function botFields(ctx: DirectLineContext, claims: TokenClaims, timestamp: Date) {
  return { conversationId: claims.conversationId, userId: claims.userId, serviceUrl: BUILT_IN_SERVICE_URL, timestamp };
}

function localeOf(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const locale: unknown = (body as Record<string, unknown>).locale;
  return typeof locale === 'string' && /^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8}){0,3}$/.test(locale) ? locale : undefined;
}

/** The user joined: the bot gets a conversationUpdate (not shown to the client) and answers with its welcome. */
async function welcome(ctx: DirectLineContext, claims: TokenClaims, locale: string | undefined): Promise<void> {
  const now = ctx.clock.now();
  await deliver(
    ctx,
    claims,
    toBotActivity(
      {
        type: 'conversationUpdate',
        id: `${claims.conversationId}|start`,
        from: { id: claims.userId, role: 'user' },
        membersAdded: [{ id: claims.userId }],
        ...(locale ? { locale } : {}),
      },
      botFields(ctx, claims, now),
    ),
  );
}

/** One turn, after the conversation's earlier turns; false when it failed. */
async function deliver(ctx: DirectLineContext, claims: TokenClaims, activity: Parameters<DirectLineContext['bridge']['deliver']>[0]): Promise<boolean> {
  try {
    await ctx.track(ctx.store.enqueue(claims.conversationId, () => ctx.bridge.deliver(activity, claims.role)));
    return true;
  } catch (err) {
    ctx.logger.error({ err, conversation: claims.conversationId }, 'direct line turn failed');
    return false;
  }
}
