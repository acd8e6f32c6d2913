import { webcrypto, type KeyObject } from 'node:crypto';
import { jwtVerify, type JWTVerifyOptions } from 'jose/jwt/verify';
import { formatDuration } from '../time/duration.js';
import { isJwsAlgorithm, type JwsAlgorithm } from '../keys/algorithms.js';
import { claimMatches, grantedScopes } from './claim-value.js';
import { selectKeys, type Keyring } from './keyring.js';
import { lintToken, type JwtWarning } from './lint.js';
import { decodeJws, type JsonObject } from './parse.js';
import { isPssAlgorithm, pssVerify } from './rsa-pss.js';
import { extractToken, isTokenFormatError, tokenShape, DEFAULT_MAX_TOKEN_BYTES } from './token-text.js';
import type { Verdict, VerdictCode } from './verdict.js';

/**
 * Verifies one compact JWS against the user's keys and policy (RFC 8725). jose checks the signature and the
 * registered claims; the checks around it decide which key may be tried, refuse what jose would accept but a
 * careful verifier should not (duplicate members, crit, b64, iat in the future), and turn every failure into a
 * stable verdict code. Never throws for a bad token: the verdict says what is wrong.
 */
export interface VerifyPolicy {
  /** The allow-list; never from the token, never "none". */
  algorithms: JwsAlgorithm[];
  issuer?: string | undefined;
  audience?: string[] | undefined;
  subject?: string | undefined;
  typ?: string | undefined;
  leewaySec: number;
  maxAgeSec?: number | undefined;
  requireClaims: { name: string; value?: unknown; hasValue: boolean }[];
  requireScopes: string[];
  maxBytes?: number;
}

