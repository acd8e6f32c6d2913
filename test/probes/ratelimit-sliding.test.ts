import { describe, expect, it } from 'vitest';
import { startSlidingLog } from '../fixtures/ratelimit/sliding-log.js';
import { suiteServers } from '../helpers/suite-servers.js';
import { expectHeadersAsTruth, expectVerdict, describe as line, probeFresh } from './ratelimit-support.js';

/**
 * A sliding-window log: told from a fixed window by spreading requests across the window — the share spent at
 * the recovery comes back one window later, the rest not yet. With IETF headers and Retry-After, and bare.
 */
describe('probe ratelimit against a sliding-window log', () => {
  const logs = suiteServers({
    headers: () => startSlidingLog(),
    bare: () => startSlidingLog({ limit: 8, windowMs: 2000, headers: false }),
  });

  it.each(['headers', 'bare'] as const)(
    '%s: a sliding window, its limit and length within ±20 %',
    async (which) => {
      const fixture = logs[which];
      const { report } = await probeFresh(fixture);
      expectVerdict(report, fixture.truth);
      expect(report.stopped).toBe('done');
      expect(report.confidence).not.toBe('low');
      expectHeadersAsTruth(report, fixture.truth);
      console.info(line(fixture.name, report, fixture.truth));
    },
    30_000,
  );
});
