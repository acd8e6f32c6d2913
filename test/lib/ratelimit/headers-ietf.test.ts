import { describe, expect, it } from 'vitest';
import { parseRateLimitHeaders, primaryState } from '../../../src/lib/ratelimit/headers.js';
import type {
  AdvertisedPolicy,
  AdvertisedState,
  HeaderMap,
  HeaderScheme,
} from '../../../src/lib/ratelimit/types.js';

/**
 * The IETF dialects, with the examples of each draft-ietf-httpapi-ratelimit-headers revision (the working
 * group's repository, github.com/ietf-wg-httpapi/ratelimit-headers, file draft-ietf-httpapi-ratelimit-headers.md
 * at the tag of each revision; §-names are the draft's own section titles).
 */
const NOW = Date.UTC(2019, 7, 5, 9, 27, 0); // the drafts' own Date: Mon, 05 Aug 2019 09:27:00 GMT
const parse = (headers: HeaderMap) => parseRateLimitHeaders(headers, { receivedAtMs: NOW });

const policy = (
  p: Partial<AdvertisedPolicy> & Pick<AdvertisedPolicy, 'scheme' | 'quota'>,
): AdvertisedPolicy => ({
  name: null,
  window_s: null,
  quota_unit: null,
  partition_key: null,
  ...p,
});
const state = (s: Partial<AdvertisedState> & Pick<AdvertisedState, 'scheme'>): AdvertisedState => ({
  policy: null,
  limit: null,
  remaining: null,
  reset_s: null,
  reset_form: null,
  reset_raw: null,
  partition_key: null,
  ...s,
});
const delta = (s: number) => ({ reset_s: s, reset_form: 'delta-seconds' as const, reset_raw: s });

interface Row {
  source: string;
  headers: HeaderMap;
  schemes: HeaderScheme[];
  policies: AdvertisedPolicy[];
  states: AdvertisedState[];
  problems?: number;
}

/** One row: the dialects, policies and states read, and how many problems were noted (none by default). */
function expectParsed({ headers, schemes, policies, states, problems }: Row): void {
  const got = parse(headers);
  expect(got.schemes).toEqual(schemes);
  expect(got.policies).toEqual(policies);
  expect(got.states).toEqual(states);
  expect(got.problems).toHaveLength(problems ?? 0);
}

