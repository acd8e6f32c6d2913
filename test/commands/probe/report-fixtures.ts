import type { Finding } from '../../../src/lib/findings.js';
import type { RateLimitReport, TimelineEntry } from '../../../src/lib/ratelimit/types.js';

/**
 * Hand-built RateLimitReports for the render tests: what the engine (src/probes/ratelimit.ts) returns, written out
 * so that the renderers are tested on their own — a limited fixed window, an unlimited endpoint, a hostile
 * server's strings in every place a server can put one, an interrupted and a failed probe.
 */

/** ESC [2J clears the screen, ESC ]0; retitles the window, U+202E flips the text that follows. */
export const ESC_CLEAR = '\u001b[2J';
export const ESC_TITLE = '\u001b]0;pwned\u0007';
export const BIDI = '\u202e';

export function entry(
  seq: number,
  sent_ms: number,
  status: number | null,
  extra: Partial<TimelineEntry> = {},
): TimelineEntry {
  const outcome = status === null ? 'failed' : status === 429 || status === 503 ? 'limited' : 'accepted';
  return {
    seq,
    phase: 'burst',
    sent_ms,
    latency_ms: status === null ? null : 3 + seq,
    status,
    outcome,
    remaining: null,
    reset_s: null,
    retry_after_s: status === 429 ? 1 : null,
    ...extra,
  };
}

const noRetryAfter: Finding = {
  id: 'ratelimit.no-retry-after',
  severity: 'medium',
  message: '429 without Retry-After',
  evidence: [{ request: 'GET http://127.0.0.1:4000/', status: 429, header: 'retry-after' }],
  advice: 'send Retry-After with every 429 (RFC 6585 §4)',
};

export function limitedReport(over: Partial<RateLimitReport> = {}): RateLimitReport {
  const timeline = [
    ...[0, 1, 2, 3, 4].map((i) => entry(i, i * 10, 200, { remaining: 4 - i, reset_s: 1 })),
    entry(5, 50, 429),
    entry(6, 1100, 200, { phase: 'recovery' }),
    ...[7, 8, 9, 10].map((i) => entry(i, 1100 + (i - 6) * 10, 200, { phase: 'refill' })),
    entry(11, 1150, 429, { phase: 'refill' }),
  ];
  return {
    url: 'http://127.0.0.1:4000/',
    method: 'GET',
    requests_sent: timeline.length,
    duration_ms: 1200,
    status_counts: { '200': 10, '429': 2 },
    limited: true,
    limit_statuses: [429],
    headers_scheme: ['x-ratelimit', 'retry-after'],
    policies: [
      {
        scheme: 'ietf',
        name: 'burst',
        quota: 5,
        window_s: 1,
        quota_unit: null,
        partition_key: null,
      },
    ],
    limit: 5,
    remaining: 4,
    reset_s: 1,
    retry_after_s: 1,
    algorithm: 'fixed-window',
    burst: 5,
    sustained_rate_per_s: 5,
    window_s: 1,
    confidence: 'high',
    evidence: ['5 accepted back-to-back, then 429', 'quota returned all at once after 1.0 s'],
    mismatches: [
      {
        field: 'retry-after',
        advertised: '1 s',
        observed: 'accepted again after 1.0 s',
        message: 'Retry-After said 60 s; requests succeeded again after 1.0 s',
      },
    ],
    findings: [
      noRetryAfter,
      { id: 'ratelimit.headers', severity: 'info', message: 'X-RateLimit-* headers', evidence: [] },
    ],
    timeline,
    stopped: 'done',
    budget: { max_requests: 150, duration_ms: 60_000, concurrency: 1, rate_per_s: null },
    error: null,
    ...over,
  };
}

export function unlimitedReport(over: Partial<RateLimitReport> = {}): RateLimitReport {
  const timeline = Array.from({ length: 20 }, (_, i) => entry(i, i * 5, 200));
  return limitedReport({
    requests_sent: 20,
    duration_ms: 110,
    status_counts: { '200': 20 },
    limited: false,
    limit_statuses: [],
    headers_scheme: [],
    policies: [],
    limit: null,
    remaining: null,
    reset_s: null,
    retry_after_s: null,
    algorithm: 'none',
    burst: null,
    sustained_rate_per_s: null,
    window_s: null,
    confidence: 'medium',
    evidence: ['20 requests accepted back-to-back'],
    mismatches: [],
    findings: [
      {
        id: 'ratelimit.unlimited',
        severity: 'medium',
        message: 'no rate limit within 20 requests',
        evidence: [],
      },
    ],
    timeline,
    stopped: 'budget',
    budget: { max_requests: 20, duration_ms: 60_000, concurrency: 1, rate_per_s: null },
    ...over,
  });
}

/** Every place a server's text reaches the report, carrying escapes and a bidi override. */
export function hostileReport(): RateLimitReport {
  const evil = `x${ESC_CLEAR}${ESC_TITLE}${BIDI}evil|\`md\`\n# heading`;
  return limitedReport({
    policies: [{ scheme: 'ietf', name: evil, quota: 5, window_s: 1, quota_unit: evil, partition_key: null }],
    evidence: [`remaining said ${evil}`],
    mismatches: [{ field: 'remaining', advertised: evil, observed: evil, message: `remaining ${evil}` }],
    findings: [
      {
        id: 'ratelimit.malformed-header',
        severity: 'low',
        message: `malformed x-ratelimit-remaining: ${evil}`,
        evidence: [{ header: 'x-ratelimit-remaining', value: evil, note: evil }],
        advice: evil,
      },
    ],
  });
}
