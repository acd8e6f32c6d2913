import { InputError, UsageError } from '../errors.js';
import {
  addToKeyring,
  allowedAlgorithms,
  HMAC_ALGS,
  parseAlgList,
  secretKeyFromText,
  type Keyring,
} from '../lib/jwt/keyring.js';
import type { JwtWarning as LibWarning } from '../lib/jwt/lint.js';
import { verifyingSecretWarnings } from '../lib/jwt/secret-warnings.js';
import { verifyToken, type VerifyPolicy } from '../lib/jwt/verify.js';
import { defaultClock } from './clock.js';
import { instantMs, readKeyInput } from './key-input.js';
import type { Clock, Instant, JsonObject, JwsAlgorithm, JwtWarning, KeyInput } from './types.js';

/** The stable verdict codes (README "jwt verify"): scripts and programs switch on them. */
export type VerdictCode =
  | 'valid'
  | 'malformed'
  | 'too_large'
  | 'jwe_not_supported'
  | 'json_serialization_not_supported'
  | 'alg_not_allowed'
  | 'crit_unsupported'
  | 'b64_unsupported'
  | 'kid_not_found'
  | 'signature_invalid'
  | 'expired'
  | 'not_yet_valid'
  | 'iat_future'
  | 'too_old'
  | 'claim_invalid'
  | 'iss_mismatch'
  | 'aud_mismatch'
  | 'sub_mismatch'
  | 'typ_mismatch'
  | 'scope_missing'
  | 'claim_missing'
  | 'claim_mismatch'
  | 'key_unusable';

/** The answer for one token — the same verdict `apikit jwt verify --json` prints. */
export interface JwtVerdict {
  valid: boolean;
  code: VerdictCode;
  /** One line for people: "expired 4m12s ago", `kid "k2" not in JWKS`. */
  reason: string;
  /** Present once the token could be decoded (null for malformed input). */
  header: JsonObject | null;
  payload: JsonObject | null;
  /** Which key verified the signature (`keys[0] (EC P-256)`), when one did. */
  key: string | null;
  /** Set-up warnings (a skipped key, a weak secret) first, then the token's lint findings. */
  warnings: JwtWarning[];
}

/**
 * What a token is verified against, and the policy. Algorithms come from the keys (or `algorithms` ∩ keys), never
 * from the token; `none` is never accepted (RFC 8725 §3.1).
 */
export interface VerifyJwtOptions {
  /** Public keys (or private keys, reduced to their public half), JWKs or JWKS. */
  keys?: KeyInput | KeyInput[];
  /** An HMAC secret (its UTF-8 bytes are the key). Key material given as a secret is refused (RFC 8725 §2.1). */
  secret?: string;
  /** Passphrase for encrypted PKCS#8 keys among `keys`. */
  passphrase?: string;
  /** Allow only these algorithms (intersected with what the keys support). */
  algorithms?: JwsAlgorithm[];
  /** Require this `iss`. */
  issuer?: string;
  /** Require this `aud` (any of them, when several). */
  audience?: string | string[];
  /** Require this `sub`. */
  subject?: string;
  /** Require this header `typ` (e.g. `at+jwt`, RFC 9068). */
  typ?: string;
  /** Clock skew allowed for exp/nbf/iat, in seconds. Default 0. */
  leewaySeconds?: number;
  /** Reject tokens issued (`iat`) longer ago than this many seconds. */
  maxAgeSeconds?: number;
  /** Claims that must be present. */
  requireClaims?: string[];
  /** Claims that must be present with this value (equal JSON, or an array containing it). */
  claimValues?: Record<string, unknown>;
  /** Scopes that must be granted in `scope` or `scp`. */
  requireScopes?: string[];
  /** Refuse tokens larger than this many bytes. Default 65536. */
  maxBytes?: number;
  /** The clock for exp/nbf/iat. Default: the wall clock. */
  clock?: Clock;
}

/** Verifies one token; the keys were read once, when the verifier was made. */
export type JwtVerifier = (token: string, now?: Instant) => Promise<JwtVerdict>;

