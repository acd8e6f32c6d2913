import { primaryState } from './headers.js';
import type {
  AdvertisedPolicy,
  AdvertisedState,
  HeaderScheme,
  Inference,
  Mismatch,
  ObservedResponse,
} from './types.js';

/**
 * Header truthfulness: what the rate-limit headers advertise (limit, remaining, reset, Retry-After, the policy's
 * window) against what the probe saw happen. Pure: the timeline and the inference in, mismatches out.
 *
 * The probe never sends while the server has asked it to wait, so a hint that is too long cannot be shown by a
 * request that succeeded early; it is shown by other evidence instead — a reset hint on the same response that
 * says sooner, or the window or refill the probe measured. A hint that is too short is shown directly: the
 * probe waited it and was still limited.
 *
 * Every comparison has a tolerance that a truthful server on a loaded machine or a slow network stays inside:
 * - RELATIVE (20 %) on every duration and count; a number the inference measured is itself within 20 % of the
 *   truth (the issue's tolerance), so the truth behind it is taken to lie in [measured ÷ 1.2, measured ÷ 0.8];
 * - ROUNDING_MS (1 s) for hints written in whole seconds: RFC 9110 §10.2.3 delay-seconds, the drafts' `t`,
 *   epoch-second resets — a server that rounds up honestly says up to a second more than it means; 2 s for a
 *   Retry-After HTTP-date (its instant and the response's `Date` both have a one-second resolution);
 * - SHORT_SLACK_MS (0.5 s, or 20 % of the wait) on "still limited after waiting": timer and network jitter on
 *   the probe's wait and a fractional wait rounded down a little;
 * - COUNT_SLACK (1 request) on counts: servers that report remaining before taking the current request; with
 *   requests in flight at once, every acceptance that overlapped is also allowed for;
 * - CLOCK_SLACK_MS (1 ms) when ordering a send after an arrival on a whole-millisecond clock.
 * Checks that lean on the inference (its window, its refill rate) stay silent when its confidence is low.
 */

const RELATIVE = 0.2;
const ROUNDING_MS = 1000;
const SHORT_SLACK_MS = 500;
const COUNT_SLACK = 1;
/**
 * Send and arrival times compare within this much: the probe's clock may tick in whole milliseconds while
 * latencies are fractional, so a response can seem to arrive after the next request, sent on the same tick.
 */
const CLOCK_SLACK_MS = 1;
/** A countdown is judged only across at least this much time: below it, whole-second rounding hides it. */
const MIN_COUNTDOWN_SPAN_MS = 2000;
/** Fewer accepted responses than this say nothing about whether remaining goes down. */
const MIN_RUN_FOR_COUNTDOWN = 3;

/** The checks, each a stable id: the finding for a mismatch is `ratelimit.<kind>`. */
export const MISMATCH_KINDS = [
  'retry-after-too-short',
  'retry-after-too-long',
  'reset-too-short',
  'reset-too-long',
  'reset-not-counting-down',
  'limit-too-high',
  'limit-too-low',
  'remaining-not-decreasing',
  'remaining-not-zero',
  'zero-remaining-accepted',
  'limited-with-remaining',
  'policy-window',
] as const;
export type MismatchKind = (typeof MISMATCH_KINDS)[number];

export const MISMATCH_FIELD: Readonly<Record<MismatchKind, Mismatch['field']>> = {
  'retry-after-too-short': 'retry-after',
  'retry-after-too-long': 'retry-after',
  'reset-too-short': 'reset',
  'reset-too-long': 'reset',
  'reset-not-counting-down': 'reset',
  'limit-too-high': 'limit',
  'limit-too-low': 'limit',
  'remaining-not-decreasing': 'remaining',
  'remaining-not-zero': 'remaining',
  'zero-remaining-accepted': 'remaining',
  'limited-with-remaining': 'remaining',
  'policy-window': 'policy',
};

/** A mismatch as this module builds it: always with its kind and the entries that show it. */
export interface RateLimitMismatch extends Mismatch {
  kind: MismatchKind;
  seq: number[];
}

export function isMismatchKind(kind: string | undefined): kind is MismatchKind {
  return (MISMATCH_KINDS as readonly string[]).includes(kind ?? '');
}

