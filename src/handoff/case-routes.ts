import type { Request, Response, Server } from 'restify';
import { z } from 'zod';
import { AGENT_API, fail, type AgentRoute, type AgentRoutesDeps } from './agent-api';
import type { HandoffCase } from './case';
import { caseChatId, isCaseId } from './case-ids';
import { HandoffRefusal } from './case-store';
import { canRead } from './case-views';
import type { DeskAgent } from './handoff-service';

const MAX_NOTE_CHARS = 2000;
const texts = {
  badNote: `Noten skal have mellem 1 og ${MAX_NOTE_CHARS} tegn. (A note needs 1 to ${MAX_NOTE_CHARS} characters.)`,
  badTransfer: 'Vælg en kollega, der er logget ind, eller køen. (Pick a signed-in colleague or the queue.)',
  badPresence: 'Status skal være available eller away. (Status must be available or away.)',
  badSearch: 'Søgningen er ugyldig: datoer som YYYY-MM-DD, højst 200 tegn. (Invalid search: dates as YYYY-MM-DD, at most 200 characters.)',
} as const;

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const historyQuery = z.object({ caseId: z.string().max(20).optional(), from: day.optional(), to: day.optional(), q: z.string().max(200).optional() });
const transferBody = z.object({ to: z.string().max(100).optional(), note: z.string().max(MAX_NOTE_CHARS).optional() });
const presenceBody = z.object({ status: z.enum(['available', 'away']) });

function caseParam(req: Request): string {
  return String(req.params?.id ?? '').toUpperCase();
}

function body(req: Request): unknown {
  return typeof req.body === 'object' && req.body !== null ? req.body : {};
}

/**
 * A case the agent may read, or not found: a case she may not read answers exactly like one
 * that does not exist, so case ids cannot be probed.
 */
async function readable(deps: AgentRoutesDeps, agent: DeskAgent, id: string): Promise<HandoffCase> {
  const record = isCaseId(id) ? await deps.service.get(id) : undefined;
  if (!record || !canRead(agent, record)) throw new HandoffRefusal('not_found', id);
  return record;
}

/** A case's details with the earlier cases of the same person the agent may read, and taking, chatting, transferring, noting and ending it. */
function registerCaseActions(server: Server, deps: AgentRoutesDeps, agentRoute: AgentRoute): void {
  const service = deps.service;
  server.get(
    `${AGENT_API}/cases/:id`,
    agentRoute(async (req, res, agent) => {
      const record = await readable(deps, agent, caseParam(req));
      const earlier = (await service.store.getMany(record.earlierCaseIds ?? [])).filter((c) => canRead(agent, c));
      res.send(200, { ...service.forAgents(record), earlier: earlier.map((c) => ({ id: c.id, status: c.status, createdAt: c.createdAt, endedAt: c.endedAt, agent: c.agent, satisfaction: c.satisfaction })) });
    }),
  );
  const action = (name: string, run: (id: string, agent: DeskAgent, req: Request) => Promise<HandoffCase>) =>
    server.post(
      `${AGENT_API}/cases/:id/${name}`,
      agentRoute(async (req, res, agent) => {
        await readable(deps, agent, caseParam(req));
        res.send(200, service.forAgents(await run(caseParam(req), agent, req)));
      }),
    );
  action('take', (id, agent) => service.take(id, agent));
  action('release', (id, agent) => service.handBack(agent, id));
  action('close', (id, agent) => service.close(agent, id));
  server.post(
    `${AGENT_API}/cases/:id/note`,
    agentRoute(async (req, res, agent) => {
      const given: unknown = (req.body as { text?: unknown } | undefined)?.text;
      const text = typeof given === 'string' ? given.trim() : '';
      if (text.length === 0 || text.length > MAX_NOTE_CHARS) return fail(res, 400, 'BadNote', texts.badNote);
      await readable(deps, agent, caseParam(req));
      res.send(200, service.forAgents(await service.note(agent, caseParam(req), text)));
    }),
  );
  server.post(
    `${AGENT_API}/cases/:id/transfer`,
    agentRoute(async (req, res, agent) => {
      const parsed = transferBody.safeParse(body(req));
      if (!parsed.success) return fail(res, 400, 'BadTransfer', texts.badTransfer);
      const { to, note } = parsed.data;
      const colleague = to ? (await service.roster.colleagues()).find((c) => c.username === to) : undefined;
      if (to && !colleague) return fail(res, 400, 'BadTransfer', texts.badTransfer);
      const target = colleague ? await service.roster.known(colleague.username) : undefined;
      await readable(deps, agent, caseParam(req));
      res.send(200, service.forAgents(await service.transfer(agent, caseParam(req), target, note?.trim() || undefined)));
    }),
  );
  // The agent's own Direct Line conversation for this case: a tab on the desk, bound to her session.
  server.post(
    `${AGENT_API}/cases/:id/chat`,
    agentRoute(async (req, res, agent, call) => {
      const record = await readable(deps, agent, caseParam(req));
      if (record.status !== 'assigned' || record.agent?.id !== agent.username) throw new HandoffRefusal('not_yours', record.id);
      res.send(200, call.chatAccess(caseChatId(agent.username, record.id)));
    }),
  );
}

