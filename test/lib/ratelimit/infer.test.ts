import { describe, expect, it } from 'vitest';
import {
  fitTokenBucket,
  fitWindow,
  inferRateLimit,
  toTrials,
  waitHintS,
} from '../../../src/lib/ratelimit/infer.js';
import type {
  Algorithm,
  Inference,
  ObservedResponse,
  ParsedRateLimit,
} from '../../../src/lib/ratelimit/types.js';
import {
  alignedWindow,
  backToBack,
  burstUntilLimited,
  fixedWindow,
  ladder,
  paced,
  queue,
  recoverStep,
  retryAfter,
  script,
  simulate,
  slidingLog,
  tokenBucket,
  unlimited,
  waitThen,
  wave,
} from './infer-sim.js';

/**
 * The pure inference on synthetic sequences: each limiter family run through the kind of experiment the probe
 * does, with the verdict checked against the simulated limiter's parameters — the algorithm exactly, the
 * numbers within ±10 % (the bench's goal; the real-limiter tests allow the issue's ±20 %) — and the sequences
 * that cannot tell the families apart coming out unknown with low confidence.
 */

function within(got: number | null, want: number, tolerance = 0.1): void {
  expect(got).not.toBeNull();
  expect(Math.abs(got! - want) / want).toBeLessThanOrEqual(tolerance);
}

function infer(observed: readonly ObservedResponse[], concurrency = 1): Inference {
  return inferRateLimit(observed, { concurrency });
}

/**
 * What the probe does to a bucket without hints: burst, recovery, a refill check, then bursts after waits short
 * enough not to fill the bucket, and a run paced a little faster than the refill.
 */
function bucketRun(capacity: number, perS: number): ObservedResponse[] {
  const refillMs = (Math.max(1, capacity - 1) / perS) * 1000;
  return simulate(
    tokenBucket(capacity, perS),
    script(
      burstUntilLimited('burst'),
      recoverStep(),
      backToBack(3),
      waitThen(refillMs * 0.6, backToBack(capacity + 1)),
      waitThen(refillMs * 0.8, backToBack(capacity + 1)),
      paced(8, 800 / perS),
    ),
  );
}

/** What the probe does to a window: burst, recovery, half the quota back, the fill half-way, the test a window on. */
function windowRun(
  limiter: ReturnType<typeof fixedWindow>,
  limit: number,
  windowMs: number,
): ObservedResponse[] {
  const half = Math.ceil(limit / 2);
  return simulate(
    limiter,
    script(
      burstUntilLimited('burst'),
      recoverStep(),
      backToBack(half - 1),
      waitThen(windowMs * 0.45, burstUntilLimited('refill')),
      ladder(windowMs * 0.4, windowMs * 0.06),
      backToBack(half + 2),
    ),
  );
}

