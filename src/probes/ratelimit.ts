import { rateLimitFindings } from '../lib/ratelimit/findings.js';
import { primaryState, reconcileResets } from '../lib/ratelimit/headers.js';
import { inferRateLimit } from '../lib/ratelimit/infer.js';
import { findMismatches } from '../lib/ratelimit/truth.js';
import {
  HEADER_SCHEMES,
  type AdvertisedPolicy,
  type HeaderScheme,
  type Inference,
  type ObservedResponse,
  type RateLimitReport,
} from '../lib/ratelimit/types.js';
import { runExperiment } from './ratelimit/experiment.js';
import { Session, type RateLimitProbeOptions, type SessionDeps } from './ratelimit/session.js';

/**
 * `apikit probe ratelimit`: a bounded experiment against one endpoint (ratelimit/experiment.ts) sent through one
 * safety layer (ratelimit/session.ts), then the pure inference, truthfulness checks and findings over what came
 * back. It never throws for what the endpoint did: a transport failure, the deadline, the budget or Ctrl-C end
 * the experiment and the report says so (`stopped`, `error`) with everything learned until then.
 */

export type { RateLimitProbeOptions } from './ratelimit/session.js';

export interface RateLimitProbeDeps extends SessionDeps {
  /** One line per phase, for a terminal. */
  onProgress?: (line: string) => void;
}

export async function probeRateLimit(
  options: RateLimitProbeOptions,
  deps: RateLimitProbeDeps,
): Promise<RateLimitReport> {
  const session = new Session(options, deps);
  const progress = (line: string): void => {
    try {
      deps.onProgress?.(line);
    } catch {
      // Progress is decoration: a failing sink must not end the probe.
    }
  };
  await runExperiment(session, progress);
  session.budget.stop(session.remaining === 0 ? 'budget' : 'done');
  const report = buildReport(options, session);
  progress(
    `${report.stopped === 'done' ? 'done' : `stopped (${report.stopped})`}: ${report.algorithm}` +
      `${report.limited ? '' : ', no limit found'} after ${report.requests_sent} requests`,
  );
  return report;
}

function buildReport(options: RateLimitProbeOptions, session: Session): RateLimitReport {
  const observed = reconcileResets(session.observed).sort((a, b) => a.entry.seq - b.entry.seq);
  const inferred = inferRateLimit(observed, { concurrency: options.concurrency });
  markQueued(observed, inferred, session);
  const stopped = session.stopped ?? 'done';
  const mismatches = findMismatches(observed, inferred);
  const limitStatuses = [429, ...(observed.some((o) => o.entry.status === 503) ? [503] : [])];
  const findings = rateLimitFindings({
    url: options.url,
    method: options.method,
    observed,
    inferred,
    mismatches,
    limitStatuses,
    stopped,
    error: session.error,
  });
  const fresh = observed.find((o) => o.entry.status !== null);
  const freshState = fresh ? primaryState(fresh.parsed) : null;
  const firstLimited = observed.find((o) => o.entry.outcome === 'limited');
  return {
    url: options.url,
    method: options.method,
    requests_sent: session.budget.sent,
    duration_ms: Math.max(0, session.now() - session.startMs),
    status_counts: statusCounts(observed),
    limited: inferred.limited,
    limit_statuses: limitStatuses,
    headers_scheme: schemesOf(observed),
    policies: policiesOf(observed),
    limit: freshState?.limit ?? null,
    remaining: freshState?.remaining ?? null,
    reset_s: freshState?.reset_s ?? null,
    retry_after_s: firstLimited?.parsed?.retry_after_s ?? null,
    algorithm: inferred.algorithm,
    burst: inferred.burst,
    sustained_rate_per_s: inferred.sustained_rate_per_s,
    window_s: inferred.window_s,
    confidence: inferred.confidence,
    evidence: inferred.evidence,
    mismatches,
    findings,
    timeline: observed.map((o) => o.entry),
    stopped,
    budget: {
      max_requests: options.maxRequests,
      duration_ms: options.durationMs,
      concurrency: options.concurrency,
      rate_per_s: options.ratePerS,
    },
    error: session.error,
  };
}

/** A queue's held-back requests show as 'queued' (only when a queue is the verdict: elsewhere it is jitter). */
function markQueued(observed: readonly ObservedResponse[], inferred: Inference, session: Session): void {
  if (inferred.algorithm !== 'leaky-bucket') return;
  for (const o of observed) if (session.isHeldBack(o)) o.entry.outcome = 'queued';
}

function statusCounts(observed: readonly ObservedResponse[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const o of observed) {
    const key = o.entry.status === null ? 'failed' : String(o.entry.status);
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

function schemesOf(observed: readonly ObservedResponse[]): HeaderScheme[] {
  const seen = new Set(observed.flatMap((o) => o.parsed?.schemes ?? []));
  return HEADER_SCHEMES.filter((s) => seen.has(s));
}

/** Every distinct policy advertised, in the order first seen. */
function policiesOf(observed: readonly ObservedResponse[]): AdvertisedPolicy[] {
  const seen = new Map<string, AdvertisedPolicy>();
  for (const o of observed) {
    for (const p of o.parsed?.policies ?? []) {
      const key = JSON.stringify([p.scheme, p.name, p.quota, p.window_s, p.quota_unit, p.partition_key]);
      if (!seen.has(key)) seen.set(key, p);
    }
  }
  return [...seen.values()];
}
