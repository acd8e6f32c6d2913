import { describe, expect, it } from 'vitest';
import {
  formatDuration,
  formatRelative,
  parseDuration,
  parseInstant,
  parseTimeSpec,
} from '../../src/lib/time/duration.js';

describe('parseDuration', () => {
  it.each([
    ['90s', 90_000],
    ['15m', 900_000],
    ['2h', 7_200_000],
    ['7d', 604_800_000],
    ['1w', 604_800_000],
    ['500ms', 500],
    ['1h30m', 5_400_000],
    ['1.5h', 5_400_000],
    ['0', 0],
    [' 30S ', 30_000],
  ])('%s → %i ms', (input, ms) => expect(parseDuration(input)).toBe(ms));

  it.each(['', '15', 'm', '15x', '-5m', '1h 30m', 'abc', '1e3s'])('rejects %j', (input) => {
    expect(() => parseDuration(input)).toThrow(/is not a duration/);
  });
});

describe('parseInstant', () => {
  it.each([
    ['2026-01-02T03:04:05Z', Date.UTC(2026, 0, 2, 3, 4, 5)],
    ['2026-01-02T03:04:05', Date.UTC(2026, 0, 2, 3, 4, 5)],
    ['2026-01-02T03:04:05.250Z', Date.UTC(2026, 0, 2, 3, 4, 5, 250)],
    ['2026-01-02T05:04:05+02:00', Date.UTC(2026, 0, 2, 3, 4, 5)],
    ['2026-01-02', Date.UTC(2026, 0, 2)],
    ['1700000000', 1_700_000_000_000],
  ])('%s', (input, ms) => expect(parseInstant(input)).toBe(ms));

  it.each(['March 7', '1', '2026-13-45T00:00:00Z', 'tomorrow'])('rejects %j', (input) => {
    expect(() => parseInstant(input)).toThrow(/is not an instant/);
  });
});

describe('parseTimeSpec', () => {
  const now = Date.UTC(2026, 10, 28, 12);
  it.each([
    ['15m', now + 900_000],
    ['+15m', now + 900_000],
    ['-5m', now - 300_000],
    ['now', now],
    ['2026-11-28T13:00:00Z', now + 3_600_000],
  ])('%s', (input, ms) => expect(parseTimeSpec(input, now)).toBe(ms));
  it('rejects nonsense', () => expect(() => parseTimeSpec('soon', now)).toThrow(/duration.*or an instant/));
});

describe('formatting', () => {
  it.each([
    [850, '850ms'],
    [252_000, '4m12s'],
    [3 * 3_600_000, '3h'],
    [2 * 86_400_000 + 4 * 3_600_000 + 5000, '2d4h'],
    [-252_000, '4m12s'],
  ])('formatDuration(%i) = %s', (ms, text) => expect(formatDuration(ms)).toBe(text));
  it('formatRelative', () => {
    expect(formatRelative(1_000 + 840_000, 1_000)).toBe('in 14m');
    expect(formatRelative(0, 3 * 3_600_000)).toBe('3h ago');
  });
});
