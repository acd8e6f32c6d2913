import type { Command } from 'commander';
import type { Context } from '../../context.js';
import type { Rendered, View } from '../../io/render.js';
import type { CorsReport } from '../../lib/cors/types.js';
import { findingsOutcome, parseSeverity, type Severity } from '../../lib/findings.js';
import type { Outcome } from '../../lib/outcome.js';
import { terminalSafe } from '../../lib/text/terminal-safe.js';
import type { CorsProbeOptions } from '../../probes/cors.js';
import { collect } from '../shared/flags.js';
import { enforceFlagRules } from '../shared/flag-rules.js';
import { addHttpOptions, type HttpFlags } from '../shared/http-flags.js';
import { corsMarkdown } from './cors-markdown.js';
import {
  CORS_MAX_REQUESTS_CEILING,
  isSafeMethod,
  parseCorsMethod,
  parseOrigins,
  parseRequestHeaders,
  refuseProbeHeaders,
} from './cors-options.js';
import { renderCorsTable } from './cors-view.js';
import {
  CREDENTIALS_USAGE,
  FLAG_HELP,
  parseFormat,
  parseMaxRequests,
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
} from '../shared/probe-run.js';

/**
 * `apikit probe cors <url>`: what a page at each candidate origin — the trusted ones, and every look-alike an
 * allow-list mistake lets through — could do with the endpoint in a browser: read it with and without
 * credentials, get its preflighted request through, get a credentialed DELETE sent. Safety first: every input is
 * checked before a request goes out, the budget is printed before the first one, the probe (src/probes/cors.ts)
 * never sends more than --max-requests nor runs past --duration, and the DELETE is only ever asked about in a
 * preflight, never sent, unless -X DELETE says to.
 */
export interface ProbeCorsOptions {
  url: string;
  method: string;
  /** --origin values, else the URL's own origin. */
  trusted: string[];
  requestHeaders: string[];
  /** Undefined: every candidate's requests (at most the ceiling). */
  maxRequests: number | undefined;
  durationMs: number;
  format: ProbeFormat;
  /** Undefined: no --fail-on, exit 0 whatever is found. */
  failOn: Severity | undefined;
  http: HttpFlags;
}

/** The report (the --json document, exactly) and the verdict: negative only with --fail-on. */
export interface ProbeCorsResult {
  report: CorsReport;
  format: ProbeFormat;
  outcome: Outcome;
}

export interface CorsFlags extends HttpFlags {
  origin?: string[];
  request?: string;
  requestHeader?: string[];
  maxRequests?: string;
  duration?: string;
  format?: string;
  failOn?: string;
}

const USAGE =
  '<url> [--origin <TRUSTED> ...] [-X <METHOD>] [--request-header <NAME> ...] [--max-requests <N>] ' +
  '[--duration <duration>] [--format {table | json | markdown}] [--fail-on {low | medium | high}] ' +
  `${CREDENTIALS_USAGE} [-H <line> ...] ${TRANSPORT_USAGE}`;

const EXAMPLES = `
Examples:
  $ apikit probe cors https://api.example.com/v1/me --origin https://app.example.com
  $ apikit probe cors https://api.example.com/v1/me --origin https://app.example.com --bearer-env API_TOKEN --fail-on high
  $ apikit probe cors https://api.example.com/v1/items -X PUT --request-header X-Request-Id --origin https://app.example.com
  $ apikit probe cors "$URL" --origin https://app.example.com --json | jq '.findings[] | {id, severity, origin}'
  $ apikit probe cors "$URL" --origin https://app.example.com --format markdown >> "$GITHUB_STEP_SUMMARY"`;

/** The flags `apikit probe cors` and `apikit probe <url>` share. */
export function addCorsOptions(cmd: Command): Command {
  return cmd
    .option(
      '--origin <TRUSTED>',
      'an origin the endpoint should trust, scheme://host[:port] (repeatable; default: the URL’s own origin)',
      collect,
    )
    .option(
      '-X, --request <METHOD>',
      'the method a page sends (default GET); sent for real, the DELETE is only asked in a preflight',
    )
    .option(
      '--request-header <NAME>',
      'a header the page sends, added to Access-Control-Request-Headers (repeatable)',
      collect,
    )
    .option('--format <format>', FLAG_HELP.format)
    .option(
      '--fail-on <severity>',
      'exit 1 when a finding of this severity or worse exists: low, medium or high (without it: exit 0)',
    );
}

