import { generateCandidates } from '../../../src/lib/cors/candidates.js';
import { corsFindings } from '../../../src/lib/cors/findings.js';
import { parseCorsHeaders } from '../../../src/lib/cors/headers.js';
import { allowOriginMatches, judgeReadability } from '../../../src/lib/cors/judge.js';
import { summarizePreflight } from '../../../src/lib/cors/preflight-summary.js';
import { reconstructRule } from '../../../src/lib/cors/rule.js';
import type {
  Candidate,
  CandidateResult,
  CorsExchange,
  CorsHeaders,
  CorsReport,
} from '../../../src/lib/cors/types.js';
import { sortFindings } from '../../../src/lib/findings.js';

/**
 * CorsReports for the render tests, built the way probeCors builds them — the real candidates, judge, rule,
 * preflight summary and findings of src/lib/cors — from a server described as a function of the Origin it is
 * sent (what it answers on the preflight and on the actual request). No network: the CLI tests do that.
 */
export const PROBED_URL = 'http://127.0.0.1:4000/v1/me';
export const TRUSTED = 'https://app.example.com';
export const ESC_CLEAR = '\u001b[2J';
export const BIDI = '\u202e';
export const BEL = '\u0007';

type Answer = (origin: string, kind: 'preflight' | 'actual') => Partial<CorsHeaders> & { status?: number };

/** No CORS header at all, as parseCorsHeaders reads a response without one. */
const NONE: CorsHeaders = parseCorsHeaders({});

const ACRH = ['authorization', 'content-type', 'x-api-key'];

function exchange(
  kind: 'preflight' | 'actual',
  origin: string,
  answer: Answer,
  requestMethod: string | null,
): CorsExchange {
  const { status, ...headers } = answer(origin, kind);
  return {
    kind,
    method: kind === 'preflight' ? 'OPTIONS' : 'GET',
    request_method: requestMethod,
    request_headers: kind === 'preflight' ? ACRH : [],
    status: status ?? (kind === 'preflight' ? 204 : 200),
    headers: { ...NONE, ...headers },
    error: null,
  };
}

function result(c: Candidate, answer: Answer): CandidateResult {
  const preflight = exchange('preflight', c.origin, answer, 'GET');
  const stateChanging = exchange('preflight', c.origin, answer, 'DELETE');
  const actual = exchange('actual', c.origin, answer, null);
  return {
    ...c,
    preflights: [preflight, stateChanging],
    actual,
    allowed: allowOriginMatches(c.origin, actual.headers),
    credentials: actual.headers.acac === 'true',
    readable: judgeReadability(c.origin, { actual, preflight, stateChanging }),
  };
}

export function buildReport(
  answer: Answer,
  over: Partial<CorsReport> & { testOnly?: number } = {},
): CorsReport {
  const { testOnly, ...rest } = over;
  const all = generateCandidates([TRUSTED]);
  const tested = testOnly === undefined ? all : all.slice(0, testOnly);
  const results = tested.map((c) => result(c, answer));
  const rule = reconstructRule([TRUSTED], results);
  const preflight = summarizePreflight(results);
  const findings = sortFindings(
    corsFindings({ url: PROBED_URL, method: 'GET', trusted: [TRUSTED], results, rule, preflight }),
  ) as CorsReport['findings'];
  return {
    url: PROBED_URL,
    method: 'GET',
    trusted_origins: [TRUSTED],
    rule,
    findings,
    preflight,
    candidates: results,
    not_tested: all.slice(tested.length),
    requests_sent: results.length * 3,
    duration_ms: 420,
    budget: { max_requests: all.length * 3, duration_ms: 60_000 },
    stopped: 'done',
    error: null,
    ...rest,
  };
}

/** `cors({ origin: true, credentials: true })`: every Origin echoed, with credentials. */
export const reflecting: Answer = (origin, kind) => ({
  acao: origin,
  acac: 'true',
  vary: 'Origin',
  ...(kind === 'preflight' ? { acam: 'GET,POST,DELETE', acah: ACRH.join(','), max_age: '600' } : {}),
});

/** An exact allow-list of TRUSTED with credentials, Max-Age and nothing for anyone else. */
export const allowList: Answer = (origin, kind) =>
  origin === TRUSTED
    ? {
        acao: origin,
        acac: 'true',
        vary: 'Origin',
        ...(kind === 'preflight' ? { acam: 'GET,POST,DELETE', acah: ACRH.join(','), max_age: '600' } : {}),
      }
    : { vary: 'Origin' };

/** `*` with credentials (browsers refuse the credentialed read), and a trusted origin given `TRUE`. */
export const wildcardCredentials: Answer = (origin) =>
  origin === TRUSTED ? { acao: origin, acac: 'TRUE' } : { acao: '*', acac: 'true' };

/** Every header a server chooses carries a screen clear, a BEL, a bidi override and Markdown. */
export const EVIL = `x${ESC_CLEAR}${BEL}${BIDI}evil|\`md\`\n# heading`;
export const hostile: Answer = (origin, kind) => ({
  acao: origin === TRUSTED ? origin : EVIL,
  acac: 'true',
  vary: EVIL,
  aceh: EVIL,
  ...(kind === 'preflight' ? { acam: `GET, ${EVIL}`, acah: EVIL, max_age: EVIL } : {}),
});

export function reflectingReport(over: Partial<CorsReport> & { testOnly?: number } = {}): CorsReport {
  return buildReport(reflecting, over);
}

export function allowListReport(over: Partial<CorsReport> & { testOnly?: number } = {}): CorsReport {
  return buildReport(allowList, over);
}

/** The hostile server, plus a finding whose every text field is hostile (whatever the lib puts in them). */
export function hostileReport(): CorsReport {
  const report = buildReport(hostile);
  report.findings.push({
    id: 'cors.invalid-allow-origin',
    severity: 'low',
    origin: EVIL,
    message: `Access-Control-Allow-Origin is ${EVIL}`,
    evidence: [
      {
        request: `GET ${PROBED_URL} (Origin: ${EVIL})`,
        status: 200,
        header: 'access-control-allow-origin',
        value: EVIL,
        note: EVIL,
      },
    ],
    advice: EVIL,
  });
  report.error = null;
  return report;
}
