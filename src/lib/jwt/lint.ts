import { formatDuration } from '../time/duration.js';
import type { JsonObject } from './parse.js';
import { MILLISECONDS_THRESHOLD, TIME_CLAIMS } from './times.js';

/**
 * Lint warnings for a decoded token: RFC 8725 (JWT BCP) and the OWASP JWT cheat sheet, as stable ids.
 * The ids are part of the JSON output (`warnings[].id`) and documented in the README.
 */
export interface JwtWarning {
  id: string;
  message: string;
}

export const WARNING_IDS = [
  'alg_none',
  'alg_rsa_pkcs1',
  'exp_missing',
  'expired',
  'lifetime_long',
  'time_milliseconds',
  'time_not_numeric',
  'iat_future',
  'nbf_future',
  'header_jku',
  'header_x5u',
  'header_jwk',
  'header_x5c',
  'header_crit',
  'kid_suspicious',
  'sensitive_claim',
] as const;

/**
 * Lint ids that inform rather than warn: shown by `jwt decode` (as a note) and kept in every `warnings[]` of the
 * JSON output, but not printed as a warning by mint and verify. RS256 is the most interoperable JWS algorithm and
 * not broken; saying so on every run would train people to ignore warnings.
 */
export const INFORMATIONAL_IDS: ReadonlySet<string> = new Set(['alg_rsa_pkcs1']);

export function isInformational(w: JwtWarning): boolean {
  return INFORMATIONAL_IDS.has(w.id);
}

const ACCESS_TOKEN_MAX_LIFETIME_S = 3600;

