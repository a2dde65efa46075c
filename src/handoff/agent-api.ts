import type { Request, Response } from 'restify';
import type { Clock } from '../clock';
import type { Config } from '../config';
import type { ConversationBody } from '../directline/client-routes';
import type { TokenSigner } from '../directline/tokens';
import type { Logger } from '../logger';
import type { AgentPresence } from './agent-presence';
import type { HandoffRefusal } from './case-store';
import type { DeskAgent, HandoffService } from './handoff-service';

/** What the agent page's API routes share: their prefix, their dependencies and how they answer. */
export const AGENT_API = '/agent/api';

export interface AgentRoutesDeps {
  config: Config;
  clock: Clock;
  logger: Logger;
  signer: TokenSigner;
  service: HandoffService;
  presence: AgentPresence;
}

/** What a route may do for the signed-in agent beyond reading who she is. */
export interface DeskCall {
  /** A Direct Line token for one of the agent's own conversations (her desk, or her chat in one case). */
  chatAccess(conversationId: string): ConversationBody;
}

export type AgentHandler = (req: Request, res: Response, agent: DeskAgent, call: DeskCall) => Promise<void>;

/** Wraps a handler that needs a signed-in agent (see the guard in agent-routes.ts). */
export type AgentRoute = (handler: AgentHandler) => (req: Request, res: Response) => Promise<void>;

export const apiTexts = {
  missing: 'Log ind først. (Sign in first.)',
  invalid: 'Dit login er udløbet eller ugyldigt. Log ind igen. (Session expired or invalid.)',
  citizen: 'Kun for medarbejdere. (Agents only.)',
  internal: 'Der skete en fejl. Prøv igen. (Internal error.)',
} as const;

/** How each refusal of the hand-over answers over HTTP. */
export const REFUSAL: Record<HandoffRefusal['code'], { status: number; text: string }> = {
  not_found: { status: 404, text: 'Sagen findes ikke eller er ikke åben. (Case not found or not open.)' },
  not_open: { status: 409, text: 'Sagen findes ikke eller er ikke åben. (Case not found or not open.)' },
  already_taken: { status: 409, text: 'En anden medarbejder har allerede taget sagen. (Another agent took this case.)' },
  busy: { status: 409, text: 'Du har allerede så mange åbne sager, som du må have. Luk en først. (You have as many open cases as allowed.)' },
  not_yours: { status: 403, text: 'Sagen er ikke din. (This case is not yours.)' },
};

export function fail(res: Response, status: number, code: string, message: string, headers: Record<string, string> = {}): void {
  res.send(status, { error: { code, message } }, headers);
}
