import { randomBytes, scrypt as scryptCallback, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import { z } from 'zod';

const scrypt = promisify(scryptCallback) as (password: string, salt: Buffer, keylen: number) => Promise<Buffer>;

const KEY_BYTES = 32;
const SALT_BYTES = 16;
const USERNAME = /^[a-z0-9][a-z0-9._-]{0,31}$/;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** The start of the agent ids of staff signed in with OpenID Connect (src/desk/desk-agents.ts), kept out of local usernames. */
export const OIDC_AGENT_PREFIX = 'oidc-';

/** The name citizens and colleagues see for a local account: "anna.jensen" → "Anna Jensen". */
export function nameOfUsername(username: string): string {
  return username
    .split(/[._-]+/)
    .filter(Boolean)
    .map((part) => part.charAt(0).toLocaleUpperCase('da-DK') + part.slice(1))
    .join(' ');
}

/** An agent who may sign in on /agent; only the scrypt hash of the password is kept. */
export interface AgentAccount {
  username: string;
  /** Shown to citizens ("Anna") and on the agent page. */
  displayName: string;
  salt: Buffer;
  hash: Buffer;
}

/** The Direct Line user id of an agent: agent conversations are told apart from citizens' by it. */
export function agentUserId(username: string): string {
  return `agent_${username}`;
}

/** The agent's own Direct Line conversation, the same after every sign-in so the page can pick up where it was. */
export function agentConversationId(username: string): string {
  return `agent-${username}`;
}

/**
 * AGENT_ACCOUNTS: comma-separated `username:salt:hash` entries (base64url), as printed by
 * `npm run agent:password`. A broken entry stops start-up with a message naming it.
 */
export const agentAccountsSchema = z.string().transform((value, ctx): AgentAccount[] => {
  const accounts: AgentAccount[] = [];
  for (const entry of value.split(',').map((e) => e.trim()).filter((e) => e.length > 0)) {
    const [username = '', salt = '', hash = '', ...rest] = entry.split(':');
    const problem =
      rest.length > 0 || !salt || !hash
        ? 'skal have formen brugernavn:salt:hash / must look like username:salt:hash'
        : !USERNAME.test(username)
          ? 'brugernavn må kun have a-z, 0-9, punktum, bindestreg og understreg / username may only use a-z, 0-9, dot, dash and underscore'
          : !BASE64URL.test(salt) || !BASE64URL.test(hash) || Buffer.from(hash, 'base64url').length !== KEY_BYTES
            ? 'salt og hash skal komme fra npm run agent:password / salt and hash must come from npm run agent:password'
            : username.startsWith(OIDC_AGENT_PREFIX)
              ? `brugernavne, der begynder med "${OIDC_AGENT_PREFIX}", er forbeholdt login med OpenID Connect / usernames beginning "${OIDC_AGENT_PREFIX}" are kept for OpenID Connect sign-in`
              : accounts.some((a) => a.username === username)
              ? 'brugernavnet står der to gange / the username appears twice'
              : undefined;
    if (problem) {
      ctx.addIssue({ code: 'custom', message: `"${username || entry.slice(0, 20)}": ${problem}` });
      continue;
    }
    accounts.push({ username, displayName: nameOfUsername(username), salt: Buffer.from(salt, 'base64url'), hash: Buffer.from(hash, 'base64url') });
  }
  return accounts;
});

/** The AGENT_ACCOUNTS entry for `username` with a fresh salt. */
export async function hashAgentPassword(username: string, password: string): Promise<string> {
  if (!USERNAME.test(username)) throw new Error('brugernavn må kun have a-z, 0-9, punktum, bindestreg og understreg / username may only use a-z, 0-9, dot, dash and underscore');
  if (username.startsWith(OIDC_AGENT_PREFIX)) throw new Error(`brugernavne, der begynder med "${OIDC_AGENT_PREFIX}", er forbeholdt OpenID Connect / usernames beginning "${OIDC_AGENT_PREFIX}" are kept for OpenID Connect`);
  if (password.length < 10) throw new Error('adgangskoden skal være mindst 10 tegn / the password must be at least 10 characters');
  const salt = randomBytes(SALT_BYTES);
  const hash = await scrypt(password, salt, KEY_BYTES);
  return `${username}:${salt.toString('base64url')}:${hash.toString('base64url')}`;
}

/** The account when `password` is right; the same work is done for unknown names so timing tells nothing. */
export async function verifyAgent(accounts: readonly AgentAccount[], username: string, password: string): Promise<AgentAccount | undefined> {
  const account = accounts.find((a) => a.username === username);
  const hash = await scrypt(password, account?.salt ?? Buffer.alloc(SALT_BYTES), KEY_BYTES);
  return account && timingSafeEqual(hash, account.hash) ? account : undefined;
}

/** A support agent in Teams, known by their Entra ID object id (`from.aadObjectId`). */
export interface TeamsAgent {
  aadObjectId: string;
  displayName: string;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** TEAMS_AGENTS: comma-separated `objectId=Name` entries, e.g. `2f1c…=Anna Jensen`. */
export const teamsAgentsSchema = z.string().transform((value, ctx): TeamsAgent[] => {
  const agents: TeamsAgent[] = [];
  for (const entry of value.split(',').map((e) => e.trim()).filter((e) => e.length > 0)) {
    const [id = '', ...name] = entry.split('=');
    const displayName = name.join('=').trim();
    if (!GUID.test(id.trim()) || !displayName) {
      ctx.addIssue({ code: 'custom', message: `"${entry.slice(0, 40)}": skal have formen objekt-id=Navn / must look like objectId=Name` });
      continue;
    }
    agents.push({ aadObjectId: id.trim().toLowerCase(), displayName });
  }
  return agents;
});
