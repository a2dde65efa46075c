import type { Request, Response } from 'restify';
import { bearerToken } from '../directline/internal-auth';
import type { TokenSigner } from '../directline/tokens';
import { apiTexts, fail, REFUSAL, type AgentHandler, type AgentRoute, type DeskCall } from '../handoff/agent-api';
import type { AgentPresence } from '../handoff/agent-presence';
import { HandoffRefusal } from '../handoff/case-store';
import type { DeskAgent } from '../handoff/handoff-service';
import type { Logger } from '../logger';
import type { AgentTokens, AgentVerdict } from './agent-tokens';
import type { StaffSession } from './staff-sessions';

export const guardTexts = {
  ...apiTexts,
  ended: 'Du er logget ud, eller dit login er afsluttet. Log ind igen. (Signed out, or the session has ended: sign in again.)',
} as const;

export interface GuardDeps {
  signer: TokenSigner;
  tokens: AgentTokens;
  presence: AgentPresence;
  logger: Logger;
}

/** The session ran out between the check and a token for one of its chats. */
class SessionEnded extends Error {
  override name = 'SessionEnded';
}

/** The desk's agent as her session knows her. */
export function deskAgentOf(session: StaffSession): DeskAgent {
  return { username: session.agentId, displayName: session.displayName, role: session.role };
}

/** Answers a refused agent token: 401 for a broken, expired or ended one (the page signs in again). */
export function refuseToken(res: Response, reason: Exclude<AgentVerdict, { ok: true }>['reason']): void {
  if (reason === 'ended') return fail(res, 401, 'SessionEnded', guardTexts.ended);
  fail(res, 401, reason === 'expired' ? 'TokenExpired' : 'TokenInvalid', guardTexts.invalid);
}

/**
 * The agent behind the request's token, or undefined after answering: none 401, a citizen's
 * widget token 403, a token whose staff session has ended (signed out, revoked, idle, expired,
 * password changed) 401. Reading is not activity; anything else the agent sends is (see
 * AgentTokens.verify), so a page left open and only polling still goes idle.
 */
export async function signedInAgent(deps: GuardDeps, req: Request, res: Response): Promise<StaffSession | undefined> {
  res.setHeader('cache-control', 'no-store');
  const token = bearerToken(req.headers.authorization);
  if (!token) return void fail(res, 401, 'MissingToken', guardTexts.missing);
  const signed = deps.signer.verify(token, 'access');
  if (signed.ok && signed.claims.role !== 'agent') return void fail(res, 403, 'NotAnAgent', guardTexts.citizen);
  const verdict = await deps.tokens.verify(token, { touch: req.method !== 'GET' && req.method !== 'HEAD' });
  if (!verdict.ok) return void refuseToken(res, verdict.reason);
  return verdict.session;
}

/**
 * Wraps a route that needs a signed-in agent (see {@link signedInAgent}); the agent counts as
 * present, and a refusal of the hand-over answers with its status. The agent the handler gets
 * carries the role of her session, which decides what she may read.
 */
export function agentGuard(deps: GuardDeps): AgentRoute {
  return (handler: AgentHandler) =>
    async (req: Request, res: Response): Promise<void> => {
      const session = await signedInAgent(deps, req, res);
      if (!session) return;
      deps.presence.seen(session.agentId);
      const call: DeskCall = {
        chatAccess: (conversationId) => {
          const access = deps.tokens.issueFor(session, conversationId);
          if (!access) throw new SessionEnded('no time left in the session');
          return access;
        },
      };
      try {
        await handler(req, res, deskAgentOf(session), call);
      } catch (err) {
        if (err instanceof HandoffRefusal) {
          const refusal = REFUSAL[err.code];
          return fail(res, refusal.status, err.code, refusal.text);
        }
        if (err instanceof SessionEnded) return refuseToken(res, 'ended');
        deps.logger.error({ err, path: req.path() }, 'agent request failed');
        if (!res.headersSent) fail(res, 500, 'InternalError', guardTexts.internal);
      }
    };
}
