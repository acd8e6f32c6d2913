import { describe, expect, it } from 'vitest';
import { SEVERITIES, sortFindings, type Finding, type Severity } from '../../../src/lib/findings.js';
import {
  rateLimitFindings,
  RATELIMIT_FINDING_IDS,
  type RateLimitFindingsInput,
} from '../../../src/lib/ratelimit/findings.js';
import { findMismatches, MISMATCH_KINDS } from '../../../src/lib/ratelimit/truth.js';
import type { Inference, Mismatch, ObservedResponse, ProbeStop } from '../../../src/lib/ratelimit/types.js';
import { fixedWindow, inference, observe, probeSim, tokenBucket, type Row } from './truth-timeline.js';

/**
 * rateLimitFindings: which finding (id, severity) each situation gives, that a truthful, well-behaved endpoint
 * gives none, and that every finding is one line for people with evidence and advice — and never carries the
 * server's text outside `evidence.value` / the parser's notes.
 */

const URL = 'https://api.example.test/v1/search';
const ok = (sent: number, headers: Record<string, string> = {}, more: Partial<Row> = {}): Row => ({
  sent,
  status: 200,
  headers,
  ...more,
});
const limitedRow = (sent: number, headers: Record<string, string> = {}, status = 429): Row => ({
  sent,
  status,
  headers,
});
const limitedInference = (over: Partial<Inference> = {}) =>
  inference({ algorithm: 'fixed-window', burst: 3, window_s: 3, ...over });
const unlimitedInference = inference({ limited: false, algorithm: 'none', confidence: 'medium' });

function input(
  rows: Row[],
  over: Partial<Omit<RateLimitFindingsInput, 'observed'>> & { inferred?: Inference } = {},
): RateLimitFindingsInput {
  const observed = observe(rows);
  const inferred = over.inferred ?? limitedInference();
  return {
    url: URL,
    method: 'GET',
    observed,
    inferred,
    mismatches: over.mismatches ?? findMismatches(observed, inferred),
    limitStatuses: over.limitStatuses ?? [429],
    stopped: over.stopped ?? 'done',
    ...(over.error === undefined ? {} : { error: over.error }),
  };
}
const ids = (fs: Finding[]) => fs.map((f) => `${f.id} ${f.severity}`).sort();

/** The findings of a simulated probe (probeSim) that completed, its mismatches found as the probe finds them. */
function simFindings(observed: ObservedResponse[], inferred: Inference): Finding[] {
  return rateLimitFindings({
    url: URL,
    observed,
    inferred,
    mismatches: findMismatches(observed, inferred),
    limitStatuses: [429],
    stopped: 'done',
  });
}

/** A limited endpoint that speaks the current draft well: quota, remaining, reset, Retry-After on the 429. */
const GOOD_DRAFT: Row[] = [
  ok(0, { 'ratelimit-policy': '"p";q=3;w=3', ratelimit: '"p";r=2;t=3' }),
  ok(10, { 'ratelimit-policy': '"p";q=3;w=3', ratelimit: '"p";r=1;t=3' }),
  ok(20, { 'ratelimit-policy': '"p";q=3;w=3', ratelimit: '"p";r=0;t=3' }),
  limitedRow(30, { 'ratelimit-policy': '"p";q=3;w=3', ratelimit: '"p";r=0;t=3', 'retry-after': '3' }),
  ok(3040, { 'ratelimit-policy': '"p";q=3;w=3', ratelimit: '"p";r=2;t=3' }),
];
const burstNoHeaders = (status = 429): Row[] => [ok(0), ok(10), ok(20), limitedRow(30, {}, status), ok(3100)];

interface Case {
  name: string;
  input: RateLimitFindingsInput;
  want: string[];
}

const mismatch = (kind: string | undefined, field: Mismatch['field'] = 'retry-after'): Mismatch => ({
  field,
  advertised: '60 s',
  observed: 'requests succeeded again after 2.0 s',
  message: 'Retry-After said 60 s; requests succeeded again after 2.0 s',
  ...(kind === undefined ? {} : { kind, seq: [3, 4] }),
});

