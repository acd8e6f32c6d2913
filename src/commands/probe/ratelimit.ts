import type { Command } from 'commander';
import type { Context } from '../../context.js';
import { NetworkError, UsageError } from '../../errors.js';
import type { Rendered, View } from '../../io/render.js';
import type { Outcome } from '../../lib/outcome.js';
import { seconds } from '../../lib/ratelimit/picture.js';
import type { RateLimitReport } from '../../lib/ratelimit/types.js';
import { terminalSafe } from '../../lib/text/terminal-safe.js';
import { enforceFlagRules } from '../shared/flag-rules.js';
import {
  addHttpOptions,
  httpUsage,
  parseHeaderLine,
  resolveHttpFlags,
  type HttpFlags,
  type HttpOptionSet,
} from '../shared/http-flags.js';
import { ratelimitMarkdown } from './ratelimit-markdown.js';
import {
  CONCURRENCY_CEILING,
  DEFAULT_CONCURRENCY,
  DEFAULT_DURATION_MS,
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_MAX_REQUESTS,
  DEFAULT_TIMEOUT_MS,
  formatRate,
  isLoopbackHost,
  MAX_REQUESTS_CEILING,
  parseCount,
  parseFormat,
  parseMethod,
  parseProbeDuration,
  parseRate,
  parseTargetUrl,
  type RatelimitFormat,
} from './ratelimit-options.js';
import { renderRatelimitTable } from './ratelimit-view.js';

/**
 * `apikit probe ratelimit <url>`: how an endpoint rate-limits — is it limited, how big a burst passes, what rate
 * is sustained, is its Retry-After true, which header dialect it speaks and which algorithm explains what was
 * seen. Safety first: every input is checked before a request goes out, the budget is printed before the first
 * one, and the experiment (src/probes/ratelimit.ts) never sends more than --max-requests or runs past
 * --duration, and never sends while the server has asked it to wait.
 */
export interface ProbeRatelimitOptions {
  url: string;
  method: string;
  body: string | undefined;
  maxRequests: number;
  durationMs: number;
  concurrency: number;
  ratePerS: number | null;
  format: RatelimitFormat;
  failIfUnlimited: boolean;
  /** -H, --timeout, --connect-timeout, --max-body and the API credential, resolved in runProbeRatelimit. */
  http: HttpFlags;
}

/** The report (the --json document, exactly) and the verdict: negative only with --fail-if-unlimited. */
export interface ProbeRatelimitResult {
  report: RateLimitReport;
  format: RatelimitFormat;
  outcome: Outcome;
}

interface Flags extends HttpFlags {
  request?: string;
  data?: string;
  maxRequests?: string;
  duration?: string;
  concurrency?: string;
  rate?: string;
  format?: string;
  failIfUnlimited?: boolean;
}

/**
 * Transport flags and the API credentials. No --follow-redirects: the probe measures the URL it was given and
 * announced the budget for; a 3xx is an answer to record, and following it would spend the budget (and the
 * credential) on another endpoint, perhaps another host.
 */
const HTTP_OPTIONS: HttpOptionSet = {
  transport: true,
  auth: true,
  help: {
    timeout: 'default 10s per request',
    maxBody: `default ${DEFAULT_MAX_BODY_BYTES}; the probe reads this much of a body and drops the rest`,
  },
};

const USAGE =
  '<url> [-X <METHOD>] [-H <line> ...] [--data <BODY>] [--max-requests <N>] [--duration <duration>] ' +
  '[--concurrency <C>] [--rate <R/s>] [--format {table | json | markdown}] [--fail-if-unlimited] ' +
  httpUsage({ ...HTTP_OPTIONS, transport: false }) +
  ' [--timeout <duration>] [--connect-timeout <duration>] [--max-body <bytes>]';

const EXAMPLES = `
Examples:
  $ apikit probe ratelimit https://staging.example.com/v1/search --profile staging
  $ apikit probe ratelimit https://staging.example.com/v1/search --bearer-env API_TOKEN --max-requests 60 --duration 30s
  $ apikit probe ratelimit https://staging.example.com/v1/items -X POST --data '{"q":1}' -H 'Content-Type: application/json'
  $ apikit probe ratelimit https://staging.example.com/v1/search --rate 5/s --concurrency 2 --json | jq .algorithm
  $ apikit probe ratelimit "$URL" --api-key-env KEY --format markdown >> "$GITHUB_STEP_SUMMARY"
  $ apikit probe ratelimit "$URL" --bearer-env API_TOKEN --fail-if-unlimited`;

