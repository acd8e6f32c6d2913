import { formatFitRate, formatFitSeconds } from './format.js';
import { primaryState } from './headers.js';
import {
  compareMisses,
  fitTokenBucket,
  fitWindow,
  type BucketFit,
  type Family,
  type Misses,
  type WindowFit,
} from './infer/models.js';
import { openingBurst, toTrials, type Trial } from './infer/trials.js';
import type { Algorithm, Confidence, Inference, ObservedResponse } from './types.js';

export { waitHintS, queueThresholdMs, toTrials, type Trial } from './infer/trials.js';
export { fitTokenBucket, fitWindow, nextTokenAt, type BucketFit, type WindowFit } from './infer/models.js';

/**
 * What the observations say about the limiter: limited or not, the burst, the sustained rate, the window, and
 * which algorithm explains them. Pure: a probe's responses in, a verdict with its evidence out.
 *
 * A queue shows itself by latency (accepted requests held back far beyond the fastest round trip). Otherwise
 * every candidate model — token bucket, fixed window (anchored at its first request, or on a clock grid), sliding
 * window log — is fitted to the accept/reject decisions (infer/models.ts), and the one that gets the fewest
 * requests wrong wins, by a margin that sets the confidence. When two explain everything equally well the
 * experiment did not tell them apart and the answer is `unknown`. Token bucket, GCRA and nginx's
 * `limit_req … nodelay` make the same decisions and cannot be told apart from outside: they are all
 * `token-bucket`, and the evidence says so.
 */
export interface InferContext {
  /** Requests in flight at once: a queue's depth only shows with more than one. */
  concurrency: number;
}

export function inferRateLimit(observed: readonly ObservedResponse[], context: InferContext): Inference {
  const trials = toTrials(observed);
  if (trials.length === 0) {
    return verdict(false, 'unknown', 'low', ['no response arrived: nothing to infer']);
  }
  const queue = inferQueue(trials, context);
  if (queue !== null) return queue;
  if (trials.every((t) => t.accepted)) return unlimited(observed, trials);
  return inferFromFits(trials);
}

function verdict(
  limited: boolean,
  algorithm: Algorithm,
  confidence: Confidence,
  evidence: string[],
  numbers: Partial<Pick<Inference, 'burst' | 'sustained_rate_per_s' | 'window_s' | 'recovery_s'>> = {},
): Inference {
  return {
    limited,
    algorithm,
    burst: numbers.burst ?? null,
    sustained_rate_per_s: numbers.sustained_rate_per_s ?? null,
    window_s: numbers.window_s ?? null,
    confidence,
    evidence,
    recovery_s: numbers.recovery_s ?? null,
  };
}

// ---- no limit ----

function unlimited(observed: readonly ObservedResponse[], trials: readonly Trial[]): Inference {
  const n = trials.length;
  const advertised = observed
    .map((o) => primaryState(o.parsed))
    .find((s) => s !== null && s.limit !== null && s.limit > 0);
  if (advertised) {
    return verdict(true, 'unknown', 'low', [
      `all ${n} requests were accepted, but the headers advertise a quota of ${advertised.limit}` +
        `${advertised.remaining !== null ? ` (${advertised.remaining} remaining)` : ''}: the limit was not reached within the budget, so it is unverified`,
    ]);
  }
  const confidence: Confidence = n >= 20 ? 'high' : n >= 5 ? 'medium' : 'low';
  const headers = observed.some((o) => (o.parsed?.schemes.length ?? 0) > 0);
  return verdict(false, 'none', confidence, [
    `all ${n} requests were accepted back-to-back, none with a limit status` +
      `${headers ? '' : ' and none with rate-limit headers'}: no limit within the budget`,
  ]);
}

// ---- a queue (leaky bucket) ----

