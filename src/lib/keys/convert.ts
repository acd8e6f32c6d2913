import type { JsonWebKey } from 'node:crypto';
import { InputError, UsageError } from '../../errors.js';
import { publicJwk, type LoadedKey } from './load.js';

/**
 * Key format conversion for `apikit keys convert` and `apikit keys jwks`. PEM output is PKCS#8 for private
 * keys and SPKI for public keys — the two forms every library reads — so a public key converted PEM → JWK →
 * PEM comes back byte for byte.
 */
export type ConvertTarget = 'jwk' | 'pem';

export interface Converted {
  /** What the output holds: "private" and "secret" outputs are written 0600. */
  kind: LoadedKey['kind'];
  /** The output text (PEM, or JSON with a trailing newline). */
  text: string;
  /** The JWK, for --to jwk. */
  jwk: JsonWebKey | undefined;
}

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi'] as const;

export function convertKey(
  loaded: LoadedKey,
  to: ConvertTarget,
  options: { public?: boolean } = {},
): Converted {
  const wantPublic = options.public === true;
  if (loaded.kind === 'secret') {
    if (wantPublic) {
      throw new UsageError('an HMAC secret has no public half (--public)', 'ERR_KEYS_SECRET_PUBLIC', {
        hint: 'HMAC verifiers need the secret itself; share it out of band, never in a JWKS',
      });
    }
    if (to === 'pem') {
      throw new UsageError('an HMAC secret has no PEM form', 'ERR_KEYS_SECRET_PEM', {
        hint: 'use --to jwk for an oct JWK',
      });
    }
  }
  const kind: LoadedKey['kind'] = loaded.kind === 'private' && wantPublic ? 'public' : loaded.kind;
  if (to === 'pem') {
    const text =
      kind === 'private'
        ? (loaded.key.export({ type: 'pkcs8', format: 'pem' }) as string)
        : (loaded.publicKey!.export({ type: 'spki', format: 'pem' }) as string);
    return { kind, text, jwk: undefined };
  }
  const jwk = kind === 'private' ? privateJwk(loaded) : { ...publicJwk(loaded) };
  // Metadata a JWK input carried survives the conversion; none is invented.
  const withMeta: Record<string, unknown> = { ...jwk };
  if (loaded.kid !== undefined) withMeta.kid = loaded.kid;
  if (loaded.alg !== undefined) withMeta.alg = loaded.alg;
  if (loaded.use !== undefined) withMeta.use = loaded.use;
  return { kind, text: JSON.stringify(withMeta, null, 2) + '\n', jwk: withMeta as JsonWebKey };
}

/** A private JWK: the public members in a stable order, then the private ones (RFC 7518 §6.2.2, §6.3.2). */
export function privateJwk(loaded: LoadedKey): JsonWebKey {
  const pub = publicJwk(loaded); // throws the RSA-PSS OID error first
  if (loaded.kind !== 'private') {
    throw new InputError('not a private key', 'ERR_KEYS_NOT_PRIVATE');
  }
  const full = loaded.key.export({ format: 'jwk' });
  const out: Record<string, unknown> = { ...pub };
  for (const member of PRIVATE_MEMBERS) if (full[member] !== undefined) out[member] = full[member];
  return out as JsonWebKey;
}
