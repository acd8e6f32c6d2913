import { headerDate } from './days.js';
import { parseHttpDate } from './http-date.js';
import { singleValue } from './single-value.js';
import type { HeaderDate, LifecycleProblem } from './types.js';

/**
 * `Sunset` (RFC 8594 §3): one HTTP-date (RFC 9110 §5.6.7), `Sat, 31 Dec 2018 23:59:59 GMT` — when the resource is
 * expected to stop answering. A past date is valid (the resource may go away at any time, RFC 8594 §3); a value
 * that is not an HTTP-date is a problem, never a guessed date. `nowMs` only settles the century of an RFC 850
 * two-digit year.
 */
export function parseSunset(
  lines: readonly string[],
  nowMs?: number,
): { value?: HeaderDate; problems: LifecycleProblem[] } {
  const one = singleValue('sunset', lines);
  if (one.value === undefined) return { problems: one.problems };
  const raw = one.value;
  const parsed = parseHttpDate(raw, nowMs);
  const value = parsed.ok ? headerDate(parsed.epochMs, raw) : undefined;
  if (value) return { value, problems: one.problems };
  // The most common mix-up: the Deprecation field's structured-field Date used for Sunset.
  const reason = /^@-?\d+$/.test(raw)
    ? 'a structured-field Date (the Deprecation syntax): RFC 8594 §3 wants an HTTP-date, e.g. "Sat, 31 Dec 2018 23:59:59 GMT"'
    : parsed.ok
      ? 'the date is out of range'
      : parsed.reason;
  return { problems: [...one.problems, { field: 'sunset', raw, reason }] };
}
