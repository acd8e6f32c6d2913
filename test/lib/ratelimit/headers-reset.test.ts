import { describe, expect, it } from 'vitest';
import {
  parseHttpDate,
  parseRateLimitHeaders,
  primaryState,
  reconcileResets,
} from '../../../src/lib/ratelimit/headers.js';
import type { HeaderMap, ObservedResponse } from '../../../src/lib/ratelimit/types.js';

/**
 * Reset forms and Retry-After: one response read against its `Date` (RFC 9110 §6.6.1: the server's clock), then
 * a series of responses reconciled — an epoch stays constant while a delta counts down, by one per second in
 * seconds and by a thousand per second in milliseconds.
 */
const T0 = Date.UTC(2024, 0, 16, 15, 45, 0);
const httpDate = (ms: number) => new Date(ms).toUTCString();

/** One observed response, as the engine builds it: parse, then the timeline entry from the primary state. */
function observed(seq: number, receivedAtMs: number, headers: HeaderMap, withDate = true): ObservedResponse {
  const all = withDate ? { date: httpDate(Math.floor(receivedAtMs / 1000) * 1000), ...headers } : headers;
  const parsed = parseRateLimitHeaders(all, { receivedAtMs });
  const primary = primaryState(parsed);
  return {
    entry: {
      seq,
      phase: 'burst',
      sent_ms: receivedAtMs - T0,
      latency_ms: 1,
      status: 200,
      outcome: 'accepted',
      remaining: primary?.remaining ?? null,
      reset_s: primary?.reset_s ?? null,
      retry_after_s: parsed.retry_after_s,
    },
    parsed,
    received_at_ms: receivedAtMs,
    date_ms: withDate ? Math.floor(receivedAtMs / 1000) * 1000 : null,
  };
}

describe('HTTP-date (RFC 9110 §5.6.7)', () => {
  it.each([
    ['Sun, 06 Nov 1994 08:49:37 GMT', Date.UTC(1994, 10, 6, 8, 49, 37)], // IMF-fixdate, RFC 9110's example
    ['Sunday, 06-Nov-94 08:49:37 GMT', Date.UTC(1994, 10, 6, 8, 49, 37)], // obsolete rfc850
    ['Sun Nov  6 08:49:37 1994', Date.UTC(1994, 10, 6, 8, 49, 37)], // obsolete asctime
    ['Tuesday, 16-Jan-24 15:45:00 GMT', T0], // a two-digit year near now is this century
    ['Tue, 29 Feb 2024 00:00:00 GMT', Date.UTC(2024, 1, 29)],
  ])('%s', (text, want) => expect(parseHttpDate(text)).toBe(want));

  it.each([
    '1',
    'March 7',
    '2024-01-16T15:45:00Z',
    'Tue, 16 Jan 2024 15:45:00 UTC',
    'Tue, 16 Jan 2024 25:45:00 GMT',
    'Thu, 29 Feb 2023 00:00:00 GMT',
    'Tue, 16 Jan 2024 15:45:00 GMT trailing',
    '',
  ])('not a date: %j', (text) => expect(parseHttpDate(text)).toBeNull());
});

describe('Retry-After', () => {
  it.each<{ name: string; headers: HeaderMap; at?: number; want: number | null; form: string | null }>([
    { name: 'delay-seconds', headers: { 'retry-after': '120' }, want: 120, form: 'delay-seconds' },
    { name: 'zero', headers: { 'retry-after': '0' }, want: 0, form: 'delay-seconds' },
    {
      name: 'a decimal (non-conforming, used)',
      headers: { 'retry-after': '1.5' },
      want: 1.5,
      form: 'delay-seconds',
    },
    {
      name: 'an HTTP-date against Date, not our clock',
      headers: { date: httpDate(T0), 'retry-after': httpDate(T0 + 30_000) },
      at: T0 + 3_600_000,
      want: 30,
      form: 'http-date',
    },
    {
      name: 'an HTTP-date without Date: against the arrival time',
      headers: { 'retry-after': httpDate(T0 + 30_000) },
      want: 30,
      form: 'http-date',
    },
    {
      name: 'an HTTP-date in the past means now',
      headers: { date: httpDate(T0), 'retry-after': httpDate(T0 - 5_000) },
      want: 0,
      form: 'http-date',
    },
    { name: 'absent', headers: {}, want: null, form: null },
  ])('$name', ({ headers, at, want, form }) => {
    const got = parseRateLimitHeaders(headers, { receivedAtMs: at ?? T0 });
    expect(got.retry_after_s).toBe(want);
    expect(got.retry_after_form).toBe(form);
  });
});

