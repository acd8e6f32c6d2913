import { fieldLines } from '../../headers.js';
import type { AuditFinding, AuditKind, AuditRule, CheckSpec, RuleContext } from '../types.js';
import { setCookies, type SetCookie } from '../../set-cookie.js';
import { judgedHttps } from '../facts.js';

/**
 * Cookies of the audited response, judged by RFC 6265bis (draft-ietf-httpbis-rfc6265bis-20) as a browser stores
 * them: Secure on https, HttpOnly, SameSite (missing, invalid, None without Secure) and the `__Secure-` /
 * `__Host-` name prefixes. One finding per check, naming every cookie it applies to; the values never appear
 * (the pipeline also redacts them from the evidence).
 *
 * HttpOnly — decided per kind: an API's cookies are read by the API, never by a page's script, so for the api
 * kind EVERY cookie needs HttpOnly; for an html page only session-like names (sess, sid, auth, token, login, jwt,
 * remember …) do, since pages legitimately set script-readable preferences. Either way a CSRF token named
 * csrf/xsrf is exempt: the double-submit pattern (OWASP CSRF Prevention Cheat Sheet) needs script to read it.
 */

const BOTH = ['api', 'html'] as const;
const BIS = 'RFC 6265bis (draft-ietf-httpbis-rfc6265bis-20)';

export const COOKIE_CHECKS = {
  secureMissing: {
    id: 'audit.cookies.secure-missing',
    category: 'cookies',
    severity: 'high',
    points: -15,
    kinds: BOTH,
    title: 'A cookie set over https lacks Secure',
    advice: 'Add Secure to every cookie, so the browser never sends it over plain http.',
    reference: `${BIS} §4.1.2.5; OWASP Session Management Cheat Sheet`,
  },
  httpOnlyMissing: {
    id: 'audit.cookies.httponly-missing',
    category: 'cookies',
    severity: 'medium',
    points: -10,
    kinds: BOTH,
    title: 'A cookie that no script needs lacks HttpOnly',
    advice: 'Add HttpOnly, so an XSS on any page of the site cannot read the cookie.',
    reference: `${BIS} §4.1.2.6; OWASP Session Management Cheat Sheet`,
  },
  sameSiteMissing: {
    id: 'audit.cookies.samesite-missing',
    category: 'cookies',
    severity: 'low',
    points: -5,
    kinds: BOTH,
    title: 'A cookie has no SameSite attribute',
    advice:
      'Set SameSite=Strict (or Lax) explicitly: browsers differ in the default (Chromium Lax, others None).',
    reference: `${BIS} §4.1.2.7, §8.8`,
  },
  sameSiteInvalid: {
    id: 'audit.cookies.samesite-invalid',
    category: 'cookies',
    severity: 'medium',
    points: -10,
    kinds: BOTH,
    title: 'A cookie has a SameSite value other than Strict, Lax or None',
    advice: 'Use SameSite=Strict or SameSite=Lax: browsers ignore any other value and apply their default.',
    reference: `${BIS} §5.6.7`,
  },
  sameSiteNoneInsecure: {
    id: 'audit.cookies.samesite-none-without-secure',
    category: 'cookies',
    severity: 'medium',
    points: -10,
    kinds: BOTH,
    title: 'A cookie has SameSite=None without Secure',
    advice: 'Add Secure (browsers reject SameSite=None without it), or use SameSite=Lax/Strict.',
    reference: `${BIS} §5.7 (storage model); §4.1.2.7`,
  },
  hostPrefix: {
    id: 'audit.cookies.host-prefix-invalid',
    category: 'cookies',
    severity: 'medium',
    points: -10,
    kinds: BOTH,
    title: 'A __Host- cookie breaks its prefix rules (Secure, Path=/, no Domain)',
    advice: 'Give a __Host- cookie Secure and Path=/ and no Domain attribute; browsers drop it otherwise.',
    reference: `${BIS} §4.1.3.2, §5.7`,
  },
  securePrefix: {
    id: 'audit.cookies.secure-prefix-invalid',
    category: 'cookies',
    severity: 'medium',
    points: -10,
    kinds: BOTH,
    title: 'A __Secure- cookie lacks Secure',
    advice: 'Add Secure to a __Secure- cookie (and set it over https); browsers drop it otherwise.',
    reference: `${BIS} §4.1.3.1, §5.7`,
  },
} as const satisfies Record<string, CheckSpec>;

const C = COOKIE_CHECKS;

