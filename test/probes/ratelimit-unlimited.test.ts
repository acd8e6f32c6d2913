import { describe, expect, it } from 'vitest';
import { startUnlimited } from '../fixtures/ratelimit/unlimited.js';
import { suiteServers } from '../helpers/suite-servers.js';
import { expectVerdict, probeFresh } from './ratelimit-support.js';

/** An endpoint with no limit: the probe spends exactly its budget (counted at the server) and says so. */
describe('probe ratelimit against an unlimited endpoint', () => {
  const started = suiteServers({ unlimited: () => startUnlimited() });

  it.each([1, 5, 150])(
    'a budget of %i: exactly that many arrive, limited false, algorithm none',
    async (n) => {
      const { report, arrivals } = await probeFresh(started.unlimited, { maxRequests: n });
      expectVerdict(report, started.unlimited.truth);
      expect(report.stopped).toBe('budget');
      expect(report.requests_sent).toBe(n);
      expect(report.status_counts).toEqual({ '200': n });
      expect(report.findings.map((f) => f.id)).toContain('ratelimit.unlimited');
      expect(arrivals).toHaveLength(n);
    },
  );

  it('concurrency 8: still exactly the budget at the server', async () => {
    const { report, arrivals } = await probeFresh(started.unlimited, { maxRequests: 37, concurrency: 8 });
    expect(report.requests_sent).toBe(37);
    expect(arrivals).toHaveLength(37);
  });

  it('--rate 40/s: the server sees them no closer than 25 ms apart', async () => {
    const { report, arrivals } = await probeFresh(started.unlimited, { maxRequests: 12, ratePerS: 40 });
    expect(report.requests_sent).toBe(12);
    // The server stamps each arrival when its handler runs, in a process shared with the probe: one request held
    // up a few ms brings the next closer. Unpaced requests would arrive 0–2 ms apart; the whole run spans the
    // 11 intervals.
    const gaps = arrivals.slice(1).map((t, i) => t - arrivals[i]!);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(12);
    expect(arrivals.at(-1)! - arrivals[0]!).toBeGreaterThanOrEqual(11 * 25 - 2);
  });

  it('a deadline shorter than the budget needs: stops at the deadline, nothing sent after it', async () => {
    const startedAt = Date.now();
    const { report, arrivals } = await probeFresh(started.unlimited, {
      maxRequests: 150,
      ratePerS: 20,
      durationMs: 600,
    });
    expect(report.stopped).toBe('deadline');
    expect(report.requests_sent).toBeLessThan(150);
    expect(Math.max(...arrivals)).toBeLessThanOrEqual(startedAt + 600 + 5);
    expect(report.limited).toBe(false);
  });
});
