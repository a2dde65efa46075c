import type { Request, Server } from 'restify';
import { AGENT_API, fail, type AgentRoute, type AgentRoutesDeps } from './agent-api';
import type { HandoffCase } from './case';
import { HandoffRefusal } from './case-store';
import type { DeskAgent } from './handoff-service';

const MAX_NOTE_CHARS = 2000;
const texts = {
  badNote: `Noten skal have mellem 1 og ${MAX_NOTE_CHARS} tegn. (A note needs 1 to ${MAX_NOTE_CHARS} characters.)`,
} as const;

/** A case's details, and taking, handing back, closing and noting it. */
export function registerCaseRoutes(server: Server, deps: AgentRoutesDeps, agentRoute: AgentRoute): void {
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

