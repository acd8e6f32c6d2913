import { describe, expect, it } from 'vitest';
import {
  formatElapsed,
  formatRate,
  formatRequests,
  formatSeconds,
} from '../../../src/lib/ratelimit/format.js';
import { findMismatches, type MismatchKind } from '../../../src/lib/ratelimit/truth.js';
import type { Inference, Mismatch } from '../../../src/lib/ratelimit/types.js';
import { inference, observe, type Row } from './truth-timeline.js';

/**
 * Each rule of findMismatches on hand-written timelines: where its tolerance ends (just inside: nothing; just
 * outside: the mismatch), and the cases it must leave alone (requests in flight, a token bucket's refill,
 * quota that was not fresh, a low-confidence inference).
 */

const xrl = (limit: number, remaining: number, reset?: number): Record<string, string> => ({
  'x-ratelimit-limit': String(limit),
  'x-ratelimit-remaining': String(remaining),
  ...(reset === undefined ? {} : { 'x-ratelimit-reset': String(reset) }),
});
const d6 = (limit: number, remaining: number, reset: number): Record<string, string> => ({
  'ratelimit-limit': String(limit),
  'ratelimit-remaining': String(remaining),
  'ratelimit-reset': String(reset),
});
const ra = (s: number | string) => ({ 'retry-after': String(s) });
const ok = (sent: number, headers: Record<string, string> = {}, more: Partial<Row> = {}): Row => ({
  sent,
  status: 200,
  headers,
  ...more,
});
const limited = (sent: number, headers: Record<string, string> = {}, more: Partial<Row> = {}): Row => ({
  sent,
  status: 429,
  headers,
  ...more,
});
const kinds = (ms: Mismatch[]) => ms.map((m) => m.kind);
const fixed = (over: Partial<Inference> = {}) =>
  inference({ algorithm: 'fixed-window', burst: 5, window_s: 3, ...over });

/** Five accepted back-to-back from a fresh 5-per-window state, with the given headers for each. */
const burst5 = (headers: (i: number) => Record<string, string> = () => ({})): Row[] =>
  [0, 10, 20, 30, 40].map((sent, i) => ok(sent, headers(i)));

interface Case {
  name: string;
  rows: Row[];
  inferred: Inference;
  want: MismatchKind[];
  message?: string | RegExp;
}

