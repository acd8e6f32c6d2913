import { isInnerList, parseDictionary, type Dictionary } from 'structured-headers';
import type { AdvertisedState } from '../types.js';
import { readResetNumber } from '../reset.js';
import { checkCount, problem, type FieldContext } from './fields.js';

/**
 * `RateLimit` in draft -07: an sf-dictionary `limit=100, remaining=50, reset=5` (express-rate-limit's
 * `standardHeaders: 'draft-7'` emits exactly this). `reset` is delta seconds. The policies travel separately in
 * `RateLimit-Policy: 100;w=10` (policy.ts).
 */

const FIELD = 'ratelimit';
const KEYS = ['limit', 'remaining', 'reset'] as const;

/**
 * Is this `RateLimit` value the -07 dictionary rather than a -08+ list? The -08 form `quota;t=1` (a token item)
 * also parses as a dictionary, so the test is for the -07 keys with values.
 */
export function asDraft07(value: string): Dictionary | null {
  let dict: Dictionary;
  try {
    dict = parseDictionary(value);
  } catch {
    return null;
  }
  const hasKey = KEYS.some((k) => {
    const member = dict.get(k);
    return member !== undefined && (isInnerList(member) || member[0] !== true);
  });
  return hasKey ? dict : null;
}

export function readDraft07RateLimit(
  ctx: FieldContext,
  value: string,
  dict: Dictionary,
  anchor: number,
): AdvertisedState {
  const numbers: Record<(typeof KEYS)[number], number | null> = { limit: null, remaining: null, reset: null };
  for (const key of KEYS) {
    const member = dict.get(key);
    if (member === undefined) continue;
    const c = checkCount(isInnerList(member) ? undefined : member[0], key);
    if (c.ok) numbers[key] = c.value;
    else problem(ctx, FIELD, value, c.problem);
  }
  const state: AdvertisedState = {
    scheme: 'ietf-07',
    policy: null,
    limit: numbers.limit,
    remaining: numbers.remaining,
    reset_s: null,
    reset_form: null,
    reset_raw: null,
    partition_key: null,
  };
  if (numbers.reset !== null) {
    const reading = readResetNumber(numbers.reset, anchor, true);
    if (reading.problem !== null) problem(ctx, FIELD, value, reading.problem);
    state.reset_s = reading.reset_s;
    state.reset_form = reading.reset_form;
    state.reset_raw = reading.reset_raw;
  }
  return state;
}
