import type { Clock } from '../lib/time/clock.js';

/**
 * The wall clock. With src/io/system.ts (which re-exports it), the only place under src/ that reads it; everything
 * else asks ctx.clock, or the clock a library caller injects. Its own module so that the library (src/api/) can
 * default to it without loading the terminal streams (and chalk) that src/io/system.ts brings.
 */
export const systemClock: Clock = { now: (): number => Date.now() };
