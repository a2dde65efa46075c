import type { Server } from 'restify';
import { registerCaseRoutes } from './case-routes';
import { AGENT_API, type AgentRoute, type AgentRoutesDeps } from './agent-api';

/**
 * The agent hub's API for the agent page: the queue, a case's details, and taking, noting,
 * transferring, handing back and closing (case-routes.ts). Every route goes through `agentRoute`,
 * the staff desk's guard (src/desk/agent-guard.ts, a layer above, which also signs agents in and
 * out): none or a broken token is 401, a citizen's widget token 403, a token whose staff session
 * has ended 401. Chat itself goes through Direct Line.
 */
export function registerAgentRoutes(server: Server, deps: AgentRoutesDeps, agentRoute: AgentRoute): void {
  server.get(
    `${AGENT_API}/queue`,
    agentRoute(async (_req, res, agent) => {
      const active = await deps.service.activeCase(agent);
      res.send(200, { agent, activeCaseId: active?.id ?? null, agentsOnline: (await deps.presence.online()).length, cases: await deps.service.queue(agent) });
    }),
  );
  registerCaseRoutes(server, deps, agentRoute);
}