const cases: Case[] = [
  { name: 'a limited endpoint speaking the current draft well', input: input(GOOD_DRAFT), want: [] },
  {
    name: 'limited with no headers at all',
    input: input(burstNoHeaders()),
    want: ['ratelimit.no-headers medium', 'ratelimit.no-retry-after medium'],
  },
  {
    name: 'limited with a reset hint but no Retry-After',
    input: input(
      [
        ok(0, { ratelimit: '"p";r=1;t=3' }),
        ok(10, { ratelimit: '"p";r=0;t=3' }),
        limitedRow(20, { ratelimit: '"p";r=0;t=3' }),
        ok(3100, { ratelimit: '"p";r=2;t=3' }),
      ],
      { inferred: limitedInference({ burst: 2 }) },
    ),
    want: ['ratelimit.no-retry-after low'],
  },
  {
    name: 'limited with Retry-After only',
    input: input([ok(0), ok(10), ok(20), limitedRow(30, { 'retry-after': '3' }), ok(3100)]),
    want: ['ratelimit.no-quota-headers low'],
  },
  {
    name: 'nginx: 503 as the limit status, no headers',
    input: input(burstNoHeaders(503), { limitStatuses: [429, 503] }),
    want: ['ratelimit.no-headers medium', 'ratelimit.no-retry-after medium', 'ratelimit.status-503 medium'],
  },
  {
    name: 'X-RateLimit-* only',
    input: input([
      ok(0, { 'x-ratelimit-limit': '3', 'x-ratelimit-remaining': '2', 'x-ratelimit-reset': '3' }),
      ok(10, { 'x-ratelimit-limit': '3', 'x-ratelimit-remaining': '1', 'x-ratelimit-reset': '3' }),
      ok(20, { 'x-ratelimit-limit': '3', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '3' }),
      limitedRow(30, { 'x-ratelimit-limit': '3', 'x-ratelimit-remaining': '0', 'retry-after': '3' }),
    ]),
    want: ['ratelimit.legacy-headers info'],
  },
  {
    name: 'no limit within the budget, no headers',
    input: input(
      Array.from({ length: 30 }, (_, i) => ok(i * 10)),
      { inferred: unlimitedInference, stopped: 'budget' },
    ),
    want: ['ratelimit.unlimited medium'],
  },
  {
    name: 'no limit reached, but the headers advertise 5000',
    input: input(
      Array.from({ length: 30 }, (_, i) =>
        ok(i * 10, { 'ratelimit-policy': '"h";q=5000;w=3600', ratelimit: `"h";r=${4999 - i};t=3600` }),
      ),
      { inferred: unlimitedInference, stopped: 'budget' },
    ),
    want: ['ratelimit.limit-unverified info'],
  },
  {
    name: 'a transport failure ends the probe: partial, and no verdict of "unlimited"',
    input: input([ok(0), ok(10), { sent: 20, status: null, latency: 10_000 }], {
      inferred: inference({ limited: false, algorithm: 'unknown', confidence: 'low' }),
      stopped: 'error',
      error: { code: 'ERR_HTTP_TIMEOUT', message: 'no response within 10s' },
    }),
    want: ['ratelimit.probe-failed low'],
  },
  {
    name: 'interrupted: partial, and no verdict of "unlimited"',
    input: input([ok(0), ok(10)], { inferred: unlimitedInference, stopped: 'interrupted' }),
    want: ['ratelimit.interrupted info'],
  },
  {
    name: 'limited from the first request: the quota was not fresh',
    input: input([limitedRow(0, { 'retry-after': '3' }), ok(3100)], {
      inferred: limitedInference({ burst: null }),
    }),
    want: ['ratelimit.limit-not-measured info', 'ratelimit.no-quota-headers low'],
  },
  {
    name: 'a queue: requests held back instead of rejected (nginx without nodelay)',
    input: input(
      [
        ok(0),
        ok(10),
        ok(20, {}, { outcome: 'queued', latency: 900 }),
        ok(930, {}, { outcome: 'queued', latency: 1400 }),
      ],
      { inferred: inference({ algorithm: 'leaky-bucket', burst: 2, sustained_rate_per_s: 1 }) },
    ),
    want: ['ratelimit.queued low'],
  },
  {
    name: 'one finding per mismatch kind, severity by kind',
    input: input(GOOD_DRAFT, {
      mismatches: [
        mismatch('retry-after-too-short'),
        mismatch('limit-too-low', 'limit'),
        mismatch(undefined, 'policy'),
      ],
    }),
    want: [
      'ratelimit.limit-too-low low',
      'ratelimit.mismatch-policy medium',
      'ratelimit.retry-after-too-short high',
    ],
  },
];

