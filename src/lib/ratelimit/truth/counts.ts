import { formatElapsed, formatRequests, formatSeconds, HEADER_NAMES } from '../format.js';
import type { AdvertisedState, Inference } from '../types.js';
import { mismatch, type RateLimitMismatch } from './kinds.js';
import {
  COUNT_SLACK,
  finite,
  fits,
  isWindowAlgorithm,
  lastKnownBefore,
  longSlackMs,
  MIN_RUN_FOR_COUNTDOWN,
  RELATIVE,
  ROUNDING_MS,
  stateKey,
  type Seen,
} from './seen.js';

/** The checks on the counts: the advertised limit and window against what was accepted, and remaining. */

/**
 * The advertised limit against the burst the probe measured from a fresh state (refill subtracted), within 20 %
 * and one request. When nothing was limited, the acceptances within the first response's reset (or the policy
 * window) are the lower bound on the real limit.
 */
export function limitAgainstBurst(seen: readonly Seen[], inferred: Inference): RateLimitMismatch[] {
  const ad = advertisedLimit(seen);
  if (ad === null) return [];
  const { limit, name, at } = ad;
  // The first response already says the quota was partly used: not a fresh state, the burst proves nothing.
  const remaining = at.primary?.remaining ?? null;
  if (remaining !== null && remaining + 1 < limit - (RELATIVE * limit + COUNT_SLACK)) return [];
  const burst = inferred.burst;
  if (burst !== null) {
    if (fits(limit, burst, COUNT_SLACK)) return [];
    const high = burst < limit;
    const observed = high
      ? `only ${burst} accepted back-to-back before requests were limited`
      : `${formatRequests(burst)} accepted back-to-back`;
    return [
      mismatch(
        high ? 'limit-too-high' : 'limit-too-low',
        formatRequests(limit),
        observed,
        `${name} said ${formatRequests(limit)}; ${high ? `only ${burst} were` : `${burst} were`} accepted back-to-back${high ? ' before requests were limited' : ''}`,
        [at.seq],
      ),
    ];
  }
  if (seen.some((r) => r.limited)) return [];
  const windowMs =
    ad.windowS !== null ? ad.windowS * 1000 : at.primary?.reset_s != null ? at.primary.reset_s * 1000 : null;
  const counted = seen.filter(
    (r) => r.accepted && (windowMs === null || r.sentAt < at.receivedAt + windowMs),
  );
  if (counted.length <= limit + RELATIVE * limit + COUNT_SLACK) return [];
  const within = windowMs === null ? '' : ` within ${formatElapsed(windowMs)}`;
  const observed = `${formatRequests(counted.length)} accepted${within}, none limited`;
  return [
    mismatch(
      'limit-too-low',
      formatRequests(limit),
      observed,
      `${name} said ${formatRequests(limit)}; ${counted.length} were accepted${within} and none was limited`,
      [at.seq, counted.at(-1)?.seq],
    ),
  ];
}

/** The limit the first response that advertises one states: its governing state's, else its smallest policy. */
function advertisedLimit(
  seen: readonly Seen[],
): { limit: number; name: string; windowS: number | null; at: Seen } | null {
  for (const r of seen) {
    const primary = r.primary;
    if (primary !== null && finite(primary.limit) !== null) {
      const policy = r.policies.find((p) => p.name === primary.policy && p.quota === primary.limit);
      return {
        limit: primary.limit!,
        name: HEADER_NAMES[primary.scheme].limit,
        windowS: policy?.window_s ?? null,
        at: r,
      };
    }
    const policies = r.policies.filter((p) => p.quota_unit === null || p.quota_unit === 'requests');
    if (policies.length > 0) {
      const smallest = policies.reduce((a, b) => (b.quota < a.quota ? b : a));
      const name = smallest.scheme.startsWith('ietf')
        ? 'RateLimit-Policy'
        : HEADER_NAMES[smallest.scheme].limit;
      return { limit: smallest.quota, name, windowS: smallest.window_s, at: r };
    }
  }
  return null;
}