const cases: Case[] = [
  // Retry-After too short: shown directly, beyond 0.5 s (or 20 %) of the wait.
  {
    name: 'Retry-After 1 s, still limited 1.4 s after it: inside the slack',
    rows: [...burst5(), limited(50, ra(1)), limited(1455 + 50, ra(1)), ok(2600)],
    inferred: fixed(),
    want: [],
  },
  {
    name: 'Retry-After 1 s, still limited 1.6 s after it',
    rows: [...burst5(), limited(50, ra(1)), limited(1655, ra(1)), ok(3000)],
    inferred: fixed(),
    want: ['retry-after-too-short'],
    message: 'Retry-After said 1 s; requests were still limited after 1.6 s, accepted again after 2.9 s',
  },
  {
    name: 'Retry-After 10 s, still limited 11.9 s after it: inside 20 %',
    rows: [...burst5(), limited(50, ra(10)), limited(11_955, ra(1)), ok(13_000)],
    inferred: fixed({ window_s: 15 }),
    want: [],
  },
  {
    name: 'Retry-After 2 s, limited again but never accepted within the budget',
    rows: [...burst5(), limited(50, ra(2)), limited(2060, ra(2)), limited(4100, ra(2))],
    inferred: fixed({ window_s: 8 }),
    want: ['retry-after-too-short'],
    message: 'Retry-After said 2 s; requests were still limited after 4.0 s',
  },
  {
    name: 'a request already in flight when the 429 arrived is no evidence of waiting',
    rows: [...burst5(), limited(50, ra(1)), limited(52, {}, { latency: 3000 })],
    inferred: fixed(),
    want: [],
  },
  // Retry-After too long.
  {
    name: 'Retry-After 10 s, a request sent 2 s after it was accepted (concurrency)',
    rows: [...burst5(), limited(50, ra(10)), ok(2055)],
    inferred: fixed({ window_s: 10 }),
    want: ['retry-after-too-long'],
    message: 'Retry-After said 10 s; requests succeeded again after 2.0 s',
  },
  {
    name: 'Retry-After 10 s, accepted 8.1 s after it: inside 20 %',
    rows: [...burst5(), limited(50, ra(10)), ok(8155)],
    inferred: fixed({ window_s: 10 }),
    want: [],
  },
  {
    name: 'Retry-After 5 s with the exhausted reset at 4 s: inside 1 s of rounding',
    rows: [
      ...burst5((i) => xrl(5, 4 - i, 5)),
      limited(50, { ...xrl(5, 0, 4), ...ra(5) }),
      ok(5060, xrl(5, 4, 3)),
    ],
    inferred: fixed({ window_s: 5 }),
    want: [],
  },
  {
    name: 'Retry-After 6 s with the exhausted reset at 4 s',
    rows: [
      ...burst5((i) => xrl(5, 4 - i, 5)),
      limited(50, { ...xrl(5, 0, 4), ...ra(6) }),
      ok(6060, xrl(5, 4, 3)),
    ],
    inferred: fixed({ window_s: 5 }),
    want: ['retry-after-too-long'],
    message: 'Retry-After said 6 s; X-RateLimit-Reset on the same response said 4 s',
  },
  {
    name: 'Retry-After that stays at 10 s across 429s while the reset counts down',
    rows: [
      ...burst5((i) => xrl(5, 4 - i, 10)),
      limited(50, { ...xrl(5, 0, 10), ...ra(10) }),
      limited(3050, { ...xrl(5, 0, 7), ...ra(10) }, { outcome: 'limited' }),
      ok(13_100, xrl(5, 4, 10)),
    ],
    inferred: fixed({ window_s: 10 }),
    want: ['retry-after-too-long'],
    message:
      'Retry-After said 10 s; X-RateLimit-Reset on the same response said 7 s (Retry-After had not counted down in 3.0 s)',
  },
  {
    name: 'a token bucket: Retry-After 1 s for the next token, the reset 10 s until full',
    rows: [
      ...burst5((i) => xrl(5, 4 - i, 1)),
      limited(50, { ...xrl(5, 0, 10), ...ra(1) }),
      ok(1100, xrl(5, 0, 10)),
    ],
    inferred: inference({ algorithm: 'token-bucket', burst: 5, sustained_rate_per_s: 0.5 }),
    want: [],
  },
  {
    name: 'Retry-After 5 s on a 3 s window is inside the measurement tolerance (3 ÷ 0.8 + 1 s)',
    rows: [...burst5(), limited(50, ra(4.7)), ok(4800)],
    inferred: fixed(),
    want: [],
  },
  {
    name: 'Retry-After 20 s on a 3 s window, but the inference is unsure',
    rows: [...burst5(), limited(50, ra(20)), ok(20_100)],
    inferred: fixed({ confidence: 'low' }),
    want: [],
  },
  // Limit against burst: 20 % of the burst and one request.
  ...[
    { burst: 4, want: [] },
    { burst: 7, want: [] },
    { burst: 3, want: ['limit-too-high'] },
    { burst: 8, want: ['limit-too-low'] },
  ].map(({ burst, want }): Case => ({
    name: `X-RateLimit-Limit 5 with a measured burst of ${burst}`,
    rows: [ok(0, xrl(5, 4)), ok(10, xrl(5, 3))],
    inferred: fixed({ burst }),
    want: want as MismatchKind[],
  })),
  {
    name: 'a limit of 10 when the first response says 2 remain: not fresh, no verdict on the limit',
    rows: [
      ok(0, xrl(10, 2)),
      ok(10, xrl(10, 1)),
      ok(20, xrl(10, 0)),
      limited(30, { ...xrl(10, 0), ...ra(1) }),
    ],
    inferred: fixed({ burst: 3 }),
    want: [],
  },
  {
    name: 'never limited: 20 accepted within the first reset of a limit of 10',
    rows: Array.from({ length: 20 }, (_, i) => ok(i * 20, xrl(10, Math.max(0, 9 - i), 60))),
    inferred: inference({ limited: false, algorithm: 'none' }),
    want: ['limit-too-low', 'zero-remaining-accepted'],
    message: 'X-RateLimit-Limit said 10 requests; 20 were accepted within 60.0 s and none was limited',
  },
  // Remaining.
  {
    name: 'remaining 1 on the last acceptance before the 429: one request of slack',
    rows: [ok(0, xrl(5, 3)), ok(10, xrl(5, 2)), ok(20, xrl(5, 1)), limited(30, { ...xrl(5, 0), ...ra(3) })],
    inferred: fixed({ burst: 4 }),
    want: [],
  },
  {
    name: 'remaining 3 on the last acceptance before the 429',
    rows: [ok(0, xrl(5, 4)), ok(10, xrl(5, 3)), limited(20, { ...xrl(5, 0), ...ra(3) })],
    inferred: fixed({ burst: 5 }),
    want: ['remaining-not-zero'],
    message: 'X-RateLimit-Remaining said 3 on the last accepted response; the next request was limited',
  },
  {
    name: 'remaining 3, but two more acceptances were in flight (concurrency 3)',
    rows: [
      ok(0, xrl(5, 4)),
      ok(1, xrl(5, 3)),
      ok(5, xrl(5, 2), { latency: 30 }),
      ok(7, xrl(5, 1), { latency: 30 }),
      limited(9, { ...xrl(5, 0), ...ra(3) }, { latency: 30 }),
    ],
    inferred: fixed({ burst: 5 }),
    want: [],
  },
  {
    name: 'a whole-millisecond clock: the next request sent on the tick its predecessor arrived (sliding log)',
    rows: [
      ok(11, { ratelimit: '"s";r=3;t=2' }, { latency: 0.9 }),
      ok(13, { ratelimit: '"s";r=2;t=2' }, { latency: 0.3 }),
      ok(13, { ratelimit: '"s";r=1;t=2' }, { latency: 0.3 }),
      ok(14, { ratelimit: '"s";r=0;t=2' }, { latency: 0.3 }),
      limited(14, { ratelimit: '"s";r=0;t=2', ...ra(2) }, { latency: 0.4 }),
    ],
    inferred: fixed({ algorithm: 'sliding-window', burst: 8, window_s: 2 }),
    want: [],
  },
  {
    name: 'concurrency 4 against express-rate-limit: served out of send order (a recorded timeline)',
    rows: (
      [
        [0, 5.2, 9],
        [1, 7.2, 8],
        [1, 10.3, 7],
        [1, 12.7, 5],
        [6, 9.3, 3],
        [10, 3.1, 6],
        [12, 2.6, 4],
        [14, 2.5, 2],
        [14, 4.5, null],
        [15, 2.6, 1],
        [16, 2.6, 0],
        [17, 2.1, null],
        [18, 2.4, null],
        [18, 2.4, null],
      ] as const
    ).map(([sent, latency, remaining]) =>
      remaining === null
        ? limited(sent, { ...d6(10, 0, 3), ...ra(3) }, { latency })
        : ok(sent, d6(10, remaining, 3), { latency }),
    ),
    inferred: fixed({ burst: 10, window_s: 3 }),
    want: [],
  },
  {
    name: 'a 429 that says 4 remaining',
    rows: [...burst5((i) => xrl(5, 4 - i)), limited(50, { ...xrl(5, 4), ...ra(3) })],
    inferred: fixed({ burst: 5 }),
    want: ['limited-with-remaining'],
    message: 'a 429 response said 4 requests remaining (X-RateLimit-Remaining)',
  },
  {
    name: 'remaining that never goes down before the 429',
    rows: [...burst5(() => xrl(5, 0)), limited(50, { ...xrl(5, 0), ...ra(3) })],
    inferred: fixed({ burst: 5 }),
    want: ['remaining-not-decreasing'],
    message: 'X-RateLimit-Remaining stayed at 0 across 5 accepted requests before requests were limited',
  },
  {
    name: 'two acceptances with the same remaining: too few to judge',
    rows: [ok(0, xrl(5, 1)), ok(10, xrl(5, 1)), limited(20, { ...xrl(5, 0), ...ra(3) })],
    inferred: fixed({ burst: null }),
    want: [],
  },
  // r=0 while requests still succeed.
  {
    name: 'r=0 with t=60 on a window, and the next request accepted',
    rows: [
      ok(0, { ratelimit: '"w";r=1;t=60' }),
      ok(10, { ratelimit: '"w";r=0;t=60' }),
      ok(20, { ratelimit: '"w";r=0;t=60' }),
      limited(30, { ratelimit: '"w";r=0;t=60', ...ra(60) }),
    ],
    inferred: fixed({ burst: 3, window_s: 60 }),
    want: ['zero-remaining-accepted'],
    message: 'RateLimit said r=0 (reset in 60 s); the next request succeeded 5 ms later',
  },
  {
    name: 'r=0 with t=2 on a window, accepted after 1.1 s: inside the rounding',
    rows: [
      ok(0, { ratelimit: '"w";r=1;t=3' }),
      ok(10, { ratelimit: '"w";r=0;t=2' }),
      ok(1115, { ratelimit: '"w";r=4;t=3' }),
    ],
    inferred: fixed({ burst: 2, window_s: 3 }),
    want: [],
  },
  {
    name: 'a token bucket at its rate: remaining 0 then accepted, as refill allows',
    rows: Array.from({ length: 12 }, (_, i) => ok(i * 1000, xrl(5, 0, 5))),
    inferred: inference({ algorithm: 'token-bucket', burst: 5, sustained_rate_per_s: 1 }),
    want: [],
  },
  {
    name: 'a token bucket saying 0 remaining on 12 back-to-back acceptances',
    rows: [
      ...Array.from({ length: 12 }, (_, i) => ok(i * 10, xrl(5, 0, 5))),
      limited(130, { ...xrl(5, 0, 5), ...ra(1) }),
    ],
    inferred: inference({ algorithm: 'token-bucket', burst: 12, sustained_rate_per_s: 1 }),
    // The first response says 0 remain: not a fresh quota, so the limit is not judged against the burst.
    want: ['remaining-not-decreasing', 'zero-remaining-accepted'],
  },
  // Reset counting down.
  {
    name: 'a reset stuck at 5 s across limited responses 2.5 s apart',
    rows: [
      ...burst5(),
      limited(50, { 'ratelimit-reset': '5', 'ratelimit-remaining': '0' }),
      limited(2555, { 'ratelimit-reset': '5', 'ratelimit-remaining': '0' }),
    ],
    inferred: fixed({ window_s: 6 }),
    want: ['reset-not-counting-down'],
    message: 'RateLimit-Reset said 5 s, and 5 s 2.5 s later',
  },
  {
    name: 'a reset that counts down across limited responses',
    rows: [
      ...burst5(),
      limited(50, { 'ratelimit-reset': '5', 'ratelimit-remaining': '0' }),
      limited(2555, { 'ratelimit-reset': '3', 'ratelimit-remaining': '0' }),
      ok(5600, { 'ratelimit-reset': '6', 'ratelimit-remaining': '4' }),
    ],
    inferred: fixed({ window_s: 6 }),
    want: [],
  },
  {
    name: 'a stuck reset over only 1.5 s: too short to judge',
    rows: [
      ...burst5(),
      limited(50, { 'ratelimit-reset': '5', 'ratelimit-remaining': '0' }),
      limited(1555, { 'ratelimit-reset': '5', 'ratelimit-remaining': '0' }),
    ],
    inferred: fixed({ window_s: 6 }),
    want: [],
  },
  {
    name: 'fixed window: the same reset on the first acceptance of two windows is a new window, not a stuck reset',
    rows: [ok(0, xrl(5, 4, 3)), ok(3500, xrl(5, 4, 3)), ok(7000, xrl(5, 4, 3))],
    inferred: fixed({ burst: 5, window_s: 3, limited: true }),
    want: [],
  },
  // Policy window.
  ...[
    { w: 3, measured: 3.9, want: [] },
    { w: 3, measured: 2.2, want: [] },
    { w: 3, measured: 5, want: ['policy-window'] },
    { w: 60, measured: 3, want: ['policy-window'] },
  ].map(({ w, measured, want }): Case => ({
    name: `RateLimit-Policy w=${w} against a measured window of ${measured} s`,
    rows: [ok(0, { 'ratelimit-policy': `"p";q=5;w=${w}`, ratelimit: '"p";r=4;t=1' })],
    inferred: fixed({ window_s: measured }),
    want: want as MismatchKind[],
  })),
  // Nothing to compare.
  { name: 'no responses at all', rows: [], inferred: fixed(), want: [] },
  {
    name: 'transport failures only',
    rows: [{ sent: 0, status: null, latency: 10_000 }],
    inferred: inference({ limited: false, algorithm: 'unknown', confidence: 'low' }),
    want: [],
  },
];