describe('rateLimitFindings: which findings', () => {
  it.each(cases)('$name', ({ input: given, want }) => {
    expect(ids(rateLimitFindings(given))).toEqual([...want].sort());
  });

  it.each([
    ['express-rate-limit draft-8', 'draft-8', []],
    ['express-rate-limit draft-6', 'draft-6', ['ratelimit.legacy-headers info']],
    ['express-rate-limit legacy', 'legacy', ['ratelimit.legacy-headers info']],
  ] as const)('a truthful %s gives nothing but the dialect note', (_name, dialect, want) => {
    const limiter = () => fixedWindow({ limit: 5, windowMs: 3000, dialect });
    const observed = probeSim(limiter(), { paced: { count: 8, gapMs: 400 } });
    const inferred = inference({
      algorithm: 'fixed-window',
      burst: 5,
      window_s: 3,
      sustained_rate_per_s: 5 / 3,
    });
    const found = simFindings(observed, inferred);
    expect(ids(found)).toEqual(want);
  });

  it('the Redis-style token bucket (X-RateLimit-* only) gives only the legacy-headers note', () => {
    const observed = probeSim(tokenBucket({ capacity: 12, ratePerS: 6 }), {
      paced: { count: 8, gapMs: 400 },
    });
    const inferred = inference({ algorithm: 'token-bucket', burst: 12, sustained_rate_per_s: 6 });
    const found = simFindings(observed, inferred);
    expect(ids(found)).toEqual(['ratelimit.legacy-headers info']);
  });
});

