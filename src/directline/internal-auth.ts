import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A secret made once per process: the bot's replies come back to our connector routes with it. */
export function newInternalSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** True when `authorization` is exactly `Bearer <secret>` (compared in constant time). */
export function hasInternalSecret(authorization: string | undefined, secret: string): boolean {
  if (!authorization) return false;
  const expected = createHash('sha256').update(`Bearer ${secret}`).digest();
  const given = createHash('sha256').update(authorization).digest();
  return timingSafeEqual(expected, given);
}

/** The token of an `Authorization: Bearer <token>` header, if any. */
export function bearerToken(authorization: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  return match?.[1];
}
