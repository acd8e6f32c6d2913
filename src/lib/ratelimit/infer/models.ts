import type { Trial } from './trials.js';

/**
 * The limiter models the inference can name, each replayed over what the server did: a model with given
 * parameters predicts, request by request, accept or reject, and its score is the number of requests it gets
 * wrong. The replay follows the server (teacher forcing): an accepted request takes its unit of quota even where
 * the model said no, so one request near a boundary costs one miss, not a cascade. Rejected requests take
 * nothing in any model (nginx, the Redis bucket and the window counters here all skip them; express-rate-limit
 * counts them but that never changes a decision within the window).
 *
 * The fits search the parameters: exactly for the windows (a prediction changes only where the window equals a
 * difference of two request times, so those differences are the only candidates) and on a fine logarithmic grid
 * for a bucket's rate. A fit returns the range of parameters with the fewest misses, not one value: its width is
 * how well the experiment pinned the parameter down.
 *
 * The fits also take "hint" points: times until which a limited response asked the client to wait. They break
 * ties between parameters — and between models — that explain the requests equally well (the requests cannot
 * show when a window ended during a wait the client honoured); they never outweigh a request.
 */

export type Family = 'token-bucket' | 'fixed-window' | 'sliding-window';

const EPS = 1e-9;

/**
 * A trial, or a moment a limited response said the server would still refuse (it never consumes anything):
 * `hint` just before the time it named, `loose` a second earlier when it named whole seconds — an honest
 * server rounds up by up to that much, so only a model contradicting the loose point contradicts the server.
 */
interface Point {
  at: number;
  accepted: boolean;
  kind: 'trial' | 'hint' | 'loose';
}

export interface Misses {
  /** Requests the model gets wrong. */
  real: number;
  /** Loose hint points contradicted: waits the model would not have needed even allowing for rounding. */
  loose: number;
  /** Exact hint points contradicted. */
  hint: number;
}

function noMisses(): Misses {
  return { real: 0, loose: 0, hint: 0 };
}

/** Counts a hint point the model contradicts (it would have accepted there). */
function countHint(m: Misses, p: Point, wouldAccept: boolean): void {
  if (!wouldAccept) return;
  if (p.kind === 'loose') m.loose++;
  else m.hint++;
}

/** Lexicographic: requests first, then loose hints, then exact ones. */
export function compareMisses(a: Misses, b: Misses): number {
  return a.real - b.real || a.loose - b.loose || a.hint - b.hint;
}

// ---- token bucket (also GCRA and nginx limit_req … nodelay: the same decisions from outside) ----

/** Misses of a bucket holding `capacity` tokens, full at the first request, refilled at `perMs` tokens a ms. */
export function bucketMisses(trials: readonly Trial[], capacity: number, perMs: number): number {
  return bucketScore(pointsOf(trials, false), capacity, perMs).real;
}

function bucketScore(points: readonly Point[], capacity: number, perMs: number): Misses {
  let tokens = capacity;
  let last = points[0]?.at ?? 0;
  const m = noMisses();
  for (const p of points) {
    const level = Math.min(capacity, tokens + (p.at - last) * perMs);
    if (p.kind !== 'trial') {
      countHint(m, p, level >= 1 - EPS);
      continue;
    }
    tokens = level;
    last = p.at;
    if (tokens >= 1 - EPS !== p.accepted) m.real++;
    if (p.accepted) tokens = Math.max(0, tokens - 1);
  }
  return m;
}

/** The tokens in such a bucket right after the last trial, and when it was. */
export function bucketState(
  trials: readonly Trial[],
  capacity: number,
  perMs: number,
): { tokens: number; at: number } {
  let tokens = capacity;
  let last = trials[0]?.at ?? 0;
  for (const t of trials) {
    tokens = Math.min(capacity, tokens + (t.at - last) * perMs);
    last = t.at;
    if (t.accepted) tokens = Math.max(0, tokens - 1);
  }
  return { tokens, at: last };
}

/** When such a bucket next holds a whole token (ms from the probe's start). */
export function nextTokenAt(trials: readonly Trial[], capacity: number, perMs: number): number {
  const { tokens, at } = bucketState(trials, capacity, perMs);
  return tokens >= 1 ? at : at + (1 - tokens) / perMs;
}

export interface BucketFit {
  capacity: number;
  /** Tokens per second: the range with the fewest misses, and its geometric middle. */
  rateLo: number;
  rateHi: number;
  rate: number;
  /** False when the range runs into the edge of the search: the experiment did not bound the rate. */
  bounded: boolean;
  misses: number;
  score: Misses;
}

const RATE_MIN = 1e-3;
const RATE_MAX = 1e4;
const RATE_STEP = 1.005;
const RATES: readonly number[] = (() => {
  const rates: number[] = [];
  for (let r = RATE_MIN; r <= RATE_MAX; r *= RATE_STEP) rates.push(r);
  return rates;
})();

/**
 * The bucket that explains the trials best. Capacities near the opening burst's accepted count are tried (the
 * refill during the burst can add one or two); on a tie the one closest to that count wins.
 */
