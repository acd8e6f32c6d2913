import { expect } from 'vitest';
import type { RateLimitReport } from '../../src/lib/ratelimit/types.js';
import type { LimiterFixture, LimiterTruth } from '../fixtures/ratelimit/types.js';
import type { RateLimitProbeDeps, RateLimitProbeOptions } from '../../src/probes/ratelimit.js';
import { PROBE_DEFAULTS, runProbe } from './ratelimit-run.js';

/**
 * The probe run the way `apikit probe ratelimit` runs it (ratelimit-run.ts) against a real limiter on 127.0.0.1,
 * and the checks of its verdict against the limiter's configured ground truth and of what the server saw.
 */

export { PROBE_DEFAULTS, runProbe as probe } from './ratelimit-run.js';

/**
 * Probes a fresh key of `fixture` (PROBE_DEFAULTS but `overrides`) and checks what the server saw of it against
 * the budget it was given (expectServerSide).
 */
export async function probeFresh(
  fixture: LimiterFixture,
  overrides: Partial<RateLimitProbeOptions> = {},
  deps: Partial<Omit<RateLimitProbeDeps, 'client'>> = {},
): Promise<{ url: string; report: RateLimitReport; arrivals: number[] }> {
  const url = fixture.freshUrl();
  const report = await runProbe(url, overrides, deps);
  const maxRequests = overrides.maxRequests ?? PROBE_DEFAULTS.maxRequests;
  const arrivals = await expectServerSide(fixture, url, report, maxRequests);
  return { url, report, arrivals };
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

/** What the headers said, as the truth says a correct probe reads them: the dialects and the mismatches. */
export function expectHeadersAsTruth(report: RateLimitReport, truth: LimiterTruth): void {
  expect(report.headers_scheme).toEqual(truth.schemes);
  expect(report.mismatches.map((m) => m.field)).toEqual(truth.mismatches);
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