export function registerProbeCors(parent: Command, ctx: Context): void {
  const cmd = parent
    .command('cors')
    .usage(USAGE)
    .summary('what pages at other origins can read: preflights, credentials, allow-list bypasses')
    .description(
      [
        'Test an endpoint’s CORS the way a browser uses it. From the trusted origin(s) come the candidate origins ' +
          'an allow-list mistake lets through — any site, null, prefix and suffix look-alikes, an unescaped dot, ' +
          'special characters, the plain-http twin, subdomains, other ports, case and trailing-slash variants, ' +
          'developer hosting — and for each: a preflight for the method under test (with Authorization, ' +
          'Content-Type, X-API-Key), a preflight for a DELETE, and the actual request with Origin.',
        'The verdict per origin is what the Fetch standard lets a page there do (read with or without ' +
          'credentials, send the preflighted request, get a DELETE sent); severities follow what an attacker ' +
          'needs to control. It sends 3 requests per candidate (the budget: every candidate, at most ' +
          `${CORS_MAX_REQUESTS_CEILING}; a lower --max-requests leaves later candidates not tested), prints that ` +
          'budget on stderr first, and never sends the DELETE for real. Probe only APIs you run or may test.',
      ].join('\n\n'),
    )
    .argument('<url>', 'the endpoint to probe (http or https)');
  addCorsOptions(cmd)
    .option(
      '--max-requests <N>',
      `send at most N requests (default: 3 per candidate, at most ${CORS_MAX_REQUESTS_CEILING})`,
    )
    .option('--duration <duration>', FLAG_HELP.duration);
  addHttpOptions(cmd, PROBE_HTTP_OPTIONS)
    .addHelpText('after', EXAMPLES)
    .action(async (url: string, flags: CorsFlags) => {
      const opts = parseProbeCorsFlags(url, flags, ctx);
      const result = await runProbeCors(opts, ctx);
      await finishProbe(ctx, result, renderProbeCors, result.report.error);
    });
  enforceFlagRules(cmd);
}

/** Every flag of the verb's own, checked and resolved (no I/O): a bad one is exit 2 before anything is sent. */
export function parseProbeCorsFlags(
  url: string,
  flags: CorsFlags,
  ctx: Pick<Context, 'flags'>,
): ProbeCorsOptions {
  const target = parseTargetUrl(url);
  const trusted = parseOrigins(flags.origin) ?? [target.origin];
  const method = parseCorsMethod(flags.request);
  const requestHeaders = parseRequestHeaders(flags.requestHeader);
  const maxRequests =
    flags.maxRequests === undefined
      ? undefined
      : parseMaxRequests(flags.maxRequests, CORS_MAX_REQUESTS_CEILING);
  const durationMs = parseProbeDuration(flags.duration);
  const format = parseFormat(flags.format, ctx.flags.json);
  const failOn = flags.failOn === undefined ? undefined : parseSeverity('--fail-on', flags.failOn);
  refuseProbeHeaders(flags.header);
  return {
    url: target.href,
    method,
    trusted,
    requestHeaders,
    maxRequests,
    durationMs,
    format,
    failOn,
    http: probeHttpFlags(flags),
  };
}

/** What the probe will do, resolved and checked, before anything is sent. */
export interface PreparedCors {
  probe: CorsProbeOptions;
  candidates: number;
  needed: number;
  connectTimeoutMs: number | undefined;
  maxBodyBytes: number;
  /** The budget line and any warnings, in the order to print them. */
  notices: { kind: 'notice' | 'warn'; text: string }[];
}

/**
 * The credential (env var or profile) and the transport flags — the last inputs that can be wrong — and the plan:
 * the candidates (pure, from the trusted origins) and so the budget. Sends nothing.
 */