export function fitTokenBucket(trials: readonly Trial[], openingAccepted: number): BucketFit | null {
  if (trials.length === 0 || openingAccepted < 1) return null;
  const points = pointsOf(trials, true);
  const capacities = [0, -1, 1, -2]
    .map((d) => openingAccepted + d)
    .filter((c, i, all) => c >= 1 && all.indexOf(c) === i);
  let best: BucketFit | null = null;
  for (const capacity of capacities) {
    const scores = RATES.map((r) => bucketScore(points, capacity, r / 1000));
    const run = bestScoreRun(scores);
    if (run === null) continue;
    if (best !== null && compareMisses(run.score, best.score) >= 0) continue;
    const rateLo = RATES[run.from]!;
    const rateHi = RATES[run.to]!;
    best = {
      capacity,
      rateLo,
      rateHi,
      rate: Math.sqrt(rateLo * rateHi),
      bounded: run.from > 0 && run.to < RATES.length - 1,
      misses: run.score.real,
      score: run.score,
    };
  }
  return best;
}

/** The longest run of indices holding the smallest value. */
function bestRun(values: readonly number[]): { min: number; from: number; to: number } {
  const min = Math.min(...values);
  let from = 0;
  let to = -1;
  for (let i = 0; i < values.length;) {
    if (values[i] !== min) {
      i++;
      continue;
    }
    let j = i;
    while (j + 1 < values.length && values[j + 1] === min) j++;
    if (j - i > to - from) {
      from = i;
      to = j;
    }
    i = j + 1;
  }
  return { min, from, to };
}

// ---- windows ----

export type WindowKind = 'anchored' | 'aligned' | 'sliding';

/** Misses of a fixed window of `limit` per `windowMs`, starting at the first request after the last one ended. */
function anchoredMisses(points: readonly Point[], limit: number, windowMs: number): Misses {
  let start = Number.NEGATIVE_INFINITY;
  let count = 0;
  const m = noMisses();
  for (const p of points) {
    const expired = p.at - start >= windowMs;
    if (p.kind !== 'trial') {
      countHint(m, p, expired || count < limit);
      continue;
    }
    if (expired) {
      start = p.at;
      count = 0;
    }
    if (count < limit !== p.accepted) m.real++;
    if (p.accepted) count++;
  }
  return m;
}

/** Misses of a fixed window of `limit` per `windowMs` on a clock grid: windows start at `offsetMs` + k × windowMs. */
function alignedMisses(points: readonly Point[], limit: number, windowMs: number, offsetMs: number): Misses {
  let current = Number.NaN;
  let count = 0;
  const m = noMisses();
  for (const p of points) {
    const index = Math.floor((p.at - offsetMs) / windowMs);
    if (p.kind !== 'trial') {
      countHint(m, p, index !== current || count < limit);
      continue;
    }
    if (index !== current) {
      current = index;
      count = 0;
    }
    if (count < limit !== p.accepted) m.real++;
    if (p.accepted) count++;
  }
  return m;
}

/** Misses of a sliding-window log: at most `limit` accepted requests within any `windowMs`. */
function slidingMisses(points: readonly Point[], limit: number, windowMs: number): Misses {
  const log: number[] = [];
  let head = 0;
  const m = noMisses();
  for (const p of points) {
    while (head < log.length && log[head]! <= p.at - windowMs) head++;
    const room = log.length - head < limit;
    if (p.kind !== 'trial') {
      countHint(m, p, room);
      continue;
    }
    if (room !== p.accepted) m.real++;
    if (p.accepted) log.push(p.at);
  }
  return m;
}

export interface WindowFit {
  kind: WindowKind;
  limit: number;
  /** The window (ms): the range with the fewest misses and its middle; `windowHi` null when unbounded above. */
  windowLo: number;
  windowHi: number | null;
  window: number | null;
  misses: number;
  score: Misses;
}

const KIND_ORDER = { trial: 0, loose: 1, hint: 2 } as const;

/** The trials and the hint points, in time order. */
function pointsOf(trials: readonly Trial[], hints: boolean): Point[] {
  const points: Point[] = trials.map((t) => ({ at: t.at, accepted: t.accepted, kind: 'trial' }));
  if (hints) {
    for (const t of trials) {
      if (t.waitUntil === null || t.waitS === null) continue;
      // Just before the time the server named: it said it would refuse until then.
      if (t.waitUntil - 1 > t.at) points.push({ at: t.waitUntil - 1, accepted: false, kind: 'hint' });
      const slack = Number.isInteger(t.waitS) ? 1000 : 0;
      if (t.waitUntil - slack - 1 > t.at) {
        points.push({ at: t.waitUntil - slack - 1, accepted: false, kind: 'loose' });
      }
    }
  }
  return points.sort((a, b) => a.at - b.at || KIND_ORDER[a.kind] - KIND_ORDER[b.kind]);
}

