import { describe, expect, it } from 'vitest';
import { parseRateLimitHeaders } from '../../../src/lib/ratelimit/headers.js';
import type {
  AdvertisedPolicy,
  AdvertisedState,
  HeaderMap,
  HeaderScheme,
} from '../../../src/lib/ratelimit/types.js';

/**
 * The dialects outside the IETF drafts, with each vendor's documented example (source in each row). Epoch
 * resets are read against the response's `Date`, which each row sets so that the answer is a round number;
 * `receivedAtMs` is deliberately far from it (our clock is not the server's).
 */
const FAR_CLOCK = Date.UTC(2030, 0, 1);

interface Row {
  source: string;
  headers: HeaderMap;
  schemes: HeaderScheme[];
  states: Partial<AdvertisedState>[];
  policies?: Partial<AdvertisedPolicy>[];
  problems?: string[];
}

describe('vendor dialects', () => {
  it.each<Row>([
    {
      source:
        'GitHub REST docs, "Checking the status of your rate limit" (epoch seconds; x-ratelimit-resource)',
      headers: {
        date: 'Mon, 01 Jul 2013 17:27:53 GMT',
        'x-ratelimit-limit': '60',
        'x-ratelimit-remaining': '56',
        'x-ratelimit-used': '4',
        'x-ratelimit-reset': '1372700873',
        'x-ratelimit-resource': 'core',
      },
      schemes: ['x-ratelimit'],
      states: [
        {
          scheme: 'x-ratelimit',
          policy: 'core',
          limit: 60,
          remaining: 56,
          reset_s: 1200, // 1372700873 is 17:47:53, twenty minutes after that Date
          reset_form: 'epoch-seconds',
          reset_raw: 1372700873,
        },
      ],
    },
    {
      source: 'GitHub secondary limit: 403/429 with Retry-After and remaining 0',
      headers: {
        date: 'Mon, 01 Jul 2013 17:46:53 GMT',
        'retry-after': '60',
        'x-ratelimit-remaining': '0',
        'x-ratelimit-reset': '1372700873',
      },
      schemes: ['x-ratelimit', 'retry-after'],
      states: [{ remaining: 0, reset_s: 60, reset_form: 'epoch-seconds' }],
    },
    {
      source: 'Okta, "Rate limit best practices" (X-Rate-Limit-*, UTC epoch seconds)',
      headers: {
        date: 'Thu, 31 Dec 2020 23:59:00 GMT',
        'x-rate-limit-limit': '1200',
        'x-rate-limit-remaining': '1199',
        'x-rate-limit-reset': '1609459200',
      },
      schemes: ['x-rate-limit'],
      states: [
        { scheme: 'x-rate-limit', limit: 1200, remaining: 1199, reset_s: 60, reset_form: 'epoch-seconds' },
      ],
    },
    {
      source: 'X API docs, "Rate limits" (x-rate-limit-*, Unix timestamp)',
      headers: {
        date: 'Tue, 16 Jan 2024 15:45:00 GMT',
        'x-rate-limit-limit': '900',
        'x-rate-limit-remaining': '847',
        'x-rate-limit-reset': '1705420800',
      },
      schemes: ['x-rate-limit'],
      states: [
        { scheme: 'x-rate-limit', limit: 900, remaining: 847, reset_s: 900, reset_form: 'epoch-seconds' },
      ],
    },
    {
      source: 'GitLab docs, user and IP rate limits (RateLimit-Reset epoch, RateLimit-ResetTime date)',
      headers: {
        date: 'Tue, 05 Jan 2021 10:59:30 GMT',
        'ratelimit-limit': '60',
        'ratelimit-name': 'throttle_authenticated_web',
        'ratelimit-observed': '67',
        'ratelimit-remaining': '0',
        'ratelimit-reset': '1609844400',
        'ratelimit-resettime': 'Tue, 05 Jan 2021 11:00:00 GMT',
        'retry-after': '30',
      },
      schemes: ['ietf-06', 'retry-after'],
      states: [
        {
          scheme: 'ietf-06',
          limit: 60,
          remaining: 0,
          reset_s: 30,
          reset_form: 'epoch-seconds',
          reset_raw: 1609844400,
        },
      ],
    },
    {
      source: 'GitLab: only RateLimit-ResetTime (an HTTP-date)',
      headers: {
        date: 'Tue, 05 Jan 2021 10:59:30 GMT',
        'ratelimit-limit': '60',
        'ratelimit-resettime': 'Tue, 05 Jan 2021 11:00:00 GMT',
      },
      schemes: ['ietf-06'],
      states: [{ limit: 60, reset_s: 30, reset_form: 'http-date', reset_raw: null }],
    },
    {
      source: 'express-rate-limit 8 legacyHeaders (setLegacyHeaders: Date + ceil(resetTime/1000))',
      headers: {
        date: 'Tue, 16 Jan 2024 15:45:00 GMT',
        'x-ratelimit-limit': '5',
        'x-ratelimit-remaining': '4',
        'x-ratelimit-reset': '1705419903',
      },
      schemes: ['x-ratelimit'],
      states: [{ limit: 5, remaining: 4, reset_s: 3, reset_form: 'epoch-seconds' }],
    },
    {
      source: 'express-rate-limit 8 standardHeaders "draft-8" (setDraft8Headers: appended, "; " separators)',
      headers: {
        ratelimit: ['"5-in-3sec"; r=4; t=3'],
        'ratelimit-policy': ['"5-in-3sec"; q=5; w=3; pk=:M2U0OGVmOWQyMmUw:'],
      },
      schemes: ['ietf'],
      policies: [{ name: '5-in-3sec', quota: 5, window_s: 3, partition_key: 'M2U0OGVmOWQyMmUw' }],
      states: [
        { scheme: 'ietf', policy: '5-in-3sec', limit: 5, remaining: 4, reset_s: 3, partition_key: null },
      ],
    },
    {
      source: 'express-rate-limit 8: draft-8 and legacy headers together (both dialects reported)',
      headers: {
        date: 'Tue, 16 Jan 2024 15:45:00 GMT',
        ratelimit: '"5-in-3sec"; r=0; t=3',
        'ratelimit-policy': '"5-in-3sec"; q=5; w=3; pk=:M2U0OGVmOWQyMmUw:',
        'x-ratelimit-limit': '5',
        'x-ratelimit-remaining': '0',
        'x-ratelimit-reset': '1705419903',
        'retry-after': '3',
      },
      schemes: ['ietf', 'x-ratelimit', 'retry-after'],
      states: [
        { scheme: 'ietf', remaining: 0, reset_s: 3 },
        { scheme: 'x-ratelimit', remaining: 0, reset_s: 3 },
      ],
    },
    {
      source: 'Discord developer docs, "Rate limits": epoch with a fraction, Reset-After, Bucket',
      headers: {
        date: 'Tue, 02 Aug 2016 21:23:40 GMT',
        'x-ratelimit-limit': '5',
        'x-ratelimit-remaining': '0',
        'x-ratelimit-reset': '1470173023.123',
        'x-ratelimit-reset-after': '3.123',
        'x-ratelimit-bucket': 'abcd1234',
      },
      schemes: ['x-ratelimit'],
      states: [
        {
          policy: 'abcd1234',
          remaining: 0,
          reset_s: 3.123,
          reset_form: 'epoch-seconds',
          reset_raw: 1470173023.123,
        },
      ],
    },
    {
      source:
        'WHOOP developer docs, "Rate Limiting": policies with window= in X-RateLimit-Limit, delta reset',
      headers: {
        'x-ratelimit-limit': '100, 100;window=60, 10000;window=86400',
        'x-ratelimit-remaining': '98',
        'x-ratelimit-reset': '3',
      },
      schemes: ['x-ratelimit'],
      policies: [
        { scheme: 'x-ratelimit', quota: 100, window_s: 60 },
        { scheme: 'x-ratelimit', quota: 10000, window_s: 86400 },
      ],
      states: [{ limit: 100, remaining: 98, reset_s: 3, reset_form: 'delta-seconds' }],
    },
    {
      source: 'Kong rate-limiting plugin (and -10 appendix "currently used"): per-window suffixed headers',
      headers: {
        'x-ratelimit-limit-minute': '5',
        'x-ratelimit-remaining-minute': '4',
        'x-ratelimit-limit-hour': '100',
        'x-ratelimit-remaining-hour': '99',
        'ratelimit-limit': '5',
        'ratelimit-remaining': '4',
        'ratelimit-reset': '47',
      },
      schemes: ['ietf-06', 'x-ratelimit'],
      policies: [
        { scheme: 'x-ratelimit', name: 'minute', quota: 5, window_s: 60 },
        { scheme: 'x-ratelimit', name: 'hour', quota: 100, window_s: 3600 },
      ],
      states: [
        { scheme: 'ietf-06', limit: 5, remaining: 4, reset_s: 47 },
        { scheme: 'x-ratelimit', policy: 'minute', limit: 5, remaining: 4, reset_s: null },
        { scheme: 'x-ratelimit', policy: 'hour', limit: 100, remaining: 99, reset_s: null },
      ],
    },
    {
      source: 'epoch milliseconds (e.g. Prisjakt-style servers sending Date.now()-based values)',
      headers: { date: 'Tue, 16 Jan 2024 15:45:00 GMT', 'x-ratelimit-reset': '1705419902500' },
      schemes: ['x-ratelimit'],
      states: [{ reset_s: 2.5, reset_form: 'epoch-ms', reset_raw: 1705419902500 }],
    },
    {
      source: 'an HTTP-date in X-RateLimit-Reset',
      headers: {
        date: 'Tue, 16 Jan 2024 15:45:00 GMT',
        'x-ratelimit-reset': 'Tue, 16 Jan 2024 15:46:00 GMT',
      },
      schemes: ['x-ratelimit'],
      states: [{ reset_s: 60, reset_form: 'http-date', reset_raw: null }],
    },
    {
      source: 'lemlist API docs: a JavaScript Date string is not an HTTP-date → a problem, no number',
      headers: {
        'x-ratelimit-limit': '20',
        'x-ratelimit-remaining': '7',
        'x-ratelimit-reset': 'Tue Feb 16 2021 09:02:42 GMT+0100 (Central European Standard Time)',
      },
      schemes: ['x-ratelimit'],
      states: [{ limit: 20, remaining: 7, reset_s: null, reset_form: null, reset_raw: null }],
      problems: ['x-ratelimit-reset'],
    },
  ])('$source', ({ headers, schemes, states, policies, problems }) => {
    const got = parseRateLimitHeaders(headers, { receivedAtMs: FAR_CLOCK });
    expect(got.schemes).toEqual(schemes);
    expect(got.states).toHaveLength(states.length);
    states.forEach((want, i) => expect(got.states[i]).toMatchObject(want));
    if (policies !== undefined) {
      expect(got.policies).toHaveLength(policies.length);
      policies.forEach((want, i) => expect(got.policies[i]).toMatchObject(want));
    }
    expect(got.problems.map((p) => p.header)).toEqual(problems ?? []);
  });

  it('without a Date, an epoch is read against the arrival time', () => {
    const at = Date.UTC(2024, 0, 16, 15, 45, 0);
    const got = parseRateLimitHeaders({ 'x-rate-limit-reset': '1705420800' }, { receivedAtMs: at });
    expect(got.states[0]).toMatchObject({ reset_s: 900, reset_form: 'epoch-seconds' });
  });

  it('a Date within two seconds before arrival: the arrival time is the finer anchor', () => {
    const at = Date.UTC(2024, 0, 16, 15, 45, 0) + 700;
    const got = parseRateLimitHeaders(
      { date: 'Tue, 16 Jan 2024 15:45:00 GMT', 'x-ratelimit-reset': '1705419903' },
      { receivedAtMs: at },
    );
    expect(got.states[0]!.reset_s).toBeCloseTo(2.3, 6);
  });

  it('header names in any case (a caller that did not lower-case them)', () => {
    const got = parseRateLimitHeaders(
      { 'X-RateLimit-Remaining': '3', RateLimit: '"a";r=1' },
      { receivedAtMs: 0 },
    );
    expect(got.schemes).toEqual(['ietf', 'x-ratelimit']);
  });
});