describe('draft -08 … -10: named lists', () => {
  it.each<Row>([
    {
      source: '-08 §3 RateLimit-Policy Field; -10 §3',
      headers: { 'ratelimit-policy': '"burst";q=100;w=60,"daily";q=1000;w=86400' },
      schemes: ['ietf'],
      policies: [
        policy({ scheme: 'ietf', name: 'burst', quota: 100, window_s: 60 }),
        policy({ scheme: 'ietf', name: 'daily', quota: 1000, window_s: 86400 }),
      ],
      states: [],
    },
    {
      source: '-08 §3.2 RateLimit Policy Field Examples (partition key)',
      headers: { 'ratelimit-policy': '"peruser";q=100;w=60;pk=:cHsdsRa894==:' },
      schemes: ['ietf'],
      // The draft's base64 is not canonical (its last character carries bits that do not exist): the bytes
      // are kept and re-encoded canonically.
      policies: [
        policy({ scheme: 'ietf', name: 'peruser', quota: 100, window_s: 60, partition_key: 'cHsdsRa89w==' }),
      ],
      states: [],
    },
    {
      source: '-08 §3.2: qu="bytes" (-09 renamed the example to "content-bytes")',
      headers: { 'ratelimit-policy': '"peruser";q=65535;qu="bytes";w=10;pk=:sdfjLJUOUH==:' },
      schemes: ['ietf'],
      policies: [
        policy({
          scheme: 'ietf',
          name: 'peruser',
          quota: 65535,
          window_s: 10,
          quota_unit: 'bytes',
          partition_key: 'sdfjLJUOUA==',
        }),
      ],
      states: [],
    },
    {
      source: '-09 §3.2, -10 §3.2: qu="content-bytes"',
      headers: { 'ratelimit-policy': '"peruser";q=65535;qu="content-bytes";w=10;pk=:sdfjLJUOUH==:' },
      schemes: ['ietf'],
      policies: [
        policy({
          scheme: 'ietf',
          name: 'peruser',
          quota: 65535,
          window_s: 10,
          quota_unit: 'content-bytes',
          partition_key: 'sdfjLJUOUA==',
        }),
      ],
      states: [],
    },
    {
      source: '-08 §4 RateLimit Field',
      headers: { ratelimit: '"default";r=50;t=30' },
      schemes: ['ietf'],
      policies: [],
      states: [state({ scheme: 'ietf', policy: 'default', remaining: 50, ...delta(30) })],
    },
    {
      source: '-08 §4.2 RateLimit Field Examples: no reset, a partition key',
      headers: { ratelimit: '"default";r=999;pk=:dHJpYWwxMjEzMjM=:' },
      schemes: ['ietf'],
      policies: [],
      states: [
        state({ scheme: 'ietf', policy: 'default', remaining: 999, partition_key: 'dHJpYWwxMjEzMjM=' }),
      ],
    },
    {
      source: '-08 §4.2: 300 MB in 60 s',
      headers: { ratelimit: '"default";r=300000000;t=60;pk=:QXBwLTk5OQ==:' },
      schemes: ['ietf'],
      policies: [],
      states: [
        state({
          scheme: 'ietf',
          policy: 'default',
          remaining: 300000000,
          ...delta(60),
          partition_key: 'QXBwLTk5OQ==',
        }),
      ],
    },
    {
      source: '-10 A.2 Throttling window specified via parameter (policy and state, limit from the policy)',
      headers: { ratelimit: '"fixedwindow";r=99;t=50', 'ratelimit-policy': '"fixedwindow";q=100;w=60' },
      schemes: ['ietf'],
      policies: [policy({ scheme: 'ietf', name: 'fixedwindow', quota: 100, window_s: 60 })],
      states: [state({ scheme: 'ietf', policy: 'fixedwindow', limit: 100, remaining: 99, ...delta(50) })],
    },
    {
      source: '-10 A.2 Use with multiple windows (two policies, one state)',
      headers: {
        'ratelimit-policy': '"hour";q=1000;w=3600, "day";q=5000;w=86400',
        ratelimit: '"day";r=100;t=36000',
      },
      schemes: ['ietf'],
      policies: [
        policy({ scheme: 'ietf', name: 'hour', quota: 1000, window_s: 3600 }),
        policy({ scheme: 'ietf', name: 'day', quota: 5000, window_s: 86400 }),
      ],
      states: [state({ scheme: 'ietf', policy: 'day', limit: 5000, remaining: 100, ...delta(36000) })],
    },
    {
      source: '-10 A.2 Missing Remaining information (token names, no r, no w)',
      headers: { 'ratelimit-policy': 'quota;q=10', ratelimit: 'quota;t=1' },
      schemes: ['ietf'],
      policies: [policy({ scheme: 'ietf', name: 'quota', quota: 10 })],
      states: [state({ scheme: 'ietf', policy: 'quota', limit: 10, ...delta(1) })],
    },
    {
      source: '-10 FAQ: vendor parameters (burst=) are comments; no space after the colon',
      headers: {
        'ratelimit-policy': ['"sliding";q=100;w=60;burst=1000', '"fixed";q=5000;w=3600;burst=0'],
        ratelimit: '"sliding";r=50;t=44',
      },
      schemes: ['ietf'],
      policies: [
        policy({ scheme: 'ietf', name: 'sliding', quota: 100, window_s: 60 }),
        policy({ scheme: 'ietf', name: 'fixed', quota: 5000, window_s: 3600 }),
      ],
      states: [state({ scheme: 'ietf', policy: 'sliding', limit: 100, remaining: 50, ...delta(44) })],
    },
    {
      source: '-10 appendix "currently used on the web": q in the RateLimit item',
      headers: { 'ratelimit-policy': '"sliding";q=12;w=1', ratelimit: '"sliding";q=12;r=6;t=1' },
      schemes: ['ietf'],
      policies: [policy({ scheme: 'ietf', name: 'sliding', quota: 12, window_s: 1 })],
      states: [state({ scheme: 'ietf', policy: 'sliding', limit: 12, remaining: 6, ...delta(1) })],
    },
    {
      source: '-09 §4: a list split over several RateLimit fields (RFC 9651 §3.1)',
      headers: { ratelimit: ['"permin";r=10;t=5', '"perhr";r=900;t=1800'] },
      schemes: ['ietf'],
      policies: [],
      states: [
        state({ scheme: 'ietf', policy: 'permin', remaining: 10, ...delta(5) }),
        state({ scheme: 'ietf', policy: 'perhr', remaining: 900, ...delta(1800) }),
      ],
    },
    {
      source: '-09 §3.1.3: w MUST be non-zero (-08 allowed 0 by its grammar; it never meant anything)',
      headers: { 'ratelimit-policy': '"zero";q=10;w=0' },
      schemes: ['ietf'],
      policies: [policy({ scheme: 'ietf', name: 'zero', quota: 10 })],
      states: [],
      problems: 1,
    },
  ])('$source', expectParsed);

  it('-10 A.2 Use in throttled responses: Retry-After as an HTTP-date relative to Date', () => {
    const got = parseRateLimitHeaders(
      {
        date: 'Mon, 05 Aug 2019 09:27:00 GMT',
        'retry-after': 'Mon, 05 Aug 2019 09:27:05 GMT',
        ratelimit: '"default";r=0;t=5',
      },
      // Our clock is an hour off: the server's Date decides.
      { receivedAtMs: NOW + 3_600_000 },
    );
    expect(got.schemes).toEqual(['ietf', 'retry-after']);
    expect(got.retry_after_s).toBe(5);
    expect(got.retry_after_form).toBe('http-date');
    expect(got.states).toEqual([state({ scheme: 'ietf', policy: 'default', remaining: 0, ...delta(5) })]);
  });

  it('-10 A.2 Dynamic limits with Retry-After: both read', () => {
    const got = parse({
      'retry-after': '20',
      'ratelimit-policy': '"dynamic";q=100;w=60',
      ratelimit: '"dynamic";r=15;t=40',
    });
    expect(got.retry_after_s).toBe(20);
    expect(got.retry_after_form).toBe('delay-seconds');
    expect(got.states[0]).toMatchObject({ policy: 'dynamic', limit: 100, remaining: 15, reset_s: 40 });
  });
});

