import type { Clock } from '../clock';
import { agentConversationId, agentUserId } from '../config/agent-accounts';
import { DIRECT_LINE_ID, type TokenClaims, type TokenSigner } from '../directline/tokens';
import { caseChatId, caseOfChat } from '../handoff/case-ids';
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

export const DEFAULT_ACCESS_TTL_SECONDS = 20 * 60;

/** What sign-in and refresh answer with: the shape of a Direct Line token body. */
export interface AgentAccess {
  conversationId: string;
  token: string;
  expires_in: number;
}

/** `ended`: the signature is good but the session behind it is over (signed out, revoked, idle, expired). */
export type AgentVerdict = { ok: true; session: StaffSession; claims: TokenClaims } | { ok: false; reason: 'invalid' | 'expired' | 'ended' };

export type AgentRefresh = { ok: true; session: StaffSession; access: AgentAccess } | { ok: false; reason: 'invalid' | 'expired' | 'ended' };

/** The agent's own Direct Line conversations: her desk, and her chat in any case she works on. */
export function ownsConversation(agentId: string, conversationId: string): boolean {
  if (conversationId === agentConversationId(agentId)) return true;
  const caseId = caseOfChat(conversationId);
  return caseId !== undefined && conversationId === caseChatId(agentId, caseId);
}

/** Seconds a token issued now may live: its own lifetime, cut to what is left of the session. */
export function secondsLeft(session: StaffSession, clock: Clock, accessTtlSeconds: number): number {
  const left = Math.floor((Date.parse(session.expiresAt) - clock.now().getTime()) / 1000);
  return Math.max(0, Math.min(accessTtlSeconds, left));
}

/**
 * The live session an agent's token claims, or undefined: the claims must name a session, and
 * that session's agent must be the token's user in one of her own conversations. `touch` marks
 * the session as used (see {@link StaffSessions.touch}).
 */
export async function sessionOfClaims(sessions: StaffSessions, claims: TokenClaims, touch: boolean): Promise<StaffSession | 'invalid' | undefined> {
  // Tokens from before sessions existed carry no session id: they are refused, not trusted.
  if (claims.role !== 'agent' || claims.sessionId === undefined) return 'invalid';
  const session = touch ? await sessions.touch(claims.sessionId) : await sessions.check(claims.sessionId);
  if (!session) return undefined;
  if (agentUserId(session.agentId) !== claims.userId || !ownsConversation(session.agentId, claims.conversationId)) return 'invalid';
  return session;
}

/**
 * Agents' access tokens: signed like every Direct Line token (so the agent's own Web Chat works
 * with them) and bound to a staff session, so a token is only as good as its session. A token
 * never outlives its session's absolute end, and a new one comes only while the session lives.
 */
export class AgentTokens {
  readonly accessTtlSeconds: number;
  private readonly signer: TokenSigner;
  private readonly sessions: StaffSessions;
  private readonly clock: Clock;

  constructor(options: AgentTokensOptions) {
    this.signer = options.signer;
    this.sessions = options.sessions;
    this.clock = options.clock;
    this.accessTtlSeconds = options.accessTtlSeconds ?? DEFAULT_ACCESS_TTL_SECONDS;
  }

  /**
   * A token for the agent's desk conversation in a session just opened (or checked); undefined
   * when the session has no time left. Throws for an agent id with characters Direct Line ids
   * cannot have (e.g. an e-mail address): map such ids to a safe one before opening the session.
   */
  issue(session: StaffSession): AgentAccess | undefined {
    return this.issueFor(session, agentConversationId(session.agentId));
  }

  /** The same for another of her own conversations (her chat in a case); throws for anyone else's. */
  issueFor(session: StaffSession, conversationId: string): AgentAccess | undefined {
    const ttl = secondsLeft(session, this.clock, this.accessTtlSeconds);
    if (ttl <= 0) return undefined;
    // A token for an id Direct Line cannot carry would be signed and then never verify.
    if (!DIRECT_LINE_ID.test(agentUserId(session.agentId))) throw new Error(`agent id "${session.agentId.slice(0, 40)}" cannot be carried in a token`);
    if (!ownsConversation(session.agentId, conversationId)) throw new Error(`conversation "${conversationId.slice(0, 60)}" is not ${session.agentId}'s`);
    const { token, expiresIn } = this.signer.sign({ kind: 'access', conversationId, userId: agentUserId(session.agentId), role: 'agent', sessionId: session.id }, ttl);
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
    const session = await sessionOfClaims(this.sessions, verified.claims, options.touch !== false);
    if (session === 'invalid') return { ok: false, reason: 'invalid' };
    if (!session) return { ok: false, reason: 'ended' };
    return { ok: true, session, claims: verified.claims };
  }

  /**
   * A fresh token for a valid, unexpired one whose session lives, for the same conversation. It
   * does not count as the agent's activity: Web Chat refreshes on its own every 15 minutes, and
   * an open but abandoned page must still go idle.
   */
  async refresh(token: string): Promise<AgentRefresh> {
    const verdict = await this.verify(token, { touch: false });
    if (!verdict.ok) return verdict;
    const access = this.issueFor(verdict.session, verdict.claims.conversationId);
    return access ? { ok: true, session: verdict.session, access } : { ok: false, reason: 'ended' };
  }
}
