import { UsageError } from '../../errors.js';
import { terminalSafe } from '../../lib/text/terminal-safe.js';
import { parseHeaderLine } from '../shared/http-flags.js';
import { parseMethod, quote } from '../shared/probe-flags.js';

/**
 * The values of `apikit probe cors`'s own flags, each checked before anything is sent: a bad value is one line
 * naming the flag and the value (exit 2).
 */

/** At most this many --origin values: each adds a full set of candidates. */
export const MAX_TRUSTED_ORIGINS = 10;
/** --max-requests can lower the default (every candidate's requests), never raise the total past this. */
export const CORS_MAX_REQUESTS_CEILING = 1000;
export const MAX_REQUEST_HEADERS = 20;

/**
 * A trusted origin exactly as a browser serializes it (HTML "serialization of an origin"): `scheme://host[:port]`,
 * http or https, the host lower-case (punycode for an IDN), no default port, no path — not even a trailing "/", no
 * user info. The value is compared byte for byte with what a server echoes, so a near miss is refused, with the
 * serialization suggested, rather than silently changed.
 */
export function parseOrigin(value: string): string {
  const bad = (why: string, hint?: string): UsageError =>
    new UsageError(`--origin ${quote(value)} ${why}`, 'ERR_USAGE_ORIGIN', hint ? { hint } : {});
  if (value.trim().toLowerCase() === 'null') {
    throw bad(
      'cannot be trusted: "null" is what sandboxed pages, data: URLs and files send; it is a candidate',
    );
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw bad('is not an origin (scheme://host[:port], e.g. https://app.example.com)');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw bad('is not an http or https origin (e.g. https://app.example.com)');
  }
  if (url.username !== '' || url.password !== '') {
    // Not suggested back: the value holds a password.
    throw new UsageError('--origin: an origin carries no user:password@', 'ERR_USAGE_ORIGIN');
  }
  if (url.origin !== value) {
    throw bad(
      'is not a serialized origin (scheme://host[:port]: lower-case host, no default port, no path or trailing slash)',
      `did you mean --origin ${terminalSafe(url.origin, 200)}?`,
    );
  }
  return url.origin;
}

/** --origin values, deduplicated in the order given. */
export function parseOrigins(values: readonly string[] | undefined): string[] | undefined {
  if (values === undefined || values.length === 0) return undefined;
  const origins = [...new Set(values.map(parseOrigin))];
  if (origins.length > MAX_TRUSTED_ORIGINS) {
    throw new UsageError(
      `--origin given ${origins.length} times: at most ${MAX_TRUSTED_ORIGINS} trusted origins (each adds every candidate)`,
      'ERR_USAGE_ORIGIN',
    );
  }
  return origins;
}

/**
 * --request-header NAME: a header name (RFC 9110 token) the page sends, added to the preflights'
 * Access-Control-Request-Headers. Lower-cased as browsers send them.
 */
export function parseRequestHeaders(values: readonly string[] | undefined): string[] {
  const names: string[] = [];
  for (const value of values ?? []) {
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(value)) {
      throw new UsageError(
        `--request-header ${quote(value)} is not a header name (e.g. X-Request-Id)`,
        'ERR_USAGE_HEADER',
      );
    }
    const name = value.toLowerCase();
    if (!names.includes(name)) names.push(name);
  }
  if (names.length > MAX_REQUEST_HEADERS) {
    throw new UsageError(
      `--request-header given ${names.length} times: at most ${MAX_REQUEST_HEADERS}`,
      'ERR_USAGE_HEADER',
    );
  }
  return names;
}

/** Methods a page's fetch() cannot send (Fetch: forbidden methods), and OPTIONS, which the probe sends itself. */
const NOT_UNDER_TEST: Record<string, string> = {
  OPTIONS: 'the probe sends the preflights (OPTIONS) itself; give the method a page would use',
  TRACE: 'a page cannot send TRACE (a forbidden method in the Fetch standard)',
  TRACK: 'a page cannot send TRACK (a forbidden method in the Fetch standard)',
};

/** -X: the method under test, default GET. */
export function parseCorsMethod(value: string | undefined): string {
  if (value === undefined) return 'GET';
  const method = parseMethod(value);
  const why = NOT_UNDER_TEST[method];
  if (why !== undefined) throw new UsageError(`-X ${method}: ${why}`, 'ERR_USAGE_METHOD');
  return method;
}

/** Safe methods (RFC 9110 §9.2.1): the only ones the probe sends for real without a word. */
export function isSafeMethod(method: string): boolean {
  return method === 'GET' || method === 'HEAD';
}

/** The probe sets these itself: a -H line with one of them would replace the candidate or the preflight's ask. */
const PROBE_HEADERS = ['origin', 'access-control-request-method', 'access-control-request-headers'];

export function refuseProbeHeaders(lines: readonly string[] | undefined): void {
  for (const line of lines ?? []) {
    const [name] = parseHeaderLine(line);
    if (PROBE_HEADERS.includes(name.toLowerCase())) {
      throw new UsageError(
        `-H ${terminalSafe(name, 80)}: the probe sets it for every candidate (trusted origins: --origin)`,
        'ERR_USAGE_HEADER',
      );
    }
  }
}
