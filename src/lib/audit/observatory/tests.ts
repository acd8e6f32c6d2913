/**
 * The Observatory's tests other than CSP (./csp.ts), ported from the Mozilla HTTP Observatory
 * (https://github.com/mdn/mdn-http-observatory, commit 94042bbfbf9f1af722ad9114ada6d271dcb525b9,
 * src/analyzer/tests/*.js), Copyright Mozilla Foundation, MPL-2.0 (https://mozilla.org/MPL/2.0/); this file stays
 * under the MPL. Each function takes the values Observatory would read and returns its result identifier and
 * whether it counts the test as passed, with the same branch order as the original so that quirks carry over
 * (HSTS `max-age=abc` parses to NaN, which Observatory does not treat as "less than six months": a pass there).
 *
 * Header values are read the way Observatory sees them through Node's http module: repeated field lines joined
 * with ", " (so two HSTS lines contain a comma, which Observatory calls invalid), Set-Cookie kept line by line.
 */

import { parseItem, Token } from 'structured-headers';
import type { ObservatoryResult } from './data.js';

export interface TestOutcome {
  result: ObservatoryResult;
  pass: boolean;
}

const outcome = (result: ObservatoryResult, passing: readonly ObservatoryResult[]): TestOutcome => ({
  result,
  pass: passing.includes(result),
});

/** utils.js onlyIfWorse: keep the worse of two results by `order` (best first). */
function onlyIfWorse(
  next: ObservatoryResult,
  current: ObservatoryResult | null,
  order: readonly ObservatoryResult[],
): ObservatoryResult {
  if (current === null) return next;
  return order.indexOf(next) > order.indexOf(current) ? next : current;
}

// 15768000 is six months, but Observatory uses 15552000 ("a lot of sites use 15552000, so a white lie").
const SIX_MONTHS = 15_552_000;

/** strict-transport-security.js (no preload list: see data.ts). `value` is the joined field, null when absent. */
export function hstsTest(value: string | null, https: boolean, verified: boolean): TestOutcome {
  const passing: ObservatoryResult[] = ['hsts-implemented-max-age-at-least-six-months'];
  if (!https) return outcome('hsts-not-implemented-no-https', passing);
  if (!verified) return outcome('hsts-invalid-cert', passing);
  if (value === null) return outcome('hsts-not-implemented', passing);
  const data = value.slice(0, 1024);
  if (data.includes(',')) return outcome('hsts-header-invalid', passing);
  let maxAge: number | null = null;
  for (const parameter of data.split(';').map((p) => p.trim().toLowerCase())) {
    if (parameter.startsWith('max-age=')) maxAge = Number.parseInt(parameter.slice(8, 128), 10);
  }
  if (maxAge === null) return outcome('hsts-header-invalid', passing);
  // NaN < SIX_MONTHS is false: Observatory scores an unparseable max-age as at least six months.
  return outcome(
    maxAge < SIX_MONTHS
      ? 'hsts-implemented-max-age-less-than-six-months'
      : 'hsts-implemented-max-age-at-least-six-months',
    passing,
  );
}

/** A cookie as tough-cookie (Observatory's cookie jar) stores it, for cookies.js. */
export interface JarCookie {
  key: string;
  secure: boolean;
  httpOnly: boolean;
  /** tough-cookie keeps only strict, lax or none (lower-case); anything else is undefined. */
  sameSite?: 'strict' | 'lax' | 'none';
}

/**
 * The cookies tough-cookie 5 would put in the jar from these lines (CookieJar.setCookie, non-loose): a pair with
 * no name (`=` missing or first) or a control character is dropped, as is a cookie whose Domain does not
 * domain-match the host, and — prefixSecurity "silent" — a `__Secure-` cookie without Secure and a `__Host-`
 * cookie without Secure, with a Domain, or with a path other than "/". A later cookie with the same name, domain
 * and path replaces an earlier one.
 */
