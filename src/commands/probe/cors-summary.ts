import { severityCountsText } from '../../lib/report/numbers.js';
import type {
  CandidateResult,
  CorsExchange,
  CorsReport,
  PreflightSummary,
  Readability,
} from '../../lib/cors/types.js';
import { PARTIAL_STOPS, sentText, stoppedText } from '../../lib/report/probe-summary.js';

/**
 * What the terminal view and the Markdown report both say about a CORS probe, as plain (unsanitised, unescaped)
 * text: each renderer makes it safe for where it goes. Most of it quotes the server (ACAO values, Max-Age, the
 * allowed methods and headers).
 */
export function corsSummaryRows(report: CorsReport): [string, string][] {
  return [
    ['trusted', report.trusted_origins.join(', ')],
    ['rule', ruleText(report)],
    ['preflight', preflightText(report.preflight)],
    ['findings', severityCountsText(report.findings)],
    ['candidates', candidatesText(report)],
    ['requests', sentText(report.requests_sent, report.duration_ms, report.budget)],
    ['stopped', stoppedText(STOPPED, report)],
  ];
}

function ruleText(r: CorsReport): string {
  const kinds = r.rule.kinds.length > 0 ? r.rule.kinds : [r.rule.kind];
  return `${r.rule.description} (${kinds.join(', ')})`;
}

export function preflightText(p: PreflightSummary): string {
  if (!p.handled) {
    // Handled is a 2xx with CORS headers (preflight-summary.ts): say what came instead.
    return p.status === null ? 'not answered' : `not handled: OPTIONS answered ${p.status}`;
  }
  const parts = [`handled (${p.status ?? '-'})`];
  parts.push(p.max_age_s === null ? 'no Max-Age' : `Max-Age ${p.max_age_s} s`);
  if (p.allow_methods.length > 0) parts.push(`methods ${p.allow_methods.join(', ')}`);
  if (p.allow_headers.length > 0) parts.push(`headers ${p.allow_headers.join(', ')}`);
  return parts.join('; ');
}

function candidatesText(r: CorsReport): string {
  const notTested = r.not_tested?.length ?? 0;
  const total = r.candidates.length + notTested;
  const readable = r.candidates.filter((c) => isAttacker(c) && isReadable(c.readable)).length;
  const base = `${r.candidates.length} of ${total} tested; ${readable} untrusted readable`;
  return notTested === 0 ? base : `${base}; ${notTested} not tested`;
}

const STOPPED: Record<CorsReport['stopped'], string> = {
  done: 'every candidate was tested',
  budget: 'the request budget (--max-requests) was used up: the rest are not tested',
  deadline: 'the duration (--duration) was reached: the rest are not tested',
  ...PARTIAL_STOPS,
};

/** A page at the origin is someone else's (not a trusted origin, and one a browser can send). */
export function isAttacker(c: CandidateResult): boolean {
  return c.attacker !== 'none' && c.attacker !== 'not-a-browser-origin';
}

/** Anything a page at the origin could do with the response or the state-changing request. */
export function isReadable(r: Readability): boolean {
  return r.simple || r.credentialed || r.preflighted || r.state_changing_sent;
}

export const CANDIDATE_HEAD = [
  'origin',
  'class',
  'preflight',
  'actual',
  'credentials',
  'readable by its page',
];

/** One candidate as the cells of a row (plain text). */
export function candidateCells(c: CandidateResult): string[] {
  const [preflight, stateChanging] = c.preflights;
  const pre =
    preflight === undefined
      ? '-'
      : stateChanging === undefined
        ? exchangeText(preflight, c.origin)
        : `${exchangeText(preflight, c.origin)}; ${stateChanging.request_method ?? 'DELETE'} ${exchangeText(stateChanging, c.origin)}`;
  return [
    c.origin,
    c.class,
    pre,
    c.actual === null ? '-' : exchangeText(c.actual, c.origin),
    credentialsText(c),
    readableText(c.readable),
  ];
}

/**
 * Whether the actual response lets this origin's page have it with credentials: `allowed` (ACAO echoed and ACAC
 * exactly `true`), `refused: ACAO *` (a wildcard never serves a credentialed read), `ACAC "TRUE"` (anything but
 * exactly `true` fails), `-` when there is no ACAC or the ACAO is not for this origin (credentials are then moot).
 */
export function credentialsText(c: CandidateResult): string {
  const h = c.actual?.headers;
  if (h === undefined || h.acac === null || !c.allowed) return '-';
  if (h.acao === '*') return 'refused: ACAO *';
  return h.acac === 'true' ? 'allowed' : `ACAC ${JSON.stringify(h.acac)}`;
}

/** `204 echoed`, `200 ACAO *`, `404 no ACAO`, `failed`. */
export function exchangeText(e: CorsExchange, origin: string): string {
  if (e.status === null) return e.error === null ? 'failed' : `failed (${e.error})`;
  const acao = e.headers.acao;
  const said = acao === null ? 'no ACAO' : acao === origin ? 'echoed' : `ACAO ${acao}`;
  return `${e.status} ${said}`;
}

/** `with credentials, preflighted, DELETE sent` / `without credentials` / `no`. */
export function readableText(r: Readability): string {
  const parts: string[] = [];
  if (r.credentialed) parts.push('with credentials');
  else if (r.simple) parts.push('without credentials');
  if (r.preflighted) parts.push('preflighted');
  if (r.state_changing_sent) parts.push('DELETE sent');
  return parts.length === 0 ? 'no' : parts.join(', ');
}

/** The candidates the probe did not get to, by class: `prefix (2), dev-hosting (5)`. */
export function notTestedText(r: CorsReport): string | null {
  const rest = r.not_tested ?? [];
  if (rest.length === 0) return null;
  const byClass = new Map<string, number>();
  for (const c of rest) byClass.set(c.class, (byClass.get(c.class) ?? 0) + 1);
  return [...byClass].map(([cls, n]) => `${cls} (${n})`).join(', ');
}
