import { testClient } from '../helpers/http-client.js';
import {
  DEFAULT_CONCURRENCY,
  DEFAULT_DURATION_MS,
  DEFAULT_MAX_REQUESTS,
  DEFAULT_TIMEOUT_MS,
} from '../../src/commands/probe/ratelimit-options.js';
import { systemClock } from '../../src/io/system.js';
import type { RateLimitReport } from '../../src/lib/ratelimit/types.js';
import {
  probeRateLimit,
  type RateLimitProbeDeps,
  type RateLimitProbeOptions,
} from '../../src/probes/ratelimit.js';

/**
 * The probe run the way `apikit probe ratelimit` runs it — the command's defaults, a client built with the
 * command's options (its own request cap, concurrency and timeout), the system clock, real timers — for the
 * probe tests (ratelimit-support.ts) and the accuracy bench (bench/ratelimit-accuracy.js bundles this file, so
 * nothing here may need vitest).
 */

/** The probe's options as the command resolves them when no flag is given. */
export const PROBE_DEFAULTS = {
  method: 'GET',
  headers: {},
  maxRequests: DEFAULT_MAX_REQUESTS,
  durationMs: DEFAULT_DURATION_MS,
  concurrency: DEFAULT_CONCURRENCY,
  ratePerS: null,
  timeoutMs: DEFAULT_TIMEOUT_MS,
} as const satisfies Omit<RateLimitProbeOptions, 'url'>;

export async function runProbe(
  url: string,
  overrides: Partial<RateLimitProbeOptions> = {},
  deps: Partial<Omit<RateLimitProbeDeps, 'client'>> = {},
  userAgent = 'apikit-test',
): Promise<RateLimitReport> {
  const options: RateLimitProbeOptions = { ...PROBE_DEFAULTS, url, ...overrides };
  const client = testClient({
    userAgent,
    maxRequests: options.maxRequests,
    concurrency: options.concurrency,
    timeoutMs: options.timeoutMs,
    signal: deps.signal,
  });
  try {
    return await probeRateLimit(options, { client, clock: systemClock, ...deps });
  } finally {
    await client.close();
  }
}