export function jarCookies(lines: readonly string[], host: string, requestPath: string): JarCookie[] {
  const jar = new Map<string, JarCookie>();
  for (const raw of lines) {
    const str = raw.trim();
    const semi = str.indexOf(';');
    let pair = semi === -1 ? str : str.slice(0, semi);
    for (const t of ['\n', '\r', '\0']) {
      const at = pair.indexOf(t);
      if (at !== -1) pair = pair.slice(0, at);
    }
    const eq = pair.indexOf('=');
    if (eq <= 0) continue;
    const key = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1).trim();
    // eslint-disable-next-line no-control-regex
    if (/[\x00-\x1F]/.test(key) || /[\x00-\x1F]/.test(value)) continue;
    const cookie: JarCookie = { key, secure: false, httpOnly: false };
    let domain: string | null = null;
    let path: string | null = null;
    const avs = semi === -1 ? [] : str.slice(semi + 1).split(';');
    for (const rawAv of avs) {
      const av = rawAv.trim();
      if (av === '') continue;
      const sep = av.indexOf('=');
      const avKey = (sep === -1 ? av : av.slice(0, sep)).trim().toLowerCase();
      const avValue = sep === -1 ? null : av.slice(sep + 1).trim();
      switch (avKey) {
        case 'secure':
          cookie.secure = true;
          break;
        case 'httponly':
          cookie.httpOnly = true;
          break;
        case 'samesite': {
          const v = (avValue ?? '').toLowerCase();
          if (v === 'strict' || v === 'lax' || v === 'none') cookie.sameSite = v;
          else delete cookie.sameSite;
          break;
        }
        case 'domain':
          if (avValue) {
            const d = avValue.trim().replace(/^\./, '');
            if (d) domain = d.toLowerCase();
          }
          break;
        case 'path':
          path = avValue && avValue.startsWith('/') ? avValue : null;
          break;
        default:
          break;
      }
    }
    const hostOnly = domain === null;
    if (domain !== null && host !== '' && !domainMatches(host, domain)) continue;
    const effectiveDomain = domain ?? host;
    const effectivePath = path ?? toughDefaultPath(requestPath);
    if (key.startsWith('__Secure-') && !cookie.secure) continue;
    if (key.startsWith('__Host-') && !(cookie.secure && hostOnly && effectivePath === '/')) continue;
    jar.set(`${effectiveDomain}\n${effectivePath}\n${key}`, cookie);
  }
  return [...jar.values()];
}

function domainMatches(host: string, domain: string): boolean {
  const h = host.toLowerCase();
  if (h === domain) return true;
  if (/^[\d.]+$/.test(h) || h.includes(':')) return false;
  return h.endsWith(`.${domain}`);
}

/** RFC 6265 §5.1.4 default-path (tough-cookie defaultPath). */
function toughDefaultPath(path: string): string {
  if (!path.startsWith('/')) return '/';
  const last = path.lastIndexOf('/');
  return last === 0 ? '/' : path.slice(0, last);
}

/** cookies.js containsInvalidSameSiteCookie, over the raw line (its first part included, as there). */
function containsInvalidSameSite(raw: string): boolean {
  for (const part of raw.trim().split(';')) {
    const [key, value] = part.trim().split('=');
    if (key !== undefined && key.trim().toLowerCase() === 'samesite') {
      if (!value) return true;
      if (!['lax', 'strict', 'none'].includes(value.trim().toLowerCase())) return true;
    }
  }
  return false;
}

const COOKIE_ORDER: readonly ObservatoryResult[] = [
  'cookies-without-secure-flag-but-protected-by-hsts',
  'cookies-without-secure-flag',
  'cookies-session-without-secure-flag-but-protected-by-hsts',
  'cookies-samesite-flag-invalid',
  'cookies-anticsrf-without-samesite-flag',
  'cookies-session-without-httponly-flag',
  'cookies-session-without-secure-flag',
];

/** cookies.js. `hstsPass` is the HSTS test's pass; the jar is jarCookies' (heroku-session-affinity ignored). */
export function cookiesTest(
  rawLines: readonly string[],
  jar: readonly JarCookie[],
  hstsPass: boolean,
): TestOutcome {
  const passing: ObservatoryResult[] = [
    'cookies-not-found',
    'cookies-secure-with-httponly-sessions-and-samesite',
    'cookies-secure-with-httponly-sessions',
  ];
  let result: ObservatoryResult | null = null;
  const worse = (r: ObservatoryResult) => {
    result = onlyIfWorse(r, result, COOKIE_ORDER);
  };
  for (const raw of rawLines) if (containsInvalidSameSite(raw)) worse('cookies-samesite-flag-invalid');
  const cookies = jar.filter((c) => c.key !== '' && c.key !== 'heroku-session-affinity');
  if (cookies.length === 0) return outcome('cookies-not-found', passing);
  let missingSameSite = false;
  for (const c of cookies) {
    const key = c.key.toLowerCase();
    const session = ['login', 'sess'].some((i) => key.includes(i));
    const antiCsrf = key.includes('csrf');
    if (!c.secure && c.sameSite === 'none') worse('cookies-samesite-flag-invalid');
    if (!c.secure && hstsPass) worse('cookies-without-secure-flag-but-protected-by-hsts');
    else if (!c.secure) worse('cookies-without-secure-flag');
    if (antiCsrf && !c.sameSite) worse('cookies-anticsrf-without-samesite-flag');
    if (session && !c.secure && hstsPass) worse('cookies-session-without-secure-flag-but-protected-by-hsts');
    else if (session && !c.secure) worse('cookies-session-without-secure-flag');
    if (session && !c.httpOnly) worse('cookies-session-without-httponly-flag');
    if (!c.sameSite) missingSameSite = true;
  }
  const final: ObservatoryResult =
    result ??
    (missingSameSite
      ? 'cookies-secure-with-httponly-sessions'
      : 'cookies-secure-with-httponly-sessions-and-samesite');
  return outcome(final, passing);
}

