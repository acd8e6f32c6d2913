import { describe, expect, it } from 'vitest';
import { parseRateLimitHeaders, primaryState } from '../../../src/lib/ratelimit/headers.js';
import type { HeaderMap, ParsedRateLimit } from '../../../src/lib/ratelimit/types.js';
import { GARBAGE_HEADERS, GARBAGE_RETRY_AFTER } from '../../fixtures/ratelimit/garbage.js';

/**
 * Malformed values: each becomes a `problems` entry naming the header and carrying the value as received, and
 * never a number — no NaN, no negative, no Infinity, no fraction where the dialect wants an integer, nothing
 * beyond the sf-integer range. The rest of the response is still read.
 */
const AT = Date.UTC(2024, 0, 16, 15, 45, 0);
const parse = (headers: HeaderMap) => parseRateLimitHeaders(headers, { receivedAtMs: AT });

function numbers(p: ParsedRateLimit): (number | null)[] {
  return [
    p.retry_after_s,
    ...p.policies.flatMap((x) => [x.quota, x.window_s]),
    ...p.states.flatMap((s) => [s.limit, s.remaining, s.reset_s, s.reset_raw]),
  ];
}

interface Row {
  name: string;
  headers: HeaderMap;
  /** The headers named by the problems, in order. */
  problems: string[];
  /** A few fields of the first state that must still come out (the good parts of the response). */
  state?: Record<string, unknown>;
  states?: number;
}

