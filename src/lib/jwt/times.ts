import { formatDuration, formatInstant } from '../time/duration.js';
import type { JsonObject } from './parse.js';

/** The NumericDate claims (RFC 7519 §2: seconds since the epoch) shown as instants and relative times. */
export const TIME_CLAIMS = ['exp', 'nbf', 'iat', 'auth_time'] as const;
export type TimeClaimName = (typeof TIME_CLAIMS)[number];

export interface TimeClaim {
  claim: TimeClaimName;
  value: unknown;
  /** ISO-8601 UTC, when the value is a usable number of seconds. */
  iso: string | undefined;
  /** "expires in 14m", "expired 3h ago", "issued 2m ago". */
  relative: string | undefined;
}

/** Seconds-since-epoch values above this are far past year 5000: almost certainly milliseconds. */
export const MILLISECONDS_THRESHOLD = 100_000_000_000;

export function timeClaims(payload: JsonObject, nowMs: number): TimeClaim[] {
  const out: TimeClaim[] = [];
  for (const claim of TIME_CLAIMS) {
    if (!(claim in payload)) continue;
    const value = payload[claim];
    let iso: string | undefined;
    let relative: string | undefined;
    if (typeof value === 'number' && Number.isFinite(value)) {
      const ms = value * 1000;
      try {
        iso = formatInstant(ms);
        relative = describe(claim, ms - nowMs);
      } catch {
        // Outside the Date range: shown as the raw number only.
      }
    }
    out.push({ claim, value, iso, relative });
  }
  return out;
}

function describe(claim: TimeClaimName, deltaMs: number): string {
  const d = formatDuration(deltaMs);
  const future = deltaMs > 0;
  switch (claim) {
    case 'exp':
      return future ? `expires in ${d}` : `expired ${d} ago`;
    case 'nbf':
      return future ? `not valid for another ${d}` : `valid since ${d} ago`;
    case 'iat':
      return future ? `issued ${d} in the future` : `issued ${d} ago`;
    case 'auth_time':
      return future ? `authenticated ${d} in the future` : `authenticated ${d} ago`;
  }
}
