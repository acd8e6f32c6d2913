import type { ObservedResponse, ParsedRateLimit, Phase } from '../../../src/lib/ratelimit/types.js';

/**
 * Synthetic observation sequences for the pure inference: a limiter model decides each request at its send
 * time (plus a fixed round trip), and a script decides when to send, like the probe's phases do. No I/O, no
 * timers: every sequence is exact and repeatable.
 */

export interface Decision {
  accepted: boolean;
  /** Extra ms the server held the request (a queue). */
  delayMs?: number;
  /** Retry-After of a limited response, seconds. */
  retryAfterS?: number;
}

/** A limiter: decides a request arriving at `t` ms. */
export type Limiter = (t: number) => Decision;

export function tokenBucket(capacity: number, perS: number, hint?: (tokens: number) => number): Limiter {
  let tokens = capacity;
  let last = 0;
  return (t) => {
    tokens = Math.min(capacity, tokens + ((t - last) * perS) / 1000);
    last = t;
    if (tokens >= 1) {
      tokens -= 1;
      return { accepted: true };
    }
    return { accepted: false, retryAfterS: hint?.(tokens) };
  };
}

/** A fixed window anchored at its first request (express-rate-limit's MemoryStore). */
export function fixedWindow(limit: number, windowMs: number, hints = false): Limiter {
  let start = Number.NEGATIVE_INFINITY;
  let count = 0;
  return (t) => {
    if (t - start >= windowMs) {
      start = t;
      count = 0;
    }
    if (count < limit) {
      count++;
      return { accepted: true };
    }
    return { accepted: false, retryAfterS: hints ? Math.ceil((start + windowMs - t) / 1000) : undefined };
  };
}

/** A fixed window on a clock grid: windows start at offset + k × window. */
export function alignedWindow(limit: number, windowMs: number, offsetMs: number): Limiter {
  let index = Number.NaN;
  let count = 0;
  return (t) => {
    const i = Math.floor((t - offsetMs) / windowMs);
    if (i !== index) {
      index = i;
      count = 0;
    }
    if (count < limit) {
      count++;
      return { accepted: true };
    }
    return { accepted: false };
  };
}

export function slidingLog(limit: number, windowMs: number, hints = false): Limiter {
  let log: number[] = [];
  return (t) => {
    log = log.filter((x) => x > t - windowMs);
    if (log.length < limit) {
      log.push(t);
      return { accepted: true };
    }
    return { accepted: false, retryAfterS: hints ? Math.ceil((log[0]! + windowMs - t) / 1000) : undefined };
  };
}

/** nginx limit_req without nodelay: a queue of `burst` draining at `perS`; the first request is served at once. */
export function queue(burst: number, perS: number): Limiter {
  let excess = 0;
  let last: number | null = null;
  return (t) => {
    const e = last === null ? 0 : Math.max(0, excess - ((t - last) * perS) / 1000) + 1;
    if (e > burst) return { accepted: false };
    excess = e;
    last = t;
    return { accepted: true, delayMs: (e / perS) * 1000 };
  };
}

export const unlimited: Limiter = () => ({ accepted: true });

export interface Sent {
  at: number;
  phase: Phase;
}

/**
 * Runs a script against a limiter: `next` sees what happened so far and says when to send next (ms, never
 * before the previous send) and in which phase, or null to stop. One request in flight; each takes `rttMs`
 * plus whatever the limiter holds it.
 */
