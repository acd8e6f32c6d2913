/** Wall-clock time, injected (ctx.clock) so that anything with `exp` can be tested with a frozen clock. */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
}