/**
 * Reads the keys and the policy once and returns a function that verifies tokens against them — for verifying
 * many tokens (the same set-up `apikit jwt verify` uses for a batch on stdin).
 *
 * @throws an {@link ApikitErrorInfo} for a key that cannot be read (`ERR_KEY_*`), no key at all (`ERR_JWT_NO_KEY`),
 *   no usable key (`ERR_JWT_NO_USABLE_KEY`), an unknown or impossible algorithm (`ERR_JWT_ALG_*`).
 */
export function createJwtVerifier(options: VerifyJwtOptions): JwtVerifier {
  const { ring, warnings } = keyring(options);
  const policy: VerifyPolicy = {
    algorithms: allowedAlgorithms(ring, parseAlgList(options.algorithms ?? [])),
    issuer: options.issuer,
    audience: options.audience === undefined ? [] : [options.audience].flat(),
    subject: options.subject,
    typ: options.typ,
    leewaySec: nonNegative('leewaySeconds', options.leewaySeconds ?? 0),
    maxAgeSec:
      options.maxAgeSeconds === undefined ? undefined : nonNegative('maxAgeSeconds', options.maxAgeSeconds),
    requireClaims: [
      ...(options.requireClaims ?? []).map((name) => ({ name, hasValue: false })),
      ...Object.entries(options.claimValues ?? {}).map(([name, value]) => ({ name, value, hasValue: true })),
    ],
    requireScopes: options.requireScopes ?? [],
    ...(options.maxBytes === undefined ? {} : { maxBytes: options.maxBytes }),
  };
  const clock = options.clock ?? defaultClock;
  return async (token, now) => {
    const verdict = await verifyToken(token, ring, policy, instantMs(now, clock.now));
    return { ...verdict, warnings: [...warnings, ...verdict.warnings] };
  };
}

/**
 * Verifies a JWT's signature and claims against your keys — the library form of `apikit jwt verify`. A bad token
 * is not an exception: the verdict says what is wrong (`valid: false`, a stable `code`). Reads the keys on every
 * call; for many tokens use {@link createJwtVerifier}.
 */
export function verifyJwt(token: string, options: VerifyJwtOptions): Promise<JwtVerdict> {
  return createJwtVerifier(options)(token);
}

function keyring(options: VerifyJwtOptions): { ring: Keyring; warnings: LibWarning[] } {
  const ring: Keyring = { entries: [], skipped: [], name: 'the given keys' };
  const warnings: LibWarning[] = [];
  const inputs =
    options.keys === undefined ? [] : Array.isArray(options.keys) ? options.keys : [options.keys];
  if (inputs.length === 0 && options.secret === undefined) {
    throw new UsageError('verifying a JWT needs a key: give keys or a secret', 'ERR_JWT_NO_KEY');
  }
  inputs.forEach((input, i) => {
    const set = readKeyInput(input, inputs.length === 1 ? 'key' : `keys[${i}]`, options.passphrase);
    if (set.format === 'jwks') ring.name = 'JWKS';
    for (const k of set.keys) {
      if (k.kind === 'secret')
        warnings.push(...verifyingSecretWarnings(k.key.export().toString('utf8'), set.source));
    }
    addToKeyring(ring, set.keys, set.source, { allowSecrets: true, flag: 'keys' });
  });
  if (options.secret !== undefined) {
    ring.entries.push({
      key: secretKeyFromText(options.secret, 'the secret'),
      kid: undefined,
      algs: [...HMAC_ALGS],
      label: 'the secret',
    });
    warnings.push(...verifyingSecretWarnings(options.secret, 'the secret'));
  }
  for (const s of ring.skipped) warnings.push({ id: 'key_skipped', message: `key not used: ${s}` });
  if (ring.entries.length === 0) {
    throw new InputError(
      `none of the given keys can verify a JWS${ring.skipped[0] ? ` (${ring.skipped[0]})` : ''}`,
      'ERR_JWT_NO_USABLE_KEY',
    );
  }
  return { ring, warnings };
}

function nonNegative(name: string, value: number): number {
  if (!Number.isFinite(value) || value < 0) {
    throw new UsageError(`${name} ${value} is not a number of seconds (0 or more)`, 'ERR_USAGE_DURATION');
  }
  return value;
}
