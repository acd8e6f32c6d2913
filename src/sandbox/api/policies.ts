import type { BucketPolicy } from '../limiter/index.js';

/**
 * The reference API's token buckets, per client (the API key, else the token's subject, else the address).
 *
 * - `default`: every /v0, /v1 request. A burst of 20 back-to-back, then 5 per second sustained: generous for a
 *   person trying commands, and small enough that `apikit probe ratelimit` measures both (burst and rate) well
 *   inside its default budget of 150 requests and 60 s.
 * - `auth`: the /v1/auth/… credential checks, stricter (5, then one every 5 s): that is where a guesser would
 *   try keys and tokens, so it gets the small budget OWASP's API Security Top 10 (API4) asks for.
 */
export const API_POLICIES: { readonly default: BucketPolicy; readonly auth: BucketPolicy } = {
  default: { name: 'default', capacity: 20, refillPerSecond: 5 },
  auth: { name: 'auth', capacity: 5, refillPerSecond: 0.2 },
};
