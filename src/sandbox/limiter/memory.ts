import type { Clock } from '../../lib/time/clock.js';
import { checkPolicy, closedError, decision, hasToken, refill } from './bucket.js';
import { DEFAULT_MAX_KEYS, type BucketDecision, type BucketPolicy, type RateLimiter } from './types.js';

export interface MemoryLimiterOptions {
  /** Buckets kept at most (default 10 000); beyond it the least recently used is forgotten. */
  maxKeys?: number;
}

interface Bucket {
  tokens: number;
  lastMs: number;
}

/**
 * Token buckets in this process, one per (policy, key). The map is bounded: the sandbox keys buckets by
 * client, and the address of an anonymous client is chosen by whoever connects, so without a bound a flood of
 * addresses or made-up API keys would grow it without end. The least recently used bucket goes first — it has
 * been idle longest, so it is the likeliest to be full already, and forgetting a full bucket changes nothing
 * (a new one starts full). Forgetting a part-empty one errs on the client's side, never against it.
 */
export function memoryLimiter(clock: Clock, options: MemoryLimiterOptions = {}): RateLimiter {
  const maxKeys = options.maxKeys ?? DEFAULT_MAX_KEYS;
  if (!Number.isSafeInteger(maxKeys) || maxKeys < 1) {
    throw new RangeError(`maxKeys must be a positive integer (got ${maxKeys})`);
  }
  // A Map iterates in insertion order; re-inserting on every use makes the first entry the least recent.
  const buckets = new Map<string, Bucket>();
  let closed = false;

  function take(key: string, policy: BucketPolicy): BucketDecision {
    if (closed) throw closedError('memory');
    checkPolicy(policy);
    const id = `${policy.name}:${key}`;
    const now = clock.now();
    const bucket = buckets.get(id);
    let tokens = bucket === undefined ? policy.capacity : refill(bucket.tokens, bucket.lastMs, now, policy);
    const allowed = hasToken(tokens);
    if (allowed) tokens -= 1;
    if (bucket === undefined) {
      while (buckets.size >= maxKeys) buckets.delete(buckets.keys().next().value!);
    } else {
      buckets.delete(id);
    }
    buckets.set(id, { tokens, lastMs: now });
    return decision(policy, allowed, tokens);
  }

  return {
    kind: 'memory',
    take: (key, policy) => {
      try {
        return Promise.resolve(take(key, policy));
      } catch (err) {
        return Promise.reject(err as Error);
      }
    },
    close: () => {
      closed = true;
      buckets.clear();
      return Promise.resolve();
    },
  };
}
