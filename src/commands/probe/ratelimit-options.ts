import { UsageError } from '../../errors.js';
import { quote } from '../shared/probe-flags.js';

/**
 * The values of `apikit probe ratelimit`'s own flags, each checked before anything is sent: a bad value is one
 * line naming the flag and the value (exit 2). The ceilings keep a probe a probe: it learns how an endpoint
 * limits from a few hundred requests at most; anything bigger is a load test, which needs another tool and the
 * owner's consent. The flags every probe verb takes (URL, -X, --duration, --format, …) are in commands/shared/probe-flags.ts.
 */
export const DEFAULT_MAX_REQUESTS = 150;
export const MAX_REQUESTS_CEILING = 1000;
export const DEFAULT_CONCURRENCY = 1;
export const CONCURRENCY_CEILING = 16;
// The verb's defaults for the bounds every probe has (test/probes/ratelimit-run.ts runs the probe with them).
export { DEFAULT_DURATION_MS, DEFAULT_TIMEOUT_MS } from '../shared/probe-flags.js';

const RATE_RE = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*(?:\/\s*(s|sec|m|min|h)\s*)?$/i;
const PER_S: Record<string, number> = { s: 1, sec: 1, m: 60, min: 60, h: 3600 };

/** --rate: requests per second, written `5`, `5/s`, `0.5/s`, `300/m` or `100/h`. */
export function parseRate(value: string): number {
  const m = RATE_RE.exec(value);
  const rate = m ? Number(m[1]) / PER_S[(m[2] ?? 's').toLowerCase()]! : NaN;
  if (!Number.isFinite(rate) || rate <= 0) {
    throw new UsageError(
      `--rate ${quote(value)} is not a positive rate (e.g. 5, 5/s, 0.5/s, 300/m)`,
      'ERR_USAGE_RATE',
    );
  }
  return rate;
}
