import { countBySeverity, SEVERITIES, type Finding } from '../findings.js';
/**
 * Numbers in a probe's report (summary table, timeline, budget line), each with its unit, the same in every probe:
 * the rate-limit report (src/lib/ratelimit/format.ts re-exports these) and the CORS report say a span or a count
 * of requests alike.
 */

/** A span in a report: `3.2 s`, `0.25 s`, `60 s` (not finite: `0 s`). */
export function formatSpan(ms: number): string {
  const s = (Number.isFinite(ms) ? ms : 0) / 1000;
  return `${s >= 10 ? Number(s.toFixed(1)) : Number(s.toFixed(2))} s`;
}

/** `1 request`, `100 requests`. */
export function formatRequests(n: number): string {
  return n === 1 ? '1 request' : `${n} requests`;
}

/** `2 high, 3 medium, 1 info`: the findings counted per severity, worst first; `none` when there are none. */
export function severityCountsText(findings: readonly Pick<Finding, 'severity'>[]): string {
  const counts = countBySeverity(findings);
  const parts = [...SEVERITIES]
    .reverse()
    .filter((s) => counts[s] > 0)
    .map((s) => `${counts[s]} ${s}`);
  return parts.length === 0 ? 'none' : parts.join(', ');
}
