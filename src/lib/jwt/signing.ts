import { InputError, UsageError } from '../../errors.js';
import {
  algorithmsForKey,
  CURVE_ALG,
  HMAC_MIN_BYTES,
  isJwsAlgorithm,
  MIN_RSA_BITS,
  type JwsAlgorithm,
} from '../keys/algorithms.js';
import type { KeySet, LoadedKey } from '../keys/load.js';
import { terminalSafe } from '../text/terminal-safe.js';
import { describeKey, refuseKeyMaterial } from './keyring.js';
import type { JwtWarning } from './lint.js';
import type { JsonObject } from './parse.js';
import { describePssParameters, isPssAlgorithm, pssAlgorithms, signCompactPss } from './rsa-pss.js';
import { isWeakSecret } from './weak-secrets.js';

/**
 * The signing algorithm for a key: --alg when the key supports it, else the JWK "alg", else the one the key
 * type implies (EC curve → ES*, Ed25519 → EdDSA, secret → HS256). RSA supports six algorithms and must say
 * which. Refuses "none", short HMAC secrets (RFC 7518 §3.2) and RSA under 2048 bits (RFC 7518 §3.3).
 */
export function signingAlgorithm(k: LoadedKey, source: string, requested?: string): JwsAlgorithm {
  // The kid and alg come from the key file: JSON-quoted and sanitised, as they end up in an error line.
  const what = terminalSafe(
    `key "${source}"${k.kid !== undefined ? ` kid ${JSON.stringify(k.kid)}` : ''} (${describeKey(k)})`,
  );
  if (requested !== undefined && requested.toLowerCase() === 'none') {
    throw new InputError(
      'refusing alg "none": an unsigned token proves nothing (RFC 8725 §3.1)',
      'ERR_JWT_ALG_NONE',
    );
  }
  if (requested !== undefined && !isJwsAlgorithm(requested)) {
    throw new InputError(`--alg "${requested}" is not a JWS algorithm`, 'ERR_JWT_ALG_UNKNOWN', {
      hint: 'one of HS256 HS384 HS512 RS256 RS384 RS512 PS256 PS384 PS512 ES256 ES384 ES512 EdDSA',
    });
  }
  if (k.kind === 'public') {
    throw new InputError(`${what} is a public key; signing needs the private key`, 'ERR_JWT_PUBLIC_KEY', {
      hint: 'pass the private key file (e.g. NAME.key.pem) with --key',
    });
  }
  if (k.kty === 'RSA' && (k.bits ?? 0) < MIN_RSA_BITS) {
    throw new InputError(
      `${what}: RSA keys under ${MIN_RSA_BITS} bits are refused (RFC 7518 §3.3)`,
      'ERR_JWT_RSA_TOO_SMALL',
      {
        hint: 'apikit keys generate --alg RS256 --out NAME',
      },
    );
  }
  if (k.rsaPssOid) return pssSigningAlgorithm(k, what, requested);
  let alg: string | undefined = requested ?? k.alg;
  if (alg === undefined) {
    if (k.kty === 'EC') alg = CURVE_ALG[k.crv ?? ''];
    else if (k.kty === 'OKP' && k.crv === 'Ed25519') alg = 'EdDSA';
    else if (k.kty === 'oct') alg = 'HS256';
    else if (k.kty === 'RSA') {
      throw new InputError(
        `${what}: an RSA key can sign RS256/384/512 or PS256/384/512; choose with --alg`,
        'ERR_JWT_ALG_REQUIRED',
        {
          hint: 'e.g. --alg PS256 (or RS256 for older verifiers)',
        },
      );
    }
  }
  if (alg === undefined || !isJwsAlgorithm(alg)) {
    throw new InputError(`${what} cannot sign any JWS algorithm`, 'ERR_JWT_KEY_UNSUPPORTED');
  }
  if (k.kty === 'oct') {
    // A DER or base64 key file reads as "binary secret" bytes; signing HMACs with key material is never meant.
    refuseKeyMaterial(k.key.export(), `key "${source}"`);
    if (!alg.startsWith('HS'))
      throw new InputError(`${what} is an HMAC secret; it cannot sign ${alg}`, 'ERR_JWT_ALG_KEY_MISMATCH');
    const min = HMAC_MIN_BYTES[alg as 'HS256' | 'HS384' | 'HS512'];
    const size = k.key.symmetricKeySize ?? 0;
    if (size < min) {
      throw new InputError(
        `${what}: the HMAC secret is ${size} bytes; ${alg} needs at least ${min} (RFC 7518 §3.2)`,
        'ERR_JWT_SECRET_TOO_SHORT',
        { hint: 'apikit keys generate --alg HS256 --out NAME  (or: openssl rand -base64 48)' },
      );
    }
    return alg;
  }
  const supported = algorithmsForKey(k.key);
  if (!supported.includes(alg)) {
    throw new InputError(
      `${what} cannot sign ${alg} (it supports ${supported.join(', ') || 'nothing'})`,
      'ERR_JWT_ALG_KEY_MISMATCH',
    );
  }
  if (k.alg !== undefined && k.alg !== alg) {
    throw new InputError(
      `${what} is pinned to "alg": ${terminalSafe(JSON.stringify(k.alg), 60)} in its JWK; it will not sign ${alg}`,
      'ERR_JWT_ALG_KEY_MISMATCH',
    );
  }
  return alg;
}

