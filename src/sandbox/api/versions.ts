import { serializeItem } from 'structured-headers';
import type { Clock } from '../../lib/time/clock.js';

/**
 * The API's versions, in the URL path: `v1` is live; `v0` still answers, with the same data, and says it is on
 * its way out — `Deprecation` (RFC 9745 §2: an sf-date, `@<epoch seconds>`, since when), `Sunset` (RFC 8594 §3:
 * an HTTP-date, when it stops), `Link` to its successor (RFC 5829 `successor-version`, the same resource under
 * v1) and to the notice (RFC 9745 §3 `deprecation`); `v-1` is retired: 410 Gone (RFC 8594 §5, RFC 9110
 * §15.5.11), with its past Sunset and the successor link, never a 404 that looks like a typo.
 *
 * The dates are relative to the sandbox's start (whole UTC days), so that they stay meaningful however long
 * after its release the sandbox runs: v0 deprecated 90 days before, sunset 180 days after; v-1 sunset 30 days
 * before. Six months' notice is what the versions probe expects of a sunset; inside 30 days it warns.
 */

const DAY_MS = 86_400_000;

export interface VersionDates {
  /** Epoch ms, whole UTC days. */
  v0Deprecated: number;
  v0Sunset: number;
  retiredSunset: number;
}

export function versionDates(clock: Clock): VersionDates {
  const today = Math.floor(clock.now() / DAY_MS) * DAY_MS;
  return {
    v0Deprecated: today - 90 * DAY_MS,
    v0Sunset: today + 180 * DAY_MS,
    retiredSunset: today - 30 * DAY_MS,
  };
}

export const LIVE_VERSION = 'v1';
export const DEPRECATED_VERSION = 'v0';
export const RETIRED_VERSION = 'v-1';

/** RFC 9110 §5.6.7 IMF-fixdate, e.g. `Sun, 06 Nov 1994 08:49:37 GMT` (what toUTCString writes). */
function httpDate(ms: number): string {
  return new Date(ms).toUTCString();
}

/** The successor of `rest` (the path after the version segment: `/posts/3`) under v1. */
function successor(apiUrl: string, rest: string): string {
  return `${apiUrl}/${LIVE_VERSION}${rest}`;
}

/** The lifecycle headers of every v0 answer. */
export function deprecatedHeaders(apiUrl: string, rest: string, dates: VersionDates): Record<string, string> {
  return {
    deprecation: serializeItem(new Date(dates.v0Deprecated)),
    sunset: httpDate(dates.v0Sunset),
    link: [
      `<${successor(apiUrl, rest)}>; rel="successor-version"`,
      // RFC 5829 §3.4: the version before this one — the retired v-1, so a client (and the versions probe, which
      // never guesses below v0) can find it and see it gone.
      `<${apiUrl}/${RETIRED_VERSION}${rest}>; rel="predecessor-version"`,
      `<${apiUrl}/versions>; rel="deprecation"; type="application/json"`,
    ].join(', '),
  };
}

/** The headers of a retired version's 410. */
export function retiredHeaders(apiUrl: string, rest: string, dates: VersionDates): Record<string, string> {
  return {
    sunset: httpDate(dates.retiredSunset),
    link: `<${successor(apiUrl, rest)}>; rel="successor-version"`,
  };
}

/** `GET /versions`: the deprecation notice the `deprecation` link points to. */
export function versionsDocument(apiUrl: string, dates: VersionDates): Record<string, unknown> {
  const iso = (ms: number) => new Date(ms).toISOString();
  return {
    versions: [
      { id: LIVE_VERSION, status: 'live', url: `${apiUrl}/${LIVE_VERSION}/posts` },
      {
        id: DEPRECATED_VERSION,
        status: 'deprecated',
        url: `${apiUrl}/${DEPRECATED_VERSION}/posts`,
        deprecated_at: iso(dates.v0Deprecated),
        sunset_at: iso(dates.v0Sunset),
        successor: LIVE_VERSION,
        notice: 'v0 answers like v1 until its sunset; move to v1 (same paths, same data).',
      },
      {
        id: RETIRED_VERSION,
        status: 'retired',
        url: `${apiUrl}/${RETIRED_VERSION}/posts`,
        sunset_at: iso(dates.retiredSunset),
        successor: LIVE_VERSION,
        notice: 'v-1 was switched off at its sunset and answers 410 Gone.',
      },
    ],
  };
}
