import type { JwtWarning } from './lint.js';
import type { JsonObject } from './parse.js';

/**
 * The answer of `jwt verify` for one token. `code` values are stable and documented: scripts switch on them.
 */
export const VERDICT_CODES = [
  'valid',
  'malformed',
  'too_large',
  'jwe_not_supported',
  'json_serialization_not_supported',
  'alg_not_allowed',
  'crit_unsupported',
  'b64_unsupported',
  'kid_not_found',
  'signature_invalid',
  'expired',
  'not_yet_valid',
  'iat_future',
  'too_old',
  'claim_invalid',
  'iss_mismatch',
  'aud_mismatch',
  'sub_mismatch',
  'typ_mismatch',
  'scope_missing',
  'claim_missing',
  'claim_mismatch',
  'key_unusable',
] as const;
export type VerdictCode = (typeof VERDICT_CODES)[number];

export interface Verdict {
  valid: boolean;
  code: VerdictCode;
  /** One line for people: "expired 4m12s ago", "kid \"k2\" not in JWKS". */
  reason: string;
  /** Present once the token could be decoded (null for malformed input). */
  header: JsonObject | null;
  payload: JsonObject | null;
  /** The key that verified the signature (label), when one did. */
  key: string | null;
  warnings: JwtWarning[];
}
