import { serializeItem, serializeList } from 'structured-headers';
import type { BucketDecision, BucketPolicy } from './types.js';

/**
 * The window `w` advertised for a token bucket in `RateLimit-Policy`: the time it takes to refill from empty,
 * capacity / refillPerSecond, rounded up to whole seconds (the drafts want a positive integer). A bucket has no
 * window of its own; this one makes the policy's two numbers mean what a client needs — `q` is the burst a full
 * bucket allows at once, and `q` per `w` is the sustained rate (exactly, or a little less when the division is
 * not whole: never more than the bucket really allows).
 */
export function policyWindowSeconds(policy: BucketPolicy): number {
  return Math.max(1, Math.ceil(policy.capacity / policy.refillPerSecond));
}

/**
 * The rate-limit response headers for one decision, in three dialects a client may read:
 * - draft-ietf-httpapi-ratelimit-headers-09/-10: `RateLimit-Policy: "<name>";q=<capacity>;w=<window>` and
 *   `RateLimit: "<name>";r=<remaining>;t=<seconds until full>` (sf-lists, serialised by structured-headers);
 * - the common `X-RateLimit-Limit` / `X-RateLimit-Remaining` / `X-RateLimit-Reset` (delta seconds until full,
 *   as in the IETF field: a delta needs no clock agreement between server and client);
 * - `Retry-After` (RFC 9110 §10.2.3, delay-seconds) on a denial only: the wait until one token is back.
 */
export function rateLimitHeaders(decision: BucketDecision): Record<string, string> {
  const { policy } = decision;
  const headers: Record<string, string> = {
    'RateLimit-Policy': serializeList([
      [
        policy.name,
        new Map([
          ['q', decision.limit],
          ['w', policyWindowSeconds(policy)],
        ]),
      ],
    ]),
    RateLimit: serializeList([
      [
        policy.name,
        new Map([
          ['r', decision.remaining],
          ['t', decision.resetSeconds],
        ]),
      ],
    ]),
    'X-RateLimit-Limit': serializeItem(decision.limit),
    'X-RateLimit-Remaining': serializeItem(decision.remaining),
    'X-RateLimit-Reset': serializeItem(decision.resetSeconds),
  };
  if (!decision.allowed) headers['Retry-After'] = serializeItem(decision.retryAfterSeconds);
  return headers;
}