/**
 * Before the first limited response, remaining must go down at least once across three or more accepted
 * responses of the same quota: the limit proves the requests were counted.
 */
export function remainingNotDecreasing(seen: readonly Seen[]): RateLimitMismatch | null {
  const firstLimited = seen.findIndex((r) => r.limited);
  if (firstLimited < 0) return null;
  const before = seen.slice(0, firstLimited).filter((r) => r.accepted && r.primary?.remaining != null);
  if (before.length === 0) return null;
  const key = stateKey(before[0]!.primary!);
  const run = before.filter((r) => stateKey(r.primary!) === key);
  if (run.length < MIN_RUN_FOR_COUNTDOWN) return null;
  const values = run.map((r) => r.primary!.remaining!);
  if (values.some((v, i) => i > 0 && v < values[i - 1]!)) return null;
  const name = HEADER_NAMES[run[0]!.primary!.scheme].remaining;
  const first = values[0]!;
  const last = values.at(-1)!;
  const advertised = first === last ? `${first} remaining throughout` : `${first}, then ${last} remaining`;
  const observed = `${run.length} accepted requests, then a limited one`;
  const said = first === last ? `stayed at ${first}` : `never went down (${first}, then ${last})`;
  return mismatch(
    'remaining-not-decreasing',
    advertised,
    observed,
    `${name} ${said} across ${run.length} accepted requests before requests were limited`,
    [run[0]!.seq, run.at(-1)!.seq, seen[firstLimited]!.seq],
  );
}

/**
 * At the limit, remaining should be 0: on the limited response itself (beyond one request of slack), and on the
 * last acceptance before a limited response once the acceptances sent in between are taken off.
 */
export function remainingAtTheLimit(seen: readonly Seen[]): RateLimitMismatch[] {
  const out: RateLimitMismatch[] = [];
  const onLimited = seen.find((r) => r.limited && (r.primary?.remaining ?? 0) > COUNT_SLACK);
  if (onLimited !== undefined) {
    const state = onLimited.primary!;
    const status = onLimited.status ?? 429;
    out.push(
      mismatch(
        'limited-with-remaining',
        `${formatRequests(state.remaining!)} remaining`,
        `a ${status} response`,
        `a ${status} response said ${formatRequests(state.remaining!)} remaining (${HEADER_NAMES[state.scheme].remaining})`,
        [onLimited.seq],
      ),
    );
  }
  for (let i = 0; i < seen.length; i++) {
    const l = seen[i]!;
    if (!l.limited || (i > 0 && seen[i - 1]!.limited) || (l.primary?.remaining ?? 0) > COUNT_SLACK) continue;
    const known = lastKnownBefore(seen, l);
    if (known === null || !known.accepted || known.primary?.remaining == null) continue;
    // Every acceptance the server may have counted after `known` and before `l`: in flight with either of them.
    const between = seen.filter(
      (r) => r !== known && r.accepted && r.receivedAt > known.sentAt && r.sentAt < l.receivedAt,
    ).length;
    const left = known.primary.remaining - between;
    if (left <= COUNT_SLACK) continue;
    const name = HEADER_NAMES[known.primary.scheme].remaining;
    const observed =
      between === 0 ? 'the next request was limited' : `${between + 1} requests later one was limited`;
    out.push(
      mismatch(
        'remaining-not-zero',
        `${formatRequests(known.primary.remaining)} remaining`,
        observed,
        `${name} said ${known.primary.remaining} on the last accepted response; ${observed}`,
        [known.seq, l.seq],
      ),
    );
    break;
  }
  return out;
}

/**
 * An accepted response said 0 remaining (`r=0`) and requests still succeeded after it. Refill explains some of
 * that: after a window's reset (less 1 s of rounding or 20 %), or at a token bucket's measured rate (20 % and two
 * requests of slack). Without either, it counts only when nothing was ever limited.
 */
