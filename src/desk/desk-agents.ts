import { createHash } from 'node:crypto';
import type { Config } from '../config';
import { OIDC_AGENT_PREFIX, agentUserId } from '../config/agent-accounts';
import type { IdentifyAgent } from '../handoff/agent-desk';
import type { AgentRoster } from '../handoff/agent-roster';
import type { StaffRole } from '../handoff/handoff-service';
import { oidcSettingsFrom } from './oidc-sign-in';
import { credentialFingerprint, passwordFingerprint, type FingerprintSource } from './staff-sessions';

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';
const OIDC_ID_CHARS = 10;

/**
 * The desk's id for someone signed in with OpenID Connect: "oidc-" and 10 base32 characters of
 * sha256(issuer|subject). A provider's usernames and e-mail addresses may hold characters that
 * Direct Line ids and storage keys cannot, and may be renamed; the subject stays. 50 bits: for a
 * staff of 10,000 the chance that two share an id is about one in 20 million.
 */
export function oidcAgentId(issuer: string, subject: string): string {
  const digest = createHash('sha256').update(`${issuer}|${subject}`, 'utf8').digest();
  let id = '';
  for (let bit = 0; id.length < OIDC_ID_CHARS; bit += 5) {
    const byte = bit >> 3;
    const pair = (digest[byte]! << 8) | digest[byte + 1]!;
    id += BASE32[(pair >> (11 - (bit & 7))) & 31];
  }
  return OIDC_AGENT_PREFIX + id;
}

/** A local account's role: AGENT_SUPERVISORS names the supervisors. */
export function localRole(config: Pick<Config, 'AGENT_SUPERVISORS'>, username: string): StaffRole {
  return config.AGENT_SUPERVISORS.includes(username) ? 'supervisor' : 'agent';
}

/** A provider's member of staff is a supervisor when in any of OIDC_SUPERVISOR_GROUPS (GUIDs, compared without case). */
export function oidcRole(config: Pick<Config, 'OIDC_SUPERVISOR_GROUPS'>, groups: readonly string[]): StaffRole {
  const mine = new Set(groups.map((g) => g.toLowerCase()));
  return config.OIDC_SUPERVISOR_GROUPS.some((g) => mine.has(g.toLowerCase())) ? 'supervisor' : 'agent';
}

/**
 * What a session is bound to (see StaffSessions): a local account's password entry and role, so
 * a new password, a removed account or a changed AGENT_SUPERVISORS ends its sessions at the next
 * request after the restart. For OpenID Connect, where the provider is only asked at sign-in,
 * the provider and who it lets in and as what: changing any OIDC setting that decides who may
 * sign in ends every OIDC session, so nobody keeps a session that the new rules would refuse.
 */
export function staffFingerprints(config: Config): FingerprintSource {
  const local = new Map(config.AGENT_ACCOUNTS.map((a) => [a.username, credentialFingerprint(passwordFingerprint(a), localRole(config, a.username))]));
  const oidc = oidcSettingsFrom(config);
  const sorted = (list: readonly string[]) => JSON.stringify([...list].map((e) => e.toLowerCase()).sort());
  const provider = oidc && credentialFingerprint('oidc', oidc.issuer, oidc.clientId, sorted(oidc.allowedGroups), sorted(oidc.allowedUsers), sorted(config.OIDC_SUPERVISOR_GROUPS));
  return (agentId) => (agentId.startsWith(OIDC_AGENT_PREFIX) ? provider : local.get(agentId));
}

/**
 * Who writes in an agent's Direct Line conversation, for the bot's desk (AgentDesk): the user id
 * of her signed token is `agent_<id>`, and her name and role are the ones her sign-in recorded.
 * Direct Line has checked the token and its session before the turn reaches the bot.
 */
export function deskAgents(roster: Pick<AgentRoster, 'known'>): IdentifyAgent {
  const prefix = agentUserId('');
  return async (activity) => {
    const userId = activity.from?.id ?? '';
    return userId.startsWith(prefix) && userId.length > prefix.length ? roster.known(userId.slice(prefix.length)) : undefined;
  };
}
