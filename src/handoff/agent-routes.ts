import { clientAddress } from '../http/client-address';
import type { Request, Response, Server } from 'restify';
import { BOT_ACCOUNT, BUILT_IN_SERVICE_URL } from '../directline/bot-bridge';
import { issueAccess } from '../directline/client-routes';
import { bearerToken } from '../directline/internal-auth';
import { SlidingWindowLimiter } from '../directline/rate-limit';
import { agentConversationId, agentUserId, verifyAgent, type AgentAccount } from '../config/agent-accounts';
import { HandoffRefusal } from './case-store';
import { registerCaseRoutes } from './case-routes';
import { AGENT_API, apiTexts, fail, REFUSAL, type AgentHandler, type AgentRoute, type AgentRoutesDeps } from './agent-api';

const LOGIN_ATTEMPTS_PER_MINUTE = 10;

const texts = {
  ...apiTexts,
  badLogin: 'Forkert brugernavn eller adgangskode. (Wrong username or password.)',
  noAccounts: 'Der er ikke oprettet nogen medarbejdere (AGENT_ACCOUNTS). (No agent accounts configured.)',
  tooMany: 'For mange forsøg. Vent et minut. (Too many attempts, wait a minute.)',
} as const;

/**
 * Wraps a route that needs a signed-in agent: none or a broken token is 401, a citizen's widget
 * token 403; the agent counts as seen, and a refusal of the hand-over answers with its status.
 */
function agentGuard(deps: AgentRoutesDeps, accounts: readonly AgentAccount[]): AgentRoute {
  const byUsername = new Map(accounts.map((a) => [a.username, a]));
  return (handler: AgentHandler) =>
    async (req: Request, res: Response): Promise<void> => {
      res.setHeader('cache-control', 'no-store');
      const token = bearerToken(req.headers.authorization);
      if (!token) return fail(res, 401, 'MissingToken', texts.missing);
      const verified = deps.signer.verify(token, 'access');
      if (!verified.ok) return fail(res, 401, 'TokenInvalid', texts.invalid);
      if (verified.claims.role !== 'agent') return fail(res, 403, 'NotAnAgent', texts.citizen);
      const account = [...byUsername.values()].find((a) => agentUserId(a.username) === verified.claims.userId);
      if (!account) return fail(res, 401, 'TokenInvalid', texts.invalid);
      deps.presence.seen(account.username);
      try {
        const userId = agentUserId(account.username);
        await handler(req, res, { username: account.username, displayName: account.displayName }, { chatAccess: (conversationId) => issueAccess(deps, { conversationId, userId, role: 'agent' }) });
      } catch (err) {
        if (err instanceof HandoffRefusal) {
          const refusal = REFUSAL[err.code];
          return fail(res, refusal.status, err.code, refusal.text);
        }
        deps.logger.error({ err, path: req.path() }, 'agent request failed');
        if (!res.headersSent) fail(res, 500, 'InternalError', texts.internal);
      }
    };
}

/**
 * POST /login: username and password (LOGIN_ATTEMPTS_PER_MINUTE per client address) give an
 * agent's token, and the agent's desk conversation is registered for the bot to write to.
 */
function registerSignIn(server: Server, deps: AgentRoutesDeps, accounts: readonly AgentAccount[]): void {
  const logins = new SlidingWindowLimiter(LOGIN_ATTEMPTS_PER_MINUTE, 60_000, deps.clock);
  server.post(`${AGENT_API}/login`, async (req, res) => {
    res.setHeader('cache-control', 'no-store');
    if (accounts.length === 0) return fail(res, 503, 'NoAccounts', texts.noAccounts);
    const wait = logins.hit(clientAddress(req, deps.config.TRUST_PROXY));
    if (wait > 0) return fail(res, 429, 'TooManyRequests', texts.tooMany, { 'Retry-After': String(wait) });
    const body = (typeof req.body === 'object' && req.body !== null ? req.body : {}) as Record<string, unknown>;
    const username = typeof body.username === 'string' ? body.username.trim().toLowerCase() : '';
    const password = typeof body.password === 'string' ? body.password : '';
    const account = password.length > 0 && password.length <= 200 ? await verifyAgent(accounts, username, password) : undefined;
    if (!account) {
      deps.logger.warn({ username: username.slice(0, 40) }, 'agent sign-in refused');
      return fail(res, 401, 'BadLogin', texts.badLogin);
    }
    const agent = { username: account.username, displayName: account.displayName };
    const conversationId = agentConversationId(account.username);
    const userId = agentUserId(account.username);
    await deps.service.registerAgent(agent, {
      channelId: 'directline',
      serviceUrl: BUILT_IN_SERVICE_URL,
      conversation: { id: conversationId, isGroup: false, conversationType: 'personal', name: '' },
      bot: { ...BOT_ACCOUNT },
      user: { id: userId, name: account.displayName },
    });
    deps.logger.info({ agent: account.username }, 'agent signed in');
    res.send(200, { ...issueAccess(deps, { conversationId, userId, role: 'agent' }), agent });
  });
}

/**
 * The agent hub's API for the agent page: sign-in, the queue, a case's details, and taking,
 * noting, handing back and closing. Every route but sign-in needs an agent's token: none or a
 * broken one is 401, a citizen's widget token 403. Chat itself goes through Direct Line.
 */
export function registerAgentRoutes(server: Server, deps: AgentRoutesDeps): void {
  const accounts: readonly AgentAccount[] = deps.config.AGENT_ACCOUNTS;
  const agentRoute = agentGuard(deps, accounts);
  registerSignIn(server, deps, accounts);

  server.post(
    `${AGENT_API}/logout`,
    agentRoute(async (_req, res, agent) => {
      deps.presence.signedOut(agent.username);
      res.send(204);
    }),
  );

  server.get(
    `${AGENT_API}/queue`,
    agentRoute(async (_req, res, agent) => {
      const active = await deps.service.activeCase(agent);
      res.send(200, { agent, activeCaseId: active?.id ?? null, agentsOnline: deps.presence.online().length, cases: await deps.service.queue() });
    }),
  );
  registerCaseRoutes(server, deps, agentRoute);
}
