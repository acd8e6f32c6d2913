import { parseRateLimitHeaders as parseHeaders } from '../lib/ratelimit/headers.js';
import { defaultClock } from './clock.js';
import { instantMs } from './key-input.js';
import type { Instant } from './types.js';

/** The rate-limit header dialects, most standard first (README "probe ratelimit"). */
export type HeaderScheme = 'ietf' | 'ietf-07' | 'ietf-06' | 'x-ratelimit' | 'x-rate-limit' | 'retry-after';

/** How a reset value was written. */
export type ResetForm = 'delta-seconds' | 'delta-ms' | 'epoch-seconds' | 'epoch-ms' | 'http-date';

/** A quota policy a server advertises (`RateLimit-Policy`, or the `w=` forms of the older dialects). */
export interface AdvertisedPolicy {
  scheme: HeaderScheme;
  /** The policy's name (draft -08 and later); null for dialects without names. */
  name: string | null;
  /** Quota units per window. */
  quota: number;
  /** Window in seconds; null when not advertised. */
  window_s: number | null;
  /** "requests" (the default), "content-bytes", "concurrent-requests"; null when absent. */
  quota_unit: string | null;
  /** The partition key as sent (base64 of the sf-binary); null when absent. */
  partition_key: string | null;
}

/** What one response says about the current state of one quota. */
export interface AdvertisedState {
  scheme: HeaderScheme;
  /** The policy this state belongs to; null when the dialect has no names. */
  policy: string | null;
  limit: number | null;
  remaining: number | null;
  /** Seconds from this response until quota returns; null when absent. */
  reset_s: number | null;
  reset_form: ResetForm | null;
  /** The reset number as sent, before normalisation. */
  reset_raw: number | null;
  partition_key: string | null;
}

/** A header value that could not be understood (never a number, never fatal). */
export interface HeaderProblem {
  /** Lower-case header name. */
  header: string;
  /** The value as received: untrusted text. */
  value: string;
  problem: string;
}

/** Everything the rate-limit headers of one response say — the `parsed` of `apikit probe ratelimit --json`. */
export interface ParsedRateLimit {
  /** Every dialect present. */
  schemes: HeaderScheme[];
  policies: AdvertisedPolicy[];
  states: AdvertisedState[];
  /** Retry-After in seconds from the response; null when absent. */
  retry_after_s: number | null;
  retry_after_form: 'delay-seconds' | 'http-date' | null;
  problems: HeaderProblem[];
}

/** Response headers: a plain object (names in any case, repeated fields as arrays) or a fetch `Headers`. */
export type HeadersInput =
  | Readonly<Record<string, string | readonly string[] | undefined>>
  | { forEach(callback: (value: string, name: string) => void): void };

/**
 * Reads the rate-limit headers of one response in every dialect present: IETF `RateLimit`/`RateLimit-Policy`
 * (drafts -06 to -10), `X-RateLimit-*`, `X-Rate-Limit-*` and `Retry-After`. Pure and total: a malformed value
 * becomes a `problems` entry, never a number, and nothing throws.
 *
 * @param options.receivedAt when the response arrived: relative values are anchored to the response's `Date`
 *   header, or to this when it has none. Default: the wall clock.
 */
export function parseRateLimitHeaders(
  headers: HeadersInput,
  options: { receivedAt?: Instant } = {},
): ParsedRateLimit {
  return parseHeaders(headerMap(headers), { receivedAtMs: instantMs(options.receivedAt, defaultClock.now) });
}

function headerMap(headers: HeadersInput): Record<string, string | string[]> {
  const out = Object.create(null) as Record<string, string | string[]>;
  const add = (name: string, value: string | readonly string[] | undefined): void => {
    if (value === undefined) return;
    const key = name.toLowerCase();
    const lines = typeof value === 'string' ? [value] : [...value];
    const had = out[key];
    const all = had === undefined ? lines : [...(typeof had === 'string' ? [had] : had), ...lines];
    out[key] = all.length === 1 ? all[0]! : all;
  };
  if (typeof headers.forEach === 'function' && !Object.hasOwn(headers, 'forEach')) {
    (headers as { forEach(callback: (value: string, name: string) => void): void }).forEach((v, n) =>
      add(n, v),
    );
  } else {
    for (const [name, value] of Object.entries(headers))
      add(name, value as string | readonly string[] | undefined);
  }
  return out;
}