describe('draft -07: a dictionary and numbered policies', () => {
  it.each<Row>([
    {
      source: '-07 §3 (RateLimit-Policy 100;w=10 and the dictionary)',
      headers: { 'ratelimit-policy': '100;w=10', ratelimit: 'limit=100, remaining=50, reset=5' },
      schemes: ['ietf-07'],
      policies: [policy({ scheme: 'ietf-07', quota: 100, window_s: 10 })],
      states: [state({ scheme: 'ietf-07', limit: 100, remaining: 50, ...delta(5) })],
    },
    {
      source: '-07 §2.2 several policies, extension parameters',
      headers: {
        'ratelimit-policy': '10;w=1;burst=1000, 1000;w=3600',
        ratelimit: 'limit=10, remaining=1, reset=7',
      },
      schemes: ['ietf-07'],
      policies: [
        policy({ scheme: 'ietf-07', quota: 10, window_s: 1 }),
        policy({ scheme: 'ietf-07', quota: 1000, window_s: 3600 }),
      ],
      states: [state({ scheme: 'ietf-07', limit: 10, remaining: 1, ...delta(7) })],
    },
    {
      source: '-07 A.1 Missing Remaining information',
      headers: { ratelimit: 'limit=10, reset=1' },
      schemes: ['ietf-07'],
      policies: [],
      states: [state({ scheme: 'ietf-07', limit: 10, ...delta(1) })],
    },
    {
      source: '-07 A.1 Dynamic limits for pushing back (limit=0)',
      headers: { ratelimit: 'limit=0, remaining=0, reset=20', 'ratelimit-policy': '15;w=20' },
      schemes: ['ietf-07'],
      policies: [policy({ scheme: 'ietf-07', quota: 15, window_s: 20 })],
      states: [state({ scheme: 'ietf-07', limit: 0, remaining: 0, ...delta(20) })],
    },
    {
      source: 'express-rate-limit 8 standardHeaders "draft-7" (dist/index.mjs setDraft7Headers)',
      headers: { 'ratelimit-policy': '5;w=3', ratelimit: 'limit=5, remaining=4, reset=3' },
      schemes: ['ietf-07'],
      policies: [policy({ scheme: 'ietf-07', quota: 5, window_s: 3 })],
      states: [state({ scheme: 'ietf-07', limit: 5, remaining: 4, ...delta(3) })],
    },
  ])('$source', expectParsed);
});

