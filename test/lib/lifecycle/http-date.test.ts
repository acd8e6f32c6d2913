import { describe, expect, it } from 'vitest';
import { parseHttpDate } from '../../../src/lib/lifecycle/index.js';

/** RFC 9110 §5.6.7: the three forms a recipient must accept, strictly — and what Date.parse would let through. */

const RFC9110_EXAMPLE_MS = Date.UTC(1994, 10, 6, 8, 49, 37);

describe('parseHttpDate', () => {
  it.each([
    ['Sun, 06 Nov 1994 08:49:37 GMT', 'imf-fixdate'],
    ['Sunday, 06-Nov-94 08:49:37 GMT', 'rfc850'],
    ['Sun Nov  6 08:49:37 1994', 'asctime'],
  ])('reads RFC 9110’s own example %j (%s)', (value, form) => {
    expect(parseHttpDate(value)).toEqual({ ok: true, epochMs: RFC9110_EXAMPLE_MS, form });
  });

  it('reads RFC 8594’s example, whose weekday does not match its date (31 Dec 2018 was a Monday)', () => {
    expect(parseHttpDate('Sat, 31 Dec 2018 23:59:59 GMT')).toEqual({
      ok: true,
      epochMs: Date.UTC(2018, 11, 31, 23, 59, 59),
      form: 'imf-fixdate',
    });
  });

  it('reads asctime with a two-digit day (date3 allows 2DIGIT, so `06` too) and trims surrounding space', () => {
    expect(parseHttpDate(' Thu Feb 29 00:00:00 2024 ')).toMatchObject({
      ok: true,
      epochMs: Date.UTC(2024, 1, 29),
    });
    expect(parseHttpDate('Sun Nov 06 08:49:37 1994')).toMatchObject({
      ok: true,
      epochMs: RFC9110_EXAMPLE_MS,
    });
  });

  it('reads the leap day of a leap year and a leap second', () => {
    expect(parseHttpDate('Thu, 29 Feb 2024 12:00:00 GMT')).toMatchObject({ ok: true });
    expect(parseHttpDate('Sat, 31 Dec 2016 23:59:60 GMT')).toMatchObject({
      ok: true,
      epochMs: Date.UTC(2017, 0, 1),
    });
  });

  it('applies RFC 9110’s 50-year rule to the RFC 850 two-digit year when now is known', () => {
    const now = Date.UTC(2026, 0, 1);
    expect(parseHttpDate('Monday, 01-Jan-70 00:00:00 GMT', now)).toMatchObject({
      epochMs: Date.UTC(2070, 0, 1),
    });
    expect(parseHttpDate('Monday, 01-Jan-80 00:00:00 GMT', now)).toMatchObject({
      epochMs: Date.UTC(1980, 0, 1),
    });
    expect(parseHttpDate('Sunday, 01-Jan-30 00:00:00 GMT', now)).toMatchObject({
      epochMs: Date.UTC(2030, 0, 1),
    });
    // Without now: the common 70 pivot.
    expect(parseHttpDate('Monday, 01-Jan-70 00:00:00 GMT')).toMatchObject({ epochMs: Date.UTC(1970, 0, 1) });
  });

  it.each([
    ['ISO 8601', '2026-06-30'],
    ['ISO 8601 with time', '2026-06-30T23:59:59Z'],
    ['a bare year, which Date.parse reads', '2018'],
    ['a number', '1688169599'],
    ['words', 'tomorrow'],
    ['empty', ''],
    ['lower-case names (HTTP-date is case-sensitive)', 'sun, 06 nov 1994 08:49:37 gmt'],
    ['a one-digit day in IMF-fixdate', 'Sun, 6 Nov 1994 08:49:37 GMT'],
    ['a two-digit year in IMF-fixdate', 'Sun, 06 Nov 94 08:49:37 GMT'],
    ['UTC instead of GMT', 'Sun, 06 Nov 1994 08:49:37 UTC'],
    ['a numeric zone', 'Sun, 06 Nov 1994 08:49:37 +0000'],
    ['no zone', 'Sun, 06 Nov 1994 08:49:37'],
    ['no weekday', '06 Nov 1994 08:49:37 GMT'],
    ['a long weekday in IMF-fixdate', 'Sunday, 06 Nov 1994 08:49:37 GMT'],
    ['a short weekday in RFC 850', 'Sun, 06-Nov-94 08:49:37 GMT'],
    ['a made-up weekday', 'Sud, 06 Nov 1994 08:49:37 GMT'],
    ['a full month name', 'Sun, 06 November 1994 08:49:37 GMT'],
    ['no seconds', 'Sun, 06 Nov 1994 08:49 GMT'],
    ['two spaces', 'Sun,  06 Nov 1994 08:49:37 GMT'],
    ['trailing garbage', 'Sun, 06 Nov 1994 08:49:37 GMT x'],
    ['asctime with one space before a one-digit day', 'Sun Nov 6 08:49:37 1994'],
  ])('rejects %s: %j', (_what, value) => {
    const result = parseHttpDate(value);
    expect(result.ok).toBe(false);
    expect(result).toMatchObject({ reason: expect.stringContaining('RFC 9110 §5.6.7') });
  });

  it.each([
    ['31 February', 'Tue, 31 Feb 2026 00:00:00 GMT', 'day 31 does not exist in Feb 2026'],
    ['29 February of a common year', 'Thu, 29 Feb 2025 00:00:00 GMT', 'day 29 does not exist in Feb 2025'],
    ['day 00', 'Thu, 00 Jan 2026 00:00:00 GMT', 'day 00 does not exist'],
    ['hour 24', 'Thu, 01 Jan 2026 24:00:00 GMT', 'out of range'],
    ['minute 60', 'Thu, 01 Jan 2026 23:60:00 GMT', 'out of range'],
    ['second 61', 'Thu, 01 Jan 2026 23:59:61 GMT', 'out of range'],
  ])('rejects a date that does not exist (%s) rather than rolling it over', (_what, value, reason) => {
    expect(parseHttpDate(value)).toEqual({ ok: false, reason: expect.stringContaining(reason) });
  });
});
