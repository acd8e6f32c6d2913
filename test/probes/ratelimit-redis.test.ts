import { describe, expect, it } from 'vitest';
import { startRedisTokenBucket } from '../fixtures/ratelimit/redis-bucket.js';
import { requireRedisServer } from '../fixtures/ratelimit/require.js';
import { suiteServers } from '../helpers/suite-servers.js';
import { expectHeadersAsTruth, expectVerdict, describe as line, probeFresh } from './ratelimit-support.js';

/**
 * The classic Redis Lua token bucket behind a Node server: X-RateLimit-* and a whole-second Retry-After on every
 * 429 (1 s while a token returns in 0.17 s), which the probe honours: the refill is counted by bursts after
 * those waits, and the server-side arrival times show that nothing came during one.
 */
const gate = requireRedisServer();

describe.skipIf(gate.skip)('probe ratelimit against a Redis token bucket', () => {
  const buckets = suiteServers({
    delta: () => startRedisTokenBucket(),
    epoch: () => startRedisTokenBucket({ capacity: 8, ratePerS: 5, reset: 'epoch' }),
  });

  it.each(['delta', 'epoch'] as const)(
    'X-RateLimit-Reset as %s seconds: a token bucket, capacity and refill within ±20 %, Retry-After honoured at the server',
    async (which) => {
      const fixture = buckets[which];
      const { report, arrivals } = await probeFresh(fixture);
      expectVerdict(report, fixture.truth);
      expect(report.stopped).toBe('done');
      expectHeadersAsTruth(report, fixture.truth);
      expect(report.retry_after_s).toBe(fixture.truth.retry_after_s);
      // The fresh state as advertised: the capacity, one token already taken.
      expect(report.limit).toBe(fixture.truth.burst);
      expect(report.remaining).toBe(fixture.truth.burst! - 1);
      // The refill was measured after waits: at least one Retry-After was honoured.
      expect(
        report.timeline.filter((e) => e.outcome === 'limited' && e.retry_after_s !== null).length,
      ).toBeGreaterThan(0);
      expect(arrivals.length).toBe(report.requests_sent);
      console.info(line(fixture.name, report, fixture.truth));
    },
    30_000,
  );
});
