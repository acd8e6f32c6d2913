import type { Finding } from '../findings.js';
import type { HeaderLines } from '../headers.js';

/**
 * The shapes of `apikit probe versions`: how an API selects a version (the scheme), the versions tried and what
 * each answered, what an unversioned request gets, and the findings. `VersionsReport` is the --json document.
 * Pure data; the probe (src/probes/versions.ts) fills it, src/lib/versions/report.ts assembles it.
 */

/** How a request selects a version. Date-based versions (Stripe/Azure style) are a format, in any scheme. */
export const SCHEMES = ['path', 'header', 'media-type', 'query'] as const;
export type Scheme = (typeof SCHEMES)[number];
/** What --scheme accepts: a scheme, or `auto` (every scheme the evidence shows). */
export type SchemeChoice = Scheme | 'auto';

/** How the version ids of a scheme are written: `v2`, `v1.2`, `2`, `2024-06-01`. */
export type VersionFormat = 'major' | 'major-minor' | 'number' | 'date';

/** A scheme the API uses, with the evidence (the --json `schemes[]`). */
export interface SchemeUse {
  scheme: Scheme;
  /** The header (`API-Version`), the query parameter (`api-version`) or the media type's vendor (`acme`). */
  name: string | null;
  /** The version the given request selected or the response stated (`v1`, `2024-06-01`); null when neither did. */
  current: string | null;
  format: VersionFormat;
  /** One line each: `path segment 2 is "v1"`, `response header API-Version: 2`. */
  evidence: string[];
  /** The scheme whose versions were enumerated (the first found, or the one --scheme names). */
  primary: boolean;
}

/**
 * What a version's request got:
 * - live: 2xx, 401 or 403 (it exists; the credential is another matter);
 * - retired: 410 Gone, the right answer for a version switched off;
 * - gone: 404, gone (or never there) without saying so;
 * - redirected: a 3xx (`location` says where);
 * - rejected: 400, 406, 415 or 422 — the server refuses the version it was asked for (header and media-type APIs);
 * - fallback: a 2xx that states another version than the one asked for (the server ignored the selector);
 * - error: any other answer (5xx, 429, …);
 * - not-tested: named by the API, but the budget, the deadline or a failure came first.
 */
export const VERSION_STATUSES = [
  'live',
  'retired',
  'gone',
  'redirected',
  'rejected',
  'fallback',
  'error',
  'not-tested',
] as const;
export type VersionStatus = (typeof VERSION_STATUSES)[number];

/** Where a version's id came from: the request given, a lifecycle link, a header that lists versions, an error body, or a guess. */
export type NamedBy =
  | 'request'
  | 'stated'
  | 'link:successor-version'
  | 'link:predecessor-version'
  | 'link:latest-version'
  | 'header:api-supported-versions'
  | 'header:api-deprecated-versions'
  | 'body'
  | 'redirect'
  | 'neighbour';

/** A lifecycle link as reported: its target and relations. */
export interface ReportedLink {
  href: string;
  rel: string[];
}

/** One version: the --json `versions[]` entry. */
export interface VersionEntry {
  id: string;
  /** The URL requested (path, query scheme), or the selecting header line (`API-Version: 2`, `Accept: …`). */
  url_or_header: string;
  status: VersionStatus;
  /** The response status; null when not tested. */
  http_status: number | null;
  /** A redirect's target, resolved against the request URL. */
  location: string | null;
  /** The version the response says it is (a version header, a versioned Content-Type), when it says. */
  served_as: string | null;
  named_by: NamedBy[];
  /** `Deprecation` (RFC 9745): the date (null for the legacy `true`), the value as received. */
  deprecation: { date: string | null; raw: string; legacy: 'true' | 'http-date' | null } | null;
  /** `Sunset` (RFC 8594). */
  sunset: { date: string; raw: string } | null;
  /** Whole days from now to the Sunset date, negative once it has passed; null without a Sunset. */
  days_left: number | null;
  /** The `successor-version` link, else the `latest-version` one (RFC 5829), resolved. */
  successor: string | null;
  /** The lifecycle links of the response: successor/predecessor/latest-version, deprecation, sunset. */
  links: ReportedLink[];
}

/** What an unversioned request gets: the --json `default_version`. */
export interface DefaultVersion {
  /** The request, one line (`GET https://api.example/items`, `no API-Version header`). */
  request: string;
  http_status: number | null;
  /**
   * latest / oldest: the highest / lowest live version; other: another live one; error: a 4xx/5xx (an explicit
   * refusal to guess); unknown: a 2xx that matches no live version; not-tested: never sent.
   */
  answer: 'latest' | 'oldest' | 'other' | 'error' | 'unknown' | 'not-tested';
  /** The version it is, when stated or when its body is byte for byte that of one live version. */
  version: string | null;
  /** Whether the response itself says which version it is (a redirect, a version header, a versioned type). */
  stated: boolean;
  /** How the version was known, one line. */
  how: string | null;
}

/** A versions finding: the shared Finding plus the version it is about (null for an API-wide one). */
export interface VersionFinding extends Finding {
  version: string | null;
}

/** The result of `apikit probe versions` (the --json document; `outcome` is not part of it). */
export interface VersionsReport {
  url: string;
  method: string;
  /** The date the days are counted from (ISO 8601, UTC). */
  now: string;
  schemes: SchemeUse[];
  versions: VersionEntry[];
  default_version: DefaultVersion | null;
  findings: VersionFinding[];
  requests_sent: number;
  duration_ms: number;
  budget: { max_requests: number; max_versions: number; duration_ms: number };
  stopped: 'done' | 'budget' | 'deadline' | 'interrupted' | 'error';
  error: { code: string; message: string } | null;
}

/** A response as the pure code sees it (the probe reads it off the wire). */
export interface VersionAnswer {
  status: number;
  headers: HeaderLines;
  /** A 3xx's Location, resolved against the request URL; null otherwise. */
  location: string | null;
  /** SHA-256 (hex) of the body read: equal bodies, equal versions (the unversioned default). */
  bodyHash: string;
  /** The start of the body as text, for the version lists of error bodies. */
  body: string;
}

/** A request that selects one version (or none: the unversioned request). */
export interface VersionRequest {
  url: string;
  /** The selecting header(s), e.g. `{ 'API-Version': '2' }`; every other header is the user's. */
  headers: Record<string, string>;
  /** The header names the request must not carry from the user's -H lines (the selector's own). */
  drop: string[];
  /** The --json `url_or_header`. */
  label: string;
}
