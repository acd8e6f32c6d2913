import { UsageError } from '../../errors.js';
import { terminalSafe } from '../../lib/text/terminal-safe.js';
import { parseDurationFlag } from '../../lib/time/duration.js';

/**
 * The values of `apikit probe ratelimit`'s own flags, each checked before anything is sent: a bad value is one
 * line naming the flag and the value (exit 2). The ceilings keep a probe a probe: it learns how an endpoint
 * limits from a few hundred requests at most; anything bigger is a load test, which needs another tool and the
 * owner's consent.
 */
export const DEFAULT_MAX_REQUESTS = 150;
export const MAX_REQUESTS_CEILING = 1000;
export const DEFAULT_DURATION_MS = 60_000;
export const DURATION_CEILING_MS = 10 * 60_000;
export const DEFAULT_CONCURRENCY = 1;
export const CONCURRENCY_CEILING = 16;
/** Per request, unless --timeout says otherwise. */
export const DEFAULT_TIMEOUT_MS = 10_000;
/** Response bodies are read only to be discarded; --max-body may lower or raise this. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

export const RATELIMIT_FORMATS = ['table', 'json', 'markdown'] as const;
export type RatelimitFormat = (typeof RATELIMIT_FORMATS)[number];

/** argv may hold anything (escape sequences too): what a message quotes is sanitised. */
const quote = (value: string): string => `"${terminalSafe(value, 80)}"`;

/** A whole number from 1 to `ceiling`. */
export function parseCount(flag: string, value: string, ceiling: number, why: string): number {
  const n = /^\s*\d+\s*$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new UsageError(`${flag} ${quote(value)} is not a positive whole number`, 'ERR_USAGE_NUMBER');
  }
  if (n > ceiling) {
    throw new UsageError(
      `${flag} ${quote(value)} is above the ceiling of ${ceiling} (${why})`,
      'ERR_USAGE_NUMBER',
    );
  }
  return n;
}

/** --duration: a positive duration up to the ceiling. */
export function parseProbeDuration(value: string): number {
  const ms = parseDurationFlag('--duration', value, { positive: true });
  if (ms > DURATION_CEILING_MS) {
    throw new UsageError(
      `--duration ${quote(value)} is above the ceiling of ${DURATION_CEILING_MS / 60_000}m (a probe, not a soak test)`,
      'ERR_USAGE_DURATION',
    );
  }
  return ms;
}

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

/** An RFC 9110 §9.1 method token; CONNECT opens a tunnel, which is not a request to measure. */
export function parseMethod(value: string): string {
  if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(value)) {
    throw new UsageError(`-X ${quote(value)} is not an HTTP method (e.g. GET, POST)`, 'ERR_USAGE_METHOD');
  }
  const method = value.toUpperCase();
  if (method === 'CONNECT') {
    throw new UsageError(
      '-X CONNECT opens a tunnel; probe a request method (e.g. GET, POST)',
      'ERR_USAGE_METHOD',
    );
  }
  return method;
}

/** The target: an absolute http(s) URL without credentials in it (they would be on argv, and in every message). */
export function parseTargetUrl(value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(
      `${quote(value)} is not a URL (e.g. https://api.example.com/v1/search)`,
      'ERR_USAGE_URL',
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(
      `${quote(url.protocol)} URLs cannot be probed: give an http(s) URL`,
      'ERR_USAGE_URL',
    );
  }
  if (url.username !== '' || url.password !== '') {
    // Not quoted: the value holds the password.
    throw new UsageError(
      'the URL carries credentials (user:password@): send them with --basic-env VAR instead',
      'ERR_USAGE_URL',
    );
  }
  return url;
}

export function parseFormat(format: string | undefined, json: boolean): RatelimitFormat {
  if (format !== undefined && !(RATELIMIT_FORMATS as readonly string[]).includes(format)) {
    throw new UsageError(
      `--format ${quote(format)} is not one of ${RATELIMIT_FORMATS.join(', ')}`,
      'ERR_USAGE_FORMAT',
    );
  }
  const chosen = format as RatelimitFormat | undefined;
  if (json && chosen !== undefined && chosen !== 'json') {
    throw new UsageError(`--json conflicts with --format ${chosen}`, 'ERR_USAGE_FLAG_CONFLICT');
  }
  return json ? 'json' : (chosen ?? 'table');
}

/**
 * Loopback by name or address: `localhost` and `*.localhost` (RFC 6761 §6.3), 127.0.0.0/8, ::1 and the
 * IPv4-mapped form of 127/8. Anything else over plain http crosses a network in clear text.
 */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (/^127(?:\.\d{1,3}){3}$/.test(host)) return true;
  if (host === '::1') return true;
  // new URL() writes ::ffff:127.0.0.1 as ::ffff:7f00:1.
  return /^::ffff:(?:127(?:\.\d{1,3}){3}|7f[0-9a-f]{2}:[0-9a-f]{1,4})$/.test(host);
}

/** "5/s", "0.5/s", "0.0833/s". */
export function formatRate(perS: number): string {
  return `${Number(perS.toPrecision(3))}/s`;
}