/**
 * An RSASSA-PSS-OID key (src/lib/jwt/rsa-pss.ts) signs the PS* algorithm its own parameters allow: that one by
 * default, any of the three (chosen with --alg) when it is unrestricted, none when its parameters fit no JWS alg.
 */
function pssSigningAlgorithm(k: LoadedKey, what: string, requested: string | undefined): JwsAlgorithm {
  const allowed = pssAlgorithms(k.key);
  const params = describePssParameters(k.key);
  if (allowed.length === 0) {
    throw new InputError(
      `${what}: its RSASSA-PSS parameters (${params}) fit no JWS algorithm (PS256/384/512 use MGF1 with the same hash and a salt as long as the hash, RFC 7518 §3.5)`,
      'ERR_JWT_KEY_UNSUPPORTED',
      {
        hint: 'openssl genpkey -algorithm RSA-PSS -pkeyopt rsa_pss_keygen_md:sha256 -pkeyopt rsa_pss_keygen_mgf1_md:sha256',
      },
    );
  }
  if (requested === undefined) {
    if (allowed.length === 1) return allowed[0]!;
    throw new InputError(
      `${what}: an unrestricted RSA-PSS key can sign PS256/384/512; choose with --alg`,
      'ERR_JWT_ALG_REQUIRED',
      { hint: 'e.g. --alg PS256' },
    );
  }
  if (!allowed.includes(requested as JwsAlgorithm)) {
    throw new InputError(
      `${what} cannot sign ${requested}: its RSASSA-PSS parameters (${params}) allow ${allowed.join(', ')}`,
      'ERR_JWT_ALG_KEY_MISMATCH',
    );
  }
  return requested as JwsAlgorithm;
}

/**
 * The one key of a key file that signs: the only key, else the one --kid names, else the only private key
 * (a JWKS may hold public keys beside it). `source` names the file in messages.
 */
export function pickSigningKey(set: KeySet, source: string, kid: string | undefined): LoadedKey {
  let keys = set.keys;
  if (keys.length > 1) {
    if (kid !== undefined) keys = keys.filter((k) => k.kid === kid);
    else keys = keys.filter((k) => k.kind !== 'public');
    if (keys.length !== 1) {
      // The kids come from the key file: sanitised for the error line.
      const kids = terminalSafe(set.keys.map((k) => JSON.stringify(k.kid ?? '(no kid)')).join(', '));
      throw new UsageError(
        kid !== undefined
          ? `key "${source}" has no key with kid ${terminalSafe(JSON.stringify(kid), 100)} (it has ${kids})`
          : `key "${source}" holds ${set.keys.length} keys; choose one with --kid (${kids})`,
        'ERR_JWT_KEY_CHOICE',
      );
    }
  }
  return keys[0]!;
}

/**
 * Signs `payload` under `header` (whose `alg` is `alg`) as a compact JWS: jose's CompactSign, or node:crypto for an
 * RSASSA-PSS-OID key, which jose cannot use (it signs within the key's own PSS parameters). A failure is an
 * InputError with code ERR_JWT_SIGN, or ERR_JWT_SIGN_<X> for jose's ERR_<X>.
 */
export async function signJwt(
  header: JsonObject,
  payload: JsonObject,
  alg: JwsAlgorithm,
  key: LoadedKey,
): Promise<string> {
  const bytes = new TextEncoder().encode(JSON.stringify(payload));
  try {
    if (key.rsaPssOid) {
      if (!isPssAlgorithm(alg)) throw new Error(`${alg} is not an RSASSA-PSS algorithm`);
      return signCompactPss(header, bytes, alg, key.key);
    }
    // Loaded on first use: only signing pays for jose's signer (not a verify or mint that fails before it).
    const { CompactSign } = await import('jose/jws/compact/sign');
    return await new CompactSign(bytes).setProtectedHeader(header as { alg: string }).sign(key.key);
  } catch (err) {
    const code = (err as { code?: string }).code ?? '';
    throw new InputError(
      `cannot sign with ${alg}: ${(err as Error).message}`,
      code.startsWith('ERR_') ? `ERR_JWT_SIGN_${code.slice(4)}` : 'ERR_JWT_SIGN',
    );
  }
}

/** A warning when the HMAC secret that signs is a well-known one. `what` names it: `key "k.txt"`. */
export function weakSigningSecret(text: string, what: string): JwtWarning[] {
  if (!isWeakSecret(text)) return [];
  return [
    { id: 'weak_secret', message: `${what} is a well-known HMAC secret: anyone can forge tokens with it` },
  ];
}