/** Each check reports at most once (its clearest case), in MISMATCH_KINDS order. */
export function findMismatches(observed: readonly ObservedResponse[], inferred: Inference): Mismatch[] {
  const seen = see(observed);
  // A reset that does not count down is no yardstick for Retry-After.
  const stuckReset = resetNotCountingDown(seen, inferred);
  const resetReliable = stuckReset === null;
  const found: (RateLimitMismatch | null)[] = [
    hintTooShort(seen, 'retry-after') ?? (resetReliable ? retryAfterBelowReset(seen, inferred) : null),
    retryAfterTooLong(seen, inferred, resetReliable),
    hintTooShort(seen, 'reset'),
    resetTooLong(seen, inferred),
    stuckReset,
    ...limitAgainstBurst(seen, inferred),
    remainingNotDecreasing(seen),
    ...remainingAtTheLimit(seen),
    zeroRemainingAccepted(seen, inferred),
    policyWindow(seen, inferred),
  ];
  const order = (m: RateLimitMismatch) => MISMATCH_KINDS.indexOf(m.kind);
  return found.filter((m): m is RateLimitMismatch => m !== null).sort((a, b) => order(a) - order(b));
}

// ---------------------------------------------------------------------------------------------------------------
// Formatting for people: every number with its unit, nothing the server wrote.

/** An advertised number of seconds: `60 s`, `2.5 s`. */
export function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return 'an unusable number of seconds';
  if (Number.isInteger(s)) return `${s} s`;
  return `${Math.abs(s) < 1 ? String(Math.round(s * 100) / 100) : s.toFixed(1)} s`;
}