function inferQueue(trials: readonly Trial[], context: InferContext): Inference | null {
  const accepted = trials.filter((t) => t.accepted);
  const queued = accepted.filter((t) => t.queued);
  // The first request of a fresh queue is served at once; the rest of a queue's requests wait.
  if (queued.length < 3 || queued.length < 0.6 * (accepted.length - 1)) return null;
  const served = [...accepted].sort((a, b) => a.doneAt - b.doneAt);
  const first = served[0]!;
  const last = served[served.length - 1]!;
  const span = last.doneAt - first.doneAt;
  const rate = span > 0 ? ((served.length - 1) / span) * 1000 : null;
  const opening = openingBurst(trials);
  const rejectedInWave = opening.trials.some((t) => !t.accepted);
  const evidence = [
    `${queued.length} of ${accepted.length} accepted requests were held back by the server ` +
      `(latency up to ${Math.round(Math.max(...queued.map((t) => t.latencyMs)))} ms against ` +
      `${Math.round(Math.min(...trials.map((t) => t.latencyMs)))} ms for the fastest): a queue that drains at a fixed rate`,
  ];
  if (rate !== null) {
    evidence.push(
      `accepted requests were answered ${Math.round(1000 / rate)} ms apart on average: a drain rate of ${formatFitRate(rate)}`,
    );
  }
  let burst: number | null = null;
  if (rejectedInWave && context.concurrency > 1) {
    burst = opening.accepted;
    evidence.push(
      `a concurrent wave of ${opening.trials.length}: ${opening.accepted} accepted (queued), ` +
        `${opening.trials.length - opening.accepted} rejected at once: the queue holds ${opening.accepted} ` +
        'including the one being served',
    );
  } else if (context.concurrency <= 1) {
    evidence.push(
      'one request in flight never fills the queue, so its depth is not measured (a concurrent wave would show it: --concurrency)',
    );
  } else {
    evidence.push(
      `no request of a wave of ${context.concurrency} was rejected: the queue is deeper than that`,
    );
  }
  // Held back is limited, refused or not.
  return verdict(true, 'leaky-bucket', queued.length >= 4 ? 'high' : 'medium', evidence, {
    burst,
    sustained_rate_per_s: rate === null ? null : round(rate, 2),
    recovery_s: recoveryS(trials),
  });
}

// ---- fits ----

interface Candidate {
  family: Family;
  misses: number;
  score: Misses;
  bucket?: BucketFit;
  window?: WindowFit;
}

function inferFromFits(trials: readonly Trial[]): Inference {
  const opening = openingBurst(trials);
  const n0 = opening.accepted;
  const evidence: string[] = [describeOpening(trials, n0)];
  const recovery = recoveryS(trials);
  if (recovery !== null) evidence.push(describeRecovery(trials, recovery));
  if (n0 === 0) {
    evidence.push(
      'the first request was already limited: the state was not fresh, so no burst can be measured',
    );
    return verdict(true, 'unknown', 'low', evidence, { recovery_s: recovery });
  }

  // From a fresh state a window lets exactly its limit through back-to-back (a window on a clock grid too: a
  // burst that crossed a boundary would need a window shorter than itself). A bucket's capacity may differ by
  // what refilled during the burst: its fit tries the neighbours.
  const bucket = fitTokenBucket(trials, n0);
  const anchored = fitWindow(trials, 'anchored', [n0]);
  // The clock grid only matters when a window anchored at its first request does not explain everything.
  const aligned = anchored !== null && anchored.misses > 0 ? fitWindow(trials, 'aligned', [n0]) : null;
  const sliding = fitWindow(trials, 'sliding', [n0]);
  const fixed = better(anchored, aligned);

  const candidates: Candidate[] = [];
  if (bucket) {
    candidates.push({ family: 'token-bucket', misses: bucket.misses, score: bucket.score, bucket });
  }
  if (fixed) {
    candidates.push({ family: 'fixed-window', misses: fixed.misses, score: fixed.score, window: fixed });
  }
  if (sliding) {
    candidates.push({
      family: 'sliding-window',
      misses: sliding.misses,
      score: sliding.score,
      window: sliding,
    });
  }
  candidates.sort((a, b) => compareMisses(a.score, b.score) || familyRank(a.family) - familyRank(b.family));
  evidence.push(describeFits(candidates, trials.length));

  const best = candidates[0];
  if (best === undefined) {
    return verdict(true, 'unknown', 'low', evidence, { burst: n0, recovery_s: recovery });
  }
  const second = candidates[1];
  const n = trials.length;
  if (best.misses > Math.max(2, 0.1 * n)) {
    evidence.push(
      'no model explains what was seen: the limiter does something else (or the experiment was disturbed)',
    );
    return verdict(true, 'unknown', 'low', evidence, { burst: n0, recovery_s: recovery });
  }
  const tied = candidates.filter(
    (c) => c.score.real === best.score.real && c.score.loose === best.score.loose,
  );
  if (tied.length > 1) {
    if (tied.some((c) => c.family === 'token-bucket') && n0 === 1) {
      // One request per period: a bucket of one token, a window of one and a log of one make the same decisions.
      evidence.push(
        'one request per period: a bucket of one token, a fixed window of one and a sliding log of one decide alike; reported as a token bucket',
        TOKEN_BUCKET_NOTE,
      );
      return fromCandidate(
        tied.find((c) => c.family === 'token-bucket')!,
        'medium',
        evidence,
        recovery,
      );
    }
    evidence.push(
      `${tied.map((c) => c.family).join(' and ')} explain what was seen equally well: the experiment did not tell them apart`,
    );
    const agreed = agreedNumbers(tied);
    return verdict(true, 'unknown', 'low', evidence, { burst: n0, recovery_s: recovery, ...agreed });
  }
  let confidence = confidenceOf(best.score, second?.score, n);
  if (second !== undefined && second.score.real === best.score.real) {
    evidence.push(
      `${second.family} explains the requests as well, but not the waits the server asked for: decided by the server's hints`,
    );
  }
  const shape = describeShape(best);
  if (shape.weak) confidence = confidence === 'high' ? 'medium' : 'low';
  evidence.push(...shape.lines);
  if (best.family === 'token-bucket') evidence.push(TOKEN_BUCKET_NOTE);
  return fromCandidate(best, confidence, evidence, recovery);
}

