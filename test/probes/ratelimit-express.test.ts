import { describe, expect, it } from 'vitest';
import { startExpressRateLimit } from '../fixtures/ratelimit/express-rate-limit.js';
import { suiteServers } from '../helpers/suite-servers.js';
import { expectHeadersAsTruth, expectVerdict, describe as line, probeFresh } from './ratelimit-support.js';

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
  const fixtures = suiteServers(
    Object.fromEntries(DIALECTS.map((d) => [d.name, () => startExpressRateLimit(d.options)])),
  );

  it.each(DIALECTS.map((d) => d.name))(
    '%s: a fixed window, its limit and length within ±20 %',
    async (name) => {
      const fixture = fixtures[name]!;
      const { report } = await probeFresh(fixture);
      expectVerdict(report, fixture.truth);
      expect(report.stopped).toBe('done');
      expect(report.confidence).not.toBe('low');
      expectHeadersAsTruth(report, fixture.truth);
      expect(report.retry_after_s).toBe(fixture.truth.retry_after_s);
      console.info(line(fixture.name, report, fixture.truth));
    },
    30_000,
  );
});