/** Every window length at which some prediction can change: the differences between two points' times. */
function breakpoints(points: readonly Point[]): number[] {
  const set = new Set<number>();
  for (let i = 0; i < points.length; i++) {
    for (let j = i + 1; j < points.length; j++) {
      const d = Math.round((points[j]!.at - points[i]!.at) * 1000) / 1000;
      if (d > 0) set.add(d);
    }
  }
  return [...set].sort((a, b) => a - b);
}

/**
 * The best window of one kind for each limit in `limits`. Anchored and sliding windows are searched exactly
 * over the breakpoints; the clock-aligned one on a grid of lengths (1.5 % apart) and offsets (24 per window).
 */
export function fitWindow(
  trials: readonly Trial[],
  kind: WindowKind,
  limits: readonly number[],
): WindowFit | null {
  if (trials.length === 0) return null;
  const points = pointsOf(trials, true);
  const bps = breakpoints(points);
  if (bps.length === 0) return null;
  let best: WindowFit | null = null;
  for (const limit of limits) {
    if (limit < 1) continue;
    const fit = kind === 'aligned' ? fitAligned(points, bps, limit) : fitExact(points, bps, limit, kind);
    if (fit === null) continue;
    if (best === null || compareMisses(fit.score, best.score) < 0) best = fit;
  }
  return best;
}

function fitExact(
  points: readonly Point[],
  bps: readonly number[],
  limit: number,
  kind: 'anchored' | 'sliding',
): WindowFit | null {
  // Candidate k lies between breakpoints k−1 and k (k = 0: below the first; k = n: above the last).
  const n = bps.length;
  const candidates: number[] = [];
  for (let k = 0; k <= n; k++) {
    const lo = k === 0 ? 0 : bps[k - 1]!;
    const hi = k === n ? bps[n - 1]! * 2 : bps[k]!;
    candidates.push((lo + hi) / 2);
  }
  const scores = candidates.map((w) =>
    kind === 'anchored' ? anchoredMisses(points, limit, w) : slidingMisses(points, limit, w),
  );
  const run = bestScoreRun(scores);
  if (run === null) return null;
  const windowLo = run.from === 0 ? 0 : bps[run.from - 1]!;
  const windowHi = run.to === n ? null : bps[run.to]!;
  return windowFit(kind, limit, points, windowLo, windowHi, run.score);
}

function fitAligned(points: readonly Point[], bps: readonly number[], limit: number): WindowFit | null {
  // A window shorter than the opening burst would have reset during it, and the burst would show more than
  // the limit.
  const first = points.find((p) => p.kind === 'trial');
  const firstLimited = points.find((p) => p.kind === 'trial' && !p.accepted);
  const lo = Math.max(1, bps[0]!, first && firstLimited ? firstLimited.at - first.at : 0);
  const hi = bps[bps.length - 1]! * 2;
  const lengths: number[] = [];
  for (let w = lo; w <= hi; w *= 1.015) lengths.push(w);
  const scores: Misses[] = lengths.map((w) => {
    let best: Misses = { real: Infinity, loose: Infinity, hint: Infinity };
    for (let k = 0; k < 24; k++) {
      const m = alignedMisses(points, limit, w, (w * k) / 24);
      if (compareMisses(m, best) < 0) best = m;
    }
    return best;
  });
  const run = bestScoreRun(scores);
  if (run === null) return null;
  const windowLo = lengths[run.from]!;
  const windowHi = run.to === lengths.length - 1 ? null : lengths[run.to]!;
  return windowFit('aligned', limit, points, windowLo, windowHi, run.score);
}

/** A fit over the window range [windowLo, windowHi], its length estimated from it. */
function windowFit(
  kind: WindowKind,
  limit: number,
  points: readonly Point[],
  windowLo: number,
  windowHi: number | null,
  score: Misses,
): WindowFit {
  return {
    kind,
    limit,
    windowLo,
    windowHi,
    window: estimateWindow(points, windowLo, windowHi),
    misses: score.real,
    score,
  };
}

/**
 * The window length to report from the range that fits. Without hints, the middle. When the server asked for
 * waits, the probe sent nothing before they ended, so nothing was seen close below the end of the window and
 * the range's lower end is loose; its upper end is where a request sent at the end of a wait was accepted —
 * the end of the window as the server stated it, too long by at most its rounding (whole seconds, rounded up).
 */
function estimateWindow(points: readonly Point[], lo: number, hi: number | null): number | null {
  if (hi === null || lo <= 0) return null;
  return points.some((p) => p.kind === 'hint') ? hi : (lo + hi) / 2;
}

/** The longest run of candidates with the best score (compareMisses). */
function bestScoreRun(scores: readonly Misses[]): { score: Misses; from: number; to: number } | null {
  if (scores.length === 0) return null;
  let score = scores[0]!;
  for (const s of scores) if (compareMisses(s, score) < 0) score = s;
  const run = bestRun(scores.map((s) => (compareMisses(s, score) === 0 ? 0 : 1)));
  return { score, from: run.from, to: run.to };
}
