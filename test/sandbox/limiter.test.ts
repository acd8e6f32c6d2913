import { describe, expect, it } from 'vitest';
import {
  fixedWindowLimiter,
  memoryLimiter,
  rateLimitHeaders,
  type BucketDecision,
  type BucketPolicy,
} from '../../src/sandbox/limiter/index.js';
import { parseRateLimitHeaders } from '../../src/lib/ratelimit/headers.js';

/** A clock the test moves by hand (epoch ms). */
function fakeClock(start = 1_700_000_000_000) {
  let t = start;
  return {
    now: () => t,
    at: (ms: number) => {
      t = start + ms;
    },
  };
}

const POLICY: BucketPolicy = { name: 'default', capacity: 5, refillPerSecond: 2 };

type Seen = Pick<BucketDecision, 'allowed' | 'remaining' | 'resetSeconds' | 'retryAfterSeconds'>;
const pick = (d: BucketDecision): Seen => ({
  allowed: d.allowed,
  remaining: d.remaining,
  resetSeconds: d.resetSeconds,
  retryAfterSeconds: d.retryAfterSeconds,
});

describe('memoryLimiter: a token bucket on a fake clock', () => {
  it('allows the capacity back-to-back, then denies, with exact remaining / reset / retry-after', async () => {
    const clock = fakeClock();
    const limiter = memoryLimiter(clock);
    expect(limiter.kind).toBe('memory');
    const burst: Seen[] = [];
    for (let i = 0; i < 7; i++) burst.push(pick(await limiter.take('client', POLICY)));
    expect(burst).toEqual([
      // 5 tokens, 2 per second: the reset is the time to refill what is missing, rounded up.
      { allowed: true, remaining: 4, resetSeconds: 1, retryAfterSeconds: 0 },
      { allowed: true, remaining: 3, resetSeconds: 1, retryAfterSeconds: 0 },
      { allowed: true, remaining: 2, resetSeconds: 2, retryAfterSeconds: 0 },
      { allowed: true, remaining: 1, resetSeconds: 2, retryAfterSeconds: 0 },
      { allowed: true, remaining: 0, resetSeconds: 3, retryAfterSeconds: 0 },
      // One token is back in 0.5 s: Retry-After rounds up to 1, never down to 0.
      { allowed: false, remaining: 0, resetSeconds: 3, retryAfterSeconds: 1 },
      { allowed: false, remaining: 0, resetSeconds: 3, retryAfterSeconds: 1 },
    ]);
    const full = await limiter.take('client', POLICY);
    expect(full.limit).toBe(5);
    expect(full.policy).toBe(POLICY);
  });

  it('refills at the rate and never beyond the capacity; a denied request takes nothing', async () => {
    const clock = fakeClock();
    const limiter = memoryLimiter(clock);
    for (let i = 0; i < 5; i++) await limiter.take('k', POLICY);
    clock.at(250); // 0.5 token
    expect(pick(await limiter.take('k', POLICY))).toEqual({
      allowed: false,
      remaining: 0,
      resetSeconds: 3, // 4.5 missing at 2/s = 2.25 s
      retryAfterSeconds: 1,
    });
    clock.at(500); // 1 token, the denial above took none
    expect(pick(await limiter.take('k', POLICY))).toEqual({
      allowed: true,
      remaining: 0,
      resetSeconds: 3,
      retryAfterSeconds: 0,
    });
    clock.at(1500); // 2 tokens
    expect((await limiter.take('k', POLICY)).remaining).toBe(1);
    clock.at(600_000); // long idle: full (5), not 1000 tokens
    const afterIdle: number[] = [];
    for (let i = 0; i < 6; i++) afterIdle.push((await limiter.take('k', POLICY)).remaining);
    expect(afterIdle).toEqual([4, 3, 2, 1, 0, 0]);
  });

  it('says Retry-After in whole seconds that are enough, and not a second more', async () => {
    const slow: BucketPolicy = { name: 'slow', capacity: 2, refillPerSecond: 0.25 }; // a token every 4 s
    const clock = fakeClock();
    const limiter = memoryLimiter(clock);
    await limiter.take('k', slow);
    await limiter.take('k', slow);
    clock.at(1300); // 0.325 token: the next one in 2.7 s
    const denied = await limiter.take('k', slow);
    expect(denied.retryAfterSeconds).toBe(3);
    expect(denied.resetSeconds).toBe(7); // 1.675 missing / 0.25 = 6.7 s
    clock.at(1300 + 2000);
    expect((await limiter.take('k', slow)).allowed).toBe(false);
    clock.at(1300 + 3000);
    expect((await limiter.take('k', slow)).allowed).toBe(true);
  });

  it('Retry-After and the reset are the ceil of the truth, for many policies and instants', async () => {
    // A fixed-seed generator: the same cases every run.
    let seed = 0x2545f491;
    const rand = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
    const policies: BucketPolicy[] = [
      { name: 'a', capacity: 1, refillPerSecond: 1 },
      { name: 'b', capacity: 3, refillPerSecond: 0.3 },
      { name: 'c', capacity: 10, refillPerSecond: 7 },
      { name: 'd', capacity: 4, refillPerSecond: 0.1 },
      { name: 'e', capacity: 60, refillPerSecond: 1 / 3 },
    ];
    let checked = 0;
    for (const policy of policies) {
      for (let round = 0; round < 40; round++) {
        // Drain at random instants (under 0.8 token apart) until a denial; bounded.
        const instants: number[] = [];
        let t = 0;
        let last: BucketDecision | undefined;
        const clock = fakeClock();
        const limiter = memoryLimiter(clock);
        for (let i = 0; i < 1000 && last?.allowed !== false; i++) {
          t += Math.floor((rand() * 800) / policy.refillPerSecond);
          instants.push(t);
          clock.at(t);
          last = await limiter.take('k', policy);
        }
        expect(last?.allowed).toBe(false);
        const { retryAfterSeconds: r, resetSeconds: s } = last!;
        expect(r).toBeGreaterThanOrEqual(1);
        expect(s).toBeGreaterThanOrEqual(r);
        // The same history replayed, then one more request `wait` seconds after the denial.
        const after = async (waitS: number) => {
          const c = fakeClock();
          const twin = memoryLimiter(c);
          for (const at of instants) {
            c.at(at);
            await twin.take('k', policy);
          }
          c.at(t + waitS * 1000);
          return twin.take('k', policy);
        };
        const allowed = (d: BucketDecision) => d.allowed;
        const full = (d: BucketDecision) => d.allowed && d.remaining === policy.capacity - 1;
        // Enough, and a second less is not.
        expect(allowed(await after(r))).toBe(true);
        if (r > 1) expect(allowed(await after(r - 1))).toBe(false);
        expect(full(await after(s))).toBe(true);
        if (s > 1) expect(full(await after(s - 1))).toBe(false);
        checked++;
      }
    }
    expect(checked).toBe(policies.length * 40);
  });

  it('is full again `resetSeconds` after a decision', async () => {
    const policy: BucketPolicy = { name: 'p', capacity: 6, refillPerSecond: 0.5 };
    const clock = fakeClock();
    const limiter = memoryLimiter(clock);
    let d!: BucketDecision;
    for (let i = 0; i < 4; i++) d = await limiter.take('k', policy); // 2 left, 4 missing: 8 s
    expect(d.resetSeconds).toBe(8);
    clock.at(8000);
    const burst: boolean[] = [];
    for (let i = 0; i < 7; i++) burst.push((await limiter.take('k', policy)).allowed);
    expect(burst).toEqual([true, true, true, true, true, true, false]);
  });

  it('keeps one bucket per policy and key', async () => {
    const clock = fakeClock();
    const limiter = memoryLimiter(clock);
    const auth: BucketPolicy = { name: 'auth', capacity: 2, refillPerSecond: 0.5 };
    expect((await limiter.take('alice', POLICY)).remaining).toBe(4);
    expect((await limiter.take('alice', auth)).remaining).toBe(1);
    expect((await limiter.take('bob', POLICY)).remaining).toBe(4);
    expect((await limiter.take('alice', POLICY)).remaining).toBe(3);
  });

  it('is bounded: beyond maxKeys the least recently used bucket is forgotten', async () => {
    const clock = fakeClock();
    const limiter = memoryLimiter(clock, { maxKeys: 3 });
    for (const k of ['a', 'b', 'c']) await limiter.take(k, POLICY); // each 4 left
    await limiter.take('a', POLICY); // a: 3 left, and now the most recent
    await limiter.take('d', POLICY); // evicts b, the least recently used
    expect((await limiter.take('a', POLICY)).remaining).toBe(2); // remembered
    expect((await limiter.take('b', POLICY)).remaining).toBe(4); // forgotten: a fresh bucket (evicts c)
    expect((await limiter.take('d', POLICY)).remaining).toBe(3); // remembered
    expect((await limiter.take('c', POLICY)).remaining).toBe(4); // evicted by b
  });

  it('stays bounded under a flood of keys', async () => {
    const clock = fakeClock();
    const limiter = memoryLimiter(clock, { maxKeys: 100 });
    await limiter.take('first', POLICY);
    for (let i = 0; i < 5000; i++) await limiter.take(`flood-${i}`, POLICY);
    expect((await limiter.take('first', POLICY)).remaining).toBe(4);
    expect((await limiter.take('flood-4999', POLICY)).remaining).toBe(3);
  });

  it('rejects unusable policies and options with a code', async () => {
    const limiter = memoryLimiter(fakeClock());
    for (const policy of [
      { name: 'has:colon', capacity: 1, refillPerSecond: 1 },
      { name: '', capacity: 1, refillPerSecond: 1 },
      { name: 'x', capacity: 0, refillPerSecond: 1 },
      { name: 'x', capacity: 1.5, refillPerSecond: 1 },
      { name: 'x', capacity: 1, refillPerSecond: 0 },
      { name: 'x', capacity: 1, refillPerSecond: Infinity },
    ]) {
      await expect(limiter.take('k', policy)).rejects.toMatchObject({
        code: 'ERR_SANDBOX_LIMITER_POLICY',
        exitCode: 2,
      });
    }
    expect(() => memoryLimiter(fakeClock(), { maxKeys: 0 })).toThrow(/maxKeys/);
  });

  it('close() is idempotent and take() afterwards rejects', async () => {
    const limiter = memoryLimiter(fakeClock());
    await limiter.take('k', POLICY);
    await limiter.close();
    await limiter.close();
    await expect(limiter.take('k', POLICY)).rejects.toMatchObject({ code: 'ERR_SANDBOX_LIMITER_CLOSED' });
  });
});

