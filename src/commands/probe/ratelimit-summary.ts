import { formatDuration, formatPerSecond } from '../../lib/ratelimit/format.js';
import type { AdvertisedPolicy, ProbeStop, RateLimitReport } from '../../lib/ratelimit/types.js';
import { PARTIAL_STOPS, sentText, stoppedText } from '../../lib/report/probe-summary.js';

/**
 * What the terminal table and the Markdown report both say about a probe, as plain (unsanitised, unescaped) text:
 * each renderer makes it safe for where it goes.
 */
export function summaryRows(report: RateLimitReport): [string, string][] {
  return [
    ['limited', limitedText(report)],
    ['algorithm', algorithmText(report)],
    ['burst', report.burst === null ? 'unknown' : `${report.burst} requests back-to-back`],
    [
      'sustained rate',
      report.sustained_rate_per_s === null ? 'unknown' : formatPerSecond(report.sustained_rate_per_s),
    ],
    ['window', report.window_s === null ? '-' : formatDuration(report.window_s * 1000)],
    ['Retry-After', retryAfterText(report)],
    ['header scheme', report.headers_scheme.length === 0 ? 'none' : report.headers_scheme.join(', ')],
    ['advertised', advertisedText(report)],
    ['requests', requestsText(report)],
    ['stopped', stoppedText(STOPPED, report)],
  ];
}

function limitedText(r: RateLimitReport): string {
  if (r.limited) {
    // The statuses taken as limits that were answered (429 is always one, seen or not).
    const statuses = r.limit_statuses
      .filter((s) => (r.status_counts[String(s)] ?? 0) > 0)
      .map((s) => (s === 503 ? '503, a possible limit signal' : String(s)));
    return statuses.length === 0 ? 'yes' : `yes (${statuses.join('; ')})`;
  }
  if (r.stopped === 'error' || r.stopped === 'interrupted') return 'not seen before the probe stopped';
  return `no limit seen in ${r.requests_sent} requests over ${formatDuration(r.duration_ms)}`;
}

function algorithmText(r: RateLimitReport): string {
  const text = `${r.algorithm} (${r.confidence} confidence)`;
  // Said here because it is the honest answer: these three produce the same requests-over-time from outside.
  return r.algorithm === 'token-bucket'
    ? `${text}; a token bucket, GCRA and nginx limit_req nodelay look alike from outside`
    : text;
}

function retryAfterText(r: RateLimitReport): string {
  if (r.retry_after_s !== null) return formatDuration(r.retry_after_s * 1000);
  return r.limited ? 'not sent' : '-';
}

function advertisedText(r: RateLimitReport): string {
  const parts: string[] = [];
  if (r.limit !== null) parts.push(`limit ${r.limit}`);
  if (r.remaining !== null) parts.push(`remaining ${r.remaining}`);
  if (r.reset_s !== null) parts.push(`reset in ${formatDuration(r.reset_s * 1000)}`);
  return parts.length === 0 ? 'nothing' : parts.join(', ');
}

function requestsText(r: RateLimitReport): string {
  const counts = Object.entries(r.status_counts)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([status, n]) => `${status}: ${n}`);
  const sent = sentText(r.requests_sent, r.duration_ms, r.budget);
  return counts.length === 0 ? sent : `${sent} (${counts.join(', ')})`;
}

const STOPPED: Record<ProbeStop, string> = {
  done: 'the evidence sufficed',
  budget: 'the request budget (--max-requests) was used up',
  deadline: 'the duration (--duration) was reached, or a wait would have passed it',
  ...PARTIAL_STOPS,
};

/** One policy as the cells of a row: name, scheme, quota, window, unit. */
export function policyCells(p: AdvertisedPolicy): string[] {
  return [
    p.name ?? '-',
    p.scheme,
    String(p.quota),
    p.window_s === null ? '-' : formatDuration(p.window_s * 1000),
    p.quota_unit ?? 'requests',
  ];
}

export const POLICY_HEAD = ['policy', 'scheme', 'quota', 'window', 'unit'];