/** Cookie names that carry a session or a credential (matched case-insensitively). */
const SESSION_LIKE = /sess|auth|token|login|jwt|remember|identity|(^|[-_.])sid$|^id$/i;
/** Double-submit CSRF tokens: script must read them. */
const CSRF_LIKE = /csrf|xsrf/i;

export function needsHttpOnly(name: string, kind: AuditKind): boolean {
  if (CSRF_LIKE.test(name)) return false;
  return kind === 'api' || SESSION_LIKE.test(name);
}

const startsWithCi = (s: string, prefix: string) =>
  s.slice(0, prefix.length).toLowerCase() === prefix.toLowerCase();

/** Why a prefixed cookie breaks its prefix, or null (§5.7: the prefixes match case-insensitively). */
export function prefixProblem(c: SetCookie): { spec: CheckSpec; why: string } | null {
  if (startsWithCi(c.name, '__Host-')) {
    const why = [
      c.secure ? undefined : 'no Secure',
      c.domain === undefined ? undefined : 'has Domain',
      !c.hasPathAttribute ? 'no Path' : c.path !== '/' ? 'Path is not /' : undefined,
    ].filter((x) => x !== undefined);
    return why.length === 0 ? null : { spec: C.hostPrefix, why: why.join(', ') };
  }
  if (startsWithCi(c.name, '__Secure-') && !c.secure) return { spec: C.securePrefix, why: 'no Secure' };
  return null;
}

function grouped(
  spec: CheckSpec,
  hits: readonly { c: SetCookie; note: string }[],
  what: string,
): AuditFinding[] {
  if (hits.length === 0) return [];
  const names = hits.map((h) => h.c.name || '(no name)');
  return [
    {
      id: spec.id,
      severity: spec.severity,
      points: spec.points,
      category: spec.category,
      header: 'set-cookie',
      message: `${hits.length === 1 ? 'Cookie' : `${hits.length} cookies`} ${what}: ${names.join(', ')}`,
      evidence: hits.map((h) => ({ header: 'set-cookie', value: h.c.line, note: h.note })),
      advice: spec.advice,
    },
  ];
}

function run(ctx: RuleContext): AuditFinding[] {
  const cookies = setCookies(fieldLines(ctx.facts.response.headers, 'set-cookie'));
  if (cookies.length === 0) return [];
  const https = judgedHttps(ctx.facts);
  const hit = (c: SetCookie, note: string) => ({ c, note: `${c.name || '(no name)'}: ${note}` });

  const secure = https ? cookies.filter((c) => !c.secure).map((c) => hit(c, 'no Secure')) : [];
  const httpOnly = cookies
    .filter((c) => !c.httpOnly && needsHttpOnly(c.name, ctx.kind))
    .map((c) => hit(c, 'no HttpOnly'));
  const invalid = cookies
    .filter((c) => c.invalidSameSite.length > 0)
    .map((c) => hit(c, `SameSite=${c.invalidSameSite.join(', SameSite=')} is ignored by browsers`));
  const missing = cookies
    .filter((c) => c.sameSite === undefined && c.invalidSameSite.length === 0)
    .map((c) => hit(c, 'no SameSite'));
  const noneInsecure = cookies
    .filter((c) => c.sameSite === 'None' && !c.secure)
    .map((c) => hit(c, 'SameSite=None without Secure: rejected by browsers'));
  const host: { c: SetCookie; note: string }[] = [];
  const securePrefix: { c: SetCookie; note: string }[] = [];
  for (const c of cookies) {
    const p = prefixProblem(c);
    if (p === null) continue;
    (p.spec.id === C.hostPrefix.id ? host : securePrefix).push(hit(c, `${p.why}: rejected by browsers`));
  }
  return [
    ...grouped(C.secureMissing, secure, 'without Secure'),
    ...grouped(C.httpOnlyMissing, httpOnly, 'without HttpOnly'),
    ...grouped(C.sameSiteInvalid, invalid, 'with an invalid SameSite value'),
    ...grouped(C.sameSiteMissing, missing, 'without SameSite'),
    ...grouped(C.sameSiteNoneInsecure, noneInsecure, 'with SameSite=None but no Secure'),
    ...grouped(C.hostPrefix, host, 'breaking the __Host- prefix rules'),
    ...grouped(C.securePrefix, securePrefix, 'breaking the __Secure- prefix rule'),
  ];
}

export const cookiesRule: AuditRule = {
  name: 'cookies',
  checks: Object.values(COOKIE_CHECKS),
  run,
};
