import { parseHttpDate, parseRateLimitHeaders, primaryState } from '../../../src/lib/ratelimit/headers.js';
import type {
  AdvertisedState,
  Inference,
  ObservedResponse,
  ParsedRateLimit,
  Phase,
  RequestOutcome,
} from '../../../src/lib/ratelimit/types.js';

/**
 * Synthetic observation sequences for the truthfulness and findings tests, built the way the probe builds them:
 * real header values through the real parser (parseRateLimitHeaders), on a virtual clock. Two ways in:
 * `observe(rows)` for a hand-written timeline, and `probeSim(limiter, plan)` — simulated limiters that compute
 * their headers the way express-rate-limit, the Redis token bucket fixture and a sliding log do, driven by a
 * model of the probe (back-to-back bursts, waiting out every Retry-After / reset hint, paced requests) with
 * network latency and timer jitter.
 */

/** Epoch ms of the probe's start: not on a second boundary, so that `Date` rounding shows. */
export const T0 = 1_767_225_600_437;

export interface Row {
  /** ms from the probe's start until the request was sent. */
  sent: number;
  status: number | null;
  headers?: Record<string, string>;
  latency?: number;
  phase?: Phase;
  outcome?: RequestOutcome;
}

export function outcomeOf(status: number | null): RequestOutcome {
  if (status === null) return 'failed';
  return status === 429 || status === 503 ? 'limited' : 'accepted';
}

function lower(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}

/** A timeline as the probe records it: one ObservedResponse per row, in send order. */
export function observe(rows: readonly Row[], start = T0): ObservedResponse[] {
  return rows.map((row, seq): ObservedResponse => {
    const latency = row.status === null ? null : (row.latency ?? 5);
    const receivedAt = start + row.sent + (latency ?? row.latency ?? 0);
    const headers = lower(row.headers ?? {});
    const parsed: ParsedRateLimit | null =
      row.status === null ? null : parseRateLimitHeaders(headers, { receivedAtMs: receivedAt });
    const state = primaryState(parsed);
    return {
      entry: {
        seq,
        phase: row.phase ?? 'burst',
        sent_ms: row.sent,
        latency_ms: latency,
        status: row.status,
        outcome: row.outcome ?? outcomeOf(row.status),
        remaining: state?.remaining ?? null,
        reset_s: state?.reset_s ?? null,
        retry_after_s: parsed?.retry_after_s ?? null,
      },
      parsed,
      received_at_ms: receivedAt,
      date_ms: headers['date'] === undefined ? null : parseHttpDate(headers['date']),
    };
  });
}

