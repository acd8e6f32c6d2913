/**
 * Seeded randomness for the fuzz tests: the same seed gives the same run, so a failure reproduces. The seed is
 * fixed per test file; FUZZ_SEED overrides it.
 */

/** The seed to run with: FUZZ_SEED when set, else the file's own. */
export function fuzzSeed(fallback: number): number {
  return Number(process.env.FUZZ_SEED ?? fallback);
}

/** mulberry32: small, fast, deterministic. */
export function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  return { next, int, pick };
}
export type Rng = ReturnType<typeof prng>;
