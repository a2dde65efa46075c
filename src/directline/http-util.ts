import type { Request, Response } from 'restify';
import type { DirectLineContext } from './context';
import { corsHeaders, originAllowed } from './cors';
import { messages, sendError } from './errors';
import { bearerToken } from './internal-auth';
import type { TokenClaims } from './tokens';

export type Handler = (req: Request, res: Response) => Promise<void>;

/** CORS, shutdown and crash guard around every /v3/directline route. */
export function clientRoute(ctx: DirectLineContext, handler: Handler): Handler {
  return async (req, res) => {
    if (!originAllowed(req.headers, ctx.config.WIDGET_ALLOWED_ORIGINS)) {
      sendError(res, 403, 'OriginNotAllowed', messages.originNotAllowed);
      return;
    }
    for (const [name, value] of Object.entries(corsHeaders(req.headers))) res.header(name, value);
    await guarded(ctx, req, res, handler);
  };
}

/** Shutdown and crash guard. */
export async function guarded(ctx: DirectLineContext, req: Request, res: Response, handler: Handler, refuseWhenClosing = true): Promise<void> {
  if (refuseWhenClosing && ctx.isClosing()) {
    sendError(res, 503, 'ServiceUnavailable', messages.closing);
    return;
  }
  try {
    await handler(req, res);
  } catch (err) {
    ctx.logger.error({ err, path: req.path() }, 'direct line request failed');
    if (!res.headersSent) sendError(res, 500, 'InternalError', messages.internal);
  }
}

/**
 * The claims of the request's Bearer token, or undefined after answering:
 * 401 when there is no token, 403 when it is garbled, expired or for another conversation.
 */
export function authenticate(ctx: DirectLineContext, req: Request, res: Response, conversationId?: string): TokenClaims | undefined {
  const token = bearerToken(req.headers.authorization);
  if (!token) {
    sendError(res, 401, 'MissingToken', messages.missingToken);
    return undefined;
  }
  const result = ctx.signer.verify(token, 'access');
  if (!result.ok) {
    if (result.reason === 'expired') sendError(res, 403, 'TokenExpired', messages.expiredToken);
    else sendError(res, 403, 'TokenInvalid', messages.invalidToken);
    return undefined;
  }
  if (conversationId !== undefined && result.claims.conversationId !== conversationId) {
    sendError(res, 403, 'WrongConversation', messages.wrongConversation);
    return undefined;
  }
  return result.claims;
}

/** `?watermark=N` as a number; absent, empty or garbled means "from the start". */
export function parseWatermark(value: unknown): number | undefined {
  if (typeof value !== 'string' || !/^\d{1,16}$/.test(value)) return undefined;
  return Number(value);
}

/** A route parameter as a string ('' when missing). */
export function param(req: Request, name: string): string {
  const params: unknown = req.params;
  if (typeof params !== 'object' || params === null) return '';
  const value: unknown = (params as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : '';
}
