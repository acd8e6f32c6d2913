import { InputError, isApikitError, UsageError } from '../../errors.js';
import { algorithmsForKey } from './algorithms.js';
import { publicJwk, type LoadedKey } from './load.js';
import { thumbprint } from './thumbprint.js';
import { terminalSafe } from '../text/terminal-safe.js';

/**
 * Assembles a JWKS for publishing (RFC 7517 §5) from keys of any format: private keys contribute their public
 * half, duplicates (same RFC 7638 thumbprint) are dropped, and every key gets a kid — the one it carried, or
 * its thumbprint. HMAC secrets are refused: a JWKS is published, a secret must not be.
 */
export interface JwksInput {
  source: string;
  key: LoadedKey;
}

export interface JwksEntry {
  source: string;
  kid: string;
  thumbprint: string;
}

export interface AssembledJwks {
  jwks: { keys: Record<string, unknown>[] };
  keys: JwksEntry[];
  /** Inputs dropped because an earlier input had the same key. */
  duplicates: (JwksEntry & { sameAs: string })[];
}

export async function assembleJwks(inputs: JwksInput[]): Promise<AssembledJwks> {
  const keys: JwksEntry[] = [];
  const jwkList: Record<string, unknown>[] = [];
  const duplicates: AssembledJwks['duplicates'] = [];
  for (const { source, key } of inputs) {
    if (key.kind === 'secret') {
      throw new UsageError(
        `"${source}" holds an HMAC secret, which must never be published in a JWKS`,
        'ERR_KEYS_JWKS_SECRET',
        {
          hint: 'a JWKS carries public keys only; give it asymmetric keys (RS/PS/ES/EdDSA)',
        },
      );
    }
    let pub;
    try {
      pub = publicJwk(key);
    } catch (err) {
      // publicJwk's own errors (an RSA-PSS OID key) are InputErrors; name the input they came from.
      if (isApikitError(err))
        throw new InputError(`"${source}": ${err.message}`, err.code, { hint: err.hint ?? undefined });
      throw err;
    }
    const { thumbprint: tp } = await thumbprint(pub);
    const kid = key.kid ?? tp;
    const earlier = keys.find((k) => k.thumbprint === tp);
    if (earlier) {
      duplicates.push({ source, kid, thumbprint: tp, sameAs: earlier.source });
      continue;
    }
    const clash = keys.find((k) => k.kid === kid);
    if (clash) {
      // RFC 7517 §4.5: verifiers pick the key by kid, so two different keys under one kid break verification.
      throw new UsageError(
        `kid "${terminalSafe(kid, 100)}" names two different keys ("${clash.source}" and "${source}")`,
        'ERR_KEYS_JWKS_KID_CLASH',
        {
          hint: 'give each key its own kid, or drop one of them',
        },
      );
    }
    const entry: Record<string, unknown> = { ...pub, kid };
    const algs = algorithmsForKey(key.key);
    // alg only when the key says so or only one algorithm fits (EC curve, Ed25519); an RSA key serves six.
    const alg = key.alg ?? (algs.length === 1 ? algs[0] : undefined);
    if (alg !== undefined) entry.alg = alg;
    entry.use = key.use ?? 'sig';
    keys.push({ source, kid, thumbprint: tp });
    jwkList.push(entry);
  }
  return { jwks: { keys: jwkList }, keys, duplicates };
}
