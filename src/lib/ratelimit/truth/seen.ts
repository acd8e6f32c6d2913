import { formatElapsed, formatRate } from '../format.js';
import { primaryState } from '../headers.js';
import type { AdvertisedPolicy, AdvertisedState, Inference, ObservedResponse } from '../types.js';

/**
 * The timeline as the truthfulness checks read it, and the tolerances they judge with.
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
export const RELATIVE = 0.2;
export const ROUNDING_MS = 1000;
export const SHORT_SLACK_MS = 500;
export const COUNT_SLACK = 1;
/**
 * Send and arrival times compare within this much: the probe's clock may tick in whole milliseconds while
 * latencies are fractional, so a response can seem to arrive after the next request, sent on the same tick.
 */
export const CLOCK_SLACK_MS = 1;
/** A countdown is judged only across at least this much time: below it, whole-second rounding hides it. */
export const MIN_COUNTDOWN_SPAN_MS = 2000;
/** Fewer accepted responses than this say nothing about whether remaining goes down. */
export const MIN_RUN_FOR_COUNTDOWN = 3;

/** An answered response as the checks read it. */
export interface Seen {
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
export function see(observed: readonly ObservedResponse[]): Seen[] {
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

export function finite(n: number | null): number | null {
  return n !== null && Number.isFinite(n) ? n : null;
}

export function stateKey(s: AdvertisedState): string {
  return `${s.scheme}\u0000${s.policy ?? ''}`;
}

/**
 * What happened after a limited response, among the requests sent once it had arrived (earlier ones were in
 * flight and did not wait): the limited ones until the first acceptance, and that acceptance.
 */
export function afterwards(
  seen: readonly Seen[],
  limited: Seen,
): { stillLimited: Seen[]; recovered: Seen | null } {
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
export function inHandAt(seen: readonly Seen[], s: Seen, atMs: number): boolean {
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
export function lastKnownBefore(seen: readonly Seen[], r: Seen): Seen | null {
  let best: Seen | null = null;
  for (const s of seen) {
    if (s.seq >= r.seq || !inHandAt(seen, s, r.sentAt)) continue;
    if (best === null || s.receivedAt > best.receivedAt) best = s;
  }
  return best;
}

/** Slack on a wait that is too long: whole-second rounding or 20 %, whichever is more. */
export function longSlackMs(waitMs: number, roundingMs = ROUNDING_MS): number {
  return Math.max(RELATIVE * waitMs, roundingMs);
}

/**
 * Whether an advertised number fits one the probe measured: the measurement is within 20 % of the truth, so the
 * truth lies in [measured ÷ 1.2, measured ÷ 0.8], widened by `slack` (rounding, off-by-one).
 */
export function fits(advertised: number, measured: number, slack: number): boolean {
  return advertised >= measured / (1 + RELATIVE) - slack && advertised <= upperBound(measured, slack);
}

export function upperBound(measured: number, slack: number): number {
  return measured / (1 - RELATIVE) + slack;
}

/** What the inference measured that bounds a wait, when it is sure enough to accuse a header with it. */
export function measuredWait(inferred: Inference): { s: number; what: string } | null {
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

export function isWindowAlgorithm(inferred: Inference): boolean {
  return (
    inferred.confidence !== 'low' &&
    (inferred.algorithm === 'fixed-window' || inferred.algorithm === 'sliding-window')
  );
}
