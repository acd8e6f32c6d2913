import { parseItem, parseList, type BareItem } from 'structured-headers';
import type { AdvertisedPolicy, AdvertisedState, HeaderScheme } from '../types.js';
import { readResetDate, readResetNumber, type ResetReading } from '../reset.js';
import { parseHttpDate } from './http-date.js';
import {
  asItem,
  checkCount,
  checkNonNegative,
  has,
  parseErrorText,
  problem,
  single,
  combined,
  type FieldContext,
} from './fields.js';
import { windowOf } from './policy.js';

/**
 * The three-header dialects: a limit, a remaining count and a reset, one header each.
 * - draft -06 and earlier: `RateLimit-Limit` / `RateLimit-Remaining` / `RateLimit-Reset` — structured fields
 *   since -01 (`RateLimit-Limit: 10, 10;w=1, 50;w=60` in -01 … -03: the current limit first, then its policies;
 *   -04 moved the policies to `RateLimit-Policy`);
 *   express-rate-limit's draft-6; GitLab (an epoch `RateLimit-Reset` and an HTTP-date `RateLimit-ResetTime`).
 * - `X-RateLimit-*`: GitHub (epoch seconds, `X-RateLimit-Resource` names the quota), Okta, express-rate-limit's
 *   legacy headers (epoch seconds, ceil), Discord (`X-RateLimit-Reset` epoch with a fraction,
 *   `X-RateLimit-Reset-After` delta);
 * - `X-Rate-Limit-*`: X/Twitter (epoch seconds).
 * None of the X- headers is defined as a structured field, but their values (integers, decimals) are sf-items,
 * so the same library reads them; a reset that is not a number may be an HTTP-date.
 */

const WINDOW_KEYS = ['w', 'window'] as const;

export interface LegacyNames {
  scheme: HeaderScheme;
  limit: string;
  remaining: string;
  reset: string;
  /** Fallbacks for the reset: a delta (`x-ratelimit-reset-after`) or a date (`ratelimit-resettime`). */
  resetAfter?: string;
  resetTime?: string;
  /** Headers naming the quota, first found wins (GitHub's `x-ratelimit-resource`, Discord's `x-ratelimit-bucket`). */
  name?: readonly string[];
  /** The reset is defined as delta seconds (the drafts): another form is noted as non-conforming. */
  deltaOnly: boolean;
  /** Per-window headers, `x-ratelimit-limit-minute` / `x-ratelimit-remaining-minute` (Kong; -08 appendix A). */
  windowSuffixes?: boolean;
}

/** The window suffixes in use (Kong's rate-limiting plugin); a month and a year as Kong counts them. */
const SUFFIX_WINDOWS: readonly (readonly [string, number])[] = [
  ['second', 1],
  ['minute', 60],
  ['hour', 3600],
  ['day', 86_400],
  ['month', 30 * 86_400],
  ['year', 365 * 86_400],
];

export const LEGACY_DIALECTS: readonly LegacyNames[] = [
  {
    scheme: 'ietf-06',
    limit: 'ratelimit-limit',
    remaining: 'ratelimit-remaining',
    reset: 'ratelimit-reset',
    resetTime: 'ratelimit-resettime',
    // GitLab sends an epoch here; the older drafts say delta seconds but that is what is deployed.
    deltaOnly: false,
  },
  {
    scheme: 'x-ratelimit',
    limit: 'x-ratelimit-limit',
    remaining: 'x-ratelimit-remaining',
    reset: 'x-ratelimit-reset',
    resetAfter: 'x-ratelimit-reset-after',
    name: ['x-ratelimit-resource', 'x-ratelimit-bucket'],
    deltaOnly: false,
    windowSuffixes: true,
  },
  {
    scheme: 'x-rate-limit',
    limit: 'x-rate-limit-limit',
    remaining: 'x-rate-limit-remaining',
    reset: 'x-rate-limit-reset',
    deltaOnly: false,
  },
];

export function present(ctx: FieldContext, names: LegacyNames): boolean {
  const suffixed = names.windowSuffixes
    ? SUFFIX_WINDOWS.flatMap(([suffix]) => [`${names.limit}-${suffix}`, `${names.remaining}-${suffix}`])
    : [];
  return [names.limit, names.remaining, names.reset, names.resetAfter, names.resetTime, ...suffixed]
    .filter((n): n is string => n !== undefined)
    .some((n) => has(ctx, n));
}

export interface LegacyReading {
  states: AdvertisedState[];
  policies: AdvertisedPolicy[];
}

export function readLegacy(ctx: FieldContext, names: LegacyNames, anchor: number): LegacyReading {
  const policies: AdvertisedPolicy[] = [];
  const states: AdvertisedState[] = [];
  const limit = readLimit(ctx, names, policies);
  const remaining = readCount(ctx, names.remaining, names.scheme);
  const reset = readReset(ctx, names, anchor);
  const policy = (names.name ?? []).map((n) => single(ctx, n)).find((v) => v !== null && v !== '') ?? null;
  if (limit !== null || remaining !== null || reset !== null) {
    states.push({
      scheme: names.scheme,
      policy,
      limit,
      remaining,
      reset_s: reset?.reset_s ?? null,
      reset_form: reset?.reset_form ?? null,
      reset_raw: reset?.reset_raw ?? null,
      partition_key: null,
    });
  }
  if (names.windowSuffixes) readSuffixed(ctx, names, states, policies);
  return { states, policies };
}