describe('inferRateLimit: each family from its experiment', () => {
  it.each([
    { capacity: 10, perS: 6 },
    { capacity: 8, perS: 8 },
    { capacity: 20, perS: 4 },
    { capacity: 3, perS: 10 },
  ])('a token bucket of $capacity refilled at $perS/s', ({ capacity, perS }) => {
    const got = infer(bucketRun(capacity, perS));
    expect(got.algorithm).toBe('token-bucket');
    expect(got.limited).toBe(true);
    expect(got.burst).toBe(capacity);
    within(got.sustained_rate_per_s, perS);
    expect(got.window_s).toBeNull();
    expect(got.confidence).toBe('high');
    // Said, not pretended: the bucket's look-alikes.
    expect(got.evidence.join('\n')).toMatch(/GCRA.*nodelay/);
  });

  it('a token bucket whose Retry-After is whole seconds (the Redis bucket): bursts after the waits count the refill', () => {
    const ra = (tokens: number): number => Math.ceil((1 - tokens) / 6);
    const observed = simulate(
      tokenBucket(12, 6, ra),
      script(
        burstUntilLimited('burst'),
        recoverStep(),
        backToBack(5),
        recoverStep(),
        backToBack(13),
        recoverStep(),
        backToBack(13),
      ),
    );
    const got = infer(observed);
    expect(got.algorithm).toBe('token-bucket');
    expect(got.burst).toBe(12);
    within(got.sustained_rate_per_s, 6);
  });

  it.each([
    { limit: 10, windowMs: 3000 },
    { limit: 5, windowMs: 2000 },
    { limit: 20, windowMs: 4000 },
  ])('a fixed window of $limit per $windowMs ms, anchored at its first request', ({ limit, windowMs }) => {
    const got = infer(windowRun(fixedWindow(limit, windowMs), limit, windowMs));
    expect(got.algorithm).toBe('fixed-window');
    expect(got.burst).toBe(limit);
    within(got.window_s, windowMs / 1000);
    within(got.sustained_rate_per_s, limit / (windowMs / 1000));
    expect(got.confidence).not.toBe('low');
  });

  it('a fixed window on a clock grid, the burst part-way into a window: the first window ends early', () => {
    const observed = simulate(
      alignedWindow(10, 3000, 1700),
      script(
        burstUntilLimited('burst'),
        ladder(100, 100),
        backToBack(4),
        waitThen(1200, burstUntilLimited('refill')),
        ladder(200, 150),
        backToBack(7),
      ),
    );
    const got = infer(observed);
    expect(got.algorithm).toBe('fixed-window');
    expect(got.evidence.join('\n')).toMatch(/clock/);
    within(got.window_s, 3);
  });

  it('the same grid probed coarsely looks like a window anchored at its first request: still a fixed window', () => {
    expect(infer(windowRun(alignedWindow(10, 3000, 1700), 10, 3000)).algorithm).toBe('fixed-window');
  });

  it.each([
    { limit: 8, windowMs: 2000 },
    { limit: 12, windowMs: 3000 },
  ])('a sliding-window log of $limit per $windowMs ms', ({ limit, windowMs }) => {
    const got = infer(windowRun(slidingLog(limit, windowMs), limit, windowMs));
    expect(got.algorithm).toBe('sliding-window');
    expect(got.burst).toBe(limit);
    within(got.window_s, windowMs / 1000);
    expect(got.confidence).not.toBe('low');
  });

  it.each<[string, boolean, Algorithm]>([
    ['fixed', false, 'fixed-window'],
    ['sliding', true, 'sliding-window'],
  ])(
    'a %s window whose hints (whole seconds) are honoured: the window comes from the waits',
    (_n, slides, want) => {
      const limiter = slides ? slidingLog(8, 3000, true) : fixedWindow(8, 3000, true);
      const observed = simulate(
        limiter,
        script(
          burstUntilLimited('burst'),
          recoverStep(),
          backToBack(3),
          waitThen(2100, burstUntilLimited('refill')),
          recoverStep(),
          backToBack(8),
        ),
      );
      const got = infer(observed);
      expect(got.algorithm).toBe(want);
      within(got.window_s, 3);
    },
  );

  it('a queue, one request at a time: held back at the drain rate, depth unknown', () => {
    const observed = simulate(queue(5, 10), script(backToBack(12, 'burst')));
    const got = infer(observed);
    expect(got.algorithm).toBe('leaky-bucket');
    expect(got.limited).toBe(true);
    within(got.sustained_rate_per_s, 10, 0.05);
    expect(got.burst).toBeNull();
    expect(got.evidence.join('\n')).toMatch(/--concurrency/);
  });

  it('a queue hit by a concurrent wave: burst + 1 accepted, spaced at the drain rate, the rest refused at once', () => {
    const observed = simulate(queue(5, 10), script(wave(12)), { concurrent: true });
    const got = infer(observed, 12);
    expect(got.algorithm).toBe('leaky-bucket');
    expect(got.burst).toBe(6);
    within(got.sustained_rate_per_s, 10, 0.05);
  });

  it('no limit: limited false, algorithm none, high confidence after many requests', () => {
    const got = infer(simulate(unlimited, script(backToBack(60, 'burst'))));
    expect(got).toMatchObject({ limited: false, algorithm: 'none', confidence: 'high', burst: null });
  });

  it('no limit seen, but the headers advertise one: limited, unverified, unknown', () => {
    const advertised: ParsedRateLimit = {
      ...retryAfter(0),
      retry_after_s: null,
      schemes: ['x-ratelimit'],
      states: [
        {
          scheme: 'x-ratelimit',
          policy: null,
          limit: 5000,
          remaining: 4999,
          reset_s: 3600,
          reset_form: 'delta-seconds',
          reset_raw: 3600,
          partition_key: null,
        },
      ],
    };
    const got = infer(simulate(unlimited, script(backToBack(10, 'burst')), { parsed: () => advertised }));
    expect(got).toMatchObject({ limited: true, algorithm: 'unknown', confidence: 'low' });
    expect(got.evidence.join('\n')).toMatch(/5000.*unverified/);
  });

  it('a limit of one per period: bucket, window and log decide alike; reported as a token bucket', () => {
    const observed = simulate(
      tokenBucket(1, 4),
      script(burstUntilLimited('burst'), recoverStep(), paced(8, 200)),
    );
    const got = infer(observed);
    expect(got.algorithm).toBe('token-bucket');
    expect(got.burst).toBe(1);
    expect(got.confidence).toBe('medium');
  });

  it('503 counts as a possible limit signal, and the evidence says so', () => {
    const observed = simulate(
      tokenBucket(8, 8),
      script(burstUntilLimited('burst'), recoverStep(), backToBack(3), waitThen(500, backToBack(9))),
      { limitStatus: 503 },
    );
    const got = infer(observed);
    expect(got.limited).toBe(true);
    expect(got.evidence[0]).toMatch(/503.*possible limit signal/);
  });
});

