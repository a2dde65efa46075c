import type { Storage } from 'botbuilder';
import type { Server } from 'restify';
import type { Clock } from '../clock';
import type { Config } from '../config';
import type { AgentSessionCheck } from '../directline/context';
import type { TokenSigner } from '../directline/tokens';
import type { AgentRoute } from '../handoff/agent-api';
import type { IdentifyAgent } from '../handoff/agent-desk';
import type { AgentPresence } from '../handoff/agent-presence';
import type { HandoffService } from '../handoff/handoff-service';
import type { Logger } from '../logger';
import { agentGuard } from './agent-guard';
import { AgentTokens, DEFAULT_ACCESS_TTL_SECONDS, secondsLeft, sessionOfClaims } from './agent-tokens';
import { deskAgents, staffFingerprints } from './desk-agents';
import { registerOidcRoutes } from './oidc-routes';
import { OidcSignIn, oidcSettingsFrom, type OidcSettings, type OidcSignInOptions } from './oidc-sign-in';
import { SignInCodes } from './sign-in-codes';
import { SignInLimits } from './sign-in-limits';
import { registerSignInRoutes } from './sign-in-routes';
import { StaffSessions } from './staff-sessions';

export interface StaffDeskDeps {
  config: Config;
  clock: Clock;
  logger: Logger;
  /** The bot's storage, where sessions are kept; every process reads them afresh from it (SQLite, Blob). */
  storage: Storage;
  service: HandoffService;
  presence: AgentPresence;
  /** Tests point the provider at a local one and shorten its timeouts. */
  oidcOptions?: OidcSignInOptions;
}

/** The staff sessions as every process sees them: the server, and the admin command (scripts/agent-sessions.ts). */
export function staffSessions(config: Config, storage: Storage, clock: Clock): StaffSessions {
  return new StaffSessions({ storage, clock, currentFingerprint: staffFingerprints(config), maxAgeMs: config.AGENT_SESSION_HOURS * 3_600_000, idleMs: config.AGENT_IDLE_MINUTES * 60_000 });
}

/**
 * The agent desk's staff: sign-in with a password or the municipality's provider, sessions in
 * storage that sign-out, a new password and the admin command end at once, and the checks that
 * bind every agent token (on the agent API and on Direct Line) to a live session.
 */
export class StaffDesk {
  readonly sessions: StaffSessions;
  readonly limits: SignInLimits;
  /** Who writes in an agent's Direct Line chat, for the bot's desk. */
  readonly identify: IdentifyAgent;
  private readonly oidc: { signIn: OidcSignIn; settings: OidcSettings } | undefined;
  private readonly codes: SignInCodes;

  constructor(private readonly deps: StaffDeskDeps) {
    const { config, clock, storage } = deps;
    this.sessions = staffSessions(config, storage, clock);
    this.limits = new SignInLimits({ clock });
    this.codes = new SignInCodes(storage, clock);
    this.identify = deskAgents(deps.service.roster);
    const settings = oidcSettingsFrom(config);
    this.oidc = settings && { settings, signIn: new OidcSignIn(settings, { clock, ...deps.oidcOptions }) };
  }

  /** For Direct Line: how long an agent's token may now live, or undefined once its session has ended. */
  readonly directLineCheck: AgentSessionCheck = async (claims, act) => {
    const session = await sessionOfClaims(this.sessions, claims, act);
    return session && session !== 'invalid' ? secondsLeft(session, this.deps.clock, DEFAULT_ACCESS_TTL_SECONDS) : undefined;
  };

  /**
   * Finds the provider once at start-up, so a wrong OIDC_ISSUER shows in the log at once; the
   * bot serves citizens either way, and sign-ins try the provider again later.
   */
  async prepare(): Promise<void> {
    try {
      await this.oidc?.signIn.discover();
    } catch (err) {
      this.deps.logger.error({ err }, (err as Error).message);
    }
  }

  /** Registers sign-in, sign-out, refresh and the provider's routes; returns the guard for the desk's other routes. */
  registerRoutes(server: Server, signer: TokenSigner): AgentRoute {
    const { config, clock, logger, service, presence } = this.deps;
    const tokens = new AgentTokens({ signer, sessions: this.sessions, clock });
    const deps = { config, clock, logger, service, presence, signer, tokens, sessions: this.sessions, limits: this.limits };
    registerSignInRoutes(server, deps, this.oidc && { name: config.OIDC_PROVIDER_NAME });
    if (this.oidc) registerOidcRoutes(server, { ...deps, oidc: this.oidc.signIn, settings: this.oidc.settings, codes: this.codes });
    return agentGuard(deps);
  }
}
