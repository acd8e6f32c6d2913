import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startExpressRateLimit } from '../fixtures/ratelimit/express-rate-limit.js';
import type { LimiterFixture } from '../fixtures/ratelimit/types.js';
import { describe as line, expectServerSide, expectVerdict, probe } from './ratelimit-support.js';

/**
 * express-rate-limit 8 (MemoryStore: a fixed window per key anchored at its first request) in each header
 * dialect it speaks, and with no headers at all. With headers the probe never sends during a Retry-After
 * (checked at the server) and the window comes from the waits it honoured; without, from its own probes.
 */
const DIALECTS = [
  { name: 'draft-8', options: { standardHeaders: 'draft-8' } },
  { name: 'draft-7', options: { standardHeaders: 'draft-7' } },
  { name: 'draft-6', options: { standardHeaders: 'draft-6' } },
  { name: 'legacy X-RateLimit-*', options: { standardHeaders: false, legacyHeaders: true } },
  { name: 'no headers', options: { standardHeaders: false, legacyHeaders: false } },
] as const;

describe('probe ratelimit against express-rate-limit', () => {
  const fixtures = new Map<string, LimiterFixture>();

  beforeAll(async () => {
    for (const d of DIALECTS) fixtures.set(d.name, await startExpressRateLimit(d.options));
  });
  afterAll(async () => {
    await Promise.all([...fixtures.values()].map((f) => f.close()));
  });

  it.each(DIALECTS.map((d) => d.name))(
    '%s: a fixed window, its limit and length within ±20 %',
    async (name) => {
      const fixture = fixtures.get(name)!;
      const url = fixture.freshUrl();
      const report = await probe(url);
      expectVerdict(report, fixture.truth);
      expect(report.stopped).toBe('done');
      expect(report.confidence).not.toBe('low');
      expect(report.headers_scheme).toEqual(fixture.truth.schemes);
      expect(report.retry_after_s).toBe(fixture.truth.retry_after_s);
      expect(report.mismatches.map((m) => m.field)).toEqual(fixture.truth.mismatches);
      await expectServerSide(fixture, url, report, 150);
      console.info(line(fixture.name, report, fixture.truth));
    },
    30_000,
  );
});