export function zeroRemainingAccepted(seen: readonly Seen[], inferred: Inference): RateLimitMismatch | null {
  const events: { zero: Seen; state: AdvertisedState; next: Seen; early: boolean }[] = [];
  for (const next of seen) {
    if (!next.accepted) continue;
    const zero = lastKnownBefore(seen, next);
    const state = zero?.primary ?? null;
    if (zero === null || !zero.accepted || state === null || state.remaining !== 0) continue;
    const resetS = finite(state.reset_s);
    const early =
      resetS !== null && next.sentAt - zero.receivedAt < resetS * 1000 - longSlackMs(resetS * 1000);
    events.push({ zero, state, next, early });
  }
  if (events.length === 0) return null;
  let shown: typeof events = [];
  if (!inferred.limited || inferred.algorithm === 'none') {
    // Nothing is limited: r=0 before a reset still far off is false, and so is a steady r=0 with no reset.
    const early = events.filter((e) => e.early);
    const neverLimited = !seen.some((r) => r.limited);
    shown = early.length > 0 ? early : neverLimited && events.length >= 2 ? events : [];
  } else if (isWindowAlgorithm(inferred)) {
    shown = events.filter((e) => e.early);
  } else {
    const rate = inferred.sustained_rate_per_s;
    if (inferred.algorithm === 'token-bucket' && rate !== null && rate > 0 && inferred.confidence !== 'low') {
      const spanS = (events.at(-1)!.next.sentAt - events[0]!.zero.receivedAt) / 1000;
      if (events.length > rate * spanS * (1 + RELATIVE) + 2 * COUNT_SLACK) shown = events;
    }
  }
  if (shown.length === 0) return null;
  const first = shown[0]!;
  const resetS = finite(first.state.reset_s);
  const said =
    first.state.scheme === 'ietf'
      ? 'RateLimit said r=0'
      : `${HEADER_NAMES[first.state.scheme].remaining} said 0`;
  const reset = resetS === null ? '' : ` (reset in ${formatSeconds(resetS)})`;
  const delay = formatElapsed(first.next.sentAt - first.zero.receivedAt);
  const observed =
    shown.length === 1
      ? `the next request succeeded ${delay} later`
      : `${shown.length} requests succeeded after it, the first ${delay} later`;
  return mismatch(
    'zero-remaining-accepted',
    `0 remaining${reset}`,
    observed,
    `${said}${reset}; ${observed}`,
    [first.zero.seq, first.next.seq, shown.at(-1)!.next.seq],
  );
}

/** The window a policy advertises against the window the probe measured (window algorithms; 20 % and 1 s). */
export function policyWindow(seen: readonly Seen[], inferred: Inference): RateLimitMismatch | null {
  if (!isWindowAlgorithm(inferred) || inferred.window_s === null) return null;
  for (const r of seen) {
    const withWindow = r.policies.filter((p) => p.window_s !== null);
    if (withWindow.length === 0) continue;
    const named = withWindow.find(
      (p) => r.primary !== null && p.name !== null && p.name === r.primary.policy,
    );
    const policy = named ?? withWindow.reduce((a, b) => (b.quota < a.quota ? b : a));
    const w = policy.window_s!;
    if (fits(w * 1000, inferred.window_s * 1000, ROUNDING_MS)) return null;
    const header = policy.scheme.startsWith('ietf') ? 'RateLimit-Policy' : HEADER_NAMES[policy.scheme].limit;
    const observed = `the probe measured a window of ${formatElapsed(inferred.window_s * 1000)}`;
    return mismatch(
      'policy-window',
      `a window of ${formatSeconds(w)}`,
      observed,
      `${header} said a window of ${formatSeconds(w)}; ${observed}`,
      [r.seq],
    );
  }
  return null;
}