/** A measured span: `2.0 s`, `12.3 s`; below a tenth of a second in ms (`40 ms`). */
export function formatElapsed(ms: number): string {
  if (!Number.isFinite(ms)) return 'an unknown time';
  if (Math.abs(ms) < 100) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(1)} s`;
}

/** `1 request`, `100 requests`. */
export function formatRequests(n: number): string {
  return n === 1 ? '1 request' : `${n} requests`;
}

/** `6.0 requests/s`. */
export function formatRate(perS: number): string {
  return `${perS.toFixed(perS >= 10 ? 0 : 1)} requests/s`;
}

/** What people call each number of each dialect (a name, never a value). */
const NAMES: Readonly<Record<HeaderScheme, { limit: string; remaining: string; reset: string }>> = {
  ietf: { limit: 'RateLimit-Policy q', remaining: 'RateLimit r', reset: 'RateLimit t' },
  'ietf-07': { limit: 'RateLimit limit', remaining: 'RateLimit remaining', reset: 'RateLimit reset' },
  'ietf-06': { limit: 'RateLimit-Limit', remaining: 'RateLimit-Remaining', reset: 'RateLimit-Reset' },
  'x-ratelimit': {
    limit: 'X-RateLimit-Limit',
    remaining: 'X-RateLimit-Remaining',
    reset: 'X-RateLimit-Reset',
  },
  'x-rate-limit': {
    limit: 'X-Rate-Limit-Limit',
    remaining: 'X-Rate-Limit-Remaining',
    reset: 'X-Rate-Limit-Reset',
  },
  'retry-after': { limit: 'Retry-After', remaining: 'Retry-After', reset: 'Retry-After' },
};

/** The header a check is about, for evidence (lower case, as HeaderMap spells it). */
export function headerOf(scheme: HeaderScheme, what: 'limit' | 'remaining' | 'reset' | 'policy'): string {
  if (what === 'policy' || (scheme === 'ietf' && what === 'limit')) {
    return scheme === 'x-ratelimit' || scheme === 'x-rate-limit'
      ? NAMES[scheme].limit.toLowerCase()
      : 'ratelimit-policy';
  }
  if (scheme === 'ietf' || scheme === 'ietf-07') return 'ratelimit';
  return NAMES[scheme][what].toLowerCase();
}

// ---------------------------------------------------------------------------------------------------------------
// The timeline as the checks read it.

interface Seen {
  seq: number;
  /** Epoch ms on the probe's clock. */
  sentAt: number;
  receivedAt: number;
  status: number | null;
  accepted: boolean;
  limited: boolean;
  states: readonly AdvertisedState[];
  policies: readonly AdvertisedPolicy[];
  /** The state that governs (least remaining). */
  primary: AdvertisedState | null;
  /** Of the states at 0 remaining, the one whose quota returns last: what a limited client waits for. */
  exhausted: AdvertisedState | null;
  retryAfterS: number | null;
  /**
   * How much a truthful Retry-After may overstate the wait: 1 s for delay-seconds (rounded up); 2 s for an
   * HTTP-date, whose instant and the response's `Date` each have a one-second resolution.
   */
  retryAfterRoundingMs: number;
}

/** Answered responses in the order they were sent (transport failures say nothing about headers). */
function see(observed: readonly ObservedResponse[]): Seen[] {
  return observed
    .filter((o) => o.entry.outcome !== 'failed')
    .map((o): Seen => {
      const states = o.parsed?.states ?? [];
      return {
        seq: o.entry.seq,
        sentAt: o.received_at_ms - (o.entry.latency_ms ?? 0),
        receivedAt: o.received_at_ms,
        status: o.entry.status,
        accepted: o.entry.outcome === 'accepted' || o.entry.outcome === 'queued',
        limited: o.entry.outcome === 'limited',
        states,
        policies: o.parsed?.policies ?? [],
        primary: primaryState(o.parsed),
        exhausted: exhaustedState(states),
        retryAfterS: finite(o.parsed?.retry_after_s ?? null),
        retryAfterRoundingMs: o.parsed?.retry_after_form === 'http-date' ? 2 * ROUNDING_MS : ROUNDING_MS,
      };
    })
    .sort((a, b) => a.seq - b.seq);
}

function exhaustedState(states: readonly AdvertisedState[]): AdvertisedState | null {
  let best: AdvertisedState | null = null;
  for (const s of states) {
    if (s.remaining !== 0) continue;
    if (best === null || (s.reset_s ?? -1) > (best.reset_s ?? -1)) best = s;
  }
  return best;
}

function finite(n: number | null): number | null {
  return n !== null && Number.isFinite(n) ? n : null;
}

function stateKey(s: AdvertisedState): string {
  return `${s.scheme}\u0000${s.policy ?? ''}`;
}

/**
 * What happened after a limited response, among the requests sent once it had arrived (earlier ones were in
 * flight and did not wait): the limited ones until the first acceptance, and that acceptance.
 */
function afterwards(seen: readonly Seen[], limited: Seen): { stillLimited: Seen[]; recovered: Seen | null } {
  const stillLimited: Seen[] = [];
  for (const r of seen) {
    if (r.seq <= limited.seq || !inHandAt(seen, limited, r.sentAt)) continue;
    if (r.accepted) return { stillLimited, recovered: r };
    if (r.limited) stillLimited.push(r);
  }
  return { stillLimited, recovered: null };
}

/**
 * Whether response `s` had arrived when a request went out at `atMs`. Within the clock's tick the order is
 * certain only when `s` was alone in flight (a back-to-back run); with requests overlapping it, it is not.
 */
function inHandAt(seen: readonly Seen[], s: Seen, atMs: number): boolean {
  if (s.receivedAt <= atMs) return true;
  if (s.receivedAt > atMs + CLOCK_SLACK_MS) return false;
  return seen.every(
    (u) =>
      u === s ||
      (u.seq < s.seq && u.receivedAt <= s.sentAt + CLOCK_SLACK_MS) ||
      (u.seq > s.seq && u.sentAt >= s.receivedAt - CLOCK_SLACK_MS),
  );
}

/** The last answered response the probe had in hand when it sent `r` (null when none had arrived). */
function lastKnownBefore(seen: readonly Seen[], r: Seen): Seen | null {
  let best: Seen | null = null;
  for (const s of seen) {
    if (s.seq >= r.seq || !inHandAt(seen, s, r.sentAt)) continue;
    if (best === null || s.receivedAt > best.receivedAt) best = s;
  }
  return best;
}

/** Slack on a wait that is too long: whole-second rounding or 20 %, whichever is more. */
function longSlackMs(waitMs: number, roundingMs = ROUNDING_MS): number {
  return Math.max(RELATIVE * waitMs, roundingMs);
}

/**
 * Whether an advertised number fits one the probe measured: the measurement is within 20 % of the truth, so the
 * truth lies in [measured ÷ 1.2, measured ÷ 0.8], widened by `slack` (rounding, off-by-one).
 */
function fits(advertised: number, measured: number, slack: number): boolean {
  return advertised >= measured / (1 + RELATIVE) - slack && advertised <= upperBound(measured, slack);
}

function upperBound(measured: number, slack: number): number {
  return measured / (1 - RELATIVE) + slack;
}

function mismatch(
  kind: MismatchKind,
  advertised: string,
  observed: string,
  message: string,
  seq: (number | undefined)[],
): RateLimitMismatch {
  const ids = [...new Set(seq.filter((s): s is number => s !== undefined))].sort((a, b) => a - b);
  return { field: MISMATCH_FIELD[kind], advertised, observed, message, kind, seq: ids };
}

/** What the inference measured that bounds a wait, when it is sure enough to accuse a header with it. */
function measuredWait(inferred: Inference): { s: number; what: string } | null {
  if (!inferred.limited || inferred.confidence === 'low') return null;
  const windowAlgorithm = inferred.algorithm === 'fixed-window' || inferred.algorithm === 'sliding-window';
  if (windowAlgorithm && inferred.window_s !== null && inferred.window_s > 0) {
    return {
      s: inferred.window_s,
      what: `the probe measured a window of ${formatElapsed(inferred.window_s * 1000)}`,
    };
  }
  const rate = inferred.sustained_rate_per_s;
  if (inferred.algorithm === 'token-bucket' && rate !== null && rate > 0) {
    return {
      s: 1 / rate,
      what: `the probe measured a refill of ${formatRate(rate)} (one request every ${formatElapsed(1000 / rate)})`,
    };
  }
  return null;
}

function isWindowAlgorithm(inferred: Inference): boolean {
  return (
    inferred.confidence !== 'low' &&
    (inferred.algorithm === 'fixed-window' || inferred.algorithm === 'sliding-window')
  );
}

// ---------------------------------------------------------------------------------------------------------------
// The checks.

/**
 * Retry-After (or the reset of an exhausted quota) on a limited response is too short when a request sent after
 * waiting it — and a little more — was still limited. Reported for the response that undershot the most.
 */
function hintTooShort(seen: readonly Seen[], hint: 'retry-after' | 'reset'): RateLimitMismatch | null {
  let best: { excessMs: number; m: RateLimitMismatch } | null = null;
  for (const l of seen) {
    if (!l.limited) continue;
    const s = hint === 'retry-after' ? l.retryAfterS : finite(l.exhausted?.reset_s ?? null);
    if (s === null) continue;
    const waitMs = s * 1000;
    const { stillLimited, recovered } = afterwards(seen, l);
    const last = stillLimited.at(-1);
    if (last === undefined) continue;
    const stillMs = last.sentAt - l.receivedAt;
    if (stillMs < waitMs + Math.max(RELATIVE * waitMs, SHORT_SLACK_MS)) continue;
    const excessMs = stillMs - waitMs;
    if (best !== null && best.excessMs >= excessMs) continue;
    const name = hint === 'retry-after' ? 'Retry-After' : NAMES[l.exhausted!.scheme].reset;
    const observed =
      `still limited after ${formatElapsed(stillMs)}` +
      (recovered ? `, accepted again after ${formatElapsed(recovered.sentAt - l.receivedAt)}` : '');
    best = {
      excessMs,
      m: mismatch(
        hint === 'retry-after' ? 'retry-after-too-short' : 'reset-too-short',
        formatSeconds(s),
        observed,
        `${name} said ${formatSeconds(s)}; requests were ${observed}`,
        [l.seq, last.seq, recovered?.seq],
      ),
    };
  }
  return best?.m ?? null;
}

/**
 * Under a window algorithm, quota returns when the window's reset says, so a Retry-After on the same limited
 * response that says sooner (beyond 1 s of rounding or 20 %) is too short even when the probe, waiting for the
 * later of the two, never showed it directly — unless the reset is itself longer than the measured window. Not
 * for token buckets: their reset commonly means "until full".
 */
function retryAfterBelowReset(seen: readonly Seen[], inferred: Inference): RateLimitMismatch | null {
  if (!isWindowAlgorithm(inferred)) return null;
  // A reset longer than the measured window is the liar here (resetTooLong says so), not the Retry-After.
  const measured = measuredWait(inferred);
  const believable = (resetMs: number) =>
    measured === null || resetMs <= upperBound(measured.s * 1000, ROUNDING_MS);
  let worst: { underMs: number; l: Seen; reset: AdvertisedState } | null = null;
  for (const l of seen) {
    const resetS = finite(l.exhausted?.reset_s ?? null);
    if (!l.limited || l.retryAfterS === null || resetS === null || !believable(resetS * 1000)) continue;
    const underMs = resetS * 1000 - l.retryAfterS * 1000;
    if (underMs <= longSlackMs(resetS * 1000)) continue;
    if (worst === null || underMs > worst.underMs) worst = { underMs, l, reset: l.exhausted! };
  }
  if (worst === null) return null;
  const { l, reset } = worst;
  const observed = `${NAMES[reset.scheme].reset} on the same response said ${formatSeconds(reset.reset_s!)}`;
  return mismatch(
    'retry-after-too-short',
    formatSeconds(l.retryAfterS!),
    observed,
    `Retry-After said ${formatSeconds(l.retryAfterS!)}; ${observed}`,
    [l.seq],
  );
}

/**
 * Retry-After is too long when, in order of directness: a request sent before it ran out was accepted (only
 * with requests already under way: the probe itself waits); the reset of the exhausted quota on the same
 * response says sooner (also catching a Retry-After that stays put while the reset counts down); or it is
 * longer than the window or refill interval the probe measured.
 */
function retryAfterTooLong(
  seen: readonly Seen[],
  inferred: Inference,
  resetReliable: boolean,
): RateLimitMismatch | null {
  const limited = seen.filter((l) => l.limited && l.retryAfterS !== null);
  for (const l of limited) {
    const waitMs = l.retryAfterS! * 1000;
    const { recovered } = afterwards(seen, l);
    if (recovered === null) continue;
    const afterMs = recovered.sentAt - l.receivedAt;
    if (afterMs >= waitMs - longSlackMs(waitMs, l.retryAfterRoundingMs)) continue;
    const observed = `requests succeeded again after ${formatElapsed(afterMs)}`;
    return mismatch(
      'retry-after-too-long',
      formatSeconds(l.retryAfterS!),
      observed,
      `Retry-After said ${formatSeconds(l.retryAfterS!)}; ${observed}`,
      [l.seq, recovered.seq],
    );
  }

  let worst: { overMs: number; l: Seen; reset: AdvertisedState } | null = null;
  for (const l of resetReliable ? limited : []) {
    const reset = l.exhausted;
    const resetS = finite(reset?.reset_s ?? null);
    if (reset === null || resetS === null) continue;
    const overMs = l.retryAfterS! * 1000 - resetS * 1000;
    if (overMs <= longSlackMs(resetS * 1000, l.retryAfterRoundingMs)) continue;
    if (worst === null || overMs > worst.overMs) worst = { overMs, l, reset };
  }
  if (worst !== null) {
    const { l, reset } = worst;
    const observed = `${NAMES[reset.scheme].reset} on the same response said ${formatSeconds(reset.reset_s!)}`;
    const earlier = limited.find((e) => e.seq < l.seq && e.retryAfterS === l.retryAfterS);
    const stuck =
      earlier !== undefined && l.receivedAt - earlier.receivedAt >= MIN_COUNTDOWN_SPAN_MS
        ? ` (Retry-After had not counted down in ${formatElapsed(l.receivedAt - earlier.receivedAt)})`
        : '';
    return mismatch(
      'retry-after-too-long',
      formatSeconds(l.retryAfterS!),
      observed + stuck,
      `Retry-After said ${formatSeconds(l.retryAfterS!)}; ${observed}${stuck}`,
      [earlier?.seq, l.seq],
    );
  }

  const measured = measuredWait(inferred);
  if (measured === null) return null;
  const over = limited.find(
    (l) => l.retryAfterS! * 1000 > upperBound(measured.s * 1000, l.retryAfterRoundingMs),
  );
  if (over === undefined) return null;
  return mismatch(
    'retry-after-too-long',
    formatSeconds(over.retryAfterS!),
    measured.what,
    `Retry-After said ${formatSeconds(over.retryAfterS!)}; ${measured.what}`,
    [over.seq],
  );
}

/**
 * The reset of an exhausted quota is too long: a request was accepted well before it (requests already under
 * way), or it is longer than the window the probe measured. Window algorithms only: a token bucket's reset
 * commonly means "until full", which is honestly longer than the wait for the next request.
 */
function resetTooLong(seen: readonly Seen[], inferred: Inference): RateLimitMismatch | null {
  if (!isWindowAlgorithm(inferred)) return null;
  const limited = seen.filter((l) => l.limited && finite(l.exhausted?.reset_s ?? null) !== null);
  for (const l of limited) {
    const reset = l.exhausted!;
    const waitMs = reset.reset_s! * 1000;
    const { recovered } = afterwards(seen, l);
    if (recovered === null) continue;
    const afterMs = recovered.sentAt - l.receivedAt;
    if (afterMs >= waitMs - longSlackMs(waitMs)) continue;
    const observed = `requests succeeded again after ${formatElapsed(afterMs)}`;
    return mismatch(
      'reset-too-long',
      formatSeconds(reset.reset_s!),
      observed,
      `${NAMES[reset.scheme].reset} said ${formatSeconds(reset.reset_s!)}; ${observed}`,
      [l.seq, recovered.seq],
    );
  }
  const measured = measuredWait(inferred);
  if (measured === null) return null;
  const bound = upperBound(measured.s * 1000, ROUNDING_MS);
  const over = limited.find((l) => l.exhausted!.reset_s! * 1000 > bound);
  if (over === undefined) return null;
  const reset = over.exhausted!;
  return mismatch(
    'reset-too-long',
    formatSeconds(reset.reset_s!),
    measured.what,
    `${NAMES[reset.scheme].reset} said ${formatSeconds(reset.reset_s!)}; ${measured.what}`,
    [over.seq],
  );
}

/**
 * While no quota returns, a reset must count down with the clock. "No quota returned" is certain across
 * successive limited responses (any algorithm: rejected requests take nothing) and, for a fixed window, across
 * accepted responses whose remaining keeps going down. Judged over at least 2 s: the reset may fall short of
 * the time that passed by 1 s of rounding plus 20 %.
 */
function resetNotCountingDown(seen: readonly Seen[], inferred: Inference): RateLimitMismatch | null {
  const fixedWindow = inferred.algorithm === 'fixed-window' && inferred.confidence !== 'low';
  const byKey = new Map<string, { r: Seen; s: AdvertisedState }[]>();
  for (const r of seen) {
    for (const s of r.states) {
      if (finite(s.reset_s) === null) continue;
      const list = byKey.get(stateKey(s));
      if (list) list.push({ r, s });
      else byKey.set(stateKey(s), [{ r, s }]);
    }
  }
  let worst: { shortMs: number; m: RateLimitMismatch } | null = null;
  for (const points of byKey.values()) {
    const runs = segments(points).flatMap((segment) => (fixedWindow ? [segment] : limitedRuns(segment)));
    for (const segment of runs) {
      const first = segment[0]!;
      const last = segment.at(-1)!;
      if (segment.length < 2) continue;
      const spanMs = last.r.receivedAt - first.r.receivedAt;
      if (spanMs < MIN_COUNTDOWN_SPAN_MS) continue;
      const downMs = (first.s.reset_s! - last.s.reset_s!) * 1000;
      const shortMs = spanMs - downMs;
      // Each of two whole-second values may be up to 1 s high, so their difference is off by up to 1 s.
      if (shortMs <= ROUNDING_MS + RELATIVE * spanMs) continue;
      if (worst !== null && worst.shortMs >= shortMs) continue;
      const name = NAMES[first.s.scheme].reset;
      const advertised = `${formatSeconds(first.s.reset_s!)}, then ${formatSeconds(last.s.reset_s!)}`;
      const observed = `${formatElapsed(spanMs)} passed`;
      worst = {
        shortMs,
        m: mismatch(
          'reset-not-counting-down',
          advertised,
          observed,
          `${name} said ${formatSeconds(first.s.reset_s!)}, and ${formatSeconds(last.s.reset_s!)} ${formatElapsed(spanMs)} later`,
          [first.r.seq, last.r.seq],
        ),
      };
    }
  }
  return worst?.m ?? null;
}

/** Runs of one state's responses within which no quota can have returned. */
function segments<P extends { r: Seen; s: AdvertisedState }>(points: readonly P[]): P[][] {
  const out: P[][] = [];
  let current: P[] = [];
  for (const p of points) {
    const prev = current.at(-1);
    if (prev !== undefined && quotaMayHaveReturned(prev, p)) {
      out.push(current);
      current = [];
    }
    current.push(p);
  }
  if (current.length > 0) out.push(current);
  return out;
}

/** The successive limited responses within a segment. */
function limitedRuns<P extends { r: Seen }>(segment: readonly P[]): P[][] {
  const out: P[][] = [];
  let current: P[] = [];
  for (const p of segment) {
    if (p.r.limited) {
      current.push(p);
      continue;
    }
    if (current.length > 0) out.push(current);
    current = [];
  }
  if (current.length > 0) out.push(current);
  return out;
}

function quotaMayHaveReturned(
  a: { r: Seen; s: AdvertisedState },
  b: { r: Seen; s: AdvertisedState },
): boolean {
  if (a.r.limited && b.r.accepted) return true;
  const known = a.s.remaining !== null && b.s.remaining !== null;
  if (known && b.s.remaining! > a.s.remaining!) return true;
  // Two acceptances in one window: the second leaves less. Equal (or unknown) may be a new window.
  if (a.r.accepted && b.r.accepted) return !(known && b.s.remaining! < a.s.remaining!);
  return false;
}

/**
 * The advertised limit against the burst the probe measured from a fresh state (refill subtracted), within 20 %
 * and one request. When nothing was limited, the acceptances within the first response's reset (or the policy
 * window) are the lower bound on the real limit.
 */
function limitAgainstBurst(seen: readonly Seen[], inferred: Inference): RateLimitMismatch[] {
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
        name: NAMES[primary.scheme].limit,
        windowS: policy?.window_s ?? null,
        at: r,
      };
    }
    const policies = r.policies.filter((p) => p.quota_unit === null || p.quota_unit === 'requests');
    if (policies.length > 0) {
      const smallest = policies.reduce((a, b) => (b.quota < a.quota ? b : a));
      const name = smallest.scheme.startsWith('ietf') ? 'RateLimit-Policy' : NAMES[smallest.scheme].limit;
      return { limit: smallest.quota, name, windowS: smallest.window_s, at: r };
    }
  }
  return null;
}

/**
 * Before the first limited response, remaining must go down at least once across three or more accepted
 * responses of the same quota: the limit proves the requests were counted.
 */
function remainingNotDecreasing(seen: readonly Seen[]): RateLimitMismatch | null {
  const firstLimited = seen.findIndex((r) => r.limited);
  if (firstLimited < 0) return null;
  const before = seen.slice(0, firstLimited).filter((r) => r.accepted && r.primary?.remaining != null);
  if (before.length === 0) return null;
  const key = stateKey(before[0]!.primary!);
  const run = before.filter((r) => stateKey(r.primary!) === key);
  if (run.length < MIN_RUN_FOR_COUNTDOWN) return null;
  const values = run.map((r) => r.primary!.remaining!);
  if (values.some((v, i) => i > 0 && v < values[i - 1]!)) return null;
  const name = NAMES[run[0]!.primary!.scheme].remaining;
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
function remainingAtTheLimit(seen: readonly Seen[]): RateLimitMismatch[] {
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
        `a ${status} response said ${formatRequests(state.remaining!)} remaining (${NAMES[state.scheme].remaining})`,
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
    const name = NAMES[known.primary.scheme].remaining;
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
function zeroRemainingAccepted(seen: readonly Seen[], inferred: Inference): RateLimitMismatch | null {
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
    first.state.scheme === 'ietf' ? 'RateLimit said r=0' : `${NAMES[first.state.scheme].remaining} said 0`;
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
function policyWindow(seen: readonly Seen[], inferred: Inference): RateLimitMismatch | null {
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
    const header = policy.scheme.startsWith('ietf') ? 'RateLimit-Policy' : NAMES[policy.scheme].limit;
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
