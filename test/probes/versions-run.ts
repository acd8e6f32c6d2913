import { systemClock } from '../../src/io/system.js';
import type { VersionsReport } from '../../src/lib/versions/types.js';
import {
  probeVersions,
  type VersionsProbeDeps,
  type VersionsProbeOptions,
} from '../../src/probes/versions.js';
import { testClient } from '../helpers/http-client.js';

/**
 * probeVersions run the way `apikit probe versions` runs it: a client of its own with the probe's cap and timeout,
 * one request at a time, no redirects; the system clock. Options default to the verb's defaults.
 */
export async function runVersionsProbe(
  options: Partial<VersionsProbeOptions> & { url: string },
  deps: Partial<Omit<VersionsProbeDeps, 'client'>> = {},
): Promise<VersionsReport> {
  const full: VersionsProbeOptions = {
    scheme: 'auto',
    headers: {},
    maxRequests: 30,
    maxVersions: 12,
    durationMs: 60_000,
    timeoutMs: 10_000,
    ...options,
  };
  const client = testClient({
    userAgent: 'apikit-test',
    maxRequests: full.maxRequests,
    concurrency: 1,
    timeoutMs: full.timeoutMs,
  });
  try {
    return await probeVersions(full, { client, clock: systemClock, ...deps });
  } finally {
    await client.close();
  }
}

/** The ids of a status, in the report's order. */
export function idsWith(report: VersionsReport, status: string): string[] {
  return report.versions.filter((v) => v.status === status).map((v) => v.id);
}

/** The finding ids at or above medium, sorted and deduplicated. */
export function mediumOrAbove(report: VersionsReport): string[] {
  return [
    ...new Set(
      report.findings
        .filter((f) => f.severity === 'medium' || f.severity === 'high' || f.severity === 'critical')
        .map((f) => f.id),
    ),
  ].sort();
}
