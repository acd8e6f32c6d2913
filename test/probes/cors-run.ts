import { testClient } from '../helpers/http-client.js';
import { systemClock } from '../../src/io/system.js';
import type { CorsReport } from '../../src/lib/cors/types.js';
import { probeCors, type CorsProbeDeps, type CorsProbeOptions } from '../../src/probes/cors.js';

/**
 * probeCors run the way `apikit probe cors` runs it — a client of its own built with the probe's request cap and
 * timeout, one request at a time, no redirects; the system clock, real timers — for the probe, verdict and browser
 * tests (the rate-limit counterpart is ratelimit-run.ts). `clientCap` gives the client a lower cap than the
 * probe's budget (the client's own cap counts too).
 */
export async function runCorsProbe(
  options: CorsProbeOptions,
  deps: Partial<Omit<CorsProbeDeps, 'client'>> & { clientCap?: number } = {},
): Promise<CorsReport> {
  const { clientCap, ...probeDeps } = deps;
  const client = testClient({
    userAgent: 'apikit-test',
    maxRequests: clientCap ?? options.maxRequests,
    concurrency: 1,
    timeoutMs: options.timeoutMs,
    signal: deps.signal,
  });
  try {
    return await probeCors(options, { client, clock: systemClock, ...probeDeps });
  } finally {
    await client.close();
  }
}
