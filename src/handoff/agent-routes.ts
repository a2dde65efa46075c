import { clientAddress } from '../http/client-address';
import type { Request, Response, Server } from 'restify';
import type { Clock } from '../clock';
import type { Config } from '../config';
import { BOT_ACCOUNT, BUILT_IN_SERVICE_URL } from '../directline/bot-bridge';
import { issueAccess } from '../directline/client-routes';
import { bearerToken } from '../directline/internal-auth';
import { SlidingWindowLimiter } from '../directline/rate-limit';
import type { TokenSigner } from '../directline/tokens';
import type { Logger } from '../logger';
import { agentConversationId, agentUserId, verifyAgent, type AgentAccount } from '../config/agent-accounts';
import type { AgentPresence } from './agent-presence';
import type { HandoffCase } from './case';
import { HandoffRefusal } from './case-store';
import type { DeskAgent, HandoffService } from './handoff-service';

export const AGENT_API = '/agent/api';
const MAX_NOTE_CHARS = 2000;
const LOGIN_ATTEMPTS_PER_MINUTE = 10;

export interface AgentRoutesDeps {
  config: Config;
  clock: Clock;
  logger: Logger;
  signer: TokenSigner;
  service: HandoffService;
  presence: AgentPresence;
}

type AgentHandler = (req: Request, res: Response, agent: DeskAgent) => Promise<void>;

const texts = {
  missing: 'Log ind først. (Sign in first.)',
  invalid: 'Dit login er udløbet eller ugyldigt. Log ind igen. (Session expired or invalid.)',
  citizen: 'Kun for medarbejdere. (Agents only.)',
  badLogin: 'Forkert brugernavn eller adgangskode. (Wrong username or password.)',
  noAccounts: 'Der er ikke oprettet nogen medarbejdere (AGENT_ACCOUNTS). (No agent accounts configured.)',
  tooMany: 'For mange forsøg. Vent et minut. (Too many attempts, wait a minute.)',
  badNote: `Noten skal have mellem 1 og ${MAX_NOTE_CHARS} tegn. (A note needs 1 to ${MAX_NOTE_CHARS} characters.)`,
  notFound: 'Sagen findes ikke eller er ikke åben. (Case not found or not open.)',
  alreadyTaken: 'En anden medarbejder har allerede taget sagen. (Another agent took this case.)',
  busy: 'Du har allerede en åben sag. Luk den eller giv den tilbage først. (You already have an open case.)',
  notYours: 'Sagen er ikke din. (This case is not yours.)',
  internal: 'Der skete en fejl. Prøv igen. (Internal error.)',
} as const;

const REFUSAL: Record<HandoffRefusal['code'], { status: number; text: string }> = {
  not_found: { status: 404, text: texts.notFound },
  not_open: { status: 409, text: texts.notFound },
  already_taken: { status: 409, text: texts.alreadyTaken },
  busy: { status: 409, text: texts.busy },
  not_yours: { status: 403, text: texts.notYours },
};

function fail(res: Response, status: number, code: string, message: string, headers: Record<string, string> = {}): void {
  res.send(status, { error: { code, message } }, headers);
}

/**
 * Wraps a route that needs a signed-in agent: none or a broken token is 401, a citizen's widget
 * token 403; the agent counts as seen, and a refusal of the hand-over answers with its status.
 */
function agentGuard(deps: AgentRoutesDeps, accounts: readonly AgentAccount[]) {
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
        await handler(req, res, { username: account.username, displayName: account.displayName });
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

/** A case's details, and taking, handing back, closing and noting it. */
function registerCaseRoutes(server: Server, deps: AgentRoutesDeps, agentRoute: ReturnType<typeof agentGuard>): void {
  server.get(
    `${AGENT_API}/cases/:id`,
    agentRoute(async (req, res) => {
      const record = await deps.service.get(String(req.params?.id ?? ''));
      if (!record) throw new HandoffRefusal('not_found', String(req.params?.id ?? ''));
      res.send(200, deps.service.forAgents(record));
    }),
  );

  const action = (name: string, run: (id: string, agent: DeskAgent, req: Request) => Promise<HandoffCase>) =>
    server.post(
      `${AGENT_API}/cases/:id/${name}`,
      agentRoute(async (req, res, agent) => {
        res.send(200, deps.service.forAgents(await run(String(req.params?.id ?? ''), agent, req)));
      }),
    );

  action('take', (id, agent) => deps.service.take(id, agent));
  action('release', (id, agent) => deps.service.handBack(agent, id));
  action('close', (id, agent) => deps.service.close(agent, id));
  server.post(
    `${AGENT_API}/cases/:id/note`,
    agentRoute(async (req, res, agent) => {
      const given: unknown = (req.body as { text?: unknown } | undefined)?.text;
      const text = typeof given === 'string' ? given.trim() : '';
      if (text.length === 0 || text.length > MAX_NOTE_CHARS) return fail(res, 400, 'BadNote', texts.badNote);
      res.send(200, deps.service.forAgents(await deps.service.note(agent, String(req.params?.id ?? ''), text)));
    }),
  );
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
