import { UsageError } from '../../errors.js';
import { terminalSafe } from '../../lib/text/terminal-safe.js';
import { parseDurationFlag } from '../../lib/time/duration.js';
import { httpUsage, parseHeaderLine, type HttpFlags, type HttpOptionSet } from './http-flags.js';

/**
 * The flags every probe-like verb takes (`probe ratelimit`, `probe cors`, `probe versions`, the bare `probe <url>`, `audit`), each checked before
 * anything is sent: a bad value is one line naming the flag and the value (exit 2). The ceilings keep a probe a
 * probe: anything bigger is a load test, which needs another tool and the owner's consent.
 */
export const DEFAULT_DURATION_MS = 60_000;
export const DURATION_CEILING_MS = 10 * 60_000;
/** Per request, unless --timeout says otherwise. */
export const DEFAULT_TIMEOUT_MS = 10_000;
/** Response bodies are read only to be discarded; --max-body may lower or raise this. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

export const PROBE_FORMATS = ['table', 'json', 'markdown'] as const;
export type ProbeFormat = (typeof PROBE_FORMATS)[number];
/** `apikit audit` adds SARIF 2.1.0, for code-scanning dashboards. */
export const AUDIT_FORMATS = ['table', 'json', 'markdown', 'sarif'] as const;
export type AuditFormat = (typeof AUDIT_FORMATS)[number];

/**
 * Transport flags and the API credentials. No --follow-redirects: a probe measures the URL it was given and
 * announced the budget for; a 3xx is an answer to record, and following it would spend the budget (and the
 * credential) on another endpoint, perhaps another host.
 */
export const PROBE_HTTP_OPTIONS: HttpOptionSet = {
  transport: true,
  auth: true,
  help: {
    timeout: 'default 10s per request',
    maxBody: `default ${DEFAULT_MAX_BODY_BYTES}; the probe reads this much of a body and drops the rest`,
  },
};

/** The synopsis of the credential flags, and of the transport flags but -H (which each verb places itself). */
export const CREDENTIALS_USAGE = httpUsage({ ...PROBE_HTTP_OPTIONS, transport: false });
export const TRANSPORT_USAGE = '[--timeout <duration>] [--connect-timeout <duration>] [--max-body <bytes>]';

/** The help of the flags every probe verb describes alike. */
export const FLAG_HELP = {
  duration: 'stop after this long (default 60s, at most 10m)',
  format: 'table (default), json (as --json) or markdown (for a CI job summary)',
} as const;

/** argv may hold anything (escape sequences too): what a message quotes is sanitised. */
export const quote = (value: string): string => `"${terminalSafe(value, 80)}"`;

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

/** --max-requests: a whole number up to the verb's ceiling. */
export function parseMaxRequests(value: string, ceiling: number): number {
  return parseCount('--max-requests', value, ceiling, 'a probe, not a load test');
}

/** --duration: a positive duration up to the ceiling; without the flag, the default. */
export function parseProbeDuration(value: string | undefined): number {
  if (value === undefined) return DEFAULT_DURATION_MS;
  const ms = parseDurationFlag('--duration', value, { positive: true });
  if (ms > DURATION_CEILING_MS) {
    throw new UsageError(
      `--duration ${quote(value)} is above the ceiling of ${DURATION_CEILING_MS / 60_000}m (a probe, not a soak test)`,
      'ERR_USAGE_DURATION',
    );
  }
  return ms;
}

/** How a verb words the refusals of parseMethodToken and parseHttpUrl (each verb its own flag and purpose). */
export interface TargetWording {
  /** The message for a value that is not a method token, given the value quoted. */
  notAMethod: (quoted: string) => string;
  /** The message for CONNECT. */
  connect: string;
  /** The hint under a bad method, if any. */
  methodHint?: string;
  /** An example URL for "is not a URL". */
  example: string;
  /** The message for a scheme other than http(s), given it quoted. */
  notHttp: (quotedProtocol: string) => string;
}