describe('malformed values → problems, never numbers', () => {
  it.each<Row>([
    {
      name: 'r negative',
      headers: { ratelimit: '"a";r=-1;t=5' },
      problems: ['ratelimit'],
      state: { remaining: null, reset_s: 5 },
    },
    {
      name: 'r a fraction',
      headers: { ratelimit: '"a";r=1.5;t=5' },
      problems: ['ratelimit'],
      state: { remaining: null },
    },
    {
      name: 'r a token NaN',
      headers: { ratelimit: '"a";r=NaN' },
      problems: ['ratelimit'],
      state: { remaining: null },
    },
    {
      name: 'r a token Infinity',
      headers: { ratelimit: '"a";r=Infinity' },
      problems: ['ratelimit'],
      state: { remaining: null },
    },
    {
      name: 'r a string',
      headers: { ratelimit: '"a";r="5"' },
      problems: ['ratelimit'],
      state: { remaining: null },
    },
    {
      name: 'r a boolean',
      headers: { ratelimit: '"a";r=?1' },
      problems: ['ratelimit'],
      state: { remaining: null },
    },
    {
      name: 'r an exponent (not sf)',
      headers: { ratelimit: '"a";r=1e5' },
      problems: ['ratelimit'],
      states: 0,
    },
    {
      name: 'r of 16 digits (beyond sf-integer)',
      headers: { ratelimit: '"a";r=9999999999999999' },
      problems: ['ratelimit'],
      states: 0,
    },
    {
      name: 'r at the sf-integer maximum is kept; t that large is not a time',
      headers: { ratelimit: '"a";r=999999999999999;t=999999999999999' },
      problems: ['ratelimit'],
      state: { remaining: 999999999999999, reset_s: null, reset_form: null },
    },
    {
      name: 't more than a year away (raw kept for reconcileResets)',
      headers: { ratelimit: '"a";r=1;t=40000000' },
      problems: ['ratelimit'],
      state: { reset_s: null, reset_form: null, reset_raw: 40000000 },
    },
    {
      name: 't negative',
      headers: { ratelimit: '"a";r=1;t=-3' },
      problems: ['ratelimit'],
      state: { remaining: 1, reset_s: null },
    },
    {
      name: 't an epoch (the drafts say delta seconds): used, noted',
      headers: { ratelimit: '"a";r=1;t=1705419960' },
      problems: ['ratelimit'],
      state: { reset_s: 60, reset_form: 'epoch-seconds' },
    },
    { name: 'an inner list', headers: { ratelimit: '("a" "b");r=1' }, problems: ['ratelimit'], states: 0 },
    {
      name: 'a number as the policy name',
      headers: { ratelimit: '5;r=1' },
      problems: ['ratelimit'],
      states: 0,
    },
    { name: 'garbage', headers: { ratelimit: '}{\u0000' }, problems: ['ratelimit'], states: 0 },
    { name: 'empty RateLimit', headers: { ratelimit: '' }, problems: ['ratelimit'], states: 0 },
    {
      name: 'one bad member, one good',
      headers: { ratelimit: '"good";r=3, ("bad")' },
      problems: ['ratelimit'],
      state: { policy: 'good', remaining: 3 },
    },
    {
      name: 'policy without q',
      headers: { 'ratelimit-policy': '"a";w=60' },
      problems: ['ratelimit-policy'],
      states: 0,
    },
    {
      name: 'policy q negative',
      headers: { 'ratelimit-policy': '"a";q=-5' },
      problems: ['ratelimit-policy'],
      states: 0,
    },
    {
      name: 'policy q a fraction',
      headers: { 'ratelimit-policy': '"a";q=2.5;w=1' },
      problems: ['ratelimit-policy'],
      states: 0,
    },
    {
      name: 'policy w a fraction',
      headers: { 'ratelimit-policy': '"a";q=2;w=0.5' },
      problems: ['ratelimit-policy'],
      states: 0,
    },
    {
      name: 'policy pk not bytes',
      headers: { 'ratelimit-policy': '"a";q=10;pk=abc' },
      problems: ['ratelimit-policy'],
      states: 0,
    },
    {
      name: 'policy qu not a string',
      headers: { 'ratelimit-policy': '"a";q=10;qu=5' },
      problems: ['ratelimit-policy'],
      states: 0,
    },
    {
      name: 'policy a boolean',
      headers: { 'ratelimit-policy': '?1;q=10' },
      problems: ['ratelimit-policy'],
      states: 0,
    },
    {
      name: '-07 dictionary with three bad members',
      headers: { ratelimit: 'limit=abc, remaining=-1, reset=1.5' },
      problems: ['ratelimit', 'ratelimit', 'ratelimit'],
      state: { scheme: 'ietf-07', limit: null, remaining: null, reset_s: null },
    },
    {
      name: 'X limit a word',
      headers: { 'x-ratelimit-limit': 'abc' },
      problems: ['x-ratelimit-limit'],
      states: 0,
    },
    {
      name: 'X limit empty',
      headers: { 'x-ratelimit-limit': '' },
      problems: ['x-ratelimit-limit'],
      states: 0,
    },
    {
      name: 'X limit two values',
      headers: { 'x-ratelimit-limit': '5000, 4000' },
      problems: ['x-ratelimit-limit'],
      states: 0,
    },
    {
      name: 'X limit repeated, same value',
      headers: { 'x-ratelimit-limit': ['60', '60'] },
      problems: [],
      state: { limit: 60 },
    },
    {
      name: 'X remaining repeated, different values',
      headers: { 'x-ratelimit-remaining': ['60', '50'], 'x-ratelimit-limit': '60' },
      problems: ['x-ratelimit-remaining'],
      state: { limit: 60, remaining: null },
    },
    {
      name: 'X remaining negative',
      headers: { 'x-ratelimit-remaining': '-1' },
      problems: ['x-ratelimit-remaining'],
      states: 0,
    },
    {
      name: 'X remaining a fraction',
      headers: { 'x-ratelimit-remaining': '1.5' },
      problems: ['x-ratelimit-remaining'],
      states: 0,
    },
    {
      name: 'X remaining hex',
      headers: { 'x-ratelimit-remaining': '0x10' },
      problems: ['x-ratelimit-remaining'],
      states: 0,
    },
    {
      name: 'X remaining Arabic-Indic digits',
      headers: { 'x-ratelimit-remaining': '١٢' },
      problems: ['x-ratelimit-remaining'],
      states: 0,
    },
    {
      name: 'X remaining with a unit',
      headers: { 'x-ratelimit-remaining': '5 apples' },
      problems: ['x-ratelimit-remaining'],
      states: 0,
    },
    {
      name: 'X reset negative',
      headers: { 'x-ratelimit-reset': '-5' },
      problems: ['x-ratelimit-reset'],
      states: 0,
    },
    {
      name: 'X reset a word',
      headers: { 'x-ratelimit-reset': 'soon' },
      problems: ['x-ratelimit-reset'],
      states: 0,
    },
    {
      name: 'X reset an exponent',
      headers: { 'x-ratelimit-reset': '1e9' },
      problems: ['x-ratelimit-reset'],
      states: 0,
    },
    {
      name: 'X reset 31 February',
      headers: { 'x-ratelimit-reset': 'Sat, 31 Feb 2024 00:00:00 GMT' },
      problems: ['x-ratelimit-reset'],
      states: 0,
    },
    {
      name: 'X reset an epoch ten years back',
      headers: { 'x-ratelimit-reset': '1390000000' },
      problems: ['x-ratelimit-reset'],
      state: { reset_s: null, reset_form: null, reset_raw: 1390000000 },
    },
    { name: 'Retry-After negative', headers: { 'retry-after': '-1' }, problems: ['retry-after'] },
    { name: 'Retry-After a word', headers: { 'retry-after': 'soon' }, problems: ['retry-after'] },
    { name: 'Retry-After an exponent', headers: { 'retry-after': '1e3' }, problems: ['retry-after'] },
    { name: 'Retry-After empty', headers: { 'retry-after': '' }, problems: ['retry-after'] },
    {
      name: 'Retry-After beyond a year',
      headers: { 'retry-after': '99999999999' },
      problems: ['retry-after'],
    },
    {
      name: 'Retry-After twice, differently',
      headers: { 'retry-after': ['5', '10'] },
      problems: ['retry-after'],
    },
    {
      name: 'Retry-After a bad date',
      headers: { 'retry-after': 'Sat, 31 Feb 2024 00:00:00 GMT' },
      problems: ['retry-after'],
    },
    {
      name: 'Date unreadable',
      headers: { date: 'yesterday', 'x-ratelimit-remaining': '3' },
      problems: ['date'],
      state: { remaining: 3 },
    },
  ])('$name', ({ headers, problems, state, states }) => {
    const got = parse(headers);
    expect(got.problems.map((p) => p.header)).toEqual(problems);
    for (const p of got.problems) {
      expect(p.problem.length).toBeGreaterThan(0);
      expect(p.problem).not.toContain('\n');
      expect(typeof p.value).toBe('string');
    }
    for (const n of numbers(got)) if (n !== null) expect(Number.isFinite(n) && n >= 0).toBe(true);
    if (states !== undefined) expect(got.states).toHaveLength(states);
    if (state !== undefined) expect(got.states[0]).toMatchObject(state);
  });

  it("the hostile fixture's garbage endpoint (test/fixtures/ratelimit/hostile.ts): one problem per header, no number", () => {
    const garbage: Record<string, string> = { ...GARBAGE_HEADERS, 'retry-after': GARBAGE_RETRY_AFTER };
    const got = parse(garbage);
    expect(new Set(got.problems.map((p) => p.header))).toEqual(new Set(Object.keys(garbage)));
    expect(numbers(got).every((n) => n === null)).toBe(true);
    expect(primaryState(got)).toMatchObject({ limit: null, remaining: null, reset_s: null });
  });

  it('the problem carries the value as received', () => {
    const got = parse({ 'x-ratelimit-remaining': '\u001b[31m-1' });
    expect(got.problems).toEqual([
      { header: 'x-ratelimit-remaining', value: '\u001b[31m-1', problem: expect.any(String) },
    ]);
  });

  it('Retry-After "2.0": non-conforming, noted, and used', () => {
    const got = parse({ 'retry-after': '2.0' });
    expect(got.retry_after_s).toBe(2);
    expect(got.retry_after_form).toBe('delay-seconds');
    expect(got.problems).toEqual([
      { header: 'retry-after', value: '2.0', problem: expect.stringContaining('whole number') },
    ]);
  });

  it('Retry-After "  5 ": surrounding whitespace is not a problem', () => {
    expect(parse({ 'retry-after': '  5 ' })).toMatchObject({ retry_after_s: 5, problems: [] });
  });
});
