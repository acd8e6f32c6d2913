import { createHash, randomBytes } from 'node:crypto';

/**
 * PKCE (RFC 7636) and the other one-time values of an authorization request. All come from the CSPRNG.
 */
export interface Pkce {
  /** 64 base64url characters (48 random bytes): within RFC 7636 §4.1's 43–128, unguessable. */
  verifier: string;
  /** BASE64URL(SHA256(verifier)) — RFC 7636 §4.2, the only method apikit uses (plain leaks the verifier). */
  challenge: string;
  method: 'S256';
}

export function createPkce(): Pkce {
  const verifier = randomBytes(48).toString('base64url');
  return { verifier, challenge: s256(verifier), method: 'S256' };
}

export function s256(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}

/** A random URL-safe value with `bits` of entropy (state and nonce use 256 bits; RFC 9700 §4.7 asks for ≥128). */
export function randomValue(bits = 256): string {
  return randomBytes(Math.ceil(bits / 8)).toString('base64url');
}
