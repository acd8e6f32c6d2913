import type { Finding } from '../findings.js';

/**
 * The shapes shared by the rate-limit header parsers (headers.ts), the inference (infer.ts), the truthfulness
 * checks (truth.ts), the probe (src/probes/ratelimit.ts) and the verb (src/commands/probe/ratelimit.ts). Field
 * names in snake_case are part of `apikit probe ratelimit --json` (README documents them; they are stable).
 */

/**
 * The header dialects, most standard first:
 * - `ietf`: draft-ietf-httpapi-ratelimit-headers -08 … -10 (the newest text checked; unknown parameters ignored) — `RateLimit-Policy` and `RateLimit` as RFC 9651
 *   lists of named items (`"burst";q=100;w=60`, `"burst";r=50;t=30`, parameters `qu`, `pk`);
 * - `ietf-07`: draft -07 — `RateLimit: limit=100, remaining=50, reset=5` (a dictionary) + `RateLimit-Policy: 100;w=10`;
 * - `ietf-06`: draft -06 and earlier — `RateLimit-Limit` / `RateLimit-Remaining` / `RateLimit-Reset`
 *   (+ `RateLimit-Policy`), including `RateLimit-Limit: 10, 10;w=1, 50;w=60`; GitLab's epoch `RateLimit-Reset`;
 * - `x-ratelimit`: `X-RateLimit-Limit` / `-Remaining` / `-Reset` (GitHub, Okta, express-rate-limit legacy, …);
 * - `x-rate-limit`: `X-Rate-Limit-Limit` / `-Remaining` / `-Reset` (X/Twitter);
 * - `retry-after`: only `Retry-After` (RFC 9110 §10.2.3).
 */
export const HEADER_SCHEMES = [
  'ietf',
  'ietf-07',
  'ietf-06',
  'x-ratelimit',
  'x-rate-limit',
  'retry-after',
] as const;
export type HeaderScheme = (typeof HEADER_SCHEMES)[number];

/**
 * How a reset value was written: seconds from now, an instant in epoch seconds or milliseconds, or an HTTP-date.
 * `delta-ms` (milliseconds from now, e.g. `X-Rate-Limit-Reset: 600000`) is only decided across responses, by
 * `reconcileResets`: one value alone reads as delta seconds.
 */
export type ResetForm = 'delta-seconds' | 'delta-ms' | 'epoch-seconds' | 'epoch-ms' | 'http-date';

/** Response headers as the HTTP client gives them: lower-case names, repeated fields as arrays. */
export type { HeaderMap } from '../headers.js';

/** A quota policy a server advertises (`RateLimit-Policy`, or the `w=` forms of the older dialects). */
export interface AdvertisedPolicy {
  scheme: HeaderScheme;
  /** The policy's name (-08 and later); null for dialects without names. */
  name: string | null;
  /** Quota units per window (`q`, `limit`). */
  quota: number;
  /** Window in seconds (`w`); null when not advertised. */
  window_s: number | null;
  /** `qu`: "requests" (the default), "content-bytes", "concurrent-requests"; null when absent. */
  quota_unit: string | null;
  /** `pk`: the partition key as the server sent it (base64 of the sf-binary); null when absent. */
  partition_key: string | null;
}

/** What one response says about the current state of one quota. */
export interface AdvertisedState {
  scheme: HeaderScheme;
  /** The policy this state belongs to (-08+: the item's name); null when the dialect has no names. */
  policy: string | null;
  /**
   * The limit when the dialect sends it per response (-07, -06, X-…); for -08+ the `q` of the same-named policy
   * in the same response (or a non-standard `q` on the item itself); null otherwise.
   */
  limit: number | null;
  remaining: number | null;
  /** Seconds from this response until quota returns, normalised from whatever form was sent; null when absent. */
  reset_s: number | null;
  /** How the reset was written, once decided (see reconcile in headers.ts); null when no reset was sent. */
  reset_form: ResetForm | null;
  /** The raw reset number as sent (before normalisation), for deciding its form across responses. */
  reset_raw: number | null;
  partition_key: string | null;
}

/** A header value that could not be understood: reported as a finding, never fatal, never a number. */
export interface HeaderProblem {
  /** Lower-case header name. */
  header: string;
  /** The value as received (the renderer sanitises it for the terminal). */
  value: string;
  /** One line: what is wrong with it. */
  problem: string;
}

/** Everything the rate-limit headers of one response say. */
export interface ParsedRateLimit {
  /** Every dialect present, in HEADER_SCHEMES order. */
  schemes: HeaderScheme[];
  policies: AdvertisedPolicy[];
  states: AdvertisedState[];
  /** Retry-After in seconds from this response (an HTTP-date relative to the response's Date); null when absent. */
  retry_after_s: number | null;
  retry_after_form: 'delay-seconds' | 'http-date' | null;
  problems: HeaderProblem[];
}

