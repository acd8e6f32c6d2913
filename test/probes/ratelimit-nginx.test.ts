import { describe, expect, it } from 'vitest';
import { startNginxLimiters } from '../fixtures/ratelimit/nginx.js';
import { requireNginx } from '../fixtures/ratelimit/require.js';
import { suiteServers } from '../helpers/suite-servers.js';
import { describe as line, expectVerdict, expectWithin, probe, probeFresh } from './ratelimit-support.js';

/**
 * nginx limit_req, the real thing: `burst + nodelay` and no burst (token buckets from outside), without nodelay
 * (a queue), and the default 503 status. No headers, no Retry-After: every number comes from what the probe saw.
 */
const gate = requireNginx();

describe.skipIf(gate.skip)('probe ratelimit against nginx limit_req', () => {
  const started = suiteServers({ nginx: () => startNginxLimiters() });

  it.each(['nodelay', 'noburst', 'status503'] as const)(
    '%s: a token bucket, burst and rate within ±20 %, the budget counted at nginx',
    async (zone) => {
      const fixture = started.nginx[zone];
      const { report } = await probeFresh(fixture);
      expectVerdict(report, fixture.truth);
      expect(report.stopped).toBe('done');
      expect(report.evidence.join('\n')).toMatch(/GCRA.*nodelay/);
      expect(report.headers_scheme).toEqual([]);
      expect(report.retry_after_s).toBeNull();
      expect(report.limit_statuses).toContain(fixture.truth.limit_status);
      console.info(line(fixture.name, report, fixture.truth));
    },
    30_000,
  );

  it('the 503 zone: 503 is taken as a limit signal, listed, and a finding says so', async () => {
    const url = started.nginx.status503.freshUrl();
    const report = await probe(url);
    expect(report.limited).toBe(true);
    expect(report.limit_statuses).toEqual([429, 503]);
    expect(report.status_counts['503']).toBeGreaterThan(0);
    expect(report.findings.map((f) => f.id)).toContain('ratelimit.status-503');
  }, 30_000);

  it('the queue, hit by a concurrent wave: a leaky bucket, its depth and drain rate, held-back requests marked queued', async () => {
    const fixture = started.nginx.queue;
    const { report } = await probeFresh(fixture, { concurrency: 10 });
    expectVerdict(report, fixture.truth);
    expect(report.timeline.filter((e) => e.outcome === 'queued').length).toBeGreaterThanOrEqual(3);
    console.info(line(`${fixture.name} (concurrency 10)`, report, fixture.truth));
  }, 30_000);

  it('the queue, one request at a time: a leaky bucket and its drain rate; the depth needs concurrency, and it says so', async () => {
    const fixture = started.nginx.queue;
    const { report } = await probeFresh(fixture);
    expect(report.algorithm).toBe('leaky-bucket');
    expect(report.limited).toBe(true);
    expectWithin('rate', report.sustained_rate_per_s, fixture.truth.rate_per_s);
    expect(report.burst).toBeNull();
    expect(report.evidence.join('\n')).toMatch(/--concurrency/);
    // Nothing is refused one at a time: the requests are only held back, at 1/rate each.
    expect(report.status_counts['429']).toBeUndefined();
    expect(report.requests_sent).toBeLessThanOrEqual(15);
  }, 30_000);

  it('concurrency 4 against the token bucket: the same verdict, never more than the budget at nginx', async () => {
    const fixture = started.nginx.nodelay;
    const { report } = await probeFresh(fixture, { concurrency: 4, maxRequests: 40 });
    expectVerdict(report, fixture.truth);
  }, 30_000);
});
