import { describe, expect, it } from 'vitest';
import { findMismatches, MISMATCH_FIELD, type MismatchKind } from '../../../src/lib/ratelimit/truth.js';
import type { Inference } from '../../../src/lib/ratelimit/types.js';
import {
  fixedWindow,
  inference,
  probeSim,
  slidingLog,
  tokenBucket,
  unlimited,
  type Limiter,
  type Plan,
} from './truth-timeline.js';

/**
 * findMismatches against simulated limiters that compute their headers the way the real ones do
 * (express-rate-limit 8's four header sets, the Redis token bucket fixture, a sliding log), driven by a model of
 * the probe with network and timer jitter. Truthful servers must yield nothing — under the inference a correct
 * engine reports and under one that is off by the issue's 20 % — and each lying variant exactly its mismatches.
 */

const paced: Plan = { paced: { count: 10, gapMs: 400 } };
const slowPaced: Plan = { paced: { count: 8, gapMs: 1300 } };
const heavyJitter: Plan = {
  paced: { count: 10, gapMs: 400 },
  latency: (i) => 20 + ((i * 53) % 180),
  timerLate: (i) => (i * 29) % 120,
};
const noJitter: Plan = { paced: { count: 10, gapMs: 400 }, latency: () => 1, timerLate: () => 0 };

const windowTruth = (limit: number, windowS: number, algorithm: Inference['algorithm'] = 'fixed-window') =>
  inference({ algorithm, burst: limit, window_s: windowS, sustained_rate_per_s: limit / windowS });
const bucketTruth = (capacity: number, rate: number) =>
  inference({ algorithm: 'token-bucket', burst: capacity, sustained_rate_per_s: rate });
/** The same verdict with every measured number 20 % off (the tolerance), both ways. */
const off = (i: Inference, factor: number): Inference => ({
  ...i,
  burst: i.burst === null ? null : Math.round(i.burst * factor),
  window_s: i.window_s === null ? null : i.window_s * factor,
  sustained_rate_per_s: i.sustained_rate_per_s === null ? null : i.sustained_rate_per_s * factor,
});

interface Truthful {
  name: string;
  limiter: () => Limiter;
  inferred: Inference;
  plan?: Plan;
}

const truthful: Truthful[] = [];
for (const dialect of ['draft-6', 'draft-7', 'draft-8', 'legacy', 'retry-after'] as const) {
  for (const [planName, plan] of Object.entries({ paced, slowPaced, heavyJitter, noJitter })) {
    truthful.push({
      name: `express-rate-limit ${dialect}, 5 per 3 s, ${planName}`,
      limiter: () => fixedWindow({ limit: 5, windowMs: 3000, dialect }),
      inferred: windowTruth(5, 3),
      plan,
    });
  }
  truthful.push({
    name: `express-rate-limit ${dialect}, 20 per 2 s`,
    limiter: () => fixedWindow({ limit: 20, windowMs: 2000, dialect }),
    inferred: windowTruth(20, 2),
    plan: { ...paced, burstMax: 30 },
  });
  truthful.push({
    name: `express-rate-limit ${dialect}, 5 per 10 s, paced across the window`,
    limiter: () => fixedWindow({ limit: 5, windowMs: 10_000, dialect }),
    inferred: windowTruth(5, 10),
    plan: { paced: { count: 8, gapMs: 700 } },
  });
}
for (const reset of ['delta', 'epoch'] as const) {
  for (const [planName, plan] of Object.entries({ paced, heavyJitter, noJitter })) {
    truthful.push({
      name: `redis token bucket 12 @ 6/s, reset ${reset}, ${planName}`,
      limiter: () => tokenBucket({ capacity: 12, ratePerS: 6, reset }),
      inferred: bucketTruth(12, 6),
      plan,
    });
  }
  truthful.push({
    name: `redis token bucket 60 @ 6/s (reset until full: 10 s), reset ${reset}`,
    limiter: () => tokenBucket({ capacity: 60, ratePerS: 6, reset }),
    inferred: bucketTruth(60, 6),
    plan: { burstMax: 80, maxRequests: 150, paced: { count: 20, gapMs: 150 } },
  });
  truthful.push({
    name: `redis token bucket 5 @ 1/s, paced at the rate, reset ${reset}`,
    limiter: () => tokenBucket({ capacity: 5, ratePerS: 1, reset }),
    inferred: bucketTruth(5, 1),
    plan: { paced: { count: 12, gapMs: 1000 } },
  });
}
for (const [planName, plan] of Object.entries({ paced, slowPaced, heavyJitter })) {
  truthful.push({
    name: `sliding log 5 per 3 s, ${planName}`,
    limiter: () => slidingLog({ limit: 5, windowMs: 3000 }),
    inferred: windowTruth(5, 3, 'sliding-window'),
    plan,
  });
}
for (const [planName, plan] of Object.entries({ paced, heavyJitter })) {
  truthful.push({
    name: `Retry-After as an HTTP-date only, 6 per 3 s, ${planName}`,
    limiter: () => fixedWindow({ limit: 6, windowMs: 3000, dialect: 'retry-after', retryAfterDate: true }),
    inferred: windowTruth(6, 3),
    plan,
  });
}
truthful.push(
  {
    name: 'no limit, no headers',
    limiter: () => unlimited(),
    inferred: inference({ limited: false, algorithm: 'none', confidence: 'medium' }),
  },
  {
    name: 'no limit reached: a quota of 5000 per hour, advertised honestly',
    limiter: () => fixedWindow({ limit: 5000, windowMs: 3_600_000, dialect: 'draft-8' }),
    inferred: inference({ limited: false, algorithm: 'none', confidence: 'medium' }),
  },
);

