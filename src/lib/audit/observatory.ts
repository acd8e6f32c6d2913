import { fieldLines, fieldValue } from '../headers.js';
import type { AuditFacts, ObservatoryScore, ObservatoryTest } from './types.js';
import {
  MINIMUM_SCORE_FOR_EXTRA_CREDIT,
  OBSERVATORY_GRADE_BANDS,
  OBSERVATORY_MODIFIERS,
  OBSERVATORY_START,
} from './observatory/data.js';
import { observatoryCsp } from './observatory/csp.js';
import {
  coepTest,
  cookiesTest,
  coopTest,
  corpTest,
  corsTest,
  hstsTest,
  jarCookies,
  redirectionTest,
  referrerPolicyTest,
  sriTest,
  xContentTypeOptionsTest,
  xFrameOptionsTest,
  type HttpHop,
  type TestOutcome,
} from './observatory/tests.js';
import { judgedHttps, plainHttp, urlHost, urlPath } from './facts.js';
import type { Grade } from '../findings.js';

/**
 * The Mozilla HTTP Observatory-equivalent score of the same facts: Observatory's own tests (ported in
 * ./observatory/), its score table, its start value, its extra-credit rule and its grade chart (./observatory/
 * data.ts, with the commit they were read from). Tests that need what apikit does not gather are left out and
 * listed in `leftOut`, so the number reads as "Observatory, for the tests both share".
 */

export interface ObservatorySum {
  /** 100 plus every modifier. */
  withExtraCredit: number;
  /** 100 plus the negative modifiers only. */
  uncurved: number;
  /** What Observatory reports: the full sum when the uncurved one is already at least 90, else the uncurved. */
  score: number;
}

/** src/scanner/index.js: start at 100, sum, count bonuses only from an A (uncurved ≥ 90), never below 0. */
export function observatorySum(modifiers: readonly number[]): ObservatorySum {
  let withExtraCredit = OBSERVATORY_START;
  let uncurved = OBSERVATORY_START;
  for (const m of modifiers) {
    withExtraCredit += m;
    if (m < 0) uncurved += m;
  }
  const raw = uncurved >= MINIMUM_SCORE_FOR_EXTRA_CREDIT ? withExtraCredit : uncurved;
  return { withExtraCredit, uncurved, score: Math.max(0, raw) };
}

/** grader.js getGradeForScore: round down to a multiple of 5, above 100 reads as 100. */
export function observatoryGrade(score: number): Grade {
  const s = Math.max(0, score);
  const key = Math.min(s - (s % 5), 100);
  return OBSERVATORY_GRADE_BANDS.find((b) => key >= b.min)?.grade ?? 'F';
}

export function observatoryScore(facts: AuditFacts): ObservatoryScore {
  const h = facts.response.headers;
  const https = judgedHttps(facts);
  // Observatory calls a response "verified" when the https connection's certificate chain verified.
  const verified = facts.tls === undefined ? true : facts.tls.authorized;
  const tests: ObservatoryTest[] = [];
  const leftOut: { name: string; reason: string }[] = [];
  const add = (name: string, t: TestOutcome) =>
    tests.push({ name, result: t.result, modifier: OBSERVATORY_MODIFIERS[t.result], pass: t.pass });

  // The same order as Observatory's ALL_TESTS (src/constants.js).
  const csp = observatoryCsp(
    fieldLines(h, 'content-security-policy'),
    Boolean(fieldValue(h, 'content-security-policy-report-only')),
    https,
  );
  add('content-security-policy', csp);

  const hsts = hstsTest(fieldValue(h, 'strict-transport-security') ?? null, https, verified);
  const cookieLines = fieldLines(h, 'set-cookie');
  const jar = jarCookies(cookieLines, urlHost(facts.url), urlPath(facts.url));
  add('cookies', cookiesTest(cookieLines, jar, hsts.pass));
  add('cross-origin-embedder-policy', coepTest(fieldLines(h, 'cross-origin-embedder-policy')));
  add('cross-origin-opener-policy', coopTest(fieldLines(h, 'cross-origin-opener-policy')));

  if (facts.cors === undefined) {
    leftOut.push({
      name: 'cross-origin-resource-sharing',
      reason: 'no preflight was sent (offline --headers)',
    });
  } else {
    const pre = facts.cors.preflight;
    add(
      'cross-origin-resource-sharing',
      corsTest(
        pre === undefined ? null : (fieldValue(pre.headers, 'access-control-allow-origin') ?? null),
        pre === undefined ? null : (fieldValue(pre.headers, 'access-control-allow-credentials') ?? null),
        facts.cors.origin,
        pre !== undefined,
      ),
    );
  }

  const hop = httpHop(facts);
  if (typeof hop === 'string') leftOut.push({ name: 'redirection', reason: hop });
  else add('redirection', redirectionTest(hop, redirectVerified(facts, hop, verified)));

  add('referrer-policy', referrerPolicyTest(fieldLines(h, 'referrer-policy')));
  add('strict-transport-security', hsts);

  // Node keeps the first Content-Type line of several (it discards duplicates of that field).
  const sri = sriTest(fieldLines(h, 'content-type')[0] ?? null);
  if (sri === null) {
    leftOut.push({
      name: 'subresource-integrity',
      reason: "an HTML page (or no Content-Type): Observatory parses the page's <script> elements",
    });
  } else {
    add('subresource-integrity', sri);
  }

  add('x-content-type-options', xContentTypeOptionsTest(fieldValue(h, 'x-content-type-options') ?? null));
  add(
    'x-frame-options',
    xFrameOptionsTest(fieldValue(h, 'x-frame-options') ?? null, csp.data?.has('frame-ancestors') ?? false),
  );
  add('cross-origin-resource-policy', corpTest(fieldLines(h, 'cross-origin-resource-policy')));

  const { score } = observatorySum(tests.map((t) => t.modifier));
  return { score, grade: observatoryGrade(score), tests, leftOut };
}

/**
 * The plain-http response Observatory's redirection test reads: the audited response itself for an http URL,
 * the http:// twin for an https one; a string says why there is none.
 */
function httpHop(facts: AuditFacts): HttpHop | string {
  if (plainHttp(facts)) {
    const location = fieldValue(facts.response.headers, 'location');
    const hop: HttpHop = { url: facts.url, status: facts.response.status };
    if (location !== undefined) hop.location = location;
    return hop;
  }
  if (facts.assumeHttps) return '--assume-https: the http:// twin is not asked';
  if (facts.redirect === undefined) {
    return facts.source === 'offline'
      ? 'offline --headers: no http:// twin to ask'
      : 'the http:// twin was not asked';
  }
  const hop: HttpHop = { url: facts.redirect.url };
  if (facts.redirect.status !== undefined) hop.status = facts.redirect.status;
  if (facts.redirect.location !== undefined) hop.location = facts.redirect.location;
  return hop;
}

/** The certificate verdict applies to a redirect only when it points at the host whose TLS was checked. */
function redirectVerified(facts: AuditFacts, hop: HttpHop, verified: boolean): boolean {
  if (facts.tls === undefined || hop.location === undefined) return true;
  try {
    const to = new URL(hop.location, hop.url);
    return to.hostname.replace(/^\[|\]$/g, '').toLowerCase() === facts.tls.host.toLowerCase()
      ? verified
      : true;
  } catch {
    return true;
  }
}
