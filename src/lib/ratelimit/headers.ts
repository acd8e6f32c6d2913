import type {
  AdvertisedPolicy,
  AdvertisedState,
  HeaderMap,
  HeaderScheme,
  ObservedResponse,
  ParsedRateLimit,
} from './types.js';
import { HEADER_SCHEMES } from './types.js';
import { combined, has, indexHeaders, problem, single, type FieldContext } from './dialects/fields.js';
import { parseHttpDate } from './dialects/http-date.js';
import { readIetfRateLimit } from './dialects/ietf.js';
import { asDraft07, readDraft07RateLimit } from './dialects/ietf-07.js';
import { LEGACY_DIALECTS, present, readLegacy } from './dialects/legacy.js';
import { readPolicyField } from './dialects/policy.js';
import { anchorMs, reconcileResetForms } from './reset.js';
import { readRetryAfter } from './retry-after.js';

export { parseHttpDate } from './dialects/http-date.js';

/**
 * Everything the rate-limit headers of one response say, in every dialect present (types.ts lists them).
 * Pure and total: a malformed value becomes a `problems` entry and never a number, and nothing throws.
 * `at.receivedAtMs` (epoch ms on the probe's clock) anchors relative values when the response has no `Date`.
 */
export function parseRateLimitHeaders(headers: HeaderMap, at: { receivedAtMs: number }): ParsedRateLimit {
  const ctx: FieldContext = { fields: indexHeaders(headers), problems: [] };
  const dateMs = responseDate(ctx);
  const anchor = anchorMs(dateMs, Number.isFinite(at.receivedAtMs) ? at.receivedAtMs : 0);
  const states: AdvertisedState[] = [];
  const policies: AdvertisedPolicy[] = [];
  const schemes = new Set<HeaderScheme>();

  // `RateLimit`: the -07 dictionary or the -08+ list (told apart by shape, see ietf-07.ts).
  const rateLimit = combined(ctx, 'ratelimit');
  let draft07 = false;
  if (rateLimit !== null) {
    const dict = asDraft07(rateLimit);
    if (dict !== null) {
      draft07 = true;
      schemes.add('ietf-07');
      states.push(readDraft07RateLimit(ctx, rateLimit, dict, anchor));
    } else {
      schemes.add('ietf');
      states.push(...readIetfRateLimit(ctx, rateLimit, anchor));
    }
  }

  // `RateLimit-Policy`: named items belong to -08+, numbered ones to -07 or -06 (whichever else is present).
  if (has(ctx, 'ratelimit-policy')) {
    const legacyScheme: HeaderScheme = draft07 || !present(ctx, LEGACY_DIALECTS[0]!) ? 'ietf-07' : 'ietf-06';
    const read = readPolicyField(ctx, legacyScheme);
    if (read.ietf.length > 0) schemes.add('ietf');
    if (read.legacy.length > 0) schemes.add(legacyScheme);
    policies.push(...read.ietf, ...read.legacy);
  }

  for (const names of LEGACY_DIALECTS) {
    if (!present(ctx, names)) continue;
    schemes.add(names.scheme);
    const read = readLegacy(ctx, names, anchor);
    states.push(...read.states);
    policies.push(...read.policies);
  }

  let retry_after_s: number | null = null;
  let retry_after_form: ParsedRateLimit['retry_after_form'] = null;
  const retryAfter = single(ctx, 'retry-after');
  if (retryAfter !== null) {
    schemes.add('retry-after');
    const reading = readRetryAfter(retryAfter, anchor);
    if (reading.problem !== null) problem(ctx, 'retry-after', retryAfter, reading.problem);
    retry_after_s = reading.retry_after_s;
    retry_after_form = reading.retry_after_form;
  }

  fillLimits(states, policies);
  return {
    schemes: HEADER_SCHEMES.filter((s) => schemes.has(s)),
    policies,
    states: sortByScheme(states),
    retry_after_s,
    retry_after_form,
    problems: ctx.problems,
  };
}

/** The response's `Date` (RFC 9110 §6.6.1) as epoch ms; an unreadable one is a problem and is not used. */
function responseDate(ctx: FieldContext): number | null {
  const value = single(ctx, 'date');
  if (value === null) return null;
  const ms = parseHttpDate(value);
  if (ms === null) problem(ctx, 'date', value, 'not an HTTP-date');
  return ms;
}

/**
 * -08+ states carry no limit: it is the quota of the policy with the same name, when that policy came along
 * (RateLimit-Policy is optional in every response).
 */
function fillLimits(states: AdvertisedState[], policies: readonly AdvertisedPolicy[]): void {
  for (const state of states) {
    if (state.limit !== null || state.scheme !== 'ietf' || state.policy === null) continue;
    const policy = policies.find((p) => p.scheme === 'ietf' && p.name === state.policy);
    if (policy !== undefined) state.limit = policy.quota;
  }
}

function sortByScheme(states: AdvertisedState[]): AdvertisedState[] {
  const rank = (s: AdvertisedState) => HEADER_SCHEMES.indexOf(s.scheme);
  return states
    .map((s, i) => ({ s, i }))
    .sort((a, b) => rank(a.s) - rank(b.s) || a.i - b.i)
    .map(({ s }) => s);
}

/**
 * The state that governs a response: the one with the least remaining quota (the first to run out), else the
 * first (most standard dialect first). Null when the response advertised no state.
 */
export function primaryState(parsed: ParsedRateLimit | null): AdvertisedState | null {
  if (parsed === null) return null;
  let best: AdvertisedState | null = null;
  for (const state of parsed.states) {
    if (state.remaining === null) continue;
    if (best === null || state.remaining < (best.remaining ?? Infinity)) best = state;
  }
  return best ?? parsed.states[0] ?? null;
}

/**
 * Copies of a probe's responses with each reset's form decided across them (reset.ts) and `reset_s`
 * normalised accordingly; a changed response's timeline entry gets its primary state's corrected `reset_s`.
 */
export function reconcileResets(observed: readonly ObservedResponse[]): ObservedResponse[] {
  const { responses, changed } = reconcileResetForms(observed);
  for (const i of changed) {
    const response = responses[i]!;
    const primary = primaryState(response.parsed);
    if (primary !== null) response.entry.reset_s = primary.reset_s;
  }
  return responses;
}