/** An RFC 9110 §9.1 method token, upper-cased (`get` is GET); CONNECT opens a tunnel, never a request apikit makes. */
export function parseMethodToken(value: string, wording: TargetWording): string {
  if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(value)) {
    throw new UsageError(wording.notAMethod(quote(value)), 'ERR_USAGE_METHOD', { hint: wording.methodHint });
  }
  const method = value.toUpperCase();
  if (method === 'CONNECT') throw new UsageError(wording.connect, 'ERR_USAGE_METHOD');
  return method;
}

/** An absolute http(s) URL without credentials in it (they would be on argv, and in every message). */
export function parseHttpUrl(value: string, wording: TargetWording): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`${quote(value)} is not a URL (e.g. ${wording.example})`, 'ERR_USAGE_URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(wording.notHttp(quote(url.protocol)), 'ERR_USAGE_URL');
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

const PROBE_WORDING: TargetWording = {
  notAMethod: (quoted) => `-X ${quoted} is not an HTTP method (e.g. GET, POST)`,
  connect: '-X CONNECT opens a tunnel; probe a request method (e.g. GET, POST)',
  example: 'https://api.example.com/v1/search',
  notHttp: (quoted) => `${quoted} URLs cannot be probed: give an http(s) URL`,
};

/** -X of a probe or the audit: CONNECT opens a tunnel, which is not a request to measure. */
export function parseMethod(value: string): string {
  return parseMethodToken(value, PROBE_WORDING);
}

/** The target of a probe or the audit. */
export function parseTargetUrl(value: string): URL {
  return parseHttpUrl(value, PROBE_WORDING);
}

export function parseFormat(format: string | undefined, json: boolean): ProbeFormat {
  return parseFormatFlag(PROBE_FORMATS, format, json);
}

/**
 * `--format` against a verb's formats, with `--json` as `--format json`: the two may agree, never conflict. The
 * first format is the default.
 */
export function parseFormatFlag<F extends string>(
  formats: readonly [F, ...F[]],
  format: string | undefined,
  json: boolean,
): F {
  if (format !== undefined && !(formats as readonly string[]).includes(format)) {
    throw new UsageError(`--format ${quote(format)} is not one of ${formats.join(', ')}`, 'ERR_USAGE_FORMAT');
  }
  const chosen = format as F | undefined;
  if (json && chosen !== undefined && chosen !== 'json') {
    throw new UsageError(`--json conflicts with --format ${chosen}`, 'ERR_USAGE_FLAG_CONFLICT');
  }
  return json ? ('json' as F) : (chosen ?? formats[0]);
}

/** The shared HTTP flags of a probe verb's flags, to be resolved in its run function. */
export function probeHttpFlags(flags: HttpFlags): HttpFlags {
  return {
    header: flags.header,
    timeout: flags.timeout,
    connectTimeout: flags.connectTimeout,
    maxBody: flags.maxBody,
    bearerEnv: flags.bearerEnv,
    apiKeyEnv: flags.apiKeyEnv,
    apiKeyHeader: flags.apiKeyHeader,
    basicEnv: flags.basicEnv,
    profile: flags.profile,
  };
}

/** A -H line setting the header an auth flag sets: two credentials, one of them silently dropped. */
export function refuseTwoCredentials(http: HttpFlags): void {
  const [flag, header] =
    http.bearerEnv !== undefined
      ? ['--bearer-env', 'authorization']
      : http.basicEnv !== undefined
        ? ['--basic-env', 'authorization']
        : http.profile !== undefined
          ? ['--profile', 'authorization']
          : http.apiKeyEnv !== undefined
            ? ['--api-key-env', (http.apiKeyHeader ?? 'X-API-Key').toLowerCase()]
            : [undefined, undefined];
  if (flag === undefined) return;
  for (const line of http.header ?? []) {
    const [name] = parseHeaderLine(line);
    if (name.toLowerCase() === header) {
      throw new UsageError(
        `-H ${terminalSafe(name, 80)} and ${flag} both set the credential: give it one way`,
        'ERR_USAGE_AUTH_CONFLICT',
      );
    }
  }
}