/** `X-RateLimit-Limit-Minute: 5` + `X-RateLimit-Remaining-Minute: 4`: a policy and a state named "minute". */
function readSuffixed(
  ctx: FieldContext,
  names: LegacyNames,
  states: AdvertisedState[],
  policies: AdvertisedPolicy[],
): void {
  for (const [suffix, window_s] of SUFFIX_WINDOWS) {
    const quota = readCount(ctx, `${names.limit}-${suffix}`, names.scheme);
    const remaining = readCount(ctx, `${names.remaining}-${suffix}`, names.scheme);
    if (quota === null && remaining === null) continue;
    if (quota !== null) {
      policies.push({
        scheme: names.scheme,
        name: suffix,
        quota,
        window_s,
        quota_unit: null,
        partition_key: null,
      });
    }
    states.push({
      scheme: names.scheme,
      policy: suffix,
      limit: quota,
      remaining,
      reset_s: null,
      reset_form: null,
      reset_raw: null,
      partition_key: null,
    });
  }
}

/**
 * The limit, an sf-list: its first member is the limit now, further members (or the first, with `w`) are the
 * policies of -01 … -03 (`10, 10;w=1, 50;w=60`). A repeated header with one value ("60, 60") is fine.
 */
function readLimit(ctx: FieldContext, names: LegacyNames, policies: AdvertisedPolicy[]): number | null {
  const value = combined(ctx, names.limit);
  if (value === null) return null;
  let members;
  try {
    members = parseList(value);
  } catch (err) {
    problem(ctx, names.limit, value, parseErrorText(err, failure(names.scheme)));
    return null;
  }
  let limit: number | null = null;
  let plain: number | null = null;
  for (const [i, member] of members.entries()) {
    const item = asItem(member);
    if (item === null) {
      problem(ctx, names.limit, value, 'an inner list is not a limit');
      continue;
    }
    const c = checkCount(item[0], 'limit');
    if (!c.ok) {
      problem(ctx, names.limit, value, c.problem);
      continue;
    }
    if (i === 0) limit = c.value;
    if (WINDOW_KEYS.some((k) => item[1].has(k))) {
      const window_s = windowOf(ctx, names.limit, value, item[1], 'limit', WINDOW_KEYS);
      policies.push({
        scheme: names.scheme,
        name: null,
        quota: c.value,
        window_s,
        quota_unit: null,
        partition_key: null,
      });
    } else if (plain !== null && plain !== c.value) {
      problem(ctx, names.limit, value, 'several different limits without a window (w)');
      return null;
    } else {
      plain = c.value;
    }
  }
  if (members.length === 0) problem(ctx, names.limit, value, 'empty');
  return limit;
}

/** How a value that does not parse is named: the IETF fields are structured fields, the X- headers are not. */
function failure(scheme: HeaderScheme): string {
  return scheme === 'ietf-06' ? 'not a valid structured field' : 'not a number';
}

function readCount(ctx: FieldContext, name: string, scheme: HeaderScheme): number | null {
  const value = single(ctx, name);
  if (value === null) return null;
  const bare = itemValue(ctx, name, value, failure(scheme));
  if (bare === undefined) return null;
  const c = checkCount(bare, name.includes('remaining') ? 'remaining' : 'limit');
  if (c.ok) return c.value;
  problem(ctx, name, value, c.problem);
  return null;
}

/** An sf-item's bare value, or undefined (with a problem) when the value is not an sf-item. */
function itemValue(ctx: FieldContext, name: string, value: string, what: string): BareItem | undefined {
  try {
    return parseItem(value)[0];
  } catch (err) {
    problem(ctx, name, value, value.trim() === '' ? 'empty' : parseErrorText(err, what));
    return undefined;
  }
}

/** The main reset header, else the fallbacks; an unusable number is still returned (raw) when nothing better came. */
function readReset(ctx: FieldContext, names: LegacyNames, anchor: number): ResetReading | null {
  const main = readResetHeader(ctx, names.reset, anchor, names.deltaOnly);
  if (main?.reset_s != null) return main;
  const after = names.resetAfter === undefined ? null : readResetHeader(ctx, names.resetAfter, anchor, true);
  if (after?.reset_s != null) return after;
  const time = names.resetTime === undefined ? null : readResetHeader(ctx, names.resetTime, anchor, false);
  if (time?.reset_s != null) return time;
  return main ?? after ?? time;
}

function readResetHeader(
  ctx: FieldContext,
  name: string,
  anchor: number,
  deltaOnly: boolean,
): ResetReading | null {
  const value = single(ctx, name);
  if (value === null) return null;
  let reading: ResetReading;
  let bare: BareItem | undefined;
  try {
    bare = parseItem(value)[0];
  } catch {
    bare = undefined;
  }
  if (bare === undefined) {
    const dateMs = parseHttpDate(value);
    if (dateMs === null) {
      problem(ctx, name, value, 'neither a number nor an HTTP-date');
      return null;
    }
    reading = readResetDate(dateMs, anchor);
  } else {
    const c = checkNonNegative(bare, 'reset');
    if (!c.ok) {
      problem(ctx, name, value, c.problem);
      return null;
    }
    reading = readResetNumber(c.value, anchor, deltaOnly);
  }
  if (reading.problem !== null) problem(ctx, name, value, reading.problem);
  return reading.reset_s === null && reading.reset_raw === null ? null : reading;
}