const TOKEN_BUCKET_NOTE =
  'a token bucket, GCRA and nginx limit_req with nodelay make the same decisions and look the same from outside: they are all reported as token-bucket';

function familyRank(family: Family): number {
  return ['token-bucket', 'fixed-window', 'sliding-window'].indexOf(family);
}

function better(a: WindowFit | null, b: WindowFit | null): WindowFit | null {
  if (a === null) return b;
  if (b === null) return a;
  return compareMisses(b.score, a.score) < 0 ? b : a;
}

/**
 * How sure the winner is, by how much worse the runner-up does: two or more requests it gets wrong that the
 * winner gets right is high; one, or none but the server's own waits (allowing for whole-second rounding), is
 * medium — high when those waits contradict the runner-up twice or more on top of a request.
 */
function confidenceOf(best: Misses, second: Misses | undefined, n: number): Confidence {
  if (best.real > Math.max(1, Math.floor(0.05 * n))) return 'medium';
  if (second === undefined) return 'high';
  const real = second.real - best.real;
  const loose = second.loose - best.loose;
  if (real >= 2 || (real === 1 && loose >= 2)) return 'high';
  return 'medium';
}

function fromCandidate(
  c: Candidate,
  confidence: Confidence,
  evidence: string[],
  recovery: number | null,
): Inference {
  if (c.bucket) {
    return verdict(true, c.family, confidence, evidence, {
      burst: c.bucket.capacity,
      sustained_rate_per_s: c.bucket.bounded ? round(c.bucket.rate, 2) : null,
      recovery_s: recovery,
    });
  }
  const w = c.window!;
  const windowS = w.window === null ? null : w.window / 1000;
  return verdict(true, c.family, confidence, evidence, {
    burst: w.limit,
    window_s: windowS === null ? null : round(windowS, 3),
    sustained_rate_per_s: windowS === null ? null : round(w.limit / windowS, 2),
    recovery_s: recovery,
  });
}

/** The numbers every tied model agrees on (within 20 %): worth reporting even when the algorithm is not known. */
function agreedNumbers(tied: readonly Candidate[]): Partial<Inference> {
  const rates = tied.map((c) =>
    c.bucket
      ? c.bucket.bounded
        ? c.bucket.rate
        : null
      : c.window!.window === null
        ? null
        : (c.window!.limit / c.window!.window) * 1000,
  );
  if (rates.some((r) => r === null)) return {};
  const lo = Math.min(...(rates as number[]));
  const hi = Math.max(...(rates as number[]));
  return hi <= lo * 1.2 ? { sustained_rate_per_s: round(Math.sqrt(lo * hi), 2) } : {};
}