/** The algorithms the inference can name. Token bucket, GCRA and nginx `limit_req … nodelay` look alike. */
export const ALGORITHMS = [
  'fixed-window',
  'sliding-window',
  'token-bucket',
  'leaky-bucket',
  'none',
  'unknown',
] as const;
export type Algorithm = (typeof ALGORITHMS)[number];

export type Confidence = 'high' | 'medium' | 'low';

/** The experiment's phases, in the order they may run. */
export type Phase = 'burst' | 'queue' | 'recovery' | 'refill' | 'paced';

/**
 * One request of the probe. `accepted`: a non-limit answer; `limited`: a 429 (or a 503, counted as a possible
 * limit signal); `queued`: accepted, but held back by the server (latency far above the fresh baseline);
 * `failed`: a transport failure or timeout (status null).
 */
export type RequestOutcome = 'accepted' | 'limited' | 'queued' | 'failed';

export interface TimelineEntry {
  /** 0, 1, 2, … in the order the requests were sent. */
  seq: number;
  phase: Phase;
  /** Milliseconds from the probe's start until the request was sent. */
  sent_ms: number;
  /** Milliseconds until the response headers arrived; null when none did. */
  latency_ms: number | null;
  status: number | null;
  outcome: RequestOutcome;
  /** What this response's headers said (the primary state), for the picture and for --json readers. */
  remaining: number | null;
  reset_s: number | null;
  retry_after_s: number | null;
}

/** One place where what the headers advertise and what was observed disagree. */
export interface Mismatch {
  /** What disagrees. */
  field: 'limit' | 'remaining' | 'reset' | 'retry-after' | 'policy' | 'status';
  /** What the server said, for people ("60 s", "100 requests"). */
  advertised: string;
  /** What was seen ("requests succeeded again after 2.0 s"). */
  observed: string;
  /** One line: `Retry-After said 60 s; requests succeeded again after 2.0 s`. */
  message: string;
  /** Which check found it (truth.ts MISMATCH_KINDS, e.g. `retry-after-too-short`); its finding is `ratelimit.<kind>`. */
  kind?: string;
  /** The timeline entries (`seq`) that show it, in the order they were sent. */
  seq?: number[];
}

/** Why the probe ended: its budget, its duration, Ctrl-C, enough evidence ('done'), or a transport failure. */
export type ProbeStop = 'budget' | 'deadline' | 'interrupted' | 'done' | 'error';

/**
 * The result of `apikit probe ratelimit` (the --json document; `outcome` is not part of it): the inference's
 * verdict (limited, algorithm, burst, sustained_rate_per_s, window_s, confidence, evidence) and what the probe
 * saw and sent.
 */
export interface RateLimitReport extends Omit<Inference, 'recovery_s'> {
  url: string;
  method: string;
  requests_sent: number;
  duration_ms: number;
  /** Responses by status code ("200": 40, "429": 3); transport failures under "failed". */
  status_counts: Record<string, number>;
  /** Which statuses were taken as limit signals (429 always; 503 when it was seen, with a finding saying so). */
  limit_statuses: number[];
  headers_scheme: HeaderScheme[];
  policies: AdvertisedPolicy[];
  /** What the headers advertised first (fresh state): null when nothing was advertised. */
  limit: number | null;
  remaining: number | null;
  reset_s: number | null;
  /** The Retry-After of the first limited response, in seconds; null when none was sent. */
  retry_after_s: number | null;
  mismatches: Mismatch[];
  findings: Finding[];
  timeline: TimelineEntry[];
  stopped: ProbeStop;
  /** The bounds it ran within. */
  budget: { max_requests: number; duration_ms: number; concurrency: number; rate_per_s: number | null };
  /** Set when a transport failure ended the probe (the command then exits 3). */
  error: { code: string; message: string } | null;
}

/** One response as the inference and the truthfulness checks see it: its timeline entry and what its headers said. */
export interface ObservedResponse {
  entry: TimelineEntry;
  /** Null for a transport failure. */
  parsed: ParsedRateLimit | null;
  /** Epoch ms on the probe's clock when the response headers arrived (or the failure happened). */
  received_at_ms: number;
  /** The response's `Date` header as epoch ms; null when absent or unreadable. */
  date_ms: number | null;
}

/** What the inference concluded from the observations (infer.ts). */
export interface Inference {
  limited: boolean;
  algorithm: Algorithm;
  /** Requests accepted back-to-back from a fresh state (refill during the burst subtracted); null when unknown. */
  burst: number | null;
  sustained_rate_per_s: number | null;
  /** The window of a window algorithm, in seconds; null otherwise. */
  window_s: number | null;
  confidence: Confidence;
  /** The observations behind `algorithm` and `confidence`, one line each. */
  evidence: string[];
  /** Seconds from the first limited response until a request was accepted again; null when not observed. */
  recovery_s: number | null;
}