describe('rateLimitHeaders', () => {
  const denied: BucketDecision = {
    allowed: false,
    limit: 5,
    remaining: 0,
    resetSeconds: 3,
    retryAfterSeconds: 1,
    policy: POLICY,
  };

  it('writes the IETF, X-RateLimit and Retry-After headers', () => {
    expect(rateLimitHeaders(denied)).toEqual({
      'RateLimit-Policy': '"default";q=5;w=3',
      RateLimit: '"default";r=0;t=3',
      'X-RateLimit-Limit': '5',
      'X-RateLimit-Remaining': '0',
      'X-RateLimit-Reset': '3',
      'Retry-After': '1',
    });
    const allowed = rateLimitHeaders({ ...denied, allowed: true, remaining: 2, retryAfterSeconds: 0 });
    expect(allowed).not.toHaveProperty('Retry-After');
    expect(allowed.RateLimit).toBe('"default";r=2;t=3');
  });

  it('advertises w = capacity / rate rounded up (the time to refill from empty)', () => {
    const w = (capacity: number, refillPerSecond: number) =>
      rateLimitHeaders({ ...denied, limit: capacity, policy: { name: 'p', capacity, refillPerSecond } })[
        'RateLimit-Policy'
      ];
    expect(w(10, 5)).toBe('"p";q=10;w=2');
    expect(w(10, 3)).toBe('"p";q=10;w=4');
    expect(w(1, 100)).toBe('"p";q=1;w=1');
    expect(w(3, 0.25)).toBe('"p";q=3;w=12');
  });

  it('reads back through the probe with no problems, in every dialect it sends', () => {
    const parsed = parseRateLimitHeaders(lower(rateLimitHeaders(denied)), { receivedAtMs: 0 });
    expect(parsed.problems).toEqual([]);
    expect(parsed.schemes).toEqual(['ietf', 'x-ratelimit', 'retry-after']);
    expect(parsed.policies).toEqual([
      { scheme: 'ietf', name: 'default', quota: 5, window_s: 3, quota_unit: null, partition_key: null },
    ]);
    expect(parsed.states).toMatchObject([
      { scheme: 'ietf', policy: 'default', limit: 5, remaining: 0, reset_s: 3, reset_form: 'delta-seconds' },
      {
        scheme: 'x-ratelimit',
        policy: null,
        limit: 5,
        remaining: 0,
        reset_s: 3,
        reset_form: 'delta-seconds',
      },
    ]);
    expect(parsed.retry_after_s).toBe(1);
    expect(parsed.retry_after_form).toBe('delay-seconds');
  });

  it('every decision of a real sequence reads back as what it says', async () => {
    const clock = fakeClock();
    const limiter = memoryLimiter(clock);
    const policy: BucketPolicy = { name: 'burst.v1_x', capacity: 8, refillPerSecond: 1.5 };
    for (let i = 0; i < 30; i++) {
      clock.at(i * 137);
      const d = await limiter.take('k', policy);
      const parsed = parseRateLimitHeaders(lower(rateLimitHeaders(d)), { receivedAtMs: clock.now() });
      expect(parsed.problems).toEqual([]);
      for (const state of parsed.states) {
        expect(state).toMatchObject({ limit: 8, remaining: d.remaining, reset_s: d.resetSeconds });
      }
      expect(parsed.retry_after_s).toBe(d.allowed ? null : d.retryAfterSeconds);
    }
  });
});

