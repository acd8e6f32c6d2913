/**
 * The library's default clock, used only when the caller injects none (every function takes `now` or a `clock`):
 * the CLI's own wall clock, from src/io/clock.ts rather than src/io/system.ts, which brings the terminal streams
 * (and chalk, lazily) into the library bundle.
 */
export { systemClock as defaultClock } from '../io/clock.js';
