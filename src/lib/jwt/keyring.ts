import { createSecretKey, type KeyObject } from 'node:crypto';
import { InputError } from '../../errors.js';
import {
  algorithmsForKey,
  isJwsAlgorithm,
  JWS_ALGORITHMS,
  MIN_RSA_BITS,
  type JwsAlgorithm,
} from '../keys/algorithms.js';
import { keyMaterialIn } from '../keys/key-material.js';
import type { LoadedKey } from '../keys/load.js';
import { describePssParameters, pssAlgorithms, rsaEncryptionPublicKey } from './rsa-pss.js';

/**
 * The keys a verification may use, each with the algorithms IT allows (RFC 8725 §3.1: the algorithm comes
 * from the key, never from the token). The token's kid only selects among these; nothing in a token adds a key.
 */
export interface KeyringEntry {
  /**
   * Public key or HMAC secret — a private key is reduced to its public half. For an RSASSA-PSS key, the same
   * modulus as an rsaEncryption key, which jose can use for the claim checks (see `pss`).
   */
  key: KeyObject;
  /** An RSASSA-PSS-OID key: node:crypto checks the signature with it, under the key's own PSS limits. */
  pss?: KeyObject;
  kid: string | undefined;
  algs: JwsAlgorithm[];
  /** For messages: `keys.jwks kid "k1" (EC P-256)`. */
  label: string;
}

export interface Keyring {
  entries: KeyringEntry[];
  /** How verdicts name the key source: "JWKS" or "the given keys". */
  name: string;
  /** Keys that were given but cannot verify anything, with the reason (shown as warnings). */
  skipped: string[];
}

export const HMAC_ALGS: JwsAlgorithm[] = ['HS256', 'HS384', 'HS512'];

export function describeKey(k: LoadedKey): string {
  switch (k.kty) {
    case 'RSA':
      return `${k.rsaPssOid ? 'RSA-PSS' : 'RSA'} ${k.bits ?? '?'}`;
    case 'EC':
    case 'OKP':
      return k.crv ?? k.kty;
    case 'oct':
      return `HMAC ${k.bits ?? '?'}-bit`;
  }
}

/**
 * Turns loaded keys into keyring entries. `allowSecrets` is false for key sets fetched from a URL: a published
 * JWKS holding a symmetric key is a misconfiguration, and such a key must not verify anything. `flag` names the
 * flag the keys came with in messages (`--key`, `--jwks`). Members quoted from the key file (kid, use, alg) are
 * JSON strings here; whoever shows these texts on a terminal passes them through terminalSafe.
 */
export function addToKeyring(
  ring: Keyring,
  keys: LoadedKey[],
  source: string,
  options: { allowSecrets: boolean; flag?: string },
): void {
  for (const k of keys) {
    const label = `${source}${k.kid !== undefined ? ` kid ${JSON.stringify(k.kid)}` : ''} (${describeKey(k)})`;
    if (k.use !== undefined && k.use !== 'sig') {
      ring.skipped.push(`${label}: "use" is ${JSON.stringify(k.use)}, not "sig"`);
      continue;
    }
    if (k.kind === 'secret' && !options.allowSecrets) {
      ring.skipped.push(`${label}: a symmetric key in a published key set is never used`);
      continue;
    }
    // A "secret" that is really a public key would let anyone forge HS* tokens (RFC 8725 §2.1).
    if (k.kind === 'secret')
      refuseKeyMaterial(
        k.key.export(),
        `key "${source}"${k.kid !== undefined ? ` kid ${JSON.stringify(k.kid)}` : ''}${options.flag ? ` (${options.flag})` : ''}`,
      );
    const publicKey = k.kind === 'private' ? k.publicKey! : k.key;
    // HMAC secrets of any length may VERIFY (the short ones get a warning); minting refuses them.
    let algs =
      k.kind === 'secret' ? [...HMAC_ALGS] : k.rsaPssOid ? pssAlgorithms(publicKey) : algorithmsForKey(k.key);
    if (k.kty === 'RSA' && (k.bits ?? 0) < MIN_RSA_BITS) {
      ring.skipped.push(`${label}: RSA keys under 2048 bits are refused (RFC 8725 §3.5)`);
      continue;
    }
    if (k.rsaPssOid && algs.length === 0) {
      ring.skipped.push(
        `${label}: its RSASSA-PSS parameters (${describePssParameters(publicKey)}) fit no JWS algorithm (PS256/384/512 use MGF1 with the same hash and a salt as long as the hash, RFC 7518 §3.5)`,
      );
      continue;
    }
    if (k.alg !== undefined) {
      // A JWK's "alg" pins it to that one algorithm (RFC 7517 §4.4).
      algs = algs.filter((a) => a === k.alg);
    }
    if (algs.length === 0) {
      ring.skipped.push(
        `${label}: usable with no JWS algorithm${k.alg !== undefined ? ` (its "alg" is ${JSON.stringify(k.alg)})` : ''}`,
      );
      continue;
    }
    if (k.rsaPssOid) {
      ring.entries.push({
        key: rsaEncryptionPublicKey(publicKey),
        pss: publicKey,
        kid: k.kidFrom === undefined ? k.kid : undefined,
        algs,
        label,
      });
      continue;
    }
    // A kid adopted from the JWKS beside a PEM (kidFrom) labels the key; it does not restrict which tokens the
    // key the user named may verify (a PEM carries no kid of its own, and tokens minted before may carry another).
    ring.entries.push({ key: publicKey, kid: k.kidFrom === undefined ? k.kid : undefined, algs, label });
  }
}

