import type { Command } from 'commander';
import type { Context } from '../../context.js';
import type { Rendered, View } from '../../io/render.js';
import type { Outcome } from '../../lib/outcome.js';
import { formatPerSecond } from '../../lib/ratelimit/format.js';
import type { RateLimitReport } from '../../lib/ratelimit/types.js';
import { terminalSafe } from '../../lib/text/terminal-safe.js';
import type { RateLimitProbeOptions } from '../../probes/ratelimit.js';
import { enforceFlagRules } from '../shared/flag-rules.js';
import { addHttpOptions, type HttpFlags } from '../shared/http-flags.js';
import { ratelimitMarkdown } from './ratelimit-markdown.js';
import {
  CONCURRENCY_CEILING,
  DEFAULT_CONCURRENCY,
  DEFAULT_MAX_REQUESTS,
  MAX_REQUESTS_CEILING,
  parseRate,
} from './ratelimit-options.js';
import { renderRatelimitTable } from './ratelimit-view.js';
import {
  CREDENTIALS_USAGE,
  FLAG_HELP,
  parseCount,
  parseFormat,
  parseMaxRequests,
  parseMethod,
  parseProbeDuration,
  parseTargetUrl,
  PROBE_HTTP_OPTIONS,
  probeHttpFlags,
  TRANSPORT_USAGE,
  type ProbeFormat,
} from '../shared/probe-flags.js';
import {
  boundsText,
  finishProbe,
  plainHttpWarning,
  progressTo,
  resolveProbeHttp,
  type ProbeHttp,
} from '../shared/probe-run.js';

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
  format: ProbeFormat;
  failIfUnlimited: boolean;
  /** -H, --timeout, --connect-timeout, --max-body and the API credential, resolved in runProbeRatelimit. */
  http: HttpFlags;
}

/** The report (the --json document, exactly) and the verdict: negative only with --fail-if-unlimited. */
export interface ProbeRatelimitResult {
  report: RateLimitReport;
  format: ProbeFormat;
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

const USAGE =
  '<url> [-X <METHOD>] [-H <line> ...] [--data <BODY>] [--max-requests <N>] [--duration <duration>] ' +
  '[--concurrency <C>] [--rate <R/s>] [--format {table | json | markdown}] [--fail-if-unlimited] ' +
  `${CREDENTIALS_USAGE} ${TRANSPORT_USAGE}`;

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
    .option('--duration <duration>', FLAG_HELP.duration)
    .option(
      '--concurrency <C>',
      `requests in flight at once (default ${DEFAULT_CONCURRENCY}, at most ${CONCURRENCY_CEILING})`,
    )
    .option('--rate <R/s>', 'never send faster than this: 5, 5/s, 0.5/s, 300/m (default: no pacing)')
    .option('--format <format>', FLAG_HELP.format)
    .option('--fail-if-unlimited', 'exit 1 when no limit was found');
  addHttpOptions(cmd, PROBE_HTTP_OPTIONS)
    .addHelpText('after', EXAMPLES)
    .action(async (url: string, flags: Flags) => {
      const opts = parseProbeRatelimitFlags(url, flags, ctx);
      const result = await runProbeRatelimit(opts, ctx);
      await finishProbe(ctx, result, renderProbeRatelimit, result.report.error);
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
      : parseMaxRequests(flags.maxRequests, MAX_REQUESTS_CEILING);
  const durationMs = parseProbeDuration(flags.duration);
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
    http: probeHttpFlags(flags),
  };
}

export async function runProbeRatelimit(
  opts: ProbeRatelimitOptions,
  ctx: Context,
): Promise<ProbeRatelimitResult> {
  const http = await resolveProbeHttp(opts.http, ctx);
  const headers = http.headers;
  if (opts.body !== undefined && !Object.keys(headers).some((k) => k.toLowerCase() === 'content-type')) {
    // What curl sends with -d; -H 'Content-Type: …' replaces it.
    headers['Content-Type'] = 'application/x-www-form-urlencoded';
  }

  // A safety statement, so on every stream, not only a terminal: what is about to be sent, and its bounds.
  ctx.out.notice(budgetLine(opts));
  const warning = plainHttpWarning(opts.url);
  if (warning !== null) ctx.out.warn(warning);

  const report = await executeProbeRatelimit(
    {
      url: opts.url,
      method: opts.method,
      headers,
      body: opts.body,
      maxRequests: opts.maxRequests,
      durationMs: opts.durationMs,
      concurrency: opts.concurrency,
      ratePerS: opts.ratePerS,
      timeoutMs: http.timeoutMs,
    },
    http,
    ctx,
  );
  return {
    report,
    format: opts.format,
    outcome: opts.failIfUnlimited && !report.limited ? 'negative' : 'ok',
  };
}

/** Sends the experiment: a client of its own with the probe's cap, concurrency and headers, no redirects. */
export async function executeProbeRatelimit(
  probe: RateLimitProbeOptions,
  transport: Pick<ProbeHttp, 'connectTimeoutMs' | 'maxBodyBytes'>,
  ctx: Context,
): Promise<RateLimitReport> {
  const client = await ctx.http({
    maxRequests: probe.maxRequests,
    concurrency: probe.concurrency,
    timeoutMs: probe.timeoutMs,
    connectTimeoutMs: transport.connectTimeoutMs,
    maxBodyBytes: transport.maxBodyBytes,
    followRedirects: false,
    headers: probe.headers,
  });
  const { probeRateLimit } = await import('../../probes/ratelimit.js');
  return probeRateLimit(probe, {
    client,
    clock: ctx.clock,
    signal: ctx.signal,
    onProgress: progressTo(ctx),
  });
}

/** `probing GET https://…: at most 150 requests over 60 s, 1 at a time[, no faster than 5/s]`. */
export function budgetLine(
  opts: Pick<
    ProbeRatelimitOptions,
    'method' | 'url' | 'maxRequests' | 'durationMs' | 'concurrency' | 'ratePerS'
  >,
): string {
  const rate = opts.ratePerS === null ? '' : `, no faster than ${formatPerSecond(opts.ratePerS)}`;
  return (
    `probing ${opts.method} ${terminalSafe(opts.url)}: ` +
    `${boundsText(opts.maxRequests, opts.durationMs, opts.concurrency)}${rate}`
  );
}

/** Table (the default), JSON (the RateLimitReport exactly: `outcome` is not part of it) or Markdown. */
export function renderProbeRatelimit(result: ProbeRatelimitResult, view: View): Rendered {
  if (view.json || result.format === 'json') return view.doc().json(result.report).blocks;
  if (result.format === 'markdown') return view.doc().result(ratelimitMarkdown(result.report)).blocks;
  return renderRatelimitTable(result.report, view);
}
