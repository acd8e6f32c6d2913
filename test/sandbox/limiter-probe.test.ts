import { describe, expect, it } from 'vitest';
import { systemClock } from '../../src/io/system.js';
import {
  memoryLimiter,
  rateLimitHeaders,
  type BucketPolicy,
  type RateLimiter,
} from '../../src/sandbox/limiter/index.js';
import { ArrivalLog, pathOf, serverFixture, startRecordingServer } from '../fixtures/ratelimit/support.js';
import type { LimiterFixture, LimiterTruth } from '../fixtures/ratelimit/types.js';
import { suiteServers } from '../helpers/suite-servers.js';
import {
  expectHeadersAsTruth,
  expectVerdict,
  describe as line,
  probeFresh,
} from '../probes/ratelimit-support.js';

/**
 * apikit's own rate-limit probe against the memory limiter behind a loopback server, key = path: it must find
 * the token bucket with its capacity and refill (±20 %), read every header the limiter writes without a problem,
 * and find no mismatch between what they say and what happens (Retry-After, reset, remaining, limit).
 */
const POLICY: BucketPolicy = { name: 'default', capacity: 10, refillPerSecond: 2 };

const TRUTH: LimiterTruth = {
  limited: true,
  algorithm: 'token-bucket',
  burst: POLICY.capacity,
  rate_per_s: POLICY.refillPerSecond,
  window_s: null,
  limit_status: 429,
  schemes: ['ietf', 'x-ratelimit', 'retry-after'],
  retry_after_s: 1,
  mismatches: [],
  problems: [],
  notes: ['the sandbox limiter: RateLimit/RateLimit-Policy, X-RateLimit-*, Retry-After on a 429'],
};

async function startLimited(limiter: RateLimiter): Promise<LimiterFixture> {
  const log = new ArrivalLog();
  const server = await startRecordingServer(log, async (req, res) => {
    const decision = await limiter.take(pathOf(req.url ?? '/'), POLICY);
    for (const [name, value] of Object.entries(rateLimitHeaders(decision))) res.setHeader(name, value);
    res.statusCode = decision.allowed ? 200 : 429;
    res.end(decision.allowed ? 'ok\n' : 'rate limited\n');
  });
  return serverFixture(
    {
      name: `sandbox-${limiter.kind}-limiter`,
      truth: TRUTH,
      segment: 'bucket',
      close: async () => {
        await server.close();
        await limiter.close();
      },
    },
    server,
    log,
  );
}

describe('probe ratelimit against the sandbox memory limiter', () => {
  const servers = suiteServers({ memory: () => startLimited(memoryLimiter(systemClock)) });

  it('finds the token bucket, reads the headers cleanly, and finds no lie in them', async () => {
    const fixture = servers.memory;
    const { report } = await probeFresh(fixture);
    expectVerdict(report, TRUTH);
    expectHeadersAsTruth(report, TRUTH);
    expect(report.findings.filter((f) => f.id === 'ratelimit.malformed-header')).toEqual([]);
    expect(report.policies).toEqual([
      { scheme: 'ietf', name: 'default', quota: 10, window_s: 5, quota_unit: null, partition_key: null },
    ]);
    expect(report.limit).toBe(10);
    expect(report.remaining).toBe(9);
    expect(report.retry_after_s).toBe(1);
    console.info(line(fixture.name, report, TRUTH));
  }, 60_000);
});
