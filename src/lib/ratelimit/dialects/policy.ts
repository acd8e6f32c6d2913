import { arrayBufferToBase64, parseList, type BareItem, type Parameters } from 'structured-headers';
import type { AdvertisedPolicy, HeaderScheme } from '../types.js';
import {
  asItem,
  checkCount,
  combined,
  nameOf,
  parseErrorText,
  problem,
  type FieldContext,
} from './fields.js';

/**
 * `RateLimit-Policy`, an sf-list in every revision that has it, with two shapes of member:
 * - -08 … -10: a named item, `"burst";q=100;w=60;qu="requests";pk=:…:` (the name an sf-string; a token in a
 *   few of the drafts' own examples, `quota;q=100;w=1`, so both are read);
 * - -04 … -07 (and express-rate-limit's draft-6/-7 output): an integer quota with a window, `100;w=10`
 *   (`burst=`, `comment=` and other extension parameters are ignored, as the drafts ask).
 * The second shape belongs to whichever older dialect the response otherwise speaks (`legacyScheme`).
 */

const POLICY = 'ratelimit-policy';

export interface PolicyReading {
  ietf: AdvertisedPolicy[];
  legacy: AdvertisedPolicy[];
}

export function readPolicyField(ctx: FieldContext, legacyScheme: HeaderScheme): PolicyReading {
  const out: PolicyReading = { ietf: [], legacy: [] };
  const value = combined(ctx, POLICY);
  if (value === null) return out;
  let members;
  try {
    members = parseList(value);
  } catch (err) {
    problem(ctx, POLICY, value, parseErrorText(err));
    return out;
  }
  if (members.length === 0) problem(ctx, POLICY, value, 'empty list');
  for (const member of members) {
    const item = asItem(member);
    if (item === null) {
      problem(ctx, POLICY, value, 'an inner list is not a policy');
      continue;
    }
    const [bare, params] = item;
    const name = nameOf(bare);
    if (name !== null) {
      const policy = namedPolicy(ctx, value, name, params);
      if (policy !== null) out.ietf.push(policy);
    } else if (typeof bare === 'number') {
      const policy = numberedPolicy(ctx, value, bare, params, legacyScheme);
      if (policy !== null) out.legacy.push(policy);
    } else {
      problem(ctx, POLICY, value, 'a policy is a name (-08 and later) or a quota (-07 and earlier)');
    }
  }
  return out;
}

function namedPolicy(
  ctx: FieldContext,
  raw: string,
  name: string,
  params: Parameters,
): AdvertisedPolicy | null {
  const q = checkCount(params.get('q'), `policy "${name}" quota (q)`);
  if (!q.ok) {
    problem(ctx, POLICY, raw, params.has('q') ? q.problem : `policy "${name}" has no quota (q)`);
    return null;
  }
  return {
    scheme: 'ietf',
    name,
    quota: q.value,
    window_s: windowOf(ctx, POLICY, raw, params, `policy "${name}"`),
    quota_unit: quotaUnit(ctx, raw, params.get('qu'), name),
    partition_key: partitionKey(ctx, POLICY, raw, params.get('pk')),
  };
}

function numberedPolicy(
  ctx: FieldContext,
  raw: string,
  quota: number,
  params: Parameters,
  scheme: HeaderScheme,
): AdvertisedPolicy | null {
  const q = checkCount(quota, 'policy quota');
  if (!q.ok) {
    problem(ctx, POLICY, raw, q.problem);
    return null;
  }
  return {
    scheme,
    name: null,
    quota: q.value,
    window_s: windowOf(ctx, POLICY, raw, params, 'policy'),
    quota_unit: null,
    partition_key: null,
  };
}

/**
 * `w`: a window in seconds, a positive integer (-09 made "non-zero" explicit; a zero window means nothing in any
 * revision, so it is reported everywhere). Absent is allowed. `keys` lets the legacy lists also accept
 * `window=`, which some servers send (WHOOP's `X-RateLimit-Limit: 100, 100;window=60, 10000;window=86400`).
 */
export function windowOf(
  ctx: FieldContext,
  header: string,
  raw: string,
  params: Parameters,
  what: string,
  keys: readonly string[] = ['w'],
): number | null {
  const key = keys.find((k) => params.has(k));
  if (key === undefined) return null;
  const w = checkCount(params.get(key), `${what} window (${key})`);
  if (!w.ok) {
    problem(ctx, header, raw, w.problem);
    return null;
  }
  if (w.value === 0) {
    problem(ctx, header, raw, `${what} window (${key}) is 0`);
    return null;
  }
  return w.value;
}

function quotaUnit(ctx: FieldContext, raw: string, qu: BareItem | undefined, name: string): string | null {
  if (qu === undefined) return null;
  const unit = nameOf(qu);
  if (unit === null) {
    problem(ctx, POLICY, raw, `policy "${name}" quota unit (qu) is not a string`);
    return null;
  }
  return unit;
}

/** `pk`: an sf-binary; kept as base64 (of the bytes: a non-canonical encoding is re-encoded canonically). */
export function partitionKey(
  ctx: FieldContext,
  header: string,
  raw: string,
  pk: BareItem | undefined,
): string | null {
  if (pk === undefined) return null;
  if (pk instanceof ArrayBuffer) return arrayBufferToBase64(pk);
  problem(ctx, header, raw, 'partition key (pk) is not a byte sequence');
  return null;
}