// ---- evidence ----

function describeOpening(trials: readonly Trial[], n0: number): string {
  const firstLimited = trials.find((t) => !t.accepted);
  if (firstLimited === undefined) return `${n0} accepted back-to-back`;
  return (
    `burst: ${n0} accepted back-to-back from a fresh state, then ${firstLimited.status}` +
    (firstLimited.status === 503
      ? ' (503 taken as a possible limit signal: nginx’s default limit_req_status)'
      : '')
  );
}

function recoveryS(trials: readonly Trial[]): number | null {
  const i = trials.findIndex((t) => !t.accepted);
  if (i < 0) return null;
  const limited = trials[i]!;
  const next = trials.slice(i + 1).find((t) => t.accepted);
  return next === undefined ? null : round((next.at - limited.doneAt) / 1000, 3);
}

function describeRecovery(trials: readonly Trial[], recovery: number): string {
  const i = trials.findIndex((t) => !t.accepted);
  const limited = trials[i]!;
  const refused = trials.slice(i + 1).findIndex((t) => t.accepted);
  const waited =
    limited.waitUntil !== null
      ? ` (after the ${formatFitSeconds((limited.waitUntil - limited.doneAt) / 1000)} the server asked to wait)`
      : '';
  return (
    `after the first ${limited.status}, a request was accepted again ${formatFitSeconds(recovery)} later${waited}` +
    (refused > 0 ? `; ${refused} earlier ${refused === 1 ? 'try was' : 'tries were'} still limited` : '')
  );
}

function describeFits(candidates: readonly Candidate[], n: number): string {
  const parts = candidates.map((c) => {
    const what =
      c.family === 'token-bucket'
        ? `token-bucket (${c.bucket!.capacity} tokens${c.bucket!.bounded ? `, ${formatFitRate(c.bucket!.rate)}` : ''})`
        : `${c.family} (${c.window!.limit} per ${c.window!.window === null ? '?' : formatFitSeconds(c.window!.window / 1000)}${c.window!.kind === 'aligned' ? ', on a clock grid' : ''})`;
    return `${what} ${c.misses === 0 ? 'explains all' : `gets ${c.misses} wrong`}`;
  });
  return `replaying the ${n} answered requests: ${parts.join('; ')}`;
}

/** What the winning model's shape says, and whether its parameters are pinned down. */
function describeShape(c: Candidate): { lines: string[]; weak: boolean } {
  if (c.bucket) {
    const b = c.bucket;
    if (!b.bounded) {
      return {
        lines: ['the refill rate was not bounded by the experiment (too few requests or too little time)'],
        weak: true,
      };
    }
    const spread = b.rateHi / b.rateLo;
    return {
      lines: [
        `quota came back gradually: ${b.capacity} tokens refilled at ${formatFitRate(b.rate)} (consistent from ${formatFitRate(b.rateLo)} to ${formatFitRate(b.rateHi)})`,
      ],
      weak: spread > 1.5,
    };
  }
  const w = c.window!;
  const lines: string[] = [];
  // Two bounds that print alike (the answers pin the window to the millisecond) read as one length.
  const lo = formatFitSeconds(w.windowLo / 1000);
  const hi = w.windowHi === null ? null : formatFitSeconds(w.windowHi / 1000);
  const range = hi === null ? `of at least ${lo}` : hi === lo ? `of ${lo}` : `of between ${lo} and ${hi}`;
  if (c.family === 'sliding-window') {
    lines.push(
      `quota came back piece by piece, each request's share one window after it was let in: a sliding-window log of ${w.limit} per window ${range}`,
    );
  } else {
    lines.push(
      `the whole quota came back at once, one window after ${w.kind === 'aligned' ? 'a clock boundary' : 'the first request of the window'}: a fixed window of ${w.limit} per window ${range}`,
    );
  }
  const weak = w.window === null || (w.windowHi !== null && w.windowLo > 0 && w.windowHi / w.windowLo > 1.5);
  return { lines, weak };
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