export function inference(over: Partial<Inference> = {}): Inference {
  return {
    limited: true,
    algorithm: 'fixed-window',
    burst: null,
    sustained_rate_per_s: null,
    window_s: null,
    confidence: 'high',
    evidence: [],
    recovery_s: null,
    ...over,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Simulated limiters: (arrival epoch ms) → the answer. Each is a fresh state.

export interface Answer {
  status: number;
  headers: Record<string, string>;
}
export type Limiter = (nowMs: number) => Answer;

/** express-rate-limit's header sets; 'retry-after' sends nothing but Retry-After on a 429. */
export type Dialect = 'draft-6' | 'draft-7' | 'draft-8' | 'legacy' | 'retry-after';

/** What a lying server changes in what it says (each gets the truthful number). */
export interface Lies {
  limit?: (limit: number) => number;
  remaining?: (remaining: number) => number;
  reset?: (resetS: number) => number;
  retryAfter?: (retryAfterS: number) => number;
  windowS?: number;
}

const httpDate = (ms: number) => new Date(ms).toUTCString();

/**
 * express-rate-limit 8's MemoryStore: a fixed window anchored at the key's first hit; rejected requests count
 * too; headers exactly as its setDraft6/7/8Headers and setLegacyHeaders write them (ceil seconds; legacy reset
 * as epoch seconds with a `Date`); Retry-After = the reset seconds on a 429.
 */
export function fixedWindow(opts: {
  limit: number;
  windowMs: number;
  dialect: Dialect;
  lies?: Lies;
  /** Retry-After as an HTTP-date (the window's end rounded up to the second) with a `Date`, not delay-seconds. */
  retryAfterDate?: boolean;
}): Limiter {
  const { limit, windowMs, dialect, lies = {} } = opts;
  let resetAt: number | null = null;
  let hits = 0;
  return (now) => {
    if (resetAt === null || now >= resetAt) {
      resetAt = now + windowMs;
      hits = 0;
    }
    hits++;
    const remaining = lies.remaining?.(Math.max(0, limit - hits)) ?? Math.max(0, limit - hits);
    const shownLimit = lies.limit?.(limit) ?? limit;
    const trueResetS = Math.max(0, Math.ceil((resetAt - now) / 1000));
    const resetS = lies.reset?.(trueResetS) ?? trueResetS;
    const windowS = lies.windowS ?? Math.ceil(windowMs / 1000);
    const headers: Record<string, string> = {};
    if (dialect === 'legacy') {
      headers['x-ratelimit-limit'] = String(shownLimit);
      headers['x-ratelimit-remaining'] = String(remaining);
      headers['date'] = httpDate(now);
      const epochS = lies.reset ? Math.ceil(now / 1000) + resetS : Math.ceil(resetAt / 1000);
      headers['x-ratelimit-reset'] = String(epochS);
    } else if (dialect === 'draft-6') {
      headers['ratelimit-policy'] = `${shownLimit};w=${windowS}`;
      headers['ratelimit-limit'] = String(shownLimit);
      headers['ratelimit-remaining'] = String(remaining);
      headers['ratelimit-reset'] = String(resetS);
    } else if (dialect === 'draft-7') {
      headers['ratelimit-policy'] = `${shownLimit};w=${windowS}`;
      headers['ratelimit'] = `limit=${shownLimit}, remaining=${remaining}, reset=${resetS}`;
    } else if (dialect === 'draft-8') {
      const name = `${limit}-in-${windowMs / 1000}sec`;
      headers['ratelimit'] = `"${name}"; r=${remaining}; t=${resetS}`;
      headers['ratelimit-policy'] = `"${name}"; q=${shownLimit}; w=${windowS}; pk=:ZGVhZGJlZWYwMDAw:`;
    }
    if (hits <= limit) return { status: 200, headers };
    if (opts.retryAfterDate) {
      headers['date'] = httpDate(now);
      headers['retry-after'] = httpDate(Math.ceil(resetAt / 1000) * 1000);
    } else {
      headers['retry-after'] = String(lies.retryAfter?.(trueResetS) ?? trueResetS);
    }
    return { status: 429, headers };
  };
}

/** The Redis token bucket fixture's Lua script and headers (Reset = seconds until full; Retry-After = next token). */
export function tokenBucket(opts: {
  capacity: number;
  ratePerS: number;
  reset?: 'delta' | 'epoch';
  lies?: Lies;
}): Limiter {
  const { capacity, ratePerS, lies = {} } = opts;
  let tokens = capacity;
  let last: number | null = null;
  return (now) => {
    tokens = Math.min(capacity, tokens + Math.max(0, now - (last ?? now)) * (ratePerS / 1000));
    last = now;
    const allowed = tokens >= 1;
    if (allowed) tokens -= 1;
    const fullInS =
      lies.reset?.(Math.ceil((capacity - tokens) / ratePerS)) ?? Math.ceil((capacity - tokens) / ratePerS);
    const headers: Record<string, string> = {
      'x-ratelimit-limit': String(lies.limit?.(capacity) ?? capacity),
      'x-ratelimit-remaining': String(lies.remaining?.(Math.floor(tokens)) ?? Math.floor(tokens)),
      'x-ratelimit-reset': String(opts.reset === 'epoch' ? Math.ceil(now / 1000) + fullInS : fullInS),
    };
    if (allowed) return { status: 200, headers };
    const next = Math.ceil((1 - tokens) / ratePerS);
    headers['retry-after'] = String(lies.retryAfter?.(next) ?? next);
    return { status: 429, headers };
  };
}

/** A sliding-window log: `limit` acceptances in any `windowMs`; reset = until the oldest leaves the window. */
export function slidingLog(opts: { limit: number; windowMs: number; lies?: Lies }): Limiter {
  const { limit, windowMs, lies = {} } = opts;
  const log: number[] = [];
  return (now) => {
    while (log.length > 0 && log[0]! <= now - windowMs) log.shift();
    const allowed = log.length < limit;
    if (allowed) log.push(now);
    const untilFree = log.length < limit ? 0 : Math.ceil((log[0]! + windowMs - now) / 1000);
    const headers: Record<string, string> = {
      'x-ratelimit-limit': String(lies.limit?.(limit) ?? limit),
      'x-ratelimit-remaining': String(lies.remaining?.(limit - log.length) ?? limit - log.length),
      'x-ratelimit-reset': String(lies.reset?.(untilFree) ?? untilFree),
    };
    if (allowed) return { status: 200, headers };
    headers['retry-after'] = String(lies.retryAfter?.(untilFree) ?? untilFree);
    return { status: 429, headers };
  };
}

/** Never limits; `headers` on every answer (e.g. a lying `RateLimit: "default";r=0;t=60`). */
export function unlimited(headers: Record<string, string> = {}): Limiter {
  return () => ({ status: 200, headers: { ...headers } });
}

// ---------------------------------------------------------------------------------------------------------------
// A model of the probe.

export interface Plan {
  /** Requests at most (the probe's budget). */
  maxRequests?: number;
  /** Back-to-back requests at most in each burst. */
  burstMax?: number;
  /** Paced requests after the refill burst, and the gap between them. */
  paced?: { count: number; gapMs: number };
  /** Network round trip per request (ms); the server sees the request half-way. */
  latency?: (i: number) => number;
  /** How late the probe's timers fire (ms). */
  timerLate?: (i: number) => number;
  /** How long the probe may run (ms). */
  durationMs?: number;
}

/** Deterministic jitter: 2–40 ms round trips, timers up to 25 ms late. */
export const JITTER: Required<Pick<Plan, 'latency' | 'timerLate'>> = {
  latency: (i) => 2 + ((i * 37) % 39),
  timerLate: (i) => (i * 13) % 26,
};

function exhausted(parsed: ParsedRateLimit): AdvertisedState | null {
  let best: AdvertisedState | null = null;
  for (const s of parsed.states) {
    if (s.remaining === 0 && s.reset_s !== null && (best === null || s.reset_s > best.reset_s!)) best = s;
  }
  return best;
}

/**
 * burst (back-to-back until limited) → recovery (wait out the longer of Retry-After and the exhausted reset, or
 * growing gaps without hints, until accepted) → refill burst → recovery → paced. Never sends during a wait.
 */
export function probeSim(limiter: Limiter, plan: Plan = {}): ObservedResponse[] {
  const maxRequests = plan.maxRequests ?? 60;
  const burstMax = plan.burstMax ?? 40;
  const latency = plan.latency ?? JITTER.latency;
  const timerLate = plan.timerLate ?? JITTER.timerLate;
  const durationMs = plan.durationMs ?? 60_000;
  const rows: Row[] = [];
  let t = 0;
  let parsedLast: ParsedRateLimit | null = null;
  let statusLast = 0;

  const send = (phase: Phase): boolean => {
    if (rows.length >= maxRequests || t >= durationMs) return false;
    const i = rows.length;
    const rtt = latency(i);
    const answer = limiter(T0 + t + rtt / 2);
    rows.push({ sent: t, status: answer.status, headers: answer.headers, latency: rtt, phase });
    t += rtt;
    parsedLast = parseRateLimitHeaders(answer.headers, { receivedAtMs: T0 + t });
    statusLast = answer.status;
    return true;
  };
  const limited = () => statusLast === 429 || statusLast === 503;
  const burst = (phase: Phase) => {
    for (let n = 0; n < burstMax; n++) {
      if (!send(phase)) return;
      if (limited()) return;
      t += 1;
    }
  };
  const recover = () => {
    const gaps = [250, 500, 1000, 2000, 4000];
    let g = 0;
    while (limited()) {
      const p = parsedLast!;
      const hintS = Math.max(p.retry_after_s ?? -1, exhausted(p)?.reset_s ?? -1);
      const waitMs = hintS >= 0 ? hintS * 1000 : gaps[Math.min(g++, gaps.length - 1)]!;
      t += waitMs + timerLate(rows.length);
      if (!send('recovery')) return;
    }
  };

  burst('burst');
  recover();
  burst('refill');
  recover();
  for (let n = 0; n < (plan.paced?.count ?? 0); n++) {
    t += plan.paced!.gapMs + timerLate(rows.length);
    if (!send('paced')) break;
    recover();
  }
  return observe(rows);
}
