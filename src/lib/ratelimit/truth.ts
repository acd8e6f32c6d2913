import type { Inference, Mismatch, ObservedResponse } from './types.js';
import { MISMATCH_KINDS, type RateLimitMismatch } from './truth/kinds.js';
import {
  limitAgainstBurst,
  policyWindow,
  remainingAtTheLimit,
  remainingNotDecreasing,
  zeroRemainingAccepted,
} from './truth/counts.js';
import {
  hintTooShort,
  resetNotCountingDown,
  resetTooLong,
  retryAfterBelowReset,
  retryAfterTooLong,
} from './truth/hints.js';
import { see } from './truth/seen.js';

export {
  isMismatchKind,
  MISMATCH_FIELD,
  MISMATCH_KINDS,
  type MismatchKind,
  type RateLimitMismatch,
} from './truth/kinds.js';

/**
 * Header truthfulness: what the rate-limit headers advertise (limit, remaining, reset, Retry-After, the policy's
 * window) against what the probe saw happen. Pure: the timeline and the inference in, mismatches out.
 *
 * The probe never sends while the server has asked it to wait, so a hint that is too long cannot be shown by a
 * request that succeeded early; it is shown by other evidence instead — a reset hint on the same response that
 * says sooner, or the window or refill the probe measured. A hint that is too short is shown directly: the
 * probe waited it and was still limited.
 *
 * Every comparison has a tolerance that a truthful server on a loaded machine or a slow network stays inside
 * (truth/seen.ts lists them). The checks: truth/hints.ts (Retry-After, reset), truth/counts.ts (limit,
 * remaining, the policy's window).
 */

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
