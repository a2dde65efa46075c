/** A member of staff as the municipality's identity provider vouched for them. */
export interface StaffIdentity {
  /** The provider's `sub`: stable for this app, never reused. */
  subject: string;
  /** Shown on the agent page and to citizens. */
  name: string;
  /** preferred_username, else email, else the subject. */
  username: string;
  /** Group object ids from the `groups` claim; empty when the provider sent none. */
  groups: string[];
}

export type SignInRefusalReason = 'not_allowed' | 'state_mismatch' | 'expired' | 'provider_error';

const MESSAGES: Record<SignInRefusalReason, string> = {
  not_allowed: 'Du har ikke adgang til medarbejdersiden. Bed en administrator om adgang. / You have no access to the agent desk. Ask an administrator for access.',
  state_mismatch: 'Svaret fra login hører ikke til dette login. Start forfra. / The sign-in response does not belong to this sign-in. Start again.',
  expired: 'Login er udløbet eller allerede brugt. Start forfra. / The sign-in has expired or was already used. Start again.',
  provider_error: 'Login hos kommunens identitetsudbyder mislykkedes. Prøv igen om lidt. / Signing in with the identity provider failed. Try again shortly.',
};

/**
 * A sign-in that ends without a member of staff. `message` may be shown to the person;
 * `detail` (English, never shown) says what happened, for the log.
 */
export class SignInRefused extends Error {
  override name = 'SignInRefused';
  constructor(
    readonly reason: SignInRefusalReason,
    readonly detail: string,
  ) {
    super(MESSAGES[reason]);
  }
}

/** Who may use the desk: members of any of `groups`, and `users` by username, email, oid or sub. */
export interface AllowRules {
  groups: readonly string[];
  users: readonly string[];
}

type Claims = Readonly<Record<string, unknown>>;

const text = (value: unknown): string | undefined => (typeof value === 'string' && value.length > 0 ? value : undefined);
const lower = (value: string): string => value.toLowerCase();

/** The identity in an ID token's claims (Entra ID puts name, preferred_username, oid and groups there). */
export function identityFromClaims(claims: Claims): StaffIdentity {
  const subject = text(claims.sub) ?? '';
  const username = text(claims.preferred_username) ?? text(claims.email) ?? subject;
  const groups = Array.isArray(claims.groups) ? claims.groups.filter((g): g is string => typeof g === 'string') : [];
  return { subject, name: text(claims.name) ?? username, username, groups };
}

/**
 * Admits the identity or throws `not_allowed`. Group ids and oids are GUIDs, compared without
 * case (a list pasted from the portal in capitals still works); usernames and emails without case
 * too, as Entra ID treats them; `sub` exactly, as the standard says. The email claim is trusted
 * because the issuer is one tenant's own (a tenant-specific OIDC_ISSUER), whose addresses only
 * its administrators set.
 */
export function admit(claims: Claims, rules: AllowRules): StaffIdentity {
  const identity = identityFromClaims(claims);
  const groups = new Set(identity.groups.map(lower));
  if (rules.groups.some((g) => groups.has(lower(g)))) return identity;
  const names = [claims.preferred_username, claims.email, claims.oid].map(text).filter((v): v is string => v !== undefined).map(lower);
  if (rules.users.some((u) => u === identity.subject || names.includes(lower(u)))) return identity;
  throw new SignInRefused('not_allowed', `${identity.username} is in no allowed group and not on the allow-list${groupsNote(claims)}`);
}

/** Entra ID leaves the groups out of the token for members of over 200 groups ("overage"). */
function groupsNote(claims: Claims): string {
  const names = claims._claim_names;
  const overage = typeof names === 'object' && names !== null && 'groups' in names;
  return overage
    ? ' (the provider left the groups out: too many; in Entra ID emit only "Groups assigned to the application")'
    : Array.isArray(claims.groups)
      ? ''
      : ' (the ID token has no groups claim)';
}
