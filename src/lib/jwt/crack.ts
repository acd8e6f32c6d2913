import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Tries candidate secrets against an HS* token's signature, in-process. This is a raw HMAC over the JWS
 * signing input (RFC 7515 §5.1: ASCII(header "." payload)), compared in constant time. It computes one HMAC
 * per candidate — a JOSE verify per candidate would cost a key import each.
 */
export const HMAC_HASH = { HS256: 'sha256', HS384: 'sha384', HS512: 'sha512' } as const;
export type HmacAlg = keyof typeof HMAC_HASH;

export function isHmacAlg(alg: unknown): alg is HmacAlg {
  return alg === 'HS256' || alg === 'HS384' || alg === 'HS512';
}

export function hmacMatcher(
  signingInput: string,
  signature: Uint8Array,
  alg: HmacAlg,
): (candidate: string) => boolean {
  const hash = HMAC_HASH[alg];
  const input = Buffer.from(signingInput, 'ascii');
  const expected = Buffer.from(signature);
  return (candidate) => {
    const mac = createHmac(hash, Buffer.from(candidate, 'utf8')).update(input).digest();
    return mac.length === expected.length && timingSafeEqual(mac, expected);
  };
}