describe('rateLimitFindings: malformed header values', () => {
  const garbage = { 'x-ratelimit-limit': '10 requests', 'x-ratelimit-remaining': 'NaN' };
  const rows: Row[] = [
    ok(0, garbage),
    ok(10, garbage),
    limitedRow(20, { ...garbage, 'retry-after': 'tomorrow\u202e' }),
    ok(3100, { 'x-ratelimit-remaining': 'lots' }),
  ];
  const found = rateLimitFindings(input(rows, { inferred: limitedInference({ burst: 2 }) }));
  const malformed = found.filter((f) => f.id === 'ratelimit.malformed-header');

  it('one finding per header; Retry-After medium, the others low', () => {
    expect(malformed.map((f) => `${f.severity} ${f.message}`).sort()).toEqual([
      'low X-RateLimit-Limit could not be read on 3 of 4 responses; apikit ignored it',
      'low X-RateLimit-Remaining could not be read on every response (4); apikit ignored it',
      'medium Retry-After could not be read on 1 of 4 responses; apikit ignored it',
    ]);
  });

  it('the values, as received, are the evidence (distinct ones), with the header and the request', () => {
    const remaining = malformed.find((f) => f.message.startsWith('X-RateLimit-Remaining'))!;
    expect(remaining.evidence.map((e) => e.value)).toEqual(['NaN', 'lots']);
    expect(remaining.evidence[0]).toMatchObject({
      request: `GET ${URL}`,
      status: 200,
      header: 'x-ratelimit-remaining',
    });
    expect(remaining.evidence[0]!.note).toMatch(/^#0 at 0 ms: /);
    const retryAfter = malformed.find((f) => f.message.startsWith('Retry-After'))!;
    expect(retryAfter.evidence[0]).toMatchObject({
      status: 429,
      header: 'retry-after',
      value: 'tomorrow\u202e',
    });
    expect(retryAfter.advice).toContain('RFC 9110 §10.2.3');
  });

  it('never quotes a value in a message', () => {
    for (const f of found) expect(f.message).not.toMatch(/NaN|lots|tomorrow|10 requests|\u202e/);
  });
});

describe('rateLimitFindings: mismatch findings', () => {
  it.each(MISMATCH_KINDS)('%s has an id, a severity above info and advice', (kind) => {
    const [f] = rateLimitFindings(input(GOOD_DRAFT, { mismatches: [mismatch(kind)] }));
    expect(f!.id).toBe(`ratelimit.${kind}`);
    expect(SEVERITIES.indexOf(f!.severity)).toBeGreaterThan(0);
    expect(f!.advice).toMatch(/RFC \d+|draft-ietf-httpapi-ratelimit-headers/);
  });

  it('cites the responses it names: request, status, the header, what they said', () => {
    const given = input(GOOD_DRAFT);
    const [f] = rateLimitFindings({ ...given, mismatches: [mismatch('retry-after-too-long')] });
    expect(f!.message).toBe('Retry-After said 60 s; requests succeeded again after 2.0 s');
    expect(f!.evidence).toEqual([
      {
        request: `GET ${URL}`,
        status: 429,
        header: 'retry-after',
        note: '#3 at 30 ms: limit 3, remaining 0, reset 3 s, Retry-After 3 s',
      },
      {
        request: `GET ${URL}`,
        status: 200,
        header: 'retry-after',
        note: '#4 at 3.0 s: limit 3, remaining 2, reset 3 s',
      },
    ]);
  });

  it('the r=0 lie end to end: 200s with RateLimit r=0 give a remaining finding naming the header', () => {
    const rows = Array.from({ length: 10 }, (_, i) => ok(i * 10, { ratelimit: '"default";r=0;t=1' }));
    const found = rateLimitFindings(input(rows, { inferred: unlimitedInference, stopped: 'done' }));
    expect(ids(found)).toEqual(['ratelimit.unlimited medium', 'ratelimit.zero-remaining-accepted medium']);
    const f = found.find((x) => x.id === 'ratelimit.zero-remaining-accepted');
    expect(f!.message).toMatch(/^RateLimit said r=0 \(reset in 1 s\); 9 requests succeeded after it/);
    expect(f!.evidence[0]).toMatchObject({ header: 'ratelimit', status: 200 });
  });
});

describe('rateLimitFindings: the shape of every finding', () => {
  const all = cases.flatMap((c) => rateLimitFindings(c.input));

  it('covers every id the module declares', () => {
    const seen = new Set(all.map((f) => f.id));
    for (const id of RATELIMIT_FINDING_IDS.filter((i) => i !== 'ratelimit.malformed-header')) {
      expect(seen, id).toContain(id);
    }
  });

  it.each(all.map((f) => [f.id, f] as const))('%s: stable id, one line, advice unless info', (_id, f) => {
    expect(f.id).toMatch(/^ratelimit\.[a-z0-9-]+$/);
    expect(f.message).not.toMatch(/[\r\n]/);
    expect(f.message.length).toBeLessThan(200);
    if (f.severity !== ('info' satisfies Severity) || f.advice !== undefined)
      expect(f.advice).not.toMatch(/[\r\n]/);
    if (f.severity !== 'info') expect(f.advice).toBeTruthy();
  });

  it('comes sorted, worst first', () => {
    const found = rateLimitFindings(cases.find((c) => c.name.startsWith('one finding per'))!.input);
    expect(found).toEqual(sortFindings(found));
    expect(found[0]!.severity).toBe('high');
  });

  it('states the counts for people', () => {
    const [f] = rateLimitFindings(
      input(
        Array.from({ length: 30 }, (_, i) => ok(i * 100)),
        { inferred: unlimitedInference, stopped: 'budget' as ProbeStop },
      ),
    );
    expect(f!.message).toBe('no rate limit found: none of 30 requests in 2.9 s was limited');
  });
});
