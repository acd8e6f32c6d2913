import { primaryState } from '../headers.js';
import type { ObservedResponse, ParsedRateLimit, Phase } from '../types.js';

/**
 * A probe's responses as the limiter models see them: when the server decided (the request's arrival) and what
 * it decided. Transport failures say nothing about the limiter and are left out.
 */
export interface Trial {
  seq: number;
  phase: Phase;
  /** Ms from the probe's start when the server saw the request: sent + half the fastest round trip. */
  at: number;
  accepted: boolean;
  /** Accepted, but held back by the server (latency far above the fastest response): a queue. */
  queued: boolean;
  /** Ms from the probe's start until the response headers arrived. */
  doneAt: number;
  latencyMs: number;
  status: number;
  /**
   * Ms from the probe's start until which this limited response asked the client not to send (its Retry-After,
   * else the reset of an exhausted quota); null when it asked nothing.
   */
  waitUntil: number | null;
  /** That wait as the server wrote it, in seconds (whole seconds may be rounded up by up to one). */
  waitS: number | null;
}

/**
 * Seconds a limited response asks the client to wait before the next request. Retry-After when sent — the
 * server's answer to exactly that question (RFC 9110 §10.2.3) — else the reset of the governing quota when that
 * quota is exhausted (remaining 0, or no remaining given): a quota's reset says when the whole quota is back
 * (for a token bucket: when it is full), which is not a request to wait when Retry-After says sooner.
 */
export function waitHintS(parsed: ParsedRateLimit | null): number | null {
  if (parsed === null) return null;
  if (parsed.retry_after_s !== null && Number.isFinite(parsed.retry_after_s)) {
    return Math.max(0, parsed.retry_after_s);
  }
  const state = primaryState(parsed);
  if (state === null || state.reset_s === null || !Number.isFinite(state.reset_s)) return null;
  if (state.remaining !== null && state.remaining > 0) return null;
  return Math.max(0, state.reset_s);
}

/**
 * The latency above which an accepted response counts as held back by the server: four times the fastest
 * response and at least 40 ms more (a loaded machine's loopback jitter stays below that; a queue that drains at
 * 20/s already holds each request 50 ms).
 */
export function queueThresholdMs(baselineMs: number): number {
  return Math.max(4 * baselineMs, baselineMs + 40);
}

/** The fastest response's latency (ms), the round trip with no queueing; null when nothing was answered. */
export function baselineLatencyMs(observed: readonly ObservedResponse[]): number | null {
  let best: number | null = null;
  for (const o of observed) {
    const l = o.entry.latency_ms;
    if (o.entry.status === null || l === null || !Number.isFinite(l)) continue;
    if (best === null || l < best) best = l;
  }
  return best;
}

/** The answered responses as trials, in the order the server saw them. */
export function toTrials(observed: readonly ObservedResponse[]): Trial[] {
  const baseline = baselineLatencyMs(observed) ?? 0;
  const threshold = queueThresholdMs(baseline);
  const trials: Trial[] = [];
  for (const o of observed) {
    const e = o.entry;
    if (e.status === null || e.outcome === 'failed') continue;
    const latency = e.latency_ms !== null && Number.isFinite(e.latency_ms) ? e.latency_ms : baseline;
    const accepted = e.outcome === 'accepted' || e.outcome === 'queued';
    const hint = accepted ? null : waitHintS(o.parsed);
    trials.push({
      seq: e.seq,
      phase: e.phase,
      at: e.sent_ms + Math.min(latency, baseline) / 2,
      accepted,
      queued: accepted && (e.outcome === 'queued' || latency >= threshold),
      doneAt: e.sent_ms + latency,
      latencyMs: latency,
      status: e.status,
      waitUntil: hint === null ? null : e.sent_ms + latency + hint * 1000,
      waitS: hint,
    });
  }
  return trials.sort((a, b) => a.at - b.at || a.seq - b.seq);
}

/** The requests of the opening burst that were accepted, before and including any still in flight at its end. */
export function openingBurst(trials: readonly Trial[]): { accepted: number; trials: Trial[] } {
  const burst = trials.filter((t) => t.phase === 'burst');
  return { accepted: burst.filter((t) => t.accepted).length, trials: burst };
}
