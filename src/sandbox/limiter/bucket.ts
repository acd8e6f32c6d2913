import { ApikitError, ExitCode, UsageError } from '../../errors.js';
import type { BucketDecision, BucketPolicy } from './types.js';

/**
 * The token-bucket arithmetic both limiters share. redis.ts runs the same steps in Lua, in the same order on the
 * same doubles, so that a memory bucket and a Redis bucket given the same instants give the same decisions (the
 * tests replay one against the other).
 *
 * Float noise (0.1 + 0.2 tokens) must not turn a whole token into 0.999…: a billionth of a token counts as
 * the whole one. That makes a decision at most a billionth of a token generous, never stingy, and keeps
 * Retry-After true: when a request is denied, fewer than 1 − ε tokens are left, so the ceil of the time until
 * one token is back is at least the real wait.
 */
export const TOKEN_EPSILON = 1e-9;

const POLICY_NAME = /^[A-Za-z0-9._-]{1,64}$/;

/** A policy the limiters can run; a bad one is a programming error in the sandbox, reported as usage. */
export function checkPolicy(policy: BucketPolicy): void {
  const { name, capacity, refillPerSecond } = policy;
  // The name goes into a structured-field string and a Redis key (`…:<policy>:<key>`): no colon, no quote.
  if (!POLICY_NAME.test(name)) {
    throw new UsageError(
      `rate-limit policy name "${name}" must be 1-64 of A-Z a-z 0-9 . _ -`,
      'ERR_SANDBOX_LIMITER_POLICY',
    );
  }
  if (!Number.isSafeInteger(capacity) || capacity < 1) {
    throw new UsageError(
      `rate-limit policy "${name}": capacity must be a positive integer (got ${capacity})`,
      'ERR_SANDBOX_LIMITER_POLICY',
    );
  }
  if (!Number.isFinite(refillPerSecond) || refillPerSecond <= 0) {
    throw new UsageError(
      `rate-limit policy "${name}": refillPerSecond must be a positive number (got ${refillPerSecond})`,
      'ERR_SANDBOX_LIMITER_POLICY',
    );
  }
}

/** The bucket at `nowMs`, given what it held at `lastMs`: refilled by the elapsed time, never beyond capacity. */
export function refill(tokens: number, lastMs: number, nowMs: number, policy: BucketPolicy): number {
  return Math.min(policy.capacity, tokens + (Math.max(0, nowMs - lastMs) * policy.refillPerSecond) / 1000);
}

/** Whether a request may take a token from a bucket holding `tokens`. */
export function hasToken(tokens: number): boolean {
  return tokens >= 1 - TOKEN_EPSILON;
}

/** What the client is told, from the decision and the tokens left after it. */
export function decision(policy: BucketPolicy, allowed: boolean, tokens: number): BucketDecision {
  const { capacity, refillPerSecond } = policy;
  const left = Math.max(0, Math.min(capacity, tokens));
  const missing = capacity - left;
  return {
    allowed,
    limit: capacity,
    remaining: Math.min(capacity, Math.floor(left + TOKEN_EPSILON)),
    resetSeconds: missing <= TOKEN_EPSILON ? 0 : Math.ceil(missing / refillPerSecond),
    // Denied means left < 1 − ε, so this is at least 1 and at least the real wait (see TOKEN_EPSILON).
    retryAfterSeconds: allowed ? 0 : Math.max(1, Math.ceil((1 - left) / refillPerSecond)),
    policy,
  };
}

export function closedError(kind: string): ApikitError {
  return new ApikitError(
    `the ${kind} rate limiter is closed`,
    'ERR_SANDBOX_LIMITER_CLOSED',
    ExitCode.INTERNAL,
  );
}
