import { lintToken } from '../lib/jwt/lint.js';
import { decodeToken } from '../lib/jwt/decode-token.js';
import { timeClaims } from '../lib/jwt/times.js';
import { DEFAULT_MAX_TOKEN_BYTES, extractToken } from '../lib/jwt/token-text.js';
import { defaultClock } from './clock.js';
import { instantMs } from './key-input.js';
import type { Instant, JsonObject, JwtWarning } from './types.js';

/** A NumericDate claim (`exp`, `nbf`, `iat`, `auth_time`) read as an instant and relative to now. */
export interface TimeClaim {
  claim: 'exp' | 'nbf' | 'iat' | 'auth_time';
  /** The value as the token holds it (a number of seconds, or whatever else it holds). */
  value: unknown;
  /** ISO-8601 UTC, when the value is a usable number of seconds. */
  iso: string | undefined;
  /** "expires in 14m", "expired 3h ago", "issued 2m ago". */
  relative: string | undefined;
}

export interface DecodeJwtOptions {
  /** The time that `times` and the `expired`/`nbf_future` warnings are relative to. Default: the wall clock. */
  now?: Instant;
  /** Refuse tokens larger than this many bytes. Default 65536 (the CLI's `--max-size` default). */
  maxBytes?: number;
}

/** What a token says about itself. Nothing in it is verified: `verified` is always false. */
export interface DecodedJwt {
  verified: false;
  header: JsonObject;
  payload: JsonObject;
  /** The signature as the token carries it (base64url). */
  signature: string;
  times: TimeClaim[];
  /** RFC 8725 lint findings (`alg_none`, `exp_missing`, `expired`, `sensitive_claim`, …). */
  warnings: JwtWarning[];
}

/**
 * Decodes a compact JWT **without verifying it** — the library form of `apikit jwt decode`. Accepts the bare token,
 * `Bearer <token>` or a whole `Authorization:` header line.
 *
 * @throws an {@link ApikitErrorInfo} with code `ERR_JWT_MALFORMED`, `ERR_JWT_TOO_LARGE`, `ERR_JWT_JWE` (an
 *   encrypted token) or `ERR_JWT_JSON_SERIALIZATION` when the input is not a decodable compact JWS.
 */
export function decodeJwt(token: string, options: DecodeJwtOptions = {}): DecodedJwt {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_TOKEN_BYTES;
  const text = extractToken(token);
  // No CLI hints (--max-size): the library's caller has an option, not a flag.
  const decoded = decodeToken(text, maxBytes, { hints: false });
  const now = instantMs(options.now, defaultClock.now);
  return {
    verified: false,
    header: decoded.header,
    payload: decoded.payload,
    signature: decoded.signature,
    times: timeClaims(decoded.payload, now),
    warnings: lintToken(decoded.header, decoded.payload, now),
  };
}