/**
 * An HMAC secret given with --secret-env/--secret-file. Key material is refused: using a public key's bytes as
 * an HMAC secret is exactly the RS256→HS256 key-confusion attack (RFC 8725 §2.1).
 */
export function secretKeyFromText(text: string, what: string): KeyObject {
  if (text.includes('\uFFFD')) {
    // Bytes that are not UTF-8 were replaced while reading: the secret used would not be the file's bytes
    // (and a DER key file read this way is still a public value an attacker can reproduce).
    throw new InputError(`${what} is binary, not a line of text`, 'ERR_JWT_SECRET_BINARY', {
      hint: 'give a binary HMAC secret with --key FILE, which uses its bytes as they are',
    });
  }
  const bytes = Buffer.from(text, 'utf8');
  refuseKeyMaterial(bytes, what);
  return createSecretKey(bytes);
}

/**
 * Throws when "secret" bytes are really an asymmetric key or certificate, in whatever form. The attacker knows
 * a public key's bytes, so a verifier that HMACs with them accepts forgeries (RFC 8725 §2.1). Besides PEM and
 * JWK text this covers DER files (`openssl pkey -pubout -outform DER`), the bare base64 DER body some servers
 * publish as "the public key" (e.g. Keycloak's realm `public_key`) and OpenSSH public keys.
 */
export function refuseKeyMaterial(bytes: Uint8Array, what: string): void {
  const form = keyMaterialIn(bytes);
  if (form === undefined) return;
  throw new InputError(
    `${what} is ${form}, not an HMAC secret; key material is never used as HMAC bytes (RFC 8725 §2.1)`,
    'ERR_JWT_SECRET_IS_KEY',
    { hint: 'pass public and private keys as PEM or JWK with --key (or --jwks)' },
  );
}

/** Parses --alg values ("ES256", "RS256,PS256"), refusing "none" in every casing and unknown names. */
export function parseAlgList(values: string[]): JwsAlgorithm[] {
  const out: JwsAlgorithm[] = [];
  for (const v of values
    .flatMap((s) => s.split(','))
    .map((s) => s.trim())
    .filter(Boolean)) {
    if (v.toLowerCase() === 'none') {
      throw new InputError(
        '--alg none is never allowed: an unsigned token proves nothing (RFC 8725 §3.1)',
        'ERR_JWT_ALG_NONE',
      );
    }
    if (!isJwsAlgorithm(v)) {
      throw new InputError(
        `--alg "${v}" is not a JWS algorithm (one of ${JWS_ALGORITHMS.join(', ')})`,
        'ERR_JWT_ALG_UNKNOWN',
      );
    }
    if (!out.includes(v)) out.push(v);
  }
  return out;
}

/**
 * The allow-list for a verification: --alg intersected with what the keys support, or (without --alg) the
 * keys' algorithms. An --alg that no key can use is a usage error — e.g. `--alg HS256` with an RSA public key.
 */
export function allowedAlgorithms(ring: Keyring, requested: JwsAlgorithm[]): JwsAlgorithm[] {
  const supported = new Set(ring.entries.flatMap((e) => e.algs));
  if (requested.length === 0) return JWS_ALGORITHMS.filter((a) => supported.has(a));
  const allowed = requested.filter((a) => supported.has(a));
  if (allowed.length === 0) {
    throw new InputError(
      `--alg ${requested.join(',')} cannot be used with the given keys (they support ${[...supported].join(', ') || 'nothing'})`,
      'ERR_JWT_ALG_KEY_MISMATCH',
      { hint: 'an RSA/EC/OKP key never verifies HS* tokens: that would be key confusion (RFC 8725 §2.1)' },
    );
  }
  return allowed;
}

export type KeySelection =
  | { ok: true; candidates: KeyringEntry[] }
  | { ok: false; code: 'kid_not_found' | 'alg_not_allowed'; reason: string };

/**
 * Candidates for one token: keys that allow its alg and whose kid matches the token's (a key without a kid,
 * such as a PEM file, matches any kid). A token kid that names none of the user's keys is kid_not_found.
 */
export function selectKeys(ring: Keyring, alg: JwsAlgorithm, kid: string | undefined): KeySelection {
  const forAlg = ring.entries.filter((e) => e.algs.includes(alg));
  if (kid === undefined) {
    if (forAlg.length === 0)
      return { ok: false, code: 'alg_not_allowed', reason: `no given key verifies ${alg}` };
    return { ok: true, candidates: forAlg };
  }
  const candidates = forAlg.filter((e) => e.kid === undefined || e.kid === kid);
  if (candidates.length > 0) return { ok: true, candidates };
  const named = ring.entries.filter((e) => e.kid === kid);
  if (named.length > 0) {
    return {
      ok: false,
      code: 'alg_not_allowed',
      reason: `kid ${JSON.stringify(kid)} is a key for ${named[0]!.algs.join('/')}, not ${alg}`,
    };
  }
  return {
    ok: false,
    code: 'kid_not_found',
    reason: `kid ${JSON.stringify(kid).slice(0, 80)} not in ${ring.name}`,
  };
}
