import type { KeyObject } from 'node:crypto';

/** The JWS algorithms apikit signs and verifies with (RFC 7518 §3, RFC 8037). `none` is never one of them. */
export const JWS_ALGORITHMS = [
  'HS256',
  'HS384',
  'HS512',
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
] as const;
export type JwsAlgorithm = (typeof JWS_ALGORITHMS)[number];

export function isJwsAlgorithm(alg: string): alg is JwsAlgorithm {
  return (JWS_ALGORITHMS as readonly string[]).includes(alg);
}

/** RFC 7518 §3.2: an HMAC key must be at least as long as the hash output. */
export const HMAC_MIN_BYTES: Record<'HS256' | 'HS384' | 'HS512', number> = {
  HS256: 32,
  HS384: 48,
  HS512: 64,
};

export const MIN_RSA_BITS = 2048;

export const CURVE_ALG: Record<string, JwsAlgorithm> = {
  'P-256': 'ES256',
  'P-384': 'ES384',
  'P-521': 'ES512',
};

/** Node reports OpenSSL curve names; JOSE uses the NIST ones. */
export function joseCurveName(nodeCurve: string | undefined): string | undefined {
  switch (nodeCurve) {
    case 'prime256v1':
    case 'P-256':
      return 'P-256';
    case 'secp384r1':
    case 'P-384':
      return 'P-384';
    case 'secp521r1':
    case 'P-521':
      return 'P-521';
    case 'secp256k1':
      return 'secp256k1';
    default:
      return nodeCurve;
  }
}

/**
 * The algorithms a key can be used with, derived from the key alone (RFC 8725 §3.1: never from a token).
 * RSA keys under 2048 bits and HMAC secrets shorter than the hash get none.
 */
export function algorithmsForKey(key: KeyObject): JwsAlgorithm[] {
  if (key.type === 'secret') {
    const size = key.symmetricKeySize ?? 0;
    return (['HS256', 'HS384', 'HS512'] as const).filter((alg) => size >= HMAC_MIN_BYTES[alg]);
  }
  const details = key.asymmetricKeyDetails ?? {};
  switch (key.asymmetricKeyType) {
    case 'rsa':
      if ((details.modulusLength ?? 0) < MIN_RSA_BITS) return [];
      return ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'];
    case 'rsa-pss':
      if ((details.modulusLength ?? 0) < MIN_RSA_BITS) return [];
      return ['PS256', 'PS384', 'PS512'];
    case 'ec': {
      const alg = CURVE_ALG[joseCurveName(details.namedCurve) ?? ''];
      return alg ? [alg] : [];
    }
    case 'ed25519':
      return ['EdDSA'];
    default:
      return [];
  }
}
