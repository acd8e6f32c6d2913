import type { CandidateResult, CorsExchange, PreflightSummary } from './types.js';
import { parseMaxAge, parseTokenList } from './headers.js';

/**
 * How the server answers a preflight from a trusted origin (the first trusted candidate whose preflight was
 * handled, else the first trusted one, else the first candidate): whether OPTIONS got a 2xx with CORS headers,
 * the Max-Age and the allowed methods and headers as listed (methods as written, header names lower-cased).
 */
export function summarizePreflight(results: readonly CandidateResult[]): PreflightSummary {
  const trusted = results.filter((r) => r.class === 'trusted');
  const pool = trusted.length > 0 ? trusted : results;
  const first = pool.map((r) => r.preflights[0] ?? null).filter((p): p is CorsExchange => p !== null);
  const chosen = first.find(preflightHandled) ?? first[0] ?? null;
  if (chosen === null) {
    return { handled: false, status: null, max_age_s: null, allow_methods: [], allow_headers: [] };
  }
  return {
    handled: preflightHandled(chosen),
    status: chosen.status,
    max_age_s: parseMaxAge(chosen.headers.max_age),
    allow_methods: listOf(chosen.headers.acam, false),
    allow_headers: listOf(chosen.headers.acah, true),
  };
}

/** Answered as a CORS preflight: a 2xx (#ok-status) carrying at least one Access-Control-Allow-* header. */
export function preflightHandled(ex: CorsExchange): boolean {
  if (ex.status === null || ex.status < 200 || ex.status > 299) return false;
  const h = ex.headers;
  return h.acao !== null || h.acam !== null || h.acah !== null;
}

/** The list as a browser parses it; when it does not parse, the comma-separated pieces as sent. */
function listOf(value: string | null, lowerCase: boolean): string[] {
  const parsed = parseTokenList(value, lowerCase);
  if (parsed !== null) return parsed;
  return (value ?? '')
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v !== '');
}
