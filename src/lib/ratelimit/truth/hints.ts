import { formatElapsed, formatSeconds, HEADER_NAMES } from '../format.js';
import type { AdvertisedState, Inference } from '../types.js';
import { mismatch, type RateLimitMismatch } from './kinds.js';
import {
  afterwards,
  finite,
  isWindowAlgorithm,
  longSlackMs,
  measuredWait,
  MIN_COUNTDOWN_SPAN_MS,
  RELATIVE,
  ROUNDING_MS,
  SHORT_SLACK_MS,
  stateKey,
  upperBound,
  type Seen,
} from './seen.js';

/** The checks on the hints of when to come back: Retry-After and the reset of an exhausted quota. */

/**
 * Retry-After (or the reset of an exhausted quota) on a limited response is too short when a request sent after
 * waiting it — and a little more — was still limited. Reported for the response that undershot the most.
 */
export function hintTooShort(seen: readonly Seen[], hint: 'retry-after' | 'reset'): RateLimitMismatch | null {
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
    const name = hint === 'retry-after' ? 'Retry-After' : HEADER_NAMES[l.exhausted!.scheme].reset;
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
export function retryAfterBelowReset(seen: readonly Seen[], inferred: Inference): RateLimitMismatch | null {
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
  const observed = `${HEADER_NAMES[reset.scheme].reset} on the same response said ${formatSeconds(reset.reset_s!)}`;
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
export function retryAfterTooLong(
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
    const observed = `${HEADER_NAMES[reset.scheme].reset} on the same response said ${formatSeconds(reset.reset_s!)}`;
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
export function resetTooLong(seen: readonly Seen[], inferred: Inference): RateLimitMismatch | null {
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
      `${HEADER_NAMES[reset.scheme].reset} said ${formatSeconds(reset.reset_s!)}; ${observed}`,
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
    `${HEADER_NAMES[reset.scheme].reset} said ${formatSeconds(reset.reset_s!)}; ${measured.what}`,
    [over.seq],
  );
}

/**
 * While no quota returns, a reset must count down with the clock. "No quota returned" is certain across
 * successive limited responses (any algorithm: rejected requests take nothing) and, for a fixed window, across
 * accepted responses whose remaining keeps going down. Judged over at least 2 s: the reset may fall short of
 * the time that passed by 1 s of rounding plus 20 %.
 */
export function resetNotCountingDown(seen: readonly Seen[], inferred: Inference): RateLimitMismatch | null {
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
      const name = HEADER_NAMES[first.s.scheme].reset;
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
