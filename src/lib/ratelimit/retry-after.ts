import { parseHttpDate } from './dialects/http-date.js';
import { MAX_DELTA_S } from './reset.js';

/**
 * `Retry-After` (RFC 9110 §10.2.3): `HTTP-date / delay-seconds`, delay-seconds being `1*DIGIT`. Not a structured
 * field (RFC 9651 does not retrofit it), so it is read by its own grammar. A decimal such as `2.0` or `1.5` is
 * non-conforming but common (and unambiguous), so it is used and noted.
 */

export interface RetryAfterReading {
  retry_after_s: number | null;
  retry_after_form: 'delay-seconds' | 'http-date' | null;
  /** What was wrong; with a value set it was a tolerated deviation, without one the header was unusable. */
  problem: string | null;
}

const DIGITS = /^\d+$/;
const DECIMAL = /^\d+\.\d+$/;

/** `anchor`: the response's Date (or its arrival time) in epoch ms, which an HTTP-date is relative to. */
export function readRetryAfter(value: string, anchor: number): RetryAfterReading {
  const text = value.trim();
  if (text === '') return { retry_after_s: null, retry_after_form: null, problem: 'empty' };
  if (DIGITS.test(text) || DECIMAL.test(text)) {
    const n = Number(text);
    if (!Number.isFinite(n) || n > MAX_DELTA_S) {
      return {
        retry_after_s: null,
        retry_after_form: null,
        problem: `delay of ${text} s is more than a year`,
      };
    }
    const problem = DIGITS.test(text)
      ? null
      : 'delay-seconds must be a whole number (RFC 9110 §10.2.3); used as sent';
    return { retry_after_s: n, retry_after_form: 'delay-seconds', problem };
  }
  const dateMs = parseHttpDate(text);
  if (dateMs === null) {
    return { retry_after_s: null, retry_after_form: null, problem: 'neither delay-seconds nor an HTTP-date' };
  }
  const delta = (dateMs - anchor) / 1000;
  if (delta > MAX_DELTA_S)
    return { retry_after_s: null, retry_after_form: null, problem: 'date is more than a year away' };
  // A date in the past means "now" (RFC 9110 gives no other meaning); the server's clock decides, via Date.
  return {
    retry_after_s: Math.max(0, Math.round(delta * 1000) / 1000),
    retry_after_form: 'http-date',
    problem: null,
  };
}
