import { describe, expect, it } from 'vitest';
import { evidenceText } from '../../src/lib/report/evidence.js';
import { terminalSafe } from '../../src/lib/text/terminal-safe.js';
import type { RateLimitReport } from '../../src/lib/ratelimit/types.js';
import { GARBAGE_HEADERS, startHostile, type HostileEndpoints } from '../fixtures/ratelimit/index.js';
import type { LimiterFixture } from '../fixtures/ratelimit/types.js';
import { suiteServers } from '../helpers/suite-servers.js';
import { probeFresh } from './ratelimit-support.js';

/**
 * `probeRateLimit` end to end against the hostile endpoints (test/fixtures/ratelimit/hostile.ts): malformed
 * headers become findings and never numbers; a Retry-After HTTP-date is read and honoured (no arrival at the
 * server during the wait); a server that never answers ends the probe with stopped 'error' and a partial
 * report; and each lying header yields exactly the mismatches its truth lists, with messages for people.
 */

const started = suiteServers({ hostile: () => startHostile() });

const fieldsOf = (r: RateLimitReport) => [...new Set(r.mismatches.map((m) => m.field))].sort();

/** Probe a fresh key of one endpoint; the server's count and Retry-After waits checked for every probe. */
async function run(
  pick: (h: HostileEndpoints) => LimiterFixture,
  overrides: { maxRequests?: number; durationMs?: number; timeoutMs?: number; concurrency?: number } = {},
): Promise<{ fixture: LimiterFixture; url: string; report: RateLimitReport; arrivals: number[] }> {
  const fixture = pick(started.hostile);
  return { fixture, ...(await probeFresh(fixture, { maxRequests: 40, durationMs: 15_000, ...overrides })) };
}

