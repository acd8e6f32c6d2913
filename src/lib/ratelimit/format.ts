import type { HeaderScheme } from './types.js';

/**
 * Numbers for people, for the whole rate-limit feature: every number with its unit, nothing the server wrote.
 * There is one form per place a number shows, and the messages people (and the tests) read depend on each:
 * - mismatches and findings (truth.ts, findings.ts): `formatSeconds` for what a header said, `formatElapsed` for
 *   what the probe measured, `formatRequests`, `formatRate`;
 * - the inference's evidence (infer.ts): `formatFitSeconds`, `formatFitRate` — two decimals below ten;
 * - the report (summary table, timeline, budget line): `formatDuration`, `formatMillis`, `formatPerSecond`;
 * - the experiment's progress lines (src/probes/ratelimit/experiment.ts): `formatProgressSeconds`.
 * And the names people know each dialect's numbers by (`HEADER_NAMES`, `headerOf`).
 */

// `formatDuration` and `formatRequests` read the same in every probe's report: src/lib/report/numbers.ts has them.
export { formatRequests, formatSpan as formatDuration } from '../report/numbers.js';

/** An advertised number of seconds: `60 s`, `2.5 s`, `0.25 s`. */
export function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return 'an unusable number of seconds';
  if (Number.isInteger(s)) return `${s} s`;
  return `${Math.abs(s) < 1 ? String(Math.round(s * 100) / 100) : s.toFixed(1)} s`;
}

/** A measured span: `2.0 s`, `12.3 s`; below a tenth of a second in ms (`40 ms`). */
export function formatElapsed(ms: number): string {
  if (!Number.isFinite(ms)) return 'an unknown time';
  if (Math.abs(ms) < 100) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(1)} s`;
}

/** `6.0 requests/s`, `20 requests/s`. */
export function formatRate(perS: number): string {
  return `${perS.toFixed(perS >= 10 ? 0 : 1)} requests/s`;
}

/** A length a model fit: `2.00 s`, `12.3 s`. */
export function formatFitSeconds(s: number): string {
  return `${s < 10 ? s.toFixed(2) : s.toFixed(1)} s`;
}

/** A rate a model fit: `2.00/s`, `12.5/s`. */
export function formatFitRate(perS: number): string {
  return `${perS < 10 ? perS.toFixed(2) : perS.toFixed(1)}/s`;
}

/** A latency in the report: `4.2 ms`, `420 ms`. */
export function formatMillis(ms: number): string {
  return `${ms >= 100 ? Math.round(ms) : Number(ms.toFixed(1))} ms`;
}

/** A rate in the report: `5/s`, `0.5/s`, `0.0833/s`. */
export function formatPerSecond(perS: number): string {
  return `${Number(perS.toPrecision(3))}/s`;
}

/** A span in a progress line: `2.00 s`. */
export function formatProgressSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}

/** What people call each number of each dialect (a name, never a value). */
export const HEADER_NAMES: Readonly<
  Record<HeaderScheme, { limit: string; remaining: string; reset: string }>
> = {
  ietf: { limit: 'RateLimit-Policy q', remaining: 'RateLimit r', reset: 'RateLimit t' },
  'ietf-07': { limit: 'RateLimit limit', remaining: 'RateLimit remaining', reset: 'RateLimit reset' },
  'ietf-06': { limit: 'RateLimit-Limit', remaining: 'RateLimit-Remaining', reset: 'RateLimit-Reset' },
  'x-ratelimit': {
    limit: 'X-RateLimit-Limit',
    remaining: 'X-RateLimit-Remaining',
    reset: 'X-RateLimit-Reset',
  },
  'x-rate-limit': {
    limit: 'X-Rate-Limit-Limit',
    remaining: 'X-Rate-Limit-Remaining',
    reset: 'X-Rate-Limit-Reset',
  },
  'retry-after': { limit: 'Retry-After', remaining: 'Retry-After', reset: 'Retry-After' },
};

/** The header a check is about, for evidence (lower case, as HeaderMap spells it). */
export function headerOf(scheme: HeaderScheme, what: 'limit' | 'remaining' | 'reset' | 'policy'): string {
  if (what === 'policy' || (scheme === 'ietf' && what === 'limit')) {
    return scheme === 'x-ratelimit' || scheme === 'x-rate-limit'
      ? HEADER_NAMES[scheme].limit.toLowerCase()
      : 'ratelimit-policy';
  }
  if (scheme === 'ietf' || scheme === 'ietf-07') return 'ratelimit';
  return HEADER_NAMES[scheme][what].toLowerCase();
}
