import { expect } from 'vitest';
import { createHttpClient, DEFAULT_HTTP_OPTIONS } from '../../src/http/client.js';
import { Redactor } from '../../src/io/redact.js';
import { systemClock } from '../../src/io/system.js';
import type { RateLimitReport } from '../../src/lib/ratelimit/types.js';
import {
  probeRateLimit,
  type RateLimitProbeDeps,
  type RateLimitProbeOptions,
} from '../../src/probes/ratelimit.js';
import type { LimiterFixture, LimiterTruth } from '../fixtures/ratelimit/types.js';

/**
 * Runs the probe the way `apikit probe ratelimit` does — a client built with the command's options (its own
 * request cap, concurrency and timeout), the system clock, real timers — against a real limiter on 127.0.0.1,
 * and checks the verdict against the limiter's configured ground truth.
 */

export const PROBE_DEFAULTS = {
  method: 'GET',
  headers: {},
  maxRequests: 150,
  durationMs: 60_000,
  concurrency: 1,
  ratePerS: null,
  timeoutMs: 10_000,
} as const satisfies Omit<RateLimitProbeOptions, 'url'>;

export async function probe(
  url: string,
  overrides: Partial<RateLimitProbeOptions> = {},
  deps: Partial<Omit<RateLimitProbeDeps, 'client'>> = {},
): Promise<RateLimitReport> {
  const options: RateLimitProbeOptions = { ...PROBE_DEFAULTS, url, ...overrides };
  const client = createHttpClient({
    ...DEFAULT_HTTP_OPTIONS,
    userAgent: 'apikit-test',
    headers: {},
    redactor: new Redactor(),
    clock: systemClock,
    maxRequests: options.maxRequests,
    concurrency: options.concurrency,
    timeoutMs: options.timeoutMs,
    signal: deps.signal,
  });
  try {
    return await probeRateLimit(options, { client, clock: systemClock, ...deps });
  } finally {
    await client.close();
  }
}

/** `got` within ±20 % of `want` (the tolerance); both null when the truth has none. */
export function expectWithin(what: string, got: number | null, want: number | null): void {
  if (want === null) {
    expect(got, what).toBeNull();
    return;
  }
  expect(got, `${what}: measured nothing, want ${want}`).not.toBeNull();
  expect(Math.abs(got! - want) / want, `${what}: measured ${got}, want ${want} ±20 %`).toBeLessThanOrEqual(
    0.2,
  );
}

/** The verdict against the truth: limited and algorithm exact, the numbers within ±20 %. */
export function expectVerdict(report: RateLimitReport, truth: LimiterTruth): void {
  const summary = `${report.algorithm} burst=${report.burst} rate=${report.sustained_rate_per_s} window=${report.window_s}\n${report.evidence.join('\n')}`;
  expect(report.limited, summary).toBe(truth.limited);
  expect(report.algorithm, summary).toBe(truth.algorithm);
  expectWithin(`burst (${summary})`, report.burst, truth.burst);
  expectWithin(`rate (${summary})`, report.sustained_rate_per_s, truth.rate_per_s);
  expectWithin(`window (${summary})`, report.window_s, truth.window_s);
}

/**
 * What the server saw of one probe: its request count never above the budget and equal to what the probe says
 * it sent; and no request arriving while a limited response's Retry-After was running (server-side times: the
 * server stamped the limited request before answering, so the wait counts from at most that instant).
 */
export async function expectServerSide(
  fixture: LimiterFixture,
  url: string,
  report: RateLimitReport,
  maxRequests: number,
): Promise<number[]> {
  await fixture.settle();
  const arrivals = fixture.arrivals(url);
  expect(arrivals.length).toBeLessThanOrEqual(maxRequests);
  expect(arrivals.length).toBe(report.requests_sent);
  expect(report.timeline).toHaveLength(report.requests_sent);
  if (report.budget.concurrency === 1) {
    // One in flight: the server saw them in the order they were sent.
    const bySeq = [...report.timeline].sort((a, b) => a.seq - b.seq);
    bySeq.forEach((entry, i) => {
      if (entry.outcome !== 'limited' || entry.retry_after_s === null) return;
      const next = arrivals[i + 1];
      if (next === undefined) return;
      expect(
        next - arrivals[i]!,
        `request ${i + 1} arrived ${next - arrivals[i]!} ms after a limited response said Retry-After: ${entry.retry_after_s}`,
      ).toBeGreaterThanOrEqual(entry.retry_after_s * 1000);
    });
  }
  return arrivals;
}

/** One line per probe for the test log (what the bench reports, in small). */
export function describe(name: string, report: RateLimitReport, truth: LimiterTruth): string {
  return (
    `${name}: ${report.algorithm} (${report.confidence}) burst ${report.burst}/${truth.burst} ` +
    `rate ${report.sustained_rate_per_s}/${truth.rate_per_s} window ${report.window_s}/${truth.window_s} ` +
    `— ${report.requests_sent} requests, ${(report.duration_ms / 1000).toFixed(1)} s, stopped ${report.stopped}`
  );
}