describe('findMismatches: each rule at its tolerance', () => {
  it.each(cases)('$name', ({ rows, inferred, want, message }) => {
    const found = findMismatches(observe(rows), inferred);
    expect(kinds(found)).toEqual(want);
    if (typeof message === 'string') expect(found[0]!.message).toBe(message);
    if (message instanceof RegExp) expect(found[0]!.message).toMatch(message);
  });
});

describe('findMismatches: messages for people', () => {
  it('quote no server text: a hostile policy name never reaches a message', () => {
    const name = 'evil <script>';
    const found = findMismatches(
      observe([
        ok(0, { 'ratelimit-policy': `"${name}";q=1000;w=60`, ratelimit: `"${name}";r=999;t=60` }),
        ok(10, { 'ratelimit-policy': `"${name}";q=1000;w=60`, ratelimit: `"${name}";r=0;t=60` }),
        ok(20, { 'ratelimit-policy': `"${name}";q=1000;w=60`, ratelimit: `"${name}";r=0;t=60` }),
        limited(30, { ratelimit: `"${name}";r=7;t=60`, ...ra(60) }),
      ]),
      fixed({ burst: 3, window_s: 3 }),
    );
    expect(kinds(found).length).toBeGreaterThan(2);
    for (const m of found) {
      expect(`${m.message}${m.advertised}${m.observed}`).not.toMatch(/evil|script/);
    }
  });

  it.each([
    [formatSeconds(60), '60 s'],
    [formatSeconds(2.5), '2.5 s'],
    [formatSeconds(3.852), '3.9 s'],
    [formatSeconds(0.25), '0.25 s'],
    [formatElapsed(2000), '2.0 s'],
    [formatElapsed(12_345), '12.3 s'],
    [formatElapsed(40), '40 ms'],
    [formatRequests(1), '1 request'],
    [formatRequests(100), '100 requests'],
    [formatRate(6), '6.0 requests/s'],
    [formatRate(20), '20 requests/s'],
  ])('%s = %s', (got, want) => expect(got).toBe(want));
});