describe('findMismatches: a truthful server yields none', () => {
  it.each(truthful)('$name', ({ limiter, inferred, plan }) => {
    const observed = probeSim(limiter(), plan);
    expect(observed.some((o) => o.entry.outcome === 'limited')).toBe(inferred.limited);
    expect(findMismatches(observed, inferred)).toEqual([]);
  });

  it.each(truthful.filter((t) => t.inferred.limited))(
    '$name, with the inference 20 % off either way',
    ({ limiter, inferred, plan }) => {
      for (const factor of [0.8, 1.2]) {
        expect(findMismatches(probeSim(limiter(), plan), off(inferred, factor))).toEqual([]);
      }
    },
  );
});

interface Liar {
  name: string;
  limiter: () => Limiter;
  inferred: Inference;
  plan?: Plan;
  /** Every kind reported, and the message of the first. */
  want: MismatchKind[];
  message: RegExp;
}

const liars: Liar[] = [
  {
    name: 'Retry-After says 1 s, the 3 s window and its reset header say later',
    limiter: () =>
      fixedWindow({ limit: 5, windowMs: 3000, dialect: 'legacy', lies: { retryAfter: () => 1 } }),
    inferred: windowTruth(5, 3),
    want: ['retry-after-too-short'],
    message: /^Retry-After said 1 s; X-RateLimit-Reset on the same response said \d\.\d s$/,
  },
  {
    name: 'Retry-After says 1 s, no other header: still limited after waiting it',
    limiter: () =>
      fixedWindow({ limit: 5, windowMs: 3000, dialect: 'retry-after', lies: { retryAfter: () => 1 } }),
    inferred: windowTruth(5, 3),
    want: ['retry-after-too-short'],
    message:
      /^Retry-After said 1 s; requests were still limited after 2\.\d s, accepted again after 3\.\d s$/,
  },
  {
    name: 'Retry-After says 1 s on a token bucket refilling every 4 s',
    limiter: () =>
      tokenBucket({ capacity: 4, ratePerS: 0.25, lies: { retryAfter: () => 1, reset: () => 1 } }),
    inferred: bucketTruth(4, 0.25),
    want: ['retry-after-too-short', 'reset-too-short', 'reset-not-counting-down'],
    message:
      /^Retry-After said 1 s; requests were still limited after [23]\.\d s, accepted again after [34]\.\d s$/,
  },
  {
    name: 'Retry-After says 30 s while the truthful reset header says the 3 s window ends sooner',
    limiter: () =>
      fixedWindow({ limit: 5, windowMs: 3000, dialect: 'draft-6', lies: { retryAfter: () => 30 } }),
    inferred: windowTruth(5, 3),
    want: ['retry-after-too-long'],
    message: /^Retry-After said 30 s; RateLimit-Reset on the same response said 3 s$/,
  },
  {
    name: 'Retry-After says 30 s while RateLimit t (draft-8) truthfully counts down a 2 s window',
    limiter: () =>
      fixedWindow({ limit: 5, windowMs: 2000, dialect: 'draft-8', lies: { retryAfter: () => 30 } }),
    inferred: windowTruth(5, 2),
    want: ['retry-after-too-long'],
    message: /^Retry-After said 30 s; RateLimit t on the same response said 2 s$/,
  },
  {
    name: 'Retry-After says 20 s, nothing else: the measured 3 s window says sooner',
    limiter: () =>
      fixedWindow({ limit: 5, windowMs: 3000, dialect: 'retry-after', lies: { retryAfter: () => 20 } }),
    inferred: windowTruth(5, 3),
    plan: { durationMs: 120_000 },
    want: ['retry-after-too-long'],
    message: /^Retry-After said 20 s; the probe measured a window of 3\.0 s$/,
  },
  {
    name: 'a token bucket whose Retry-After waits for a full bucket (10 s) instead of the next token',
    limiter: () => tokenBucket({ capacity: 60, ratePerS: 6, lies: { retryAfter: () => 10 } }),
    inferred: bucketTruth(60, 6),
    plan: { burstMax: 80, maxRequests: 150 },
    want: ['retry-after-too-long'],
    message:
      /^Retry-After said 10 s; the probe measured a refill of 6\.0 requests\/s \(one request every 0\.2 s\)$/,
  },
  {
    name: 'the reset says 30 s on a 3 s window (Retry-After honest)',
    limiter: () => fixedWindow({ limit: 5, windowMs: 3000, dialect: 'draft-6', lies: { reset: () => 30 } }),
    inferred: windowTruth(5, 3),
    plan: { durationMs: 120_000 },
    want: ['reset-too-long'],
    message: /^RateLimit-Reset said 30 s; the probe measured a window of 3\.0 s$/,
  },
  {
    name: 'the reset stays at 10 s while a 10 s window runs down',
    limiter: () => fixedWindow({ limit: 5, windowMs: 10_000, dialect: 'draft-6', lies: { reset: () => 10 } }),
    inferred: windowTruth(5, 10),
    plan: { paced: { count: 8, gapMs: 700 } },
    want: ['reset-not-counting-down'],
    message: /^RateLimit-Reset said 10 s, and 10 s [2-9]\.\d s later$/,
  },
  {
    name: 'X-RateLimit-Limit says 1000 while 5 pass',
    limiter: () =>
      fixedWindow({
        limit: 5,
        windowMs: 3000,
        dialect: 'legacy',
        lies: { limit: () => 1000, remaining: (r) => r + 995 },
      }),
    inferred: windowTruth(5, 3),
    want: ['limit-too-high', 'limited-with-remaining'],
    message:
      /^X-RateLimit-Limit said 1000 requests; only 5 were accepted back-to-back before requests were limited$/,
  },
  {
    name: 'RateLimit-Policy says 2 while 10 pass',
    limiter: () =>
      fixedWindow({
        limit: 10,
        windowMs: 3000,
        dialect: 'draft-8',
        lies: { limit: () => 2, remaining: () => 1 },
      }),
    inferred: windowTruth(10, 3),
    want: ['limit-too-low', 'remaining-not-decreasing'],
    message: /^RateLimit-Policy q said 2 requests; 10 were accepted back-to-back$/,
  },
  {
    name: '200 with RateLimit r=0;t=60, never limited',
    limiter: () => unlimited({ ratelimit: '"default";r=0;t=60', 'ratelimit-policy': '"default";q=100;w=60' }),
    inferred: inference({ limited: false, algorithm: 'none', confidence: 'medium' }),
    plan: { maxRequests: 30 },
    want: ['zero-remaining-accepted'],
    message: /^RateLimit said r=0 \(reset in 60 s\); 29 requests succeeded after it, the first \d+ ms later$/,
  },
  {
    name: '200 with X-RateLimit-Remaining 0 and no reset, never limited',
    limiter: () => unlimited({ 'x-ratelimit-limit': '100', 'x-ratelimit-remaining': '0' }),
    inferred: inference({ limited: false, algorithm: 'none', confidence: 'medium' }),
    plan: { maxRequests: 20 },
    want: ['zero-remaining-accepted'],
    message: /^X-RateLimit-Remaining said 0; 19 requests succeeded after it/,
  },
  {
    name: 'remaining stuck at 3 on a 5-per-3 s window',
    limiter: () =>
      fixedWindow({ limit: 5, windowMs: 3000, dialect: 'draft-7', lies: { remaining: () => 3 } }),
    inferred: windowTruth(5, 3),
    want: ['remaining-not-decreasing', 'limited-with-remaining'],
    message: /^RateLimit remaining stayed at 3 across 5 accepted requests before requests were limited$/,
  },
  {
    name: 'RateLimit-Policy advertises a 60 s window on a 3 s one',
    limiter: () => fixedWindow({ limit: 5, windowMs: 3000, dialect: 'draft-8', lies: { windowS: 60 } }),
    inferred: windowTruth(5, 3),
    want: ['policy-window'],
    message: /^RateLimit-Policy said a window of 60 s; the probe measured a window of 3\.0 s$/,
  },
];

describe('findMismatches: each lie, and only it', () => {
  it.each(liars)('$name', ({ limiter, inferred, plan, want, message }) => {
    const found = findMismatches(probeSim(limiter(), plan), inferred);
    expect(found.map((m) => m.kind)).toEqual(want);
    expect(found[0]!.message).toMatch(message);
    for (const m of found) {
      expect(m.field).toBe(MISMATCH_FIELD[m.kind as MismatchKind]);
      expect(m.message).not.toMatch(/\n/);
      expect(m.message.startsWith(m.message.split(';')[0]!)).toBe(true);
      expect(m.seq!.length).toBeGreaterThan(0);
    }
  });
});
