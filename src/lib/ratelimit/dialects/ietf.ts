import { parseList, type Parameters } from 'structured-headers';
import type { AdvertisedState } from '../types.js';
import { readResetNumber } from '../reset.js';
import { asItem, checkCount, nameOf, parseErrorText, problem, type FieldContext } from './fields.js';
import { partitionKey } from './policy.js';

/**
 * `RateLimit` in draft-ietf-httpapi-ratelimit-headers -08 … -10: an sf-list of service-limit items, one per
 * policy, `"burst";r=50;t=30` — the item is the policy's name, `r` the remaining quota units, `t` the delta
 * seconds until quota returns, `pk` the partition key. Unknown parameters are ignored (the drafts say so);
 * `q` is not defined here but is seen in the wild (-08 appendix "RateLimit header fields currently used on the
 * web"), so it is read as the limit when present.
 */

const FIELD = 'ratelimit';

export function readIetfRateLimit(ctx: FieldContext, value: string, anchor: number): AdvertisedState[] {
  let members;
  try {
    members = parseList(value);
  } catch (err) {
    problem(ctx, FIELD, value, parseErrorText(err));
    return [];
  }
  if (members.length === 0) problem(ctx, FIELD, value, 'empty list');
  const states: AdvertisedState[] = [];
  for (const member of members) {
    const item = asItem(member);
    const name = item === null ? null : nameOf(item[0]);
    if (item === null || name === null) {
      problem(ctx, FIELD, value, 'each member must name its policy ("name";r=…;t=…)');
      continue;
    }
    states.push(stateOf(ctx, value, name, item[1], anchor));
  }
  return states;
}

function stateOf(
  ctx: FieldContext,
  raw: string,
  name: string,
  params: Parameters,
  anchor: number,
): AdvertisedState {
  const state: AdvertisedState = {
    scheme: 'ietf',
    policy: name,
    limit: count(ctx, raw, params, 'q', `"${name}" quota (q)`),
    remaining: count(ctx, raw, params, 'r', `"${name}" remaining (r)`),
    reset_s: null,
    reset_form: null,
    reset_raw: null,
    partition_key: partitionKey(ctx, FIELD, raw, params.get('pk')),
  };
  const t = count(ctx, raw, params, 't', `"${name}" reset (t)`);
  if (t !== null) {
    const reading = readResetNumber(t, anchor, true);
    if (reading.problem !== null) problem(ctx, FIELD, raw, `"${name}" ${reading.problem}`);
    state.reset_s = reading.reset_s;
    state.reset_form = reading.reset_form;
    state.reset_raw = reading.reset_raw;
  }
  return state;
}

function count(ctx: FieldContext, raw: string, params: Parameters, key: string, what: string): number | null {
  if (!params.has(key)) return null;
  const c = checkCount(params.get(key), what);
  if (c.ok) return c.value;
  problem(ctx, FIELD, raw, c.problem);
  return null;
}
