import { UsageError } from '../../errors.js';

/**
 * The one parser for durations (`90s`, `15m`, `2h`, `7d`, `1h30m`, `500ms`) and instants (ISO-8601 or Unix
 * seconds), used by every flag that takes a time.
 */
const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

const DURATION_RE = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h|d|w))+$/;
const PART_RE = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/g;
// A calendar date with an optional time and zone; Date.parse alone accepts far too much ("1", "March 7").
const ISO_RE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/i;

export class DurationSyntaxError extends Error {
  constructor(
    readonly input: string,
    readonly expected: string,
  ) {
    super(`"${input}" is not ${expected}`);
    this.name = 'DurationSyntaxError';
  }
}

/** Tells a DurationSyntaxError by its name (it carries no code): callers switch on this, not instanceof. */
export function isDurationSyntaxError(err: unknown): err is DurationSyntaxError {
  return err instanceof Error && err.name === 'DurationSyntaxError';
}

/** Milliseconds in a duration such as "90s" or "1h30m". "0" alone is accepted. */
export function parseDuration(input: string): number {
  const text = input.trim().toLowerCase();
  if (text === '0') return 0;
  if (!DURATION_RE.test(text)) throw new DurationSyntaxError(input, 'a duration (e.g. 90s, 15m, 2h, 7d)');
  let total = 0;
  for (const [, amount, unit] of text.matchAll(PART_RE)) total += Number(amount) * UNIT_MS[unit!]!;
  if (!Number.isFinite(total)) throw new DurationSyntaxError(input, 'a duration of sensible size');
  return Math.round(total);
}

/** Epoch milliseconds of an ISO-8601 instant ("2026-01-02T03:04:05Z"; no zone means UTC) or Unix seconds. */
export function parseInstant(input: string): number {
  const text = input.trim();
  if (/^\d{9,11}$/.test(text)) return Number(text) * 1000;
  if (ISO_RE.test(text)) {
    const hasZone = /(?:Z|[+-]\d{2}:?\d{2})$/i.test(text) && text.length > 10;
    const normalised = text.replace(' ', 'T') + (hasZone || text.length === 10 ? '' : 'Z');
    const ms = Date.parse(text.length === 10 ? `${text}T00:00:00Z` : normalised);
    if (!Number.isNaN(ms)) return ms;
  }
  throw new DurationSyntaxError(input, 'an instant (ISO-8601 such as 2026-01-02T03:04:05Z, or Unix seconds)');
}

/**
 * A point in time given either as a duration from `now` ("15m", "-5m") or as an absolute instant.
 * Returns epoch milliseconds.
 */
export function parseTimeSpec(input: string, now: number): number {
  const text = input.trim();
  if (text === 'now') return now;
  const negative = text.startsWith('-');
  const body = negative || text.startsWith('+') ? text.slice(1) : text;
  try {
    const ms = parseDuration(body);
    return negative ? now - ms : now + ms;
  } catch {
    try {
      return parseInstant(text);
    } catch {
      throw new DurationSyntaxError(input, 'a duration (15m, 2h) or an instant (2026-01-02T03:04:05Z)');
    }
  }
}

/** "4m12s", "3h", "2d4h", "850ms": at most two units, for messages. */
export function formatDuration(ms: number): string {
  const abs = Math.abs(ms);
  if (abs < 1000) return `${Math.round(abs)}ms`;
  const units: [string, number][] = [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ];
  let rest = Math.floor(abs / 1000) * 1000;
  const parts: string[] = [];
  for (const [name, size] of units) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${name}`);
      rest %= size;
    }
    if (parts.length === 2) break;
    if (parts.length === 1 && rest === 0) break;
  }
  return parts.join('');
}

/** "in 14m" / "3h ago" relative to now. */
export function formatRelative(targetMs: number, nowMs: number): string {
  const delta = targetMs - nowMs;
  return delta >= 0 ? `in ${formatDuration(delta)}` : `${formatDuration(delta)} ago`;
}

/** ISO-8601 UTC without milliseconds when they are zero. */
export function formatInstant(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

/**
 * A duration given in a command-line flag, with the one message every command uses for a bad value
 * (a UsageError: exit 2). `positive` refuses zero.
 */
export function parseDurationFlag(flag: string, value: string, options: { positive?: boolean } = {}): number {
  let ms: number | undefined;
  try {
    ms = parseDuration(value);
  } catch {
    ms = undefined;
  }
  if (ms === undefined || (options.positive && ms <= 0)) {
    throw new UsageError(
      `${flag} "${value}" is not a ${options.positive ? 'positive ' : ''}duration (e.g. 90s, 15m, 2h)`,
      'ERR_USAGE_DURATION',
    );
  }
  return ms;
}

/** parseDurationFlag for a flag that may be absent. */
export function optionalDurationFlag(
  flag: string,
  value: string | undefined,
  options: { positive?: boolean } = {},
): number | undefined {
  return value === undefined ? undefined : parseDurationFlag(flag, value, options);
}