describe('draft -06 and earlier: three fields', () => {
  it.each<Row>([
    {
      source: '-06 §5 (and -00 … -05): RateLimit-Limit / -Remaining / -Reset',
      headers: { 'ratelimit-limit': '10', 'ratelimit-remaining': '1', 'ratelimit-reset': '7' },
      schemes: ['ietf-06'],
      policies: [],
      states: [state({ scheme: 'ietf-06', limit: 10, remaining: 1, ...delta(7) })],
    },
    {
      source: '-04 … -06 §2: RateLimit-Policy beside RateLimit-Limit',
      headers: {
        'ratelimit-limit': '5000',
        'ratelimit-policy': '1000;w=3600, 5000;w=86400',
        'ratelimit-remaining': '100',
        'ratelimit-reset': '36000',
      },
      schemes: ['ietf-06'],
      policies: [
        policy({ scheme: 'ietf-06', quota: 1000, window_s: 3600 }),
        policy({ scheme: 'ietf-06', quota: 5000, window_s: 86400 }),
      ],
      states: [state({ scheme: 'ietf-06', limit: 5000, remaining: 100, ...delta(36000) })],
    },
    {
      source: '-01 … -03 §3.1: the policies inside RateLimit-Limit',
      headers: {
        'ratelimit-limit': '10, 10;w=1, 50;w=60',
        'ratelimit-remaining': '9',
        'ratelimit-reset': '1',
      },
      schemes: ['ietf-06'],
      policies: [
        policy({ scheme: 'ietf-06', quota: 10, window_s: 1 }),
        policy({ scheme: 'ietf-06', quota: 50, window_s: 60 }),
      ],
      states: [state({ scheme: 'ietf-06', limit: 10, remaining: 9, ...delta(1) })],
    },
    {
      source: '-01 … -03 A.1: comments in the policies; the first member carries w',
      headers: {
        'ratelimit-limit':
          '100, 100;w=60;burst=1000;comment="sliding window", 5000;w=3600;burst=0;comment="fixed window"',
      },
      schemes: ['ietf-06'],
      policies: [
        policy({ scheme: 'ietf-06', quota: 100, window_s: 60 }),
        policy({ scheme: 'ietf-06', quota: 5000, window_s: 3600 }),
      ],
      states: [state({ scheme: 'ietf-06', limit: 100 })],
    },
    {
      source: '-01 … -03 A.1: RateLimit-Limit: 0, 15;w=20',
      headers: { 'ratelimit-limit': '0, 15;w=20' },
      schemes: ['ietf-06'],
      policies: [policy({ scheme: 'ietf-06', quota: 15, window_s: 20 })],
      states: [state({ scheme: 'ietf-06', limit: 0 })],
    },
    {
      source: 'express-rate-limit 8 standardHeaders "draft-6" (setDraft6Headers)',
      headers: {
        'ratelimit-policy': '5;w=3',
        'ratelimit-limit': '5',
        'ratelimit-remaining': '0',
        'ratelimit-reset': '2',
      },
      schemes: ['ietf-06'],
      policies: [policy({ scheme: 'ietf-06', quota: 5, window_s: 3 })],
      states: [state({ scheme: 'ietf-06', limit: 5, remaining: 0, ...delta(2) })],
    },
  ])('$source', expectParsed);
});

describe('primaryState', () => {
  it.each<{ name: string; headers: HeaderMap; want: Partial<AdvertisedState> | null }>([
    { name: 'no headers', headers: {}, want: null },
    { name: 'Retry-After only', headers: { 'retry-after': '3' }, want: null },
    {
      name: 'the least remaining governs',
      headers: { ratelimit: '"hour";r=900;t=1800, "minute";r=3;t=20' },
      want: { policy: 'minute', remaining: 3 },
    },
    {
      name: 'a tie keeps the first',
      headers: { ratelimit: '"a";r=3;t=20, "b";r=3;t=40' },
      want: { policy: 'a' },
    },
    {
      name: 'without any remaining, the first (most standard dialect first)',
      headers: { 'x-ratelimit-limit': '60', ratelimit: '"q";t=1' },
      want: { scheme: 'ietf', policy: 'q' },
    },
    {
      name: 'a known remaining beats an unknown one',
      headers: { ratelimit: '"q";t=1', 'x-ratelimit-remaining': '7' },
      want: { scheme: 'x-ratelimit', remaining: 7 },
    },
  ])('$name', ({ headers, want }) => {
    const got = primaryState(parse(headers));
    if (want === null) expect(got).toBeNull();
    else expect(got).toMatchObject(want);
  });
  it('null parse → null', () => expect(primaryState(null)).toBeNull());
});
