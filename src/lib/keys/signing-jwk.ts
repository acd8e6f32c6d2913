import type { KeyObject } from 'node:crypto';
import type { JwsAlgorithm } from './algorithms.js';
import { loadedKeyFromKeyObject, publicJwk } from './load.js';
import { thumbprint } from './thumbprint.js';

/**
 * The published JWK of a new signing key, as `keys generate` writes it into PREFIX.jwks.json: the public members
 * (jose-exported by Node, in the loader's order), then kid (default: the RFC 7638 thumbprint), alg and use "sig".
 */
export async function signingJwk(
  publicKey: KeyObject,
  alg: JwsAlgorithm,
  kid?: string,
): Promise<{ jwk: Record<string, unknown>; kid: string; thumbprint: string }> {
  const pub = publicJwk(loadedKeyFromKeyObject(publicKey));
  const tp = (await thumbprint(pub)).thumbprint;
  const chosen = kid ?? tp;
  return { jwk: { ...pub, kid: chosen, alg, use: 'sig' }, kid: chosen, thumbprint: tp };
}
