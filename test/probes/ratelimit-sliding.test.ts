import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSlidingLog } from '../fixtures/ratelimit/sliding-log.js';
import type { LimiterFixture } from '../fixtures/ratelimit/types.js';
import { describe as line, expectServerSide, expectVerdict, probe } from './ratelimit-support.js';

/**
 * A sliding-window log: told from a fixed window by spreading requests across the window — the share spent at
 * the recovery comes back one window later, the rest not yet. With IETF headers and Retry-After, and bare.
 */
describe('probe ratelimit against a sliding-window log', () => {
  let headers: LimiterFixture;
  let bare: LimiterFixture;

  beforeAll(async () => {
    headers = await startSlidingLog();
    bare = await startSlidingLog({ limit: 8, windowMs: 2000, headers: false });
  });
  afterAll(async () => {
    await Promise.all([headers?.close(), bare?.close()]);
  });

  it.each(['headers', 'bare'])(
    '%s: a sliding window, its limit and length within ±20 %',
    async (which) => {
      const fixture = which === 'headers' ? headers : bare;
      const url = fixture.freshUrl();
      const report = await probe(url);
      expectVerdict(report, fixture.truth);
      expect(report.stopped).toBe('done');
      expect(report.confidence).not.toBe('low');
      expect(report.headers_scheme).toEqual(fixture.truth.schemes);
      expect(report.mismatches.map((m) => m.field)).toEqual(fixture.truth.mismatches);
      await expectServerSide(fixture, url, report, 150);
      console.info(line(fixture.name, report, fixture.truth));
    },
    30_000,
  );
});
