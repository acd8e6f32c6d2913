import { formatInstant } from '../time/duration.js';
import { fieldLines, headerLines, type HeaderMap } from '../headers.js';
import { deltaSeconds, readCacheControl } from '../cache-control.js';

/**
 * The timeline of a key rotation without downtime, as data. Verifiers cache the published JWKS, and tokens live
 * for a while after they are signed, so the three steps are spaced by those two durations:
 *
 *   1. publish the JWKS with the new key now (the old keys stay in it);
 *   2. sign with the new kid once every verifier's cached copy has expired — after the cache TTL — since a verifier
 *      still holding the old set refuses a token whose kid it has never seen;
 *   3. retire the old kids once the last token signed with them has expired — the longest token lifetime after
 *      signing switched.
 */
export interface RotationTimeline {
  /** Publish the JWKS (done: the file is written). */
  publishAt: string;
  /** Start signing with the new kid. */
  signAt: string;
  /** Remove the old kids from the JWKS; null when there is no older key. */
  retireAt: string | null;
  newKid: string;
  /** The kids that may be retired at retireAt, oldest first. */
  retireKids: string[];
}

export function rotationTimeline(input: {
  now: number;
  cacheTtlMs: number;
  maxTokenLifeMs: number;
  newKid: string;
  olderKids: string[];
}): RotationTimeline {
  // Whole seconds, rounded up: the steps read cleanly, and each instant is at or after the exact one (safe side).
  const now = Math.ceil(input.now / 1000) * 1000;
  const sign = now + input.cacheTtlMs;
  return {
    publishAt: formatInstant(now),
    signAt: formatInstant(sign),
    retireAt: input.olderKids.length === 0 ? null : formatInstant(sign + input.maxTokenLifeMs),
    newKid: input.newKid,
    retireKids: [...input.olderKids],
  };
}

/** What the JWKS URL's response says about how long copies of it may be kept (RFC 9111). */
export interface JwksCaching {
  /** How long a copy may be used, in seconds: null when the response does not say. */
  ttlSeconds: number | null;
  /** Cache-Control as received (joined lines), or null. */
  cacheControl: string | null;
  maxAge: number | null;
  sMaxAge: number | null;
  /** An Age header: a shared cache (a CDN) answered. */
  age: number | null;
  /** no-store or no-cache: HTTP caches must not reuse it unchecked. */
  noStore: boolean;
}

/**
 * How long a verifier may keep the JWKS it fetched, from the response's Cache-Control (RFC 9111 §5.2.2):
 * max-age, plus the time a shared cache may hold the old copy before that (s-maxage, or max-age again when an
 * Age header shows a shared cache answered) — a verifier can fetch a stale copy from a CDN and then cache it
 * itself. no-store / no-cache mean 0 for HTTP caches. A directive given twice counts with its larger value
 * (RFC 9111 §4.2.1 lets a cache take either; the longer is the safe assumption). Without max-age the response
 * says nothing usable (heuristic freshness, §4.2.2, is anyone's guess): null.
 */
export function jwksCaching(headers: HeaderMap): JwksCaching {
  const lines = headerLines(headers);
  const cc = fieldLines(lines, 'cache-control');
  const { directives } = readCacheControl(cc);
  const maxAge = largest(directives.get('max-age'));
  const sMaxAge = largest(directives.get('s-maxage'));
  const ageText = fieldLines(lines, 'age')[0];
  const age = ageText !== undefined && /^\d+$/.test(ageText.trim()) ? Number(ageText.trim()) : null;
  // A qualified no-cache="field" is about that field only (RFC 9111 §5.2.2.4), not the whole response.
  const noStore = directives.has('no-store') || (directives.get('no-cache') ?? []).some((v) => v === true);
  let ttlSeconds: number | null = null;
  if (noStore) ttlSeconds = 0;
  else if (maxAge !== null) ttlSeconds = maxAge + (sMaxAge ?? (age !== null ? maxAge : 0));
  else if (sMaxAge !== null) ttlSeconds = sMaxAge;
  return { ttlSeconds, cacheControl: cc.length ? cc.join(', ') : null, maxAge, sMaxAge, age, noStore };
}

/** A directive given twice counts with its larger delta-seconds value; null when none is one. */
function largest(values: (string | true)[] | undefined): number | null {
  const seconds = deltaSeconds(values);
  return seconds.length === 0 ? null : Math.max(...seconds);
}
