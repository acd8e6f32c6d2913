import { describe, expect, it } from 'vitest';
import { parseDeprecation, parseSunset } from '../../../src/lib/lifecycle/index.js';

/** Deprecation (RFC 9745 §2.1, a structured-field Date) and Sunset (RFC 8594 §3, an HTTP-date). */

describe('parseDeprecation', () => {
  it('reads RFC 9745 §2.1’s example `@1688169599` as 2023-06-30T23:59:59Z', () => {
    expect(parseDeprecation(['@1688169599'])).toEqual({
      value: {
        at: { iso: '2023-06-30T23:59:59.000Z', epochMs: 1688169599000, raw: '@1688169599' },
        raw: '@1688169599',
      },
      problems: [],
    });
  });

  it('trims the value and ignores unknown parameters (RFC 9651 §3.1.2)', () => {
    expect(parseDeprecation(['  @1688169599 '])).toMatchObject({ value: { at: { epochMs: 1688169599000 } } });
    expect(parseDeprecation(['@1688169599;reason="v1";x=1'])).toMatchObject({
      value: { at: { epochMs: 1688169599000 } },
      problems: [],
    });
  });

  it('reads a future date as a date (the caller decides it is scheduled)', () => {
    expect(parseDeprecation(['@4102444800']).value?.at?.iso).toBe('2100-01-01T00:00:00.000Z');
  });

  it('absent: no value, no problem', () => {
    expect(parseDeprecation([])).toEqual({ problems: [] });
  });

  it.each([
    ['true', { legacy: 'true', raw: 'true' }],
    ['?1', { legacy: 'true', raw: '?1' }],
    [
      'Sun, 11 Nov 2018 23:59:59 GMT',
      {
        legacy: 'http-date',
        raw: 'Sun, 11 Nov 2018 23:59:59 GMT',
        at: { epochMs: Date.UTC(2018, 10, 11, 23, 59, 59) },
      },
    ],
  ])('reads the pre-RFC draft form %j and reports it as legacy', (raw, value) => {
    const parsed = parseDeprecation([raw]);
    expect(parsed.value).toMatchObject(value);
    expect(parsed.problems).toEqual([
      { field: 'deprecation', raw, reason: expect.stringContaining('@1688169599'), legacy: true },
    ]);
  });

  it.each([
    ['an integer without @', '1688169599', 'a number, not a structured-field Date'],
    ['a decimal date', '@1688169599.5', 'not a structured-field Date'],
    ['@ with letters', '@abc', 'not a structured-field Date'],
    ['an ISO date', '2023-06-30', 'not a structured-field Date'],
    ['a string', '"2023-06-30"', 'not a structured-field Date'],
    ['a token', 'yes', 'not a structured-field Date'],
    ['false', 'false', 'read as not deprecated'],
    ['more than 15 digits', '@9999999999999999', 'not a structured-field Date'],
    ['a date beyond what a Date holds', '@999999999999999', 'out of range'],
    ['a list', '@1688169599, @1688169600', 'not a structured-field Date'],
    ['a date with broken parameters', '@1688169599;=', 'not a structured-field Date'],
    ['an empty value', '', 'empty value'],
    ['control characters', '@16881\u0000\u001b[31m', 'not a structured-field Date'],
  ])('reports %s (%j) as a problem, with no value', (_what, raw, reason) => {
    const parsed = parseDeprecation([raw]);
    expect(parsed.value).toBeUndefined();
    expect(parsed.problems).toEqual([
      { field: 'deprecation', raw: raw.trim(), reason: expect.stringContaining(reason) },
    ]);
  });

  it('reads identical repeated lines once and reports the repetition', () => {
    const parsed = parseDeprecation(['@1688169599', '@1688169599']);
    expect(parsed.value?.at?.epochMs).toBe(1688169599000);
    expect(parsed.problems).toEqual([
      {
        field: 'deprecation',
        raw: '@1688169599, @1688169599',
        reason: expect.stringContaining('sent 2 times'),
      },
    ]);
  });

  it('reads none of several different lines: picking one would be a guess', () => {
    const parsed = parseDeprecation(['@1688169599', '@1700000000']);
    expect(parsed.value).toBeUndefined();
    expect(parsed.problems).toEqual([
      {
        field: 'deprecation',
        raw: '@1688169599, @1700000000',
        reason: expect.stringContaining('different values'),
      },
    ]);
  });
});

describe('parseSunset', () => {
  it('reads RFC 8594 §3’s example `Sat, 31 Dec 2018 23:59:59 GMT`', () => {
    expect(parseSunset(['Sat, 31 Dec 2018 23:59:59 GMT'])).toEqual({
      value: {
        iso: '2018-12-31T23:59:59.000Z',
        epochMs: Date.UTC(2018, 11, 31, 23, 59, 59),
        raw: 'Sat, 31 Dec 2018 23:59:59 GMT',
      },
      problems: [],
    });
  });

  it('reads RFC 9745 §5’s Sunset example and the obsolete forms', () => {
    expect(parseSunset(['Sun, 30 Jun 2024 23:59:59 GMT']).value?.iso).toBe('2024-06-30T23:59:59.000Z');
    expect(parseSunset(['Sunday, 06-Nov-94 08:49:37 GMT']).value?.iso).toBe('1994-11-06T08:49:37.000Z');
    expect(parseSunset(['Sun Nov  6 08:49:37 1994']).value?.iso).toBe('1994-11-06T08:49:37.000Z');
  });

  it('settles an RFC 850 two-digit year with now', () => {
    expect(parseSunset(['Thursday, 01-Jan-37 00:00:00 GMT'], Date.UTC(2026, 0, 1)).value?.iso).toBe(
      '2037-01-01T00:00:00.000Z',
    );
  });

  it.each([
    ['the Deprecation syntax', '@1688169599', 'the Deprecation syntax'],
    ['ISO 8601', '2026-06-30', 'not an HTTP-date'],
    ['a number', '1688169599', 'not an HTTP-date'],
    ['lower case', 'sat, 31 dec 2018 23:59:59 gmt', 'not an HTTP-date'],
    ['a day that does not exist', 'Mon, 30 Feb 2026 00:00:00 GMT', 'does not exist'],
    ['words', 'soon', 'not an HTTP-date'],
    ['empty', '   ', 'empty value'],
  ])('reports %s (%j) as a problem, with no value', (_what, raw, reason) => {
    const parsed = parseSunset([raw]);
    expect(parsed.value).toBeUndefined();
    expect(parsed.problems).toEqual([
      { field: 'sunset', raw: raw.trim(), reason: expect.stringContaining(reason) },
    ]);
  });

  it('reads none of two different Sunset lines', () => {
    const parsed = parseSunset(['Sat, 31 Dec 2018 23:59:59 GMT', 'Sun, 30 Jun 2024 23:59:59 GMT']);
    expect(parsed.value).toBeUndefined();
    expect(parsed.problems).toHaveLength(1);
  });
});