/**
 * cors.js, over the preflight Observatory also sends (OPTIONS from a foreign origin): ACAO `*` is public, the
 * origin sent echoed with ACAC true is universal access (-50), anything else restricted.
 */
export function corsTest(
  acao: string | null,
  acac: string | null,
  originSent: string,
  preflightAnswered: boolean,
): TestOutcome {
  const passing: ObservatoryResult[] = [
    'cross-origin-resource-sharing-implemented-with-public-access',
    'cross-origin-resource-sharing-implemented-with-restricted-access',
    'cross-origin-resource-sharing-not-implemented',
  ];
  if (!preflightAnswered || !acao) return outcome('cross-origin-resource-sharing-not-implemented', passing);
  const data = acao.slice(0, 256).trim().toLowerCase();
  if (data === '*') return outcome('cross-origin-resource-sharing-implemented-with-public-access', passing);
  if (originSent === acao && acac !== null && acac.toLowerCase().trim() === 'true') {
    return outcome('cross-origin-resource-sharing-implemented-with-universal-access', passing);
  }
  return outcome('cross-origin-resource-sharing-implemented-with-restricted-access', passing);
}

const REDIRECT_STATUS_CODES = new Set([301, 302, 303, 307, 308]);

/** What apikit knows of the plain-http response: one hop, not followed. */
export interface HttpHop {
  url: string;
  /** Undefined when nothing answered on http. */
  status?: number;
  location?: string;
}

/**
 * redirection.js for the first hop of the http:// chain. Observatory follows the chain; apikit does not, so a
 * first hop to another http:// URL is scored as `redirection-not-to-https` (-20) — Observatory would give -10
 * (`…-on-initial-redirection`) if the chain ended on https. `verified` is false when the https target's
 * certificate did not verify (Observatory retries without verification and scores redirection-invalid-cert).
 */
export function redirectionTest(hop: HttpHop, verified: boolean): TestOutcome {
  const passing: ObservatoryResult[] = ['redirection-not-needed-no-http', 'redirection-to-https'];
  if (hop.status === undefined) return outcome('redirection-not-needed-no-http', passing);
  if (!REDIRECT_STATUS_CODES.has(hop.status) || hop.location === undefined) {
    return outcome('redirection-missing', passing);
  }
  let from: URL;
  let to: URL;
  try {
    from = new URL(hop.url);
    to = new URL(hop.location, hop.url);
  } catch {
    return outcome('redirection-missing', passing);
  }
  if (to.protocol !== 'https:') return outcome('redirection-not-to-https', passing);
  if (!verified) return outcome('redirection-invalid-cert', passing);
  if (from.protocol === 'http:' && from.hostname !== to.hostname) {
    return outcome('redirection-off-host-from-http', passing);
  }
  return outcome('redirection-to-https', passing);
}

const REFERRER_GOOD = ['no-referrer', 'same-origin', 'strict-origin', 'strict-origin-when-cross-origin'];
const REFERRER_BAD = ['origin', 'origin-when-cross-origin', 'unsafe-url', 'no-referrer-when-downgrade'];

/** referrer-policy.js (header lines only): the last known policy in the joined value counts. */
export function referrerPolicyTest(lines: readonly string[]): TestOutcome {
  const passing: ObservatoryResult[] = ['referrer-policy-private', 'referrer-policy-not-implemented'];
  if (lines.length === 0) return outcome('referrer-policy-not-implemented', passing);
  const valid = new Set([...REFERRER_GOOD, ...REFERRER_BAD]);
  const policy =
    lines
      .join(', ')
      .split(',')
      .filter((e) => valid.has(e.toLowerCase().trim()))
      .reverse()[0]
      ?.toLowerCase()
      .trim() ?? '';
  if (REFERRER_GOOD.includes(policy)) return outcome('referrer-policy-private', passing);
  if (REFERRER_BAD.includes(policy)) return outcome('referrer-policy-unsafe', passing);
  return outcome('referrer-policy-header-invalid', passing);
}

