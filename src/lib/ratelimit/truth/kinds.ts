import type { Mismatch } from '../types.js';

/**
 * The checks, each a stable id (the checks themselves: hints.ts, counts.ts): the finding for a mismatch is
 * `ratelimit.<kind>`.
 */
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

/** A mismatch of `kind`, citing the timeline entries `seq` (each once, in order). */
export function mismatch(
  kind: MismatchKind,
  advertised: string,
  observed: string,
  message: string,
  seq: (number | undefined)[],
): RateLimitMismatch {
  const ids = [...new Set(seq.filter((s): s is number => s !== undefined))].sort((a, b) => a - b);
  return { field: MISMATCH_FIELD[kind], advertised, observed, message, kind, seq: ids };
}