export async function prepareProbeCors(opts: ProbeCorsOptions, ctx: Context): Promise<PreparedCors> {
  const http = await resolveProbeHttp(opts.http, ctx);
  const { corsPlan } = await import('../../probes/cors.js');
  const plan = corsPlan(opts.trusted, opts.method);
  const maxRequests = opts.maxRequests ?? Math.max(1, Math.min(plan.needed, CORS_MAX_REQUESTS_CEILING));
  const probe: CorsProbeOptions = {
    url: opts.url,
    method: opts.method,
    trusted: opts.trusted,
    requestHeaders: opts.requestHeaders,
    headers: http.headers,
    maxRequests,
    durationMs: opts.durationMs,
    timeoutMs: http.timeoutMs,
    credentialHeaders: opts.http.apiKeyEnv !== undefined ? [opts.http.apiKeyHeader ?? 'X-API-Key'] : [],
  };
  const notices: PreparedCors['notices'] = [
    { kind: 'notice', text: corsBudgetLine(probe, plan.candidates.length, plan.needed) },
  ];
  const warning = plainHttpWarning(opts.url);
  if (warning !== null) notices.push({ kind: 'warn', text: warning });
  if (!isSafeMethod(opts.method)) {
    notices.push({
      kind: 'warn',
      text: `-X ${opts.method} is sent for real, once for each of the ${plan.candidates.length} candidate origins`,
    });
  }
  return {
    probe,
    candidates: plan.candidates.length,
    needed: plan.needed,
    connectTimeoutMs: http.connectTimeoutMs,
    maxBodyBytes: http.maxBodyBytes,
    notices,
  };
}

export function printNotices(prepared: { notices: PreparedCors['notices'] }, ctx: Context): void {
  for (const n of prepared.notices) {
    if (n.kind === 'notice') ctx.out.notice(n.text);
    else ctx.out.warn(n.text);
  }
}

/** Sends the prepared probe: a client of its own with the same cap, one request at a time, no redirects. */
export async function executeProbeCors(prepared: PreparedCors, ctx: Context): Promise<CorsReport> {
  const client = await ctx.http({
    maxRequests: prepared.probe.maxRequests,
    concurrency: 1,
    timeoutMs: prepared.probe.timeoutMs,
    connectTimeoutMs: prepared.connectTimeoutMs,
    maxBodyBytes: prepared.maxBodyBytes,
    followRedirects: false,
    // None: the probe sets each request's headers, and a preflight carries no credential.
    headers: {},
  });
  const { probeCors } = await import('../../probes/cors.js');
  return probeCors(prepared.probe, {
    client,
    clock: ctx.clock,
    signal: ctx.signal,
    onProgress: progressTo(ctx),
  });
}

export async function runProbeCors(opts: ProbeCorsOptions, ctx: Context): Promise<ProbeCorsResult> {
  const prepared = await prepareProbeCors(opts, ctx);
  // A safety statement, so on every stream, not only a terminal: what is about to be sent, and its bounds.
  printNotices(prepared, ctx);
  const report = await executeProbeCors(prepared, ctx);
  return { report, format: opts.format, outcome: corsOutcome(report, opts.failOn) };
}

/** Exit 0 whatever is found unless --fail-on is given: the rule (no default threshold here). */
export function corsOutcome(report: CorsReport, failOn: Severity | undefined): Outcome {
  return failOn === undefined ? 'ok' : findingsOutcome(report.findings, failOn);
}

/**
 * `probing CORS of GET https://…: 47 candidate origins from https://app.example.com, at most 141 requests over
 * 60 s, 1 at a time` — and, when --max-requests is lower than every candidate needs, that the rest are not tested.
 */
export function corsBudgetLine(
  probe: Pick<CorsProbeOptions, 'method' | 'url' | 'trusted' | 'maxRequests' | 'durationMs'>,
  candidates: number,
  needed: number,
): string {
  const from =
    probe.trusted.length === 1
      ? terminalSafe(probe.trusted[0]!, 200)
      : `${probe.trusted.length} trusted origins`;
  const short =
    probe.maxRequests < needed
      ? ` (all ${candidates} candidates need ${needed}: those left over are not tested)`
      : '';
  return (
    `probing CORS of ${probe.method} ${terminalSafe(probe.url)}: ${candidates} candidate origin` +
    `${candidates === 1 ? '' : 's'} from ${from}, ${boundsText(probe.maxRequests, probe.durationMs, 1)}${short}`
  );
}

/** Table (the default), JSON (the CorsReport exactly: `outcome` is not part of it) or Markdown. */
export function renderProbeCors(result: ProbeCorsResult, view: View): Rendered {
  if (view.json || result.format === 'json') return view.doc().json(result.report).blocks;
  if (result.format === 'markdown') return view.doc().result(corsMarkdown(result.report)).blocks;
  return renderCorsTable(result.report, view);
}