export function registerProbeRatelimit(parent: Command, ctx: Context): void {
  const cmd = parent
    .command('ratelimit')
    .usage(USAGE)
    .summary('measure how an endpoint rate-limits: burst, rate, Retry-After, algorithm')
    .description(
      [
        'Send a bounded experiment of requests to one URL and report how it is rate-limited: whether it is ' +
          'limited at all, the burst that passes back-to-back, the sustained rate, the window, what Retry-After and ' +
          'the rate-limit headers (IETF RateLimit/RateLimit-Policy, X-RateLimit-*, …) advertise and whether that ' +
          'is true, and which algorithm (fixed window, sliding window, token bucket, leaky-bucket queue) explains it.',
        'It never sends more than --max-requests nor runs longer than --duration, prints that budget on stderr ' +
          'before the first request, and sends nothing while the server has asked it to wait. Probe only APIs you ' +
          'run or may test: even a bounded burst is load.',
      ].join('\n\n'),
    )
    .argument('<url>', 'the endpoint to probe (http or https)')
    .option('-X, --request <METHOD>', 'request method (default GET, or POST with --data)')
    .option('--data <BODY>', 'request body, sent as given with every request')
    .option(
      '--max-requests <N>',
      `send at most N requests (default ${DEFAULT_MAX_REQUESTS}, at most ${MAX_REQUESTS_CEILING})`,
    )
    .option('--duration <duration>', 'stop after this long (default 60s, at most 10m)')
    .option(
      '--concurrency <C>',
      `requests in flight at once (default ${DEFAULT_CONCURRENCY}, at most ${CONCURRENCY_CEILING})`,
    )
    .option('--rate <R/s>', 'never send faster than this: 5, 5/s, 0.5/s, 300/m (default: no pacing)')
    .option('--format <format>', 'table (default), json (as --json) or markdown (for a CI job summary)')
    .option('--fail-if-unlimited', 'exit 1 when no limit was found');
  addHttpOptions(cmd, HTTP_OPTIONS)
    .addHelpText('after', EXAMPLES)
    .action(async (url: string, flags: Flags) => {
      const opts = parseProbeRatelimitFlags(url, flags, ctx);
      const result = await runProbeRatelimit(opts, ctx);
      await ctx.finish(result, renderProbeRatelimit);
      // The partial result is out (stdout); the failure is the exit code and one line on stderr. cli.ts writes no
      // second --json document once stdout has one.
      const error = result.report.error;
      if (error !== null) {
        throw new NetworkError(
          terminalSafe(error.message),
          /^ERR_[A-Z0-9_]+$/.test(error.code) ? error.code : 'ERR_PROBE_NETWORK',
          {
            hint: 'the result printed is what was learned before the failure',
          },
        );
      }
    });
  enforceFlagRules(cmd);
}

/** Every flag of the verb's own, checked and resolved (no I/O): a bad one is exit 2 before anything is sent. */
export function parseProbeRatelimitFlags(
  url: string,
  flags: Flags,
  ctx: Pick<Context, 'flags'>,
): ProbeRatelimitOptions {
  const target = parseTargetUrl(url);
  const body = flags.data;
  // curl's rule: --data without -X is a POST.
  const method =
    flags.request !== undefined ? parseMethod(flags.request) : body !== undefined ? 'POST' : 'GET';
  const maxRequests =
    flags.maxRequests === undefined
      ? DEFAULT_MAX_REQUESTS
      : parseCount('--max-requests', flags.maxRequests, MAX_REQUESTS_CEILING, 'a probe, not a load test');
  const durationMs = flags.duration === undefined ? DEFAULT_DURATION_MS : parseProbeDuration(flags.duration);
  const concurrency =
    flags.concurrency === undefined
      ? DEFAULT_CONCURRENCY
      : parseCount('--concurrency', flags.concurrency, CONCURRENCY_CEILING, 'a probe, not a load test');
  const ratePerS = flags.rate === undefined ? null : parseRate(flags.rate);
  const format = parseFormat(flags.format, ctx.flags.json);
  return {
    url: target.href,
    method,
    body,
    maxRequests,
    durationMs,
    concurrency,
    ratePerS,
    format,
    failIfUnlimited: flags.failIfUnlimited === true,
    http: {
      header: flags.header,
      timeout: flags.timeout,
      connectTimeout: flags.connectTimeout,
      maxBody: flags.maxBody,
      bearerEnv: flags.bearerEnv,
      apiKeyEnv: flags.apiKeyEnv,
      apiKeyHeader: flags.apiKeyHeader,
      basicEnv: flags.basicEnv,
      profile: flags.profile,
    },
  };
}