export function simulate(
  limiter: Limiter,
  next: (seen: readonly ObservedResponse[]) => Sent | null,
  options: {
    rttMs?: number;
    limitStatus?: number;
    parsed?: (d: Decision) => ParsedRateLimit | null;
    /** Send without waiting for the previous answer (a concurrent wave). */
    concurrent?: boolean;
  } = {},
): ObservedResponse[] {
  const rtt = options.rttMs ?? 1;
  const seen: ObservedResponse[] = [];
  let free = 0;
  for (let seq = 0; seq < 1000; seq++) {
    const plan = next(seen);
    if (plan === null) break;
    const at = Math.max(plan.at, free);
    const d = limiter(at + rtt / 2);
    const latency = rtt + (d.delayMs ?? 0);
    free = options.concurrent ? at : at + latency;
    const parsed = options.parsed
      ? options.parsed(d)
      : d.retryAfterS === undefined
        ? null
        : retryAfter(d.retryAfterS);
    seen.push({
      entry: {
        seq,
        phase: plan.phase,
        sent_ms: at,
        latency_ms: latency,
        status: d.accepted ? 200 : (options.limitStatus ?? 429),
        outcome: d.accepted ? 'accepted' : 'limited',
        remaining: null,
        reset_s: null,
        retry_after_s: d.retryAfterS ?? null,
      },
      parsed,
      received_at_ms: 1_700_000_000_000 + at + latency,
      date_ms: null,
    });
  }
  return seen;
}

export function retryAfter(s: number): ParsedRateLimit {
  return {
    schemes: ['retry-after'],
    policies: [],
    states: [],
    retry_after_s: s,
    retry_after_form: 'delay-seconds',
    problems: [],
  };
}

/** A script from a list of steps, each run to its end before the next. */
export type Step = (seen: readonly ObservedResponse[], now: number) => Sent | null;

export function script(...steps: Step[]): (seen: readonly ObservedResponse[]) => Sent | null {
  let i = 0;
  let startedAt = 0;
  return (seen) => {
    while (i < steps.length) {
      const last = seen[seen.length - 1];
      const now = last ? last.entry.sent_ms + (last.entry.latency_ms ?? 0) : 0;
      const step = steps[i]!;
      const out = step(seen.slice(startedAt), now);
      if (out !== null) return out;
      i++;
      startedAt = seen.length;
    }
    return null;
  };
}

const isLimited = (o: ObservedResponse | undefined): boolean => o?.entry.outcome === 'limited';

/** Back-to-back until the first limit (or `max`). */
export function burstUntilLimited(phase: Phase, max = 200): Step {
  return (seen, now) => (isLimited(seen.at(-1)) || seen.length >= max ? null : { at: now, phase });
}

/** `n` back-to-back, stopping early at a limit. */
export function backToBack(n: number, phase: Phase = 'refill'): Step {
  return (seen, now) => (isLimited(seen.at(-1)) || seen.length >= n ? null : { at: now, phase });
}

/** Single probes after the last response until one is accepted: honouring a Retry-After, else at growing gaps. */
export function recoverStep(firstGapMs = 25): Step {
  let base: number | null = null;
  return (seen, now) => {
    const last = seen.at(-1);
    if (last && !isLimited(last)) return null;
    base ??= now;
    const ra = last?.entry.retry_after_s;
    if (ra != null) return { at: now + ra * 1000, phase: 'recovery' };
    return { at: base + firstGapMs * 2 ** seen.length, phase: 'recovery' };
  };
}

/** Waits `ms` after the last response, then nothing (a pause between steps). */
export function waitThen(ms: number, step: Step): Step {
  let from: number | null = null;
  return (seen, now) => {
    from ??= now;
    const out = step(seen, now);
    return out === null ? null : { ...out, at: Math.max(out.at, from + ms) };
  };
}

/** Single probes at `offsetMs`, `offsetMs + stepMs`, … after the step began, until one is accepted. */
export function ladder(offsetMs: number, stepMs: number): Step {
  let from: number | null = null;
  return (seen, now) => {
    from ??= now;
    const last = seen.at(-1);
    if (last && !isLimited(last)) return null;
    return { at: from + offsetMs + stepMs * seen.length, phase: 'recovery' };
  };
}

/** `n` requests sent at once (with `simulate(…, { concurrent: true })`). */
export function wave(n: number): Step {
  return (seen, now) =>
    seen.length >= n ? null : { at: seen.length === 0 ? now : seen[0]!.entry.sent_ms, phase: 'burst' };
}

/** `n` single requests every `intervalMs`. */
export function paced(n: number, intervalMs: number, phase: Phase = 'paced'): Step {
  let from: number | null = null;
  return (seen, now) => {
    from ??= now;
    return seen.length >= n ? null : { at: from + intervalMs * (seen.length + 1), phase };
  };
}
