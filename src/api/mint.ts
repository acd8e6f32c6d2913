import { randomUUID } from 'node:crypto';
import { UsageError } from '../errors.js';
import { refuseKeyMaterial, secretKeyFromText } from '../lib/jwt/keyring.js';
import { isInformational, lintToken } from '../lib/jwt/lint.js';
import { buildClaims, mintTimes } from '../lib/jwt/mint-claims.js';
import { mintAlgorithm, mintHeader } from '../lib/jwt/mint-header.js';
import { pickSigningKey, signJwt, weakSigningSecret } from '../lib/jwt/signing.js';
import { MILLISECONDS_THRESHOLD } from '../lib/jwt/times.js';
import { loadedKeyFromKeyObject, type LoadedKey } from '../lib/keys/load.js';
import { defaultClock } from './clock.js';
import { instantMs, readKeyInput } from './key-input.js';
import type { Clock, JsonObject, JwsAlgorithm, JwtWarning, KeyInput } from './types.js';

/**
 * When a time claim is: a duration from now (`"15m"`, `"-5m"`), an instant as text (ISO-8601 or Unix seconds), a
 * Date, or a NumericDate (a number of **seconds** since the epoch, as the claim itself holds it).
 */
export type ClaimTime = string | number | Date;

export interface MintJwtOptions {
  /** The signing key: a private key (PEM, JWK, or a JWKS with `kid` choosing the key), or a raw HMAC secret file. */
  key?: KeyInput;
  /** An HMAC secret (its UTF-8 bytes are the key); instead of `key`. */
  secret?: string;
  /** Passphrase for an encrypted PKCS#8 key. */
  passphrase?: string;
  /** Default: from the key (EC curve → ES*, Ed25519 → EdDSA, secret → HS256, a JWK's `alg`); RSA keys need one. */
  alg?: JwsAlgorithm;
  /** Header `kid`, and the key of a JWKS to sign with. Default: the key's kid, else its RFC 7638 thumbprint. */
  kid?: string;
  /** Header `typ`. Default `JWT` (`at+jwt` for RFC 9068 access tokens). */
  typ?: string;
  /** Extra header members. `alg`, `crit` and `b64` cannot be set. */
  header?: Record<string, unknown>;
  /** Claims to start from; the options below override them. */
  claims?: JsonObject;
  iss?: string;
  sub?: string;
  /** One audience, or several (an array claim). */
  aud?: string | string[];
  /** Space-delimited scopes. */
  scope?: string;
  /** `exp`. Default 15 minutes from now (unless `claims` has one); null: no `exp` (the token never expires). */
  exp?: ClaimTime | null;
  nbf?: ClaimTime;
  /** `iat`. Default now (unless `claims` has one); null: no `iat`. */
  iat?: ClaimTime | null;
  /** `jti`; true: a random UUID. */
  jti?: string | true;
  /** "Now" for the default times and durations. Default: the wall clock. */
  clock?: Clock;
}

export interface MintedJwt {
  /** The compact JWS. */
  token: string;
  header: JsonObject;
  payload: JsonObject;
  /** Lint findings about what was signed (`exp_missing`, `weak_secret`, …). */
  warnings: JwtWarning[];
}

/** The CLI's `--exp` default (src/commands/jwt/mint.ts DEFAULT_EXP). */
const DEFAULT_EXP_MS = 15 * 60 * 1000;

/**
 * Signs a JWT — the library form of `apikit jwt mint`, with the same refusals: no `none`, no HMAC secret shorter
 * than the hash (RFC 7518 §3.2), no RSA key under 2048 bits, no key material used as an HMAC secret.
 *
 * @throws an {@link ApikitErrorInfo}: `ERR_JWT_NO_KEY`, `ERR_KEY_*`, `ERR_JWT_ALG_*`, `ERR_JWT_TIME`,
 *   `ERR_JWT_HEADER_RESERVED`, `ERR_JWT_SIGN*`.
 */
export async function mintJwt(options: MintJwtOptions): Promise<MintedJwt> {
  const now = (options.clock ?? defaultClock).now();
  const warnings: JwtWarning[] = [];
  const { loaded, source } = signingKey(options, warnings);
  const alg = mintAlgorithm(loaded, source, options.alg, {});
  const aud = options.aud === undefined ? [] : [options.aud].flat();
  const payload = buildClaims({
    base: { ...(options.claims ?? {}) },
    claims: [],
    iss: options.iss,
    sub: options.sub,
    aud,
    scope: options.scope,
    jti: options.jti === true ? randomUUID() : options.jti,
    exp: claimTime('exp', options.exp, now),
    nbf: options.nbf === undefined ? undefined : claimTime('nbf', options.nbf, now)!,
    iat: claimTime('iat', options.iat, now),
    defaults: { exp: now + DEFAULT_EXP_MS, iat: now },
  });
  const header = await mintHeader({
    alg,
    key: loaded,
    base: {},
    // JSON-typed "name=value" members, as `--header` takes them: the same checks (alg, crit, b64 refused).
    members: Object.entries(options.header ?? {}).map(([name, value]) => `${name}=${JSON.stringify(value)}`),
    kid: options.kid,
    typ: options.typ,
  });
  const token = await signJwt(header, payload, alg, loaded);
  warnings.push(...lintToken(header, payload, now).filter((w) => !isInformational(w)));
  return { token, header, payload, warnings };
}

function signingKey(options: MintJwtOptions, warnings: JwtWarning[]): { loaded: LoadedKey; source: string } {
  if (options.secret !== undefined && options.key !== undefined) {
    throw new UsageError('give one key: key, or an HMAC secret', 'ERR_JWT_KEY_TWICE');
  }
  if (options.secret !== undefined) {
    const key = secretKeyFromText(options.secret, 'the secret');
    warnings.push(...weakSigningSecret(options.secret, 'the secret'));
    return { loaded: loadedKeyFromKeyObject(key), source: 'the secret' };
  }
  if (options.key === undefined) {
    throw new UsageError('minting a JWT needs a key: give key or secret', 'ERR_JWT_NO_KEY');
  }
  const set = readKeyInput(options.key, 'key', options.passphrase);
  const loaded = pickSigningKey(set, 'key', options.kid);
  if (loaded.kind === 'secret') {
    // A JWK "oct" key whose bytes are a public key is key confusion too (RFC 8725 §2.1).
    refuseKeyMaterial(loaded.key.export(), 'key');
    warnings.push(...weakSigningSecret(loaded.key.export().toString('utf8'), 'key'));
  }
  return { loaded, source: 'key' };
}

/** Epoch ms for buildClaims; null removes the claim, undefined leaves it to the claims or the default. */
function claimTime(
  name: 'exp' | 'nbf' | 'iat',
  value: ClaimTime | null | undefined,
  now: number,
): number | null | undefined {
  if (value === null || value === undefined) return value;
  if (typeof value === 'string') return mintTimes({ [name]: value }, now)[name];
  // A NumericDate is seconds (RFC 7519 §2). The range is the one timeSpecFlag holds `--exp` to: no time before
  // 1970, none so late that its seconds read as milliseconds.
  const ms = typeof value === 'number' ? value * 1000 : instantMs(value, () => now);
  if (!(ms >= 0 && ms <= MILLISECONDS_THRESHOLD * 1000)) {
    throw new UsageError(
      `${name}: ${String(value)} is outside the NumericDates apikit writes`,
      'ERR_JWT_TIME',
    );
  }
  return ms;
}
