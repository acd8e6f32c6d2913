/**
 * When is a stored access token good enough to hand out, and when must it be refreshed? Pure.
 */
export interface TokenTimes {
  /** Epoch ms; undefined when the server gave no expires_in (and the token is not a JWT with exp). */
  expiresAt?: number;
  obtainedAt: number;
}

/**
 * Fresh = still valid for more than `minTtlMs`. A token without a known expiry is taken as fresh (nothing better
 * is known; a 401 from the API is the signal then).
 */
export function isFresh(t: TokenTimes, now: number, minTtlMs: number): boolean {
  if (t.expiresAt === undefined) return true;
  return t.expiresAt - now > minTtlMs;
}

/** The server issues tokens that are never fresh for `minTtlMs` (every call would refresh). */
export function shorterThan(t: TokenTimes, minTtlMs: number): boolean {
  return t.expiresAt !== undefined && t.expiresAt - t.obtainedAt <= minTtlMs;
}

export function isExpired(t: TokenTimes, now: number): boolean {
  return t.expiresAt !== undefined && t.expiresAt <= now;
}

/** Expiry from a token response: expires_in (RFC 6749 §5.1), else a JWT access token's exp, else unknown. */
export function expiryOf(
  now: number,
  expiresIn: number | undefined,
  jwtExp: number | undefined,
): number | undefined {
  if (expiresIn !== undefined) return now + expiresIn * 1000;
  if (jwtExp !== undefined) return jwtExp * 1000;
  return undefined;
}
