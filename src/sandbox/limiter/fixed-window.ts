import type { Clock } from '../../lib/time/clock.js';
import { DEFAULT_MAX_KEYS, type FixedWindowDecision } from './types.js';

export interface FixedWindowOptions {
  /** Requests per window, a positive integer. */
  limit: number;
  /** The window's length in whole seconds. */
  windowSeconds: number;
  /** Keys kept at most (default 10 000), least recently used forgotten first. */
  maxKeys?: number;
}

export interface FixedWindowLimiter {
  take(key: string): FixedWindowDecision;
}

interface Window {
  startMs: number;
  count: number;
}

/**
 * A fixed window per key, starting at the key's first request: `limit` requests, then nothing until the window
 * ends. For the /lab/ area, which shows what a limiter with a lying `Retry-After` looks like: this limiter
 * reports the truth (`resetSeconds`); the lie is the API's, on purpose, in the header it writes.
 */
export function fixedWindowLimiter(clock: Clock, options: FixedWindowOptions): FixedWindowLimiter {
  const { limit, windowSeconds } = options;
  const maxKeys = options.maxKeys ?? DEFAULT_MAX_KEYS;
  if (!Number.isSafeInteger(limit) || limit < 1) {
    throw new RangeError(`limit must be a positive integer (got ${limit})`);
  }
  if (!Number.isSafeInteger(windowSeconds) || windowSeconds < 1) {
    throw new RangeError(`windowSeconds must be a positive integer (got ${windowSeconds})`);
  }
  if (!Number.isSafeInteger(maxKeys) || maxKeys < 1) {
    throw new RangeError(`maxKeys must be a positive integer (got ${maxKeys})`);
  }
  const windowMs = windowSeconds * 1000;
  const windows = new Map<string, Window>();

  return {
    take(key) {
      const now = clock.now();
      let w = windows.get(key);
      if (w !== undefined) windows.delete(key);
      // A new window when the last one is over (or the clock went back before it).
      if (w === undefined || now >= w.startMs + windowMs || now < w.startMs) {
        w = { startMs: now, count: 0 };
        while (windows.size >= maxKeys) windows.delete(windows.keys().next().value!);
      }
      windows.set(key, w);
      const allowed = w.count < limit;
      if (allowed) w.count += 1;
      return {
        allowed,
        limit,
        remaining: limit - w.count,
        resetSeconds: Math.max(1, Math.ceil((w.startMs + windowMs - now) / 1000)),
      };
    },
  };
}