export async function verifyToken(
  input: string,
  ring: Keyring,
  policy: VerifyPolicy,
  nowMs: number,
): Promise<Verdict> {
  let header: JsonObject | null = null;
  let payload: JsonObject | null = null;
  let warnings: JwtWarning[] = [];
  const fail = (code: VerdictCode, reason: string): Verdict => ({
    valid: false,
    code,
    reason,
    header,
    payload,
    key: null,
    warnings,
  });
  const token = extractToken(input);
  let parts: [string, string, string];
  let signature: Uint8Array;
  try {
    const shape = tokenShape(token, policy.maxBytes ?? DEFAULT_MAX_TOKEN_BYTES);
    if (shape.kind === 'jwe') {
      return fail(
        'jwe_not_supported',
        'this is a JWE (5 parts, encrypted): verify reads signed JWTs (JWS) only',
      );
    }
    if (shape.kind !== 'jws') return fail('malformed', 'not a compact JWS');
    parts = shape.parts;
    const decoded = decodeJws(parts);
    header = decoded.header;
    payload = decoded.payload;
    signature = decoded.signatureBytes;
  } catch (err) {
    if (isTokenFormatError(err)) return fail(err.code, err.message);
    throw err;
  }
  warnings = lintToken(header, payload, nowMs);

  // RFC 8725 §3.1: the alg must be on the allow-list derived from the keys; "none" never is.
  const alg = header.alg;
  if (typeof alg !== 'string') return fail('malformed', 'the header has no "alg" string');
  if (alg.toLowerCase() === 'none')
    return fail('alg_not_allowed', 'alg "none" (unsigned token) is never accepted');
  if (!isJwsAlgorithm(alg) || !policy.algorithms.includes(alg)) {
    return fail(
      'alg_not_allowed',
      `alg ${JSON.stringify(alg).slice(0, 40)} is not allowed (allowed: ${policy.algorithms.join(', ')})`,
    );
  }
  // RFC 7515 §4.1.11: apikit understands no extensions, so any "crit" is unknown and must be rejected.
  if ('crit' in header)
    return fail(
      'crit_unsupported',
      `"crit" ${JSON.stringify(header.crit).slice(0, 60)} names extensions apikit does not understand`,
    );
  // RFC 7797 unencoded payloads are not JWTs (RFC 7797 §7); refuse rather than interpret.
  if ('b64' in header)
    return fail('b64_unsupported', '"b64" header (RFC 7797 unencoded payload) is not allowed in a JWT');
  const kid = header.kid;
  if (kid !== undefined && typeof kid !== 'string') return fail('malformed', '"kid" is not a string');

  const selection = selectKeys(ring, alg, kid);
  if (!selection.ok) return fail(selection.code, selection.reason);

  const options: JWTVerifyOptions = {
    algorithms: [alg],
    currentDate: new Date(nowMs),
    clockTolerance: policy.leewaySec,
    requiredClaims: policy.requireClaims.map((c) => c.name),
  };
  if (policy.issuer !== undefined) options.issuer = policy.issuer;
  if (policy.audience !== undefined && policy.audience.length > 0) options.audience = policy.audience;
  if (policy.subject !== undefined) options.subject = policy.subject;
  if (policy.typ !== undefined) options.typ = policy.typ;
  if (policy.maxAgeSec !== undefined) options.maxTokenAge = policy.maxAgeSec;

  let verifiedBy: string | undefined;
  for (const entry of selection.candidates) {
    // An RSASSA-PSS-OID key: node:crypto checks the signature under the key's own limits first; jose then
    // checks it again with the same modulus as an rsaEncryption key, and the claims, like for any other key.
    if (
      entry.pss &&
      !(isPssAlgorithm(alg) && pssVerify(alg, entry.pss, `${parts[0]}.${parts[1]}`, signature))
    )
      continue;
    try {
      await jwtVerify(token, await verifyingKey(entry.key, alg), options);
      verifiedBy = entry.label;
      break;
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      if (code === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED') continue;
      // jose compares a NumericDate as it is: 1e400 parses as Infinity and "expires in Infinityd".
      const nonFinite = nonFiniteTime(payload);
      if (nonFinite !== undefined && isClaimError(code)) return fail('claim_invalid', nonFinite);
      const mapped = mapJoseError(err, payload, policy, nowMs);
      return fail(mapped.code, mapped.reason);
    }
  }
  if (verifiedBy === undefined) {
    const n = selection.candidates.length;
    return fail(
      'signature_invalid',
      `signature does not verify with ${n === 1 ? selection.candidates[0]!.label : `any of ${n} keys`}`,
    );
  }

  // Checks jose leaves to the caller.
  const nonFinite = nonFiniteTime(payload);
  if (nonFinite !== undefined) return fail('claim_invalid', nonFinite);
  const nowS = nowMs / 1000;
  if ('iat' in payload) {
    if (typeof payload.iat !== 'number' || !Number.isFinite(payload.iat))
      return fail('claim_invalid', '"iat" is not a number');
    if (payload.iat > nowS + policy.leewaySec) {
      return fail(
        'iat_future',
        `issued ${formatDuration((payload.iat - nowS) * 1000)} in the future ("iat")`,
      );
    }
  }
  for (const c of policy.requireClaims) {
    if (c.hasValue && !claimMatches(payload[c.name], c.value)) {
      return fail(
        'claim_mismatch',
        `claim "${c.name}" is ${JSON.stringify(payload[c.name])?.slice(0, 60)}, expected ${JSON.stringify(c.value).slice(0, 60)}`,
      );
    }
  }
  if (policy.requireScopes.length > 0) {
    const granted = grantedScopes(payload);
    const missing = policy.requireScopes.filter((s) => !granted.has(s));
    if (missing.length > 0) {
      const has = 'scope' in payload || 'scp' in payload;
      return fail(
        'scope_missing',
        `scope ${missing.map((s) => JSON.stringify(s)).join(', ')} missing${has ? '' : ' (token has no "scope" or "scp")'}`,
      );
    }
  }
  if ('aud' in payload && (policy.audience === undefined || policy.audience.length === 0)) {
    warnings.push({
      id: 'aud_not_checked',
      message: `the token has aud ${JSON.stringify(payload.aud).slice(0, 80)} but no --aud was given: audience not checked`,
    });
  }
  return {
    valid: true,
    code: 'valid',
    reason: validReason(alg, verifiedBy, payload, nowMs, policy),
    header,
    payload,
    key: verifiedBy,
    warnings,
  };
}

/**
 * jose turns an HMAC KeyObject into a WebCrypto key on every jwtVerify (it keeps only asymmetric keys): one
 * importKey per token, which made a batch of HS256 tokens 2-3× slower than its checks. The CryptoKey is made once
 * per secret and alg (WebCrypto binds the hash to the key, as RFC 7518 §3.2 binds it to the alg) and jose gets
 * that instead; jose checks a CryptoKey against the alg as it does the secret. Asymmetric keys are passed as they
 * are. A secret WebCrypto refuses stays a KeyObject, so that jose reports it as before.
 */
const hmacKeys = new WeakMap<KeyObject, Map<string, Promise<KeyObject | webcrypto.CryptoKey>>>();

function verifyingKey(
  key: KeyObject,
  alg: JwsAlgorithm,
): KeyObject | Promise<KeyObject | webcrypto.CryptoKey> {
  if (key.type !== 'secret' || !alg.startsWith('HS')) return key;
  let byAlg = hmacKeys.get(key);
  if (byAlg === undefined) hmacKeys.set(key, (byAlg = new Map()));
  let made = byAlg.get(alg);
  if (made === undefined) {
    const hash = `SHA-${alg.slice(2)}`;
    made = webcrypto.subtle
      .importKey('raw', key.export(), { name: 'HMAC', hash }, false, ['verify'])
      .catch(() => key);
    byAlg.set(alg, made);
  }
  return made;
}

/**
 * RFC 7519 §2: a NumericDate is a number of seconds — a finite one. JSON numbers too large for a double
 * (1e400) parse as Infinity, which every comparison then gets wrong. Says which claim, or undefined.
 */
function nonFiniteTime(payload: JsonObject): string | undefined {
  for (const claim of ['exp', 'nbf', 'iat'] as const) {
    const v = payload[claim];
    if (typeof v === 'number' && !Number.isFinite(v))
      return `"${claim}" is not a finite number (a NumericDate is a count of seconds, RFC 7519 §2)`;
  }
  return undefined;
}

function isClaimError(code: unknown): boolean {
  return code === 'ERR_JWT_EXPIRED' || code === 'ERR_JWT_CLAIM_VALIDATION_FAILED';
}

function validReason(
  alg: string,
  key: string,
  payload: JsonObject,
  nowMs: number,
  policy: VerifyPolicy,
): string {
  const parts = [`${alg} signature by ${key}`];
  if (typeof payload.sub === 'string') parts.push(`sub ${JSON.stringify(payload.sub).slice(0, 60)}`);
  if (typeof payload.exp === 'number') {
    const d = payload.exp * 1000 - nowMs;
    parts.push(d > 0 ? `expires in ${formatDuration(d)}` : `expired ${formatDuration(d)} ago, within leeway`);
  }
  if ('aud' in payload && (policy.audience === undefined || policy.audience.length === 0))
    parts.push('audience NOT checked');
  return parts.join('; ');
}

/** jose errors by `.code` (never instanceof) → verdict codes with a message that names the claim. */
function mapJoseError(
  err: unknown,
  payload: JsonObject,
  policy: VerifyPolicy,
  nowMs: number,
): { code: VerdictCode; reason: string } {
  const e = err as { code?: string; claim?: string; reason?: string; message?: string };
  const claim = e.claim ?? '';
  const show = (v: unknown): string => (v === undefined ? 'absent' : JSON.stringify(v).slice(0, 80));
  switch (e.code) {
    case 'ERR_JWT_EXPIRED':
      if (claim === 'iat') {
        return {
          code: 'too_old',
          reason: `issued ${formatDuration(nowMs - Number(payload.iat) * 1000)} ago, over --max-age ${formatDuration((policy.maxAgeSec ?? 0) * 1000)}`,
        };
      }
      return { code: 'expired', reason: `expired ${formatDuration(nowMs - Number(payload.exp) * 1000)} ago` };
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED': {
      if (e.reason === 'invalid')
        return { code: 'claim_invalid', reason: `"${claim}" is ${show(payload[claim])}, not a number` };
      const missing = e.reason === 'missing';
      if (missing && !['iss', 'aud', 'sub'].includes(claim)) {
        return { code: 'claim_missing', reason: `required claim "${claim}" is missing` };
      }
      switch (claim) {
        case 'nbf':
          return {
            code: 'not_yet_valid',
            reason: `not valid for another ${formatDuration(Number(payload.nbf) * 1000 - nowMs)} ("nbf")`,
          };
        case 'iat':
          return {
            code: 'iat_future',
            reason: `issued ${formatDuration(Number(payload.iat) * 1000 - nowMs)} in the future ("iat")`,
          };
        case 'iss':
          return {
            code: 'iss_mismatch',
            reason: `iss is ${show(payload.iss)}, expected ${JSON.stringify(policy.issuer)}`,
          };
        case 'aud':
          return {
            code: 'aud_mismatch',
            reason: `aud is ${show(payload.aud)}, expected ${policy.audience!.map((a) => JSON.stringify(a)).join(' or ')}`,
          };
        case 'sub':
          return {
            code: 'sub_mismatch',
            reason: `sub is ${show(payload.sub)}, expected ${JSON.stringify(policy.subject)}`,
          };
        case 'typ':
          return { code: 'typ_mismatch', reason: `typ is not ${JSON.stringify(policy.typ)}` };
        default:
          return { code: 'claim_invalid', reason: e.message ?? `claim "${claim}" check failed` };
      }
    }
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
      return { code: 'alg_not_allowed', reason: 'alg not allowed' };
    case 'ERR_JWS_INVALID':
    case 'ERR_JWT_INVALID':
      return { code: 'malformed', reason: e.message ?? 'malformed token' };
    case 'ERR_JOSE_NOT_SUPPORTED':
      return { code: 'crit_unsupported', reason: e.message ?? 'unsupported JOSE feature' };
    default:
      // A key jose cannot use for this alg (e.g. a WebCrypto import failure): the key's problem, not the token's.
      return {
        code: 'key_unusable',
        reason: `the key cannot verify this token (${e.message ?? String(err)})`,
      };
  }
}
