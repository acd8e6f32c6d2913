import { afterEach, expect, it } from 'vitest';
import type { RateLimitReport } from '../../../src/lib/ratelimit/types.js';
import { hasStackTrace } from '../../helpers/cli.js';
import { interruptProbe, type InterruptedRun } from './interrupt-harness.js';
import { startTinyLimiter, type TinyLimiter } from './tiny-limiter.js';

/**
 * Ctrl-C in the middle of a probe, with the built CLI (run `npm run build` first): the server's first 429 asks for
 * a 20-second wait, which fits in --duration, so the probe is waiting when SIGINT arrives. It must stop at once,
 * print what it learned (the partial report) and exit 130.
 */
let server: TinyLimiter | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function interruptAfterFirstLimit(extra: string[]): Promise<InterruptedRun> {
  return interruptProbe(
    async (interrupt) =>
      (server = await startTinyLimiter({
        limit: 3,
        windowMs: 20_000,
        retryAfterS: 20,
        onRequest: (_seen, i) => {
          // The 4th request gets the 429; a moment later the probe is in its Retry-After wait.
          if (i === 3) interrupt(500);
        },
      })),
    (s) => ['probe', 'ratelimit', s.url, '--max-requests', '40', '--duration', '60s', ...extra],
  );
}

it('--json: exit 130, the partial report as the one JSON document, stopped at once', async () => {
  const r = await interruptAfterFirstLimit(['--json']);
  expect(r.code, r.stderr + r.stdout.slice(0, 2000)).toBe(130);
  const doc = JSON.parse(r.stdout) as RateLimitReport;
  expect(doc.stopped).toBe('interrupted');
  expect(doc.limited).toBe(true);
  expect(doc.requests_sent).toBe(4);
  expect(doc.retry_after_s).toBe(20);
  expect(r.sent).toBe(4);
  // Nowhere near the 20 s the server asked for: Ctrl-C ends the wait.
  expect(r.waitedMs).toBeLessThan(10_000);
  expect(r.stderr.split('\n')[0]).toMatch(
    /^probing GET http:\/\/127\.0\.0\.1:\d+\/: at most 40 requests over 60 s/,
  );
  expect(hasStackTrace(r.stderr)).toBe(false);
}, 60_000);

it('table: exit 130, the partial summary, and a word that it is partial', async () => {
  const r = await interruptAfterFirstLimit([]);
  expect(r.code, r.stderr + r.stdout.slice(0, 2000)).toBe(130);
  expect(r.stdout).toContain('limited\tyes (429)\n');
  expect(r.stdout).toContain('stopped\tinterrupted (Ctrl-C): a partial result\n');
  expect(r.stderr).toContain('interrupted: the result above is partial');
  expect(hasStackTrace(r.stderr)).toBe(false);
}, 60_000);
