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

  // Pacing and the deadline are checked by counting at the server, not by clocking arrivals: the server stamps an
  // arrival when its handler runs, in a process shared with the probe, so under load two paced requests can be
  // handled 1 ms apart (and a request sent before the deadline handled after it). A count cannot be inflated by a
  // stall: requests arrive no earlier than they are sent.
  it('--rate 40/s for 400 ms: at most 17 requests reach the server, where the same budget unpaced sends all 60', async () => {
    const paced = await probeFresh(started.unlimited, { maxRequests: 60, ratePerS: 40, durationMs: 400 });
    // At t = 0, 25, …, 400 ms: 17 sends at most (fewer when the machine is slow).
    expect(paced.report.requests_sent).toBeLessThanOrEqual(17);
    expect(paced.report.requests_sent).toBeGreaterThanOrEqual(2);
    expect(paced.arrivals).toHaveLength(paced.report.requests_sent);
    const unpaced = await probeFresh(started.unlimited, { maxRequests: 60, durationMs: 10_000 });
    expect(unpaced.arrivals).toHaveLength(60);
  });

  it('a deadline shorter than the budget needs: stops at the deadline, nothing sent after it', async () => {
    const { report, arrivals } = await probeFresh(started.unlimited, {
      maxRequests: 150,
      ratePerS: 20,
      durationMs: 600,
    });
    expect(report.stopped).toBe('deadline');
    // At t = 0, 50, …, 600 ms at the most: 13 sends; every one sent arrived, none after the probe stopped.
    expect(report.requests_sent).toBeLessThanOrEqual(13);
    expect(arrivals).toHaveLength(report.requests_sent);
    expect(report.limited).toBe(false);
  });
});