describe('inferRateLimit: what the experiment did not settle', () => {
  it('a burst and one recovery only: a bucket and a window both fit → unknown, low, the burst still reported', () => {
    const observed = simulate(fixedWindow(10, 2000), script(burstUntilLimited('burst'), recoverStep()));
    const got = infer(observed);
    expect(got).toMatchObject({ limited: true, algorithm: 'unknown', confidence: 'low', burst: 10 });
    expect(got.evidence.join('\n')).toMatch(/equally well/);
  });

  it('the quota back at once but never spread across the window: fixed and sliding both fit → unknown', () => {
    const observed = simulate(
      slidingLog(10, 2000),
      script(burstUntilLimited('burst'), recoverStep(), backToBack(12)),
    );
    const got = infer(observed);
    expect(got.algorithm).toBe('unknown');
    expect(got.confidence).toBe('low');
    expect(got.evidence.join('\n')).toMatch(
      /fixed-window and sliding-window|sliding-window and fixed-window/,
    );
  });

  it('the first request already limited: no burst to measure', () => {
    const observed = simulate(() => ({ accepted: false }), script(backToBack(1, 'burst')));
    const got = infer(observed);
    expect(got).toMatchObject({ limited: true, algorithm: 'unknown', confidence: 'low', burst: null });
  });

  it('nothing answered: unknown, not limited', () => {
    expect(infer([])).toMatchObject({ limited: false, algorithm: 'unknown', confidence: 'low' });
  });

  it('a few requests off by a few ms (a loaded machine) do not change a bucket verdict', () => {
    const observed = bucketRun(10, 6);
    let i = 0;
    for (const o of observed) o.entry.sent_ms += [0, 2, -1, 3, -2][i++ % 5]!;
    const got = infer(observed);
    expect(got.algorithm).toBe('token-bucket');
    within(got.sustained_rate_per_s, 6);
  });

  it('a limiter no model explains (random refusals): unknown', () => {
    let k = 0;
    const erratic = (): { accepted: boolean } => ({ accepted: [1, 0, 1, 1, 0, 0, 1, 0][k++ % 8] === 1 });
    const got = infer(simulate(erratic, script(backToBack(40, 'burst'), paced(30, 50))));
    expect(got.algorithm).toBe('unknown');
  });
});

describe('the fits', () => {
  it('fitTokenBucket: the range of rates holds the truth and is narrow after the experiment', () => {
    const fit = fitTokenBucket(toTrials(bucketRun(10, 6)), 10)!;
    expect(fit.capacity).toBe(10);
    // The grid is 0.5 % fine: the truth lies within a step of the range.
    expect(fit.rateLo).toBeLessThanOrEqual(6 * 1.01);
    expect(fit.rateHi).toBeGreaterThanOrEqual(6 * 0.99);
    expect(fit.rateHi / fit.rateLo).toBeLessThan(1.3);
    expect(fit.misses).toBe(0);
  });

  it('fitWindow: the range of windows holds the truth; anchored fits a fixed window, sliding does not', () => {
    const trials = toTrials(windowRun(fixedWindow(10, 3000), 10, 3000));
    const anchored = fitWindow(trials, 'anchored', [10])!;
    expect(anchored.misses).toBe(0);
    expect(anchored.windowLo).toBeLessThanOrEqual(3000);
    expect(anchored.windowHi).toBeGreaterThanOrEqual(3000);
    expect(fitWindow(trials, 'sliding', [10])!.misses).toBeGreaterThan(0);
  });

  it('a window never seen to end has no upper bound and no estimate', () => {
    const trials = toTrials(
      simulate(fixedWindow(5, 60_000), script(burstUntilLimited('burst'), paced(5, 100))),
    );
    const fit = fitWindow(trials, 'anchored', [5])!;
    expect(fit.windowHi).toBeNull();
    expect(fit.window).toBeNull();
  });
});

describe('waitHintS: what a limited response asks the client to wait', () => {
  const state = (remaining: number | null, reset: number | null): ParsedRateLimit => ({
    ...retryAfter(0),
    retry_after_s: null,
    states: [
      {
        scheme: 'x-ratelimit',
        policy: null,
        limit: 10,
        remaining,
        reset_s: reset,
        reset_form: reset === null ? null : 'delta-seconds',
        reset_raw: reset,
        partition_key: null,
      },
    ],
  });

  it.each<[string, ParsedRateLimit | null, number | null]>([
    ['Retry-After', retryAfter(3), 3],
    ['Retry-After 0', retryAfter(0), 0],
    [
      'Retry-After over a longer reset (a bucket: the reset is when it is full)',
      { ...state(0, 2), retry_after_s: 1 },
      1,
    ],
    ['an exhausted quota’s reset without Retry-After', state(0, 5), 5],
    ['a reset with no remaining given', state(null, 4), 4],
    ['a reset while quota remains: not a wait', state(3, 5), null],
    ['no headers', null, null],
  ])('%s', (_name, parsed, want) => {
    expect(waitHintS(parsed)).toBe(want);
  });
});