export async function runProbeRatelimit(
  opts: ProbeRatelimitOptions,
  ctx: Context,
): Promise<ProbeRatelimitResult> {
  // The credential (env var or profile) and the transport flags: the last inputs that can be wrong, still
  // before the budget line and the first request.
  refuseTwoCredentials(opts.http);
  const resolved = await resolveHttpFlags(opts.http, ctx);
  const headers = { ...resolved.headers };
  for (const [name, value] of Object.entries(headers)) {
    if (/[\r\n\0]/.test(value)) {
      throw new UsageError(
        `header "${terminalSafe(name, 80)}": a value cannot hold a line break or NUL`,
        'ERR_HTTP_HEADER',
      );
    }
  }
  if (opts.body !== undefined && !Object.keys(headers).some((k) => k.toLowerCase() === 'content-type')) {
    // What curl sends with -d; -H 'Content-Type: …' replaces it.
    headers['Content-Type'] = 'application/x-www-form-urlencoded';
  }
  const timeoutMs = resolved.clientOptions.timeoutMs ?? DEFAULT_TIMEOUT_MS;

  // A safety statement, so on every stream, not only a terminal: what is about to be sent, and its bounds.
  ctx.out.notice(budgetLine(opts));
  const target = new URL(opts.url);
  if (target.protocol === 'http:' && !isLoopbackHost(target.hostname)) {
    ctx.out.warn(
      `${terminalSafe(target.host, 200)} is plain http and not loopback: the requests and any credential in them ` +
        'travel unencrypted (use https)',
    );
  }

  const client = await ctx.http({
    maxRequests: opts.maxRequests,
    concurrency: opts.concurrency,
    timeoutMs,
    connectTimeoutMs: resolved.clientOptions.connectTimeoutMs,
    maxBodyBytes: resolved.clientOptions.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    followRedirects: false,
    headers,
  });
  const { probeRateLimit } = await import('../../probes/ratelimit.js');
  const report = await probeRateLimit(
    {
      url: opts.url,
      method: opts.method,
      headers,
      body: opts.body,
      maxRequests: opts.maxRequests,
      durationMs: opts.durationMs,
      concurrency: opts.concurrency,
      ratePerS: opts.ratePerS,
      timeoutMs,
    },
    {
      client,
      clock: ctx.clock,
      signal: ctx.signal,
      // One line per phase, on a terminal only (ctx.out.progress); it may quote what the server said.
      onProgress: (line: string) => ctx.out.progress(terminalSafe(line)),
    },
  );
  return {
    report,
    format: opts.format,
    outcome: opts.failIfUnlimited && !report.limited ? 'negative' : 'ok',
  };
}

/** A -H line setting the header an auth flag sets: two credentials, one of them silently dropped. */
function refuseTwoCredentials(http: HttpFlags): void {
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

/** `probing GET https://…: at most 150 requests over 60 s, 1 at a time[, no faster than 5/s]`. */
export function budgetLine(
  opts: Pick<
    ProbeRatelimitOptions,
    'method' | 'url' | 'maxRequests' | 'durationMs' | 'concurrency' | 'ratePerS'
  >,
): string {
  const rate = opts.ratePerS === null ? '' : `, no faster than ${formatRate(opts.ratePerS)}`;
  return (
    `probing ${opts.method} ${terminalSafe(opts.url)}: at most ${opts.maxRequests} ` +
    `request${opts.maxRequests === 1 ? '' : 's'} over ${seconds(opts.durationMs)}, ${opts.concurrency} at a time${rate}`
  );
}

/** Table (the default), JSON (the RateLimitReport exactly: `outcome` is not part of it) or Markdown. */
export function renderProbeRatelimit(result: ProbeRatelimitResult, view: View): Rendered {
  if (view.json || result.format === 'json') return view.doc().json(result.report).blocks;
  if (result.format === 'markdown') return view.doc().result(ratelimitMarkdown(result.report)).blocks;
  return renderRatelimitTable(result.report, view);
}
