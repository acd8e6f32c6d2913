import { afterEach, expect, it } from 'vitest';
import type { CorsReport } from '../../../src/lib/cors/types.js';
import { hasStackTrace } from '../../helpers/cli.js';
import { interruptProbe, type InterruptedRun } from './interrupt-harness.js';
import { REFLECTING, startCorsServer, TRUSTED, type CorsServer } from './cors-servers.js';

/**
 * Ctrl-C in the middle of `apikit probe cors`, with the built CLI (run `npm run build` first): the server leaves
 * the 8th request (the third candidate's DELETE preflight) unanswered under a 30 s --timeout, so the probe is
 * waiting when SIGINT arrives. It must stop at once, print the two candidates it finished and exit 130.
 */
let server: CorsServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function interruptWhileWaiting(extra: string[]): Promise<InterruptedRun> {
  return interruptProbe(
    async (interrupt) =>
      (server = await startCorsServer({
        cors: REFLECTING,
        hangAfter: 7,
        onRequest: (_seen, i) => {
          if (i === 7) interrupt(300);
        },
      })),
    (s) => ['probe', 'cors', s.url, '--origin', TRUSTED, '--timeout', '30s', ...extra],
  );
}

it('--json: exit 130, the partial report as the one JSON document, stopped at once', async () => {
  const r = await interruptWhileWaiting(['--json']);
  expect(r.code, r.stderr + r.stdout.slice(0, 2000)).toBe(130);
  const doc = JSON.parse(r.stdout) as CorsReport;
  expect(doc.stopped).toBe('interrupted');
  expect(doc.candidates.map((c) => c.class)).toEqual(['trusted', 'arbitrary']);
  expect(doc.not_tested![0]!.class).toBe('null');
  expect(r.sent).toBe(8);
  expect(r.waitedMs).toBeLessThan(10_000);
  expect(r.stderr.split('\n')[0]).toMatch(/^probing CORS of GET http:\/\/127\.0\.0\.1:\d+\/v1\/me: /);
  expect(hasStackTrace(r.stderr)).toBe(false);
}, 60_000);

it('table: exit 130, the partial table, and a word that it is partial', async () => {
  const r = await interruptWhileWaiting([]);
  expect(r.code, r.stderr + r.stdout.slice(0, 2000)).toBe(130);
  expect(r.stdout).toContain('stopped\tinterrupted (Ctrl-C): a partial result\n');
  expect(r.stdout).toContain('Candidates (2)');
  expect(r.stderr).toContain('interrupted: the result above is partial');
  expect(hasStackTrace(r.stderr)).toBe(false);
}, 60_000);
