/**
 * The sandbox API's rate limiter: a token bucket per client and policy, in memory or in Redis, with the same
 * arithmetic in both (bucket.ts), and the fixed window of the deliberately broken /lab/ endpoint.
 */

/** A token bucket: `capacity` requests back-to-back (the burst), then `refillPerSecond` on average. */
export interface BucketPolicy {
  /** Names the policy in `RateLimit`/`RateLimit-Policy` and in the bucket's key: `[A-Za-z0-9._-]{1,64}`. */
  name: string;
  /** A positive integer. */
  capacity: number;
  /** Tokens per second, positive and finite (a fraction is fine: 0.5 is one request every 2 s). */
  refillPerSecond: number;
}

export interface BucketDecision {
  allowed: boolean;
  /** The capacity. */
  limit: number;
  /** Whole tokens left after this request. */
  remaining: number;
  /** Whole seconds (ceil) until the bucket is full again; 0 when it is full. */
  resetSeconds: number;
  /** 0 when allowed; else whole seconds (ceil) until one token is back: never shorter than the truth. */
  retryAfterSeconds: number;
  policy: BucketPolicy;
}

export interface RateLimiter {
  readonly kind: 'memory' | 'redis';
  /** Takes one token from `key`'s bucket under `policy` when there is one; a denied request takes nothing. */
  take(key: string, policy: BucketPolicy): Promise<BucketDecision>;
  /** Releases the limiter (the Redis connection); idempotent. take() afterwards rejects. */
  close(): Promise<void>;
}

export interface FixedWindowDecision {
  allowed: boolean;
  limit: number;
  /** Requests left in the current window after this one. */
  remaining: number;
  /** Whole seconds (ceil) until the current window ends. */
  resetSeconds: number;
}

/** How many keys a memory limiter keeps before it forgets the least recently used one. */
export const DEFAULT_MAX_KEYS = 10_000;
