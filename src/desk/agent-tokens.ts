import type { Clock } from '../clock';
import { agentConversationId, agentUserId } from '../config/agent-accounts';
import type { TokenClaims, TokenSigner } from '../directline/tokens';
import type { StaffSession, StaffSessions } from './staff-sessions';

export interface AgentTokensOptions {
  signer: TokenSigner;
  sessions: StaffSessions;
  clock: Clock;
  /**
   * How long one access token lives; 20 minutes unless given. Short, so a token that leaks is
   * soon worthless, but over 15 minutes: Web Chat's Direct Line client refreshes its token every
   * 15 minutes, and a token that expired first could not be refreshed.
   */
  accessTtlSeconds?: number;
}

/** What sign-in and refresh answer with: the shape of a Direct Line token body. */
export interface AgentAccess {
  conversationId: string;
  token: string;
  expires_in: number;
}

/** `ended`: the signature is good but the session behind it is over (signed out, revoked, idle, expired). */
export type AgentVerdict = { ok: true; session: StaffSession; claims: TokenClaims } | { ok: false; reason: 'invalid' | 'expired' | 'ended' };

export type AgentRefresh = { ok: true; session: StaffSession; access: AgentAccess } | { ok: false; reason: 'invalid' | 'expired' | 'ended' };

/**
 * Agents' access tokens: signed like every Direct Line token (so the agent's own Web Chat works
 * with them) and bound to a staff session, so a token is only as good as its session. A token
 * never outlives its session's absolute end, and a new one comes only while the session lives.
 */
export class AgentTokens {
  private readonly signer: TokenSigner;
  private readonly sessions: StaffSessions;
  private readonly clock: Clock;
  private readonly accessTtlSeconds: number;

  constructor(options: AgentTokensOptions) {
    this.signer = options.signer;
    this.sessions = options.sessions;
    this.clock = options.clock;
    this.accessTtlSeconds = options.accessTtlSeconds ?? 20 * 60;
  }

  /**
   * A token for a session just opened (or checked); undefined when the session has no time left.
   * Throws for an agent id with characters Direct Line ids cannot have (e.g. "anna.b", an e-mail
   * address): map such ids to a safe one before opening the session.
   */
  issue(session: StaffSession): AgentAccess | undefined {
    const left = Math.floor((Date.parse(session.expiresAt) - this.clock.now().getTime()) / 1000);
    if (left <= 0) return undefined;
    // Direct Line ids allow only these characters: a token for any other id would be signed and then never verify.
    if (!/^[A-Za-z0-9_-]{1,90}$/.test(session.agentId)) throw new Error(`agent id "${session.agentId.slice(0, 40)}" cannot be carried in a token`);
    const conversationId = agentConversationId(session.agentId);
    const { token, expiresIn } = this.signer.sign(
      { kind: 'access', conversationId, userId: agentUserId(session.agentId), role: 'agent', sessionId: session.id },
      Math.min(this.accessTtlSeconds, left),
    );
    return { conversationId, token, expires_in: expiresIn };
  }

  /**
   * Checks the signature, the expiry and that the session behind the token is live, and marks
   * the session as used unless `touch` is false (for requests that are not the agent's doing,
   * such as a page polling the queue, which would otherwise keep an abandoned session from idling).
   */
  async verify(token: string, options: { touch?: boolean } = {}): Promise<AgentVerdict> {
    const verified = this.signer.verify(token, 'access');
    if (!verified.ok) return verified;
    const { claims } = verified;
    // Tokens from before sessions existed carry no session id: they are refused, not trusted.
    if (claims.role !== 'agent' || claims.sessionId === undefined) return { ok: false, reason: 'invalid' };
    const session = options.touch === false ? await this.sessions.check(claims.sessionId) : await this.sessions.touch(claims.sessionId);
    if (!session) return { ok: false, reason: 'ended' };
    if (agentUserId(session.agentId) !== claims.userId || agentConversationId(session.agentId) !== claims.conversationId) return { ok: false, reason: 'invalid' };
    return { ok: true, session, claims };
  }

  /**
   * A fresh token for a valid, unexpired one whose session lives. It does not count as the
   * agent's activity: Web Chat refreshes on its own every 15 minutes, and an open but abandoned
   * page must still go idle.
   */
  async refresh(token: string): Promise<AgentRefresh> {
    const verdict = await this.verify(token, { touch: false });
    if (!verdict.ok) return verdict;
    const access = this.issue(verdict.session);
    return access ? { ok: true, session: verdict.session, access } : { ok: false, reason: 'ended' };
  }
}