describe('reconcileResets', () => {
  const series = (values: string[], stepMs: number, header = 'x-ratelimit-reset', withDate = true) =>
    values.map((v, i) =>
      observed(
        i,
        T0 + i * stepMs,
        { [header.replace('-reset', '-remaining')]: String(10 - i), [header]: v },
        withDate,
      ),
    );

  it('an epoch stays constant: epoch-seconds, reset_s counting down against each Date', () => {
    const out = reconcileResets(series(['1705419960', '1705419960', '1705419960'], 2000));
    expect(out.map((o) => o.parsed!.states[0]!.reset_form)).toEqual([
      'epoch-seconds',
      'epoch-seconds',
      'epoch-seconds',
    ]);
    expect(out.map((o) => o.parsed!.states[0]!.reset_s)).toEqual([60, 58, 56]);
  });

  it('a delta counts down by one a second: delta-seconds', () => {
    const out = reconcileResets(series(['10', '8', '6', '4'], 2000));
    expect(out.map((o) => o.parsed!.states[0]!.reset_form)).toEqual(Array(4).fill('delta-seconds'));
    expect(out.map((o) => o.parsed!.states[0]!.reset_s)).toEqual([10, 8, 6, 4]);
  });

  it('a delta counting down by a thousand a second is milliseconds (X-Rate-Limit-Reset: 600000)', () => {
    const input = series(['600000', '599000', '598000'], 1000, 'x-rate-limit-reset');
    // One response alone cannot tell: 600000 reads as delta seconds (about a week).
    expect(input[0]!.parsed!.states[0]).toMatchObject({ reset_form: 'delta-seconds', reset_s: 600000 });
    const out = reconcileResets(input);
    expect(out.map((o) => o.parsed!.states[0]!.reset_form)).toEqual(['delta-ms', 'delta-ms', 'delta-ms']);
    expect(out.map((o) => o.parsed!.states[0]!.reset_s)).toEqual([600, 599, 598]);
    // The timeline entries follow their primary state.
    expect(out.map((o) => o.entry.reset_s)).toEqual([600, 599, 598]);
  });

  it('milliseconds beyond a year alone are unusable, and the series recovers them', () => {
    const input = series(['40000000', '39998000', '39996000'], 2000);
    expect(input[0]!.parsed!.states[0]).toMatchObject({ reset_s: null, reset_raw: 40000000 });
    const out = reconcileResets(input);
    expect(out.map((o) => o.parsed!.states[0]!.reset_s)).toEqual([40000, 39998, 39996]);
  });

  it('a small constant is a delta that does not count down, not an epoch (truth.ts reports it)', () => {
    const out = reconcileResets(series(['60', '60', '60'], 2000));
    expect(out.map((o) => o.parsed!.states[0]!.reset_form)).toEqual(Array(3).fill('delta-seconds'));
    expect(out.map((o) => o.parsed!.states[0]!.reset_s)).toEqual([60, 60, 60]);
  });

  it('a window rolling over (the value jumps up) is no evidence either way', () => {
    const out = reconcileResets(series(['2', '1', '3', '2'], 1000));
    expect(out.map((o) => o.parsed!.states[0]!.reset_s)).toEqual([2, 1, 3, 2]);
  });

  it('a burst (responses under half a second apart) keeps each reading', () => {
    const out = reconcileResets(series(['600000', '599900', '599800'], 100));
    expect(out.map((o) => o.parsed!.states[0]!.reset_form)).toEqual(Array(3).fill('delta-seconds'));
  });

  it('each policy is its own series', () => {
    const input = [0, 1, 2].map((i) =>
      observed(i, T0 + i * 2000, {
        ratelimit: `"sec";r=${5 - i};t=${10 - 2 * i}, "ms";r=${50 - i};t=${9000 - 2000 * i}`,
      }),
    );
    const out = reconcileResets(input);
    expect(out.map((o) => o.parsed!.states.map((s) => s.reset_s))).toEqual([
      [10, 9],
      [8, 7],
      [6, 5],
    ]);
    expect(out[0]!.parsed!.states.map((s) => s.reset_form)).toEqual(['delta-seconds', 'delta-ms']);
  });

  it('without Date, epochs are read against the arrival time', () => {
    const out = reconcileResets(series(['1705419960', '1705419960'], 2000, 'x-ratelimit-reset', false));
    expect(out.map((o) => o.parsed!.states[0]!.reset_s)).toEqual([60, 58]);
  });

  it('returns copies: the input is not changed', () => {
    const input = series(['600000', '599000', '598000'], 1000);
    const before = JSON.stringify(input);
    const out = reconcileResets(input);
    expect(JSON.stringify(input)).toBe(before);
    expect(out[0]).not.toBe(input[0]);
    expect(out[0]!.parsed!.states[0]).not.toBe(input[0]!.parsed!.states[0]);
  });

  it('transport failures (parsed null) and responses without resets pass through', () => {
    const failed: ObservedResponse = {
      ...observed(0, T0, {}),
      parsed: null,
      entry: { ...observed(0, T0, {}).entry, status: null, outcome: 'failed' },
    };
    const out = reconcileResets([failed, observed(1, T0 + 1000, { 'retry-after': '3' })]);
    expect(out[0]!.parsed).toBeNull();
    expect(out[1]!.parsed!.retry_after_s).toBe(3);
    expect(reconcileResets([])).toEqual([]);
  });
});