describe('fixedWindowLimiter', () => {
  it('allows `limit` per window from the first request, then denies until the window ends', () => {
    const clock = fakeClock();
    const lab = fixedWindowLimiter(clock, { limit: 3, windowSeconds: 10 });
    const first = [1, 2, 3, 4].map(() => lab.take('k'));
    expect(first).toEqual([
      { allowed: true, limit: 3, remaining: 2, resetSeconds: 10 },
      { allowed: true, limit: 3, remaining: 1, resetSeconds: 10 },
      { allowed: true, limit: 3, remaining: 0, resetSeconds: 10 },
      { allowed: false, limit: 3, remaining: 0, resetSeconds: 10 },
    ]);
    clock.at(9500);
    expect(lab.take('k')).toEqual({ allowed: false, limit: 3, remaining: 0, resetSeconds: 1 });
    expect(lab.take('other')).toEqual({ allowed: true, limit: 3, remaining: 2, resetSeconds: 10 });
    clock.at(10_000);
    expect(lab.take('k')).toEqual({ allowed: true, limit: 3, remaining: 2, resetSeconds: 10 });
    clock.at(12_300);
    expect(lab.take('k').resetSeconds).toBe(8); // 7.7 s left, rounded up
  });

  it('is bounded and checks its options', () => {
    const clock = fakeClock();
    const lab = fixedWindowLimiter(clock, { limit: 1, windowSeconds: 60, maxKeys: 2 });
    lab.take('a');
    lab.take('b');
    lab.take('c'); // evicts a
    expect(lab.take('a').allowed).toBe(true);
    expect(lab.take('c').allowed).toBe(false);
    expect(() => fixedWindowLimiter(clock, { limit: 0, windowSeconds: 1 })).toThrow(/limit/);
    expect(() => fixedWindowLimiter(clock, { limit: 1, windowSeconds: 0.5 })).toThrow(/windowSeconds/);
  });
});

function lower(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}