/** What the desk shows around the cases: the agent's state and colleagues, canned replies, presence, history and scores. */
function registerDeskRoutes(server: Server, deps: AgentRoutesDeps, agentRoute: AgentRoute): void {
  const service = deps.service;
  server.get(
    `${AGENT_API}/desk`,
    agentRoute(async (_req, res, agent) => {
      const [active, colleagues, presence, cases] = await Promise.all([service.activeCases(agent), service.roster.colleagues(), service.roster.presenceOf(agent.username), service.queue(agent)]);
      res.send(200, { agent: { ...agent, role: agent.role ?? 'agent' }, presence, maxChats: service.slots.maxChats, activeCaseIds: active.map((c) => c.id), colleagues: colleagues.filter((c) => c.username !== agent.username), agentsOnline: colleagues.length, cases });
    }),
  );
  server.get(
    `${AGENT_API}/templates`,
    agentRoute(async (_req, res) => {
      res.send(200, { templates: Object.entries(service.content.handoff.templates).map(([name, t]) => ({ name, title: t.title, text: t.text })) });
    }),
  );
  server.post(
    `${AGENT_API}/presence`,
    agentRoute(async (req, res, agent) => {
      const parsed = presenceBody.safeParse(body(req));
      if (!parsed.success) return fail(res, 400, 'BadPresence', texts.badPresence);
      await service.roster.setPresence(agent, parsed.data.status);
      res.send(200, { presence: parsed.data.status });
    }),
  );
  server.get(
    `${AGENT_API}/history`,
    agentRoute(async (req, res, agent) => {
      const parsed = historyQuery.safeParse(req.query ?? {});
      if (!parsed.success) return fail(res, 400, 'BadSearch', texts.badSearch);
      const { caseId, from, to, q } = parsed.data;
      const id = caseId?.trim().toUpperCase();
      res.send(200, { cases: await service.history.search(agent, { ...(id ? { caseId: id } : {}), ...(from ? { from } : {}), ...(to ? { to } : {}), ...(q ? { words: q } : {}) }) });
    }),
  );
  server.get(`${AGENT_API}/scores`, agentRoute(async (_req, res, agent) => sendScores(deps, res, agent)));
}

/** Satisfaction per agent (an agent sees her own line, a supervisor everyone's) and overall. */
async function sendScores(deps: AgentRoutesDeps, res: Response, agent: DeskAgent): Promise<void> {
  const totals = await deps.service.store.scores();
  const rated = Object.entries(totals.counts).reduce((n, [, count]) => n + count, 0);
  const sum = Object.entries(totals.counts).reduce((n, [score, count]) => n + Number(score) * count, 0);
  const agents = Object.entries(totals.agents)
    .filter(([id]) => agent.role === 'supervisor' || id === agent.username)
    .map(([id, a]) => ({ id, name: a.name, closed: a.closed, rated: a.rated, average: a.rated > 0 ? Math.round((a.sum / a.rated) * 100) / 100 : null }));
  res.send(200, { overall: { rated, average: rated > 0 ? Math.round((sum / rated) * 100) / 100 : null, counts: totals.counts }, agents });
}

/** The agent page's case and desk routes (sign-in and the queue are in agent-routes.ts). */
export function registerCaseRoutes(server: Server, deps: AgentRoutesDeps, agentRoute: AgentRoute): void {
  registerCaseActions(server, deps, agentRoute);
  registerDeskRoutes(server, deps, agentRoute);
}
