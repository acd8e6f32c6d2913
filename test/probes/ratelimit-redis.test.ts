import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisTokenBucket, type RedisTokenBucket } from '../fixtures/ratelimit/redis-bucket.js';
import { requireRedisServer } from '../fixtures/ratelimit/require.js';
import { describe as line, expectServerSide, expectVerdict, probe } from './ratelimit-support.js';

/**
 * The classic Redis Lua token bucket behind a Node server: X-RateLimit-* and a whole-second Retry-After on every
 * 429 (1 s while a token returns in 0.17 s), which the probe honours: the refill is counted by bursts after
 * those waits, and the server-side arrival times show that nothing came during one.
 */
const gate = requireRedisServer();

describe.skipIf(gate.skip)('probe ratelimit against a Redis token bucket', () => {
  let delta: RedisTokenBucket;
  let epoch: RedisTokenBucket;

  beforeAll(async () => {
    [delta, epoch] = await Promise.all([
      startRedisTokenBucket(),
      startRedisTokenBucket({ capacity: 8, ratePerS: 5, reset: 'epoch' }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([delta?.close(), epoch?.close()]);
  });

  it.each(['delta', 'epoch'])(
    'X-RateLimit-Reset as %s seconds: a token bucket, capacity and refill within ±20 %, Retry-After honoured at the server',
    async (which) => {
      const fixture = which === 'delta' ? delta : epoch;
      const url = fixture.freshUrl();
      const report = await probe(url);
      expectVerdict(report, fixture.truth);
      expect(report.stopped).toBe('done');
      expect(report.headers_scheme).toEqual(fixture.truth.schemes);
      expect(report.retry_after_s).toBe(fixture.truth.retry_after_s);
      // The fresh state as advertised: the capacity, one token already taken.
      expect(report.limit).toBe(fixture.truth.burst);
      expect(report.remaining).toBe(fixture.truth.burst! - 1);
      expect(report.mismatches.map((m) => m.field)).toEqual(fixture.truth.mismatches);
      const arrivals = await expectServerSide(fixture, url, report, 150);
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