// Characters that turn a kid into a path, a query or a command when a verifier uses it as one
// (RFC 8725 §3.10 warns that kid values reach file systems and databases).
// eslint-disable-next-line no-control-regex -- control characters in a kid are exactly what is being detected
const SUSPICIOUS_KID_RE = /[/\\|'"`;$<>\0-\x1f]|\.\./;

const SENSITIVE_NAME_RE =
  /pass(?:word|wd|phrase)?$|secret|^pwd$|ssn|social.?security|card.?(?:number|no)|^pan$|cvv|cvc|private.?key/i;
const SSN_RE = /^\d{3}-\d{2}-\d{4}$/;
const CARD_RE = /^(?:\d[ -]?){12,18}\d$/;

export function lintToken(header: JsonObject, payload: JsonObject, nowMs: number): JwtWarning[] {
  const w: JwtWarning[] = [];
  const nowS = nowMs / 1000;
  const alg = header.alg;
  if (typeof alg === 'string' && alg.toLowerCase() === 'none') {
    w.push({
      id: 'alg_none',
      message: 'alg is "none": the token is unsigned and must never be accepted (RFC 8725 §3.1)',
    });
  } else if (typeof alg === 'string' && /^RS(256|384|512)$/.test(alg)) {
    w.push({
      id: 'alg_rsa_pkcs1',
      message: `${alg} uses RSA PKCS#1 v1.5; prefer PS${alg.slice(2)}, ES256 or EdDSA for new tokens (RFC 8725 §3.2)`,
    });
  }
  for (const member of ['jku', 'x5u', 'jwk', 'x5c'] as const) {
    if (member in header) {
      w.push({
        id: `header_${member}`,
        message: `header carries "${member}": a verifier must never take keys from the token itself (RFC 8725 §3.10)`,
      });
    }
  }
  if ('crit' in header) {
    w.push({
      id: 'header_crit',
      message: `header has "crit" ${JSON.stringify(header.crit)}: verifiers must reject unknown extensions`,
    });
  }
  if ('kid' in header) {
    const kid = header.kid;
    if (typeof kid !== 'string' || SUSPICIOUS_KID_RE.test(kid)) {
      w.push({
        id: 'kid_suspicious',
        message: `kid ${JSON.stringify(kid).slice(0, 80)} contains path, quote, pipe or control characters (injection attempt?)`,
      });
    }
  }

  for (const claim of TIME_CLAIMS) {
    if (!(claim in payload)) continue;
    const v = payload[claim];
    if (typeof v === 'number' && !Number.isFinite(v)) {
      // JSON.stringify would call it null: the token holds a number too large for a double (1e400).
      w.push({
        id: 'time_not_numeric',
        message: `"${claim}" is a number too large to be finite, not a NumericDate in seconds (RFC 7519 §2)`,
      });
    } else if (typeof v !== 'number') {
      w.push({
        id: 'time_not_numeric',
        message: `"${claim}" is ${JSON.stringify(v)?.slice(0, 40)}, not a NumericDate in seconds (RFC 7519 §2)`,
      });
    } else if (v > MILLISECONDS_THRESHOLD) {
      w.push({
        id: 'time_milliseconds',
        message: `"${claim}" looks like milliseconds (${v}); JWT times are seconds (RFC 7519 §2)`,
      });
    }
  }
  const exp = numeric(payload.exp);
  const iat = numeric(payload.iat);
  const nbf = numeric(payload.nbf);
  if (!('exp' in payload)) {
    w.push({ id: 'exp_missing', message: 'no "exp": the token never expires (RFC 8725 §3.10; OWASP)' });
  } else if (exp !== undefined && exp <= nowS) {
    w.push({ id: 'expired', message: `expired ${formatDuration((nowS - exp) * 1000)} ago` });
  }
  if (iat !== undefined && iat > nowS) {
    w.push({ id: 'iat_future', message: `"iat" is ${formatDuration((iat - nowS) * 1000)} in the future` });
  }
  if (nbf !== undefined && nbf > nowS) {
    w.push({
      id: 'nbf_future',
      message: `"nbf" is ${formatDuration((nbf - nowS) * 1000)} in the future: not valid yet`,
    });
  }
  if (
    exp !== undefined &&
    iat !== undefined &&
    isAccessToken(header, payload) &&
    exp - iat > ACCESS_TOKEN_MAX_LIFETIME_S
  ) {
    w.push({
      id: 'lifetime_long',
      message: `access token lifetime is ${formatDuration((exp - iat) * 1000)}, over 1h; short-lived access tokens limit the damage of a leak`,
    });
  }
  const sensitive = sensitiveClaims(payload, '', 0);
  if (sensitive.length > 0) {
    w.push({
      id: 'sensitive_claim',
      message: `claims that look sensitive: ${sensitive.slice(0, 5).join(', ')} — a JWS payload is readable by anyone who holds the token`,
    });
  }
  return w;
}

function numeric(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** RFC 9068 access tokens are typed at+jwt; other tokens that carry scopes or a client_id are access tokens too. */
function isAccessToken(header: JsonObject, payload: JsonObject): boolean {
  const typ = typeof header.typ === 'string' ? header.typ.toLowerCase() : '';
  if (typ === 'at+jwt' || typ === 'application/at+jwt') return true;
  return 'scope' in payload || 'scp' in payload || 'client_id' in payload;
}

function sensitiveClaims(value: unknown, path: string, depth: number): string[] {
  if (depth > 4) return [];
  if (typeof value === 'string') {
    const digits = value.replace(/[ -]/g, '');
    if (SSN_RE.test(value)) return [`${path} (SSN-like value)`];
    if (CARD_RE.test(value) && luhn(digits)) return [`${path} (card-number-like value)`];
    return [];
  }
  if (typeof value !== 'object' || value === null) return [];
  const out: string[] = [];
  for (const [k, v] of Object.entries(value)) {
    // Claim names come from an untrusted token and end up on a terminal: escape control characters.
    const name = JSON.stringify(k).slice(1, -1);
    const p = path ? `${path}.${name}` : name;
    if (!Array.isArray(value) && SENSITIVE_NAME_RE.test(k)) out.push(p);
    else out.push(...sensitiveClaims(v, p, depth + 1));
  }
  return out;
}

function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}