/** x-content-type-options.js. */
export function xContentTypeOptionsTest(value: string | null): TestOutcome {
  const passing: ObservatoryResult[] = ['x-content-type-options-nosniff'];
  if (!value) return outcome('x-content-type-options-not-implemented', passing);
  return outcome(
    value.slice(0, 256).trim().toLowerCase() === 'nosniff'
      ? 'x-content-type-options-nosniff'
      : 'x-content-type-options-header-invalid',
    passing,
  );
}

/** x-frame-options.js: CSP frame-ancestors (in the merged policy the CSP test read) overrides the header. */
export function xFrameOptionsTest(value: string | null, cspHasFrameAncestors: boolean): TestOutcome {
  const passing: ObservatoryResult[] = [
    'x-frame-options-allow-from-origin',
    'x-frame-options-sameorigin-or-deny',
    'x-frame-options-implemented-via-csp',
  ];
  let result: ObservatoryResult = 'x-frame-options-not-implemented';
  if (value) {
    const xfo = value.slice(0, 1024).trim().toLowerCase();
    if (xfo === 'deny' || xfo === 'sameorigin') result = 'x-frame-options-sameorigin-or-deny';
    else if (xfo.startsWith('allow-from')) result = 'x-frame-options-allow-from-origin';
    else result = 'x-frame-options-header-invalid';
  }
  if (cspHasFrameAncestors) result = 'x-frame-options-implemented-via-csp';
  return outcome(result, passing);
}

/** cross-origin-resource-policy.js (header lines only). */
export function corpTest(lines: readonly string[]): TestOutcome {
  const passing: ObservatoryResult[] = [
    'corp-not-implemented',
    'corp-implemented-with-same-site',
    'corp-implemented-with-same-origin',
    'corp-implemented-with-cross-origin',
  ];
  const header = lines.join(', ');
  if (!header) return outcome('corp-not-implemented', passing);
  const corp = header.slice(0, 256).trim().toLowerCase();
  const byValue: Record<string, ObservatoryResult> = {
    'same-site': 'corp-implemented-with-same-site',
    'same-origin': 'corp-implemented-with-same-origin',
    'cross-origin': 'corp-implemented-with-cross-origin',
  };
  return outcome(byValue[corp] ?? 'corp-header-invalid', passing);
}

/** utils.js parseStructuredFieldToken: the bare item of an RFC 9651 Item when it is a Token, else null. */
function structuredToken(value: string): string | null {
  try {
    const [bare] = parseItem(value);
    return bare instanceof Token ? bare.toString() : null;
  } catch {
    return null;
  }
}

/** cross-origin-embedder-policy.js and cross-origin-opener-policy.js: one Item token; several lines invalid. */
function policyTest(
  lines: readonly string[],
  prefix: 'coep' | 'coop',
  values: Readonly<Record<string, ObservatoryResult>>,
): TestOutcome {
  const invalid = `${prefix}-header-invalid` as ObservatoryResult;
  const notImplemented = `${prefix}-not-implemented` as ObservatoryResult;
  const passing = [notImplemented, ...Object.values(values)];
  if (lines.length > 1) return outcome(invalid, passing);
  const header = lines[0];
  if (!header) return outcome(notImplemented, passing);
  const policy = structuredToken(header.slice(0, 1024).trim());
  return outcome((policy !== null ? values[policy] : undefined) ?? invalid, passing);
}

export const coepTest = (lines: readonly string[]): TestOutcome =>
  policyTest(lines, 'coep', {
    'require-corp': 'coep-implemented-with-require-corp',
    credentialless: 'coep-implemented-with-credentialless',
    'unsafe-none': 'coep-implemented-with-unsafe-none',
  });

export const coopTest = (lines: readonly string[]): TestOutcome =>
  policyTest(lines, 'coop', {
    'same-origin': 'coop-implemented-with-same-origin',
    'same-origin-allow-popups': 'coop-implemented-with-same-origin-allow-popups',
    'noopener-allow-popups': 'coop-implemented-with-noopener-allow-popups',
    'unsafe-none': 'coop-implemented-with-unsafe-none',
  });

const HTML_TYPES = new Set(['text/html', 'application/xhtml+xml']);

/**
 * subresource-integrity.js, only its first branch: a Content-Type that is not HTML (compared as sent, before
 * any ";", case-sensitive, as there) has no scripts: sri-not-implemented-response-not-html. For HTML (or no
 * Content-Type) Observatory parses the page's scripts: null, left out.
 */
export function sriTest(contentType: string | null): TestOutcome | null {
  const mime = (contentType ?? '').split(';', 1)[0] ?? '';
  if (mime && !HTML_TYPES.has(mime)) {
    return { result: 'sri-not-implemented-response-not-html', pass: true };
  }
  return null;
}
