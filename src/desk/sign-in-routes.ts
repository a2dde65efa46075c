import type { Request, Response, Server } from 'restify';
import type { Clock } from '../clock';
import type { Config } from '../config';
import { agentConversationId, agentUserId, verifyAgent, type AgentAccount } from '../config/agent-accounts';
import { BOT_ACCOUNT, BUILT_IN_SERVICE_URL } from '../directline/bot-bridge';
import { bearerToken } from '../directline/internal-auth';
import { AGENT_API, fail } from '../handoff/agent-api';
import type { HandoffService, StaffRole } from '../handoff/handoff-service';
import { clientAddress } from '../http/client-address';
import { deskAgentOf, guardTexts, refuseToken, signedInAgent, type GuardDeps } from './agent-guard';
import type { AgentAccess } from './agent-tokens';
import { localRole } from './desk-agents';
import type { SignInLimits } from './sign-in-limits';
import type { SignInMethod, StaffSession, StaffSessions } from './staff-sessions';

const texts = {
  badLogin: 'Forkert brugernavn eller adgangskode. (Wrong username or password.)',
  noAccounts: 'Der er ikke oprettet nogen medarbejdere (AGENT_ACCOUNTS). (No agent accounts configured.)',
  tooMany: (seconds: number) => `For mange forsøg. Prøv igen om ${seconds} sekunder. (Too many attempts: try again in ${seconds} seconds.)`,
} as const;

// The account limits forget nothing by themselves; clearing them now and then is enough.
const PRUNE_EVERY_MS = 60_000;

export interface SignInDeps extends GuardDeps {
  config: Config;
  clock: Clock;
  service: HandoffService;
  sessions: StaffSessions;
  limits: SignInLimits;
}

/** What sign-in answers with: the token for the agent's desk conversation, who she is, and when the session ends. */
export interface SignedIn extends AgentAccess {
  agent: { username: string; displayName: string; role: StaffRole };
  sessionEndsAt: string;
}

/** The body for a live session: a fresh token for her desk conversation; undefined when no time is left. */
export function signedInBody(deps: Pick<GuardDeps, 'tokens'>, session: StaffSession): SignedIn | undefined {
  const access = deps.tokens.issue(session);
  if (!access) return undefined;
  const { username, displayName } = deskAgentOf(session);
  return { ...access, agent: { username, displayName, role: session.role }, sessionEndsAt: session.expiresAt };
}

/**
 * Opens a staff session for someone who has just proved who she is, and registers her desk
 * conversation for the bot to write to. Both sign-ins (password, provider) end here.
 */
export async function openDeskSession(
  deps: Pick<SignInDeps, 'sessions' | 'service' | 'logger'>,
  person: { agentId: string; displayName: string; role: StaffRole; method: SignInMethod; login?: string },
): Promise<StaffSession> {
  const { agentId, displayName, role, method, login } = person;
  const session = await deps.sessions.open(agentId, role, method, { displayName, ...(login ? { login } : {}) });
  await deps.service.registerAgent(deskAgentOf(session), {
    channelId: 'directline',
    serviceUrl: BUILT_IN_SERVICE_URL,
    conversation: { id: agentConversationId(agentId), isGroup: false, conversationType: 'personal', name: '' },
    bot: { ...BOT_ACCOUNT },
    user: { id: agentUserId(agentId), name: displayName },
  });
  deps.logger.info({ agent: agentId, role, method }, 'agent signed in');
  return session;
}

function bodyOf(req: Request): Record<string, unknown> {
  return (typeof req.body === 'object' && req.body !== null ? req.body : {}) as Record<string, unknown>;
}

/**
 * POST /login: a local account's username and password. Limited per account (a few free tries,
 * then a wait that doubles) and per client address (TRUST_PROXY says whose address that is), so
 * guesses from many addresses are slowed all the same, and one guesser behind the municipality's
 * proxy does not lock the colleagues behind it out of their own accounts.
 */
function registerPasswordSignIn(server: Server, deps: SignInDeps): void {
  const accounts: readonly AgentAccount[] = deps.config.AGENT_ACCOUNTS;
  let prunedAt = deps.clock.now().getTime();
  server.post(`${AGENT_API}/login`, async (req, res) => {
    res.setHeader('cache-control', 'no-store');
    if (accounts.length === 0) return fail(res, 503, 'NoAccounts', texts.noAccounts);
    const now = deps.clock.now().getTime();
    if (now - prunedAt > PRUNE_EVERY_MS) {
      prunedAt = now;
      deps.limits.prune();
    }
    const body = bodyOf(req);
    const username = typeof body.username === 'string' ? body.username.trim().toLowerCase().slice(0, 100) : '';
    const password = typeof body.password === 'string' ? body.password : '';
    const address = clientAddress(req, deps.config.TRUST_PROXY);
    const verdict = deps.limits.attempt(username, address);
    if (!verdict.allowed) {
      deps.logger.warn({ username: username.slice(0, 40), limitedBy: verdict.limitedBy }, 'agent sign-in limited');
      return fail(res, 429, 'TooManyRequests', texts.tooMany(verdict.retryAfterSeconds), { 'Retry-After': String(verdict.retryAfterSeconds) });
    }
    const account = password.length > 0 && password.length <= 200 ? await verifyAgent(accounts, username, password) : undefined;
    if (!account) {
      deps.logger.warn({ username: username.slice(0, 40) }, 'agent sign-in refused');
      return fail(res, 401, 'BadLogin', texts.badLogin);
    }
    deps.limits.succeeded(username, address);
    const session = await openDeskSession(deps, { agentId: account.username, displayName: account.displayName, role: localRole(deps.config, account.username), method: 'password' });
    const signedIn = signedInBody(deps, session);
    if (!signedIn) return refuseToken(res, 'ended');
    res.send(200, signedIn);
  });
}

/**
 * POST /logout ends the session at once: its tokens (this one, and those of her chats) are
 * refused from the next request on, here and on Direct Line. POST /tokens/refresh gives a new
 * token while the session lives, never past its end, and does not count as activity.
 */
function registerSessionRoutes(server: Server, deps: SignInDeps): void {
  server.post(`${AGENT_API}/logout`, async (req, res) => {
    const session = await signedInAgent(deps, req, res);
    if (!session) return;
    await deps.sessions.revoke(session.id);
    deps.presence.signedOut(session.agentId);
    deps.logger.info({ agent: session.agentId }, 'agent signed out');
    res.send(204);
  });

  server.post(`${AGENT_API}/tokens/refresh`, async (req, res) => {
    res.setHeader('cache-control', 'no-store');
    const token = bearerToken(req.headers.authorization);
    if (!token) return fail(res, 401, 'MissingToken', guardTexts.missing);
    const refreshed = await deps.tokens.refresh(token);
    if (!refreshed.ok) return refuseToken(res, refreshed.reason);
    res.send(200, { ...refreshed.access, sessionEndsAt: refreshed.session.expiresAt });
  });
}

/** What the sign-in page offers: the password form when there are local accounts, the provider's button when it is set up. */
export function registerSignInRoutes(server: Server, deps: SignInDeps, provider: { name: string } | undefined): void {
  registerPasswordSignIn(server, deps);
  registerSessionRoutes(server, deps);
  server.get(`${AGENT_API}/sign-in-options`, async (_req: Request, res: Response) => {
    res.send(200, { password: deps.config.AGENT_ACCOUNTS.length > 0, oidc: provider ? { name: provider.name, start: '/agent/oidc/start' } : null });
  });
}