describe('probe ratelimit against hostile endpoints', () => {
  it('garbage header values: one finding per header, the value as evidence, no number anywhere', async () => {
    const { fixture, report } = await run((h) => h.garbage);
    const malformed = report.findings.filter((f) => f.id === 'ratelimit.malformed-header');
    const headers = new Set(malformed.flatMap((f) => f.evidence.map((e) => e.header)));
    expect([...headers].sort()).toEqual([...fixture.truth.problems].sort());
    expect(malformed).toHaveLength(fixture.truth.problems.length);
    for (const f of malformed) {
      const e = f.evidence[0]!;
      const sent = e.header === 'retry-after' ? 'tomorrow' : GARBAGE_HEADERS[e.header!];
      // As received: header bytes decode as latin1, so the bidi override arrives as its three UTF-8 bytes.
      expect(e.value).toBe(sent);
      expect(f.message).not.toContain(e.value);
      expect(terminalSafe(evidenceText(e))).not.toMatch(/[\u0080-\u009f\u202e]/);
    }
    expect(report).toMatchObject({
      limit: null,
      remaining: null,
      reset_s: null,
      retry_after_s: null,
      policies: [],
    });
    for (const entry of report.timeline) {
      expect([entry.remaining, entry.reset_s, entry.retry_after_s]).toEqual([null, null, null]);
    }
    expect(report.limited).toBe(true);
    expect(report.mismatches).toEqual([]);
  });

  it('Retry-After as an HTTP-date: read (about 3 s), honoured at the server, not a mismatch', async () => {
    const { report, arrivals } = await run((h) => h.httpDate);
    expect(report.limited).toBe(true);
    expect(report.retry_after_s).toBeGreaterThanOrEqual(2);
    expect(report.retry_after_s).toBeLessThanOrEqual(5);
    const firstLimited = report.timeline.findIndex((e) => e.outcome === 'limited');
    expect(arrivals.length, 'the probe went on after the wait').toBeGreaterThan(firstLimited + 1);
    expect(report.findings.filter((f) => f.id === 'ratelimit.malformed-header')).toEqual([]);
    expect(report.mismatches).toEqual([]);
  });

  it('a server that never answers: stopped "error" at the per-request timeout, with the partial report', async () => {
    const { report, arrivals } = await run((h) => h.hang, { timeoutMs: 1000 });
    expect(report.stopped).toBe('error');
    expect(report.error?.code).toMatch(/^ERR_/);
    expect(arrivals).toHaveLength(1);
    expect(report.timeline).toMatchObject([{ seq: 0, status: null, outcome: 'failed' }]);
    // Ended by the 1 s timeout, not by the 15 s duration.
    expect(report.duration_ms).toBeLessThan(8000);
    expect(report.findings.map((f) => f.id)).toContain('ratelimit.probe-failed');
    expect(report.findings.map((f) => f.id)).not.toContain('ratelimit.unlimited');
  });

  it('200 with RateLimit r=0: not limited, and a remaining mismatch', async () => {
    const { fixture, report } = await run((h) => h.zeroRemaining, { maxRequests: 25 });
    expect(report.limited).toBe(false);
    expect(fieldsOf(report)).toEqual([...fixture.truth.mismatches].sort());
    const m = report.mismatches.find((x) => x.kind === 'zero-remaining-accepted')!;
    expect(m.message).toMatch(
      /^RateLimit said r=0 \(reset in 1 s\); \d+ requests succeeded after it, the first /,
    );
    expect(report.findings.map((f) => f.id)).toEqual(
      expect.arrayContaining(['ratelimit.zero-remaining-accepted', 'ratelimit.unlimited']),
    );
  });

  it('Retry-After that lies short: still limited after waiting it', async () => {
    const { fixture, report } = await run((h) => h.retryShort);
    expect(fieldsOf(report)).toEqual([...fixture.truth.mismatches].sort());
    const m = report.mismatches.find((x) => x.kind === 'retry-after-too-short')!;
    expect(m.message).toMatch(/^Retry-After said 1 s; requests were still limited after [1-3]\.\d s/);
    expect(report.findings.find((f) => f.id === 'ratelimit.retry-after-too-short')?.severity).toBe('high');
  });

  it('Retry-After that lies long: the truthful reset on the same response says sooner; no request during the wait', async () => {
    const { fixture, report, arrivals } = await run((h) => h.retryLong, { durationMs: 6000 });
    expect(report.stopped).toBe('deadline');
    const firstLimited = report.timeline.findIndex((e) => e.outcome === 'limited');
    expect(firstLimited).toBeGreaterThan(0);
    expect(arrivals, 'nothing after the 429 that said 30 s').toHaveLength(firstLimited + 1);
    expect(fieldsOf(report)).toEqual([...fixture.truth.mismatches].sort());
    const m = report.mismatches.find((x) => x.kind === 'retry-after-too-long')!;
    expect(m.message).toMatch(/^Retry-After said 30 s; RateLimit t on the same response said [12] s$/);
  });

  it('a limit header that advertises far more than is allowed: limit and remaining mismatches', async () => {
    const { fixture, report } = await run((h) => h.overAdvertised);
    expect(report.limit).toBe(1000);
    expect(report.burst).toBe(5);
    expect(fieldsOf(report)).toEqual([...fixture.truth.mismatches].sort());
    const kinds = report.mismatches.map((m) => m.kind);
    expect(kinds).toEqual(expect.arrayContaining(['limit-too-high']));
    expect(report.mismatches.find((m) => m.kind === 'limit-too-high')!.message).toBe(
      'X-RateLimit-Limit said 1000 requests; only 5 were accepted back-to-back before requests were limited',
    );
    expect(report.findings.find((f) => f.id === 'ratelimit.limit-too-high')?.severity).toBe('high');
  });

  it('with 4 in flight, every lie still shows, and only it', async () => {
    const liars = [
      (h: HostileEndpoints) => h.zeroRemaining,
      (h: HostileEndpoints) => h.retryShort,
      (h: HostileEndpoints) => h.retryLong,
      (h: HostileEndpoints) => h.overAdvertised,
    ];
    const runs = await Promise.all(liars.map((pick) => run(pick, { concurrency: 4, durationMs: 8000 })));
    for (const { fixture, report } of runs) {
      expect(fieldsOf(report), fixture.name).toEqual([...fixture.truth.mismatches].sort());
    }
  });
});
