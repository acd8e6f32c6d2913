import type { Command } from 'commander';
import type { Context } from '../../context.js';
import type { Rendered, View } from '../../io/render.js';
import { findingsOutcome, parseSeverity, type Severity } from '../../lib/findings.js';
import type { Outcome } from '../../lib/outcome.js';
import { terminalSafe } from '../../lib/text/terminal-safe.js';
import type { SchemeChoice, VersionsReport } from '../../lib/versions/types.js';
import type { VersionsProbeOptions } from '../../probes/versions.js';
import { enforceFlagRules } from '../shared/flag-rules.js';
import { addHttpOptions, type HttpFlags } from '../shared/http-flags.js';
import {
  CREDENTIALS_USAGE,
  FLAG_HELP,
  parseFormat,
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
import { versionsMarkdown } from './versions-markdown.js';
import {
  parseHeaderName,
  parseMaxVersions,
  parseScheme,
  parseVersionsMaxRequests,
  requireVersionInUrl,
  VERSIONS_DEFAULT_MAX_REQUESTS,
  VERSIONS_DEFAULT_MAX_VERSIONS,
  VERSIONS_MAX_REQUESTS_CEILING,
  VERSIONS_MAX_VERSIONS_CEILING,
} from './versions-options.js';
import { renderVersionsTable } from './versions-view.js';

/**
 * `apikit probe versions <url>`: which versions of an API answer, how a request selects one, what an unversioned
 * request gets, and when each version dies (Deprecation, Sunset, the RFC 5829 links). Only GETs, one at a time,
 * within a small budget printed on stderr before the first request.
 */
export interface ProbeVersionsOptions {
  url: string;
  scheme: SchemeChoice;
  headerName: string | undefined;
  maxVersions: number;
  maxRequests: number;
  durationMs: number;
  format: ProbeFormat;
  /** Undefined: no --fail-on, exit 0 whatever is found. */
  failOn: Severity | undefined;
  http: HttpFlags;
}

export interface ProbeVersionsResult {
  report: VersionsReport;
  format: ProbeFormat;
  outcome: Outcome;
}

export interface VersionsFlags extends HttpFlags {
  scheme?: string;
  headerName?: string;
  maxVersions?: string;
  maxRequests?: string;
  duration?: string;
  format?: string;
  failOn?: string;
}

const USAGE =
  '<url> [--scheme {auto | path | header | media-type | query}] [--header-name <NAME>] [--max-versions <N>] ' +
  '[--max-requests <N>] [--duration <duration>] [--format {table | json | markdown}] ' +
  `[--fail-on {low | medium | high}] ${CREDENTIALS_USAGE} [-H <line> ...] ${TRANSPORT_USAGE}`;

const EXAMPLES = `
Examples:
  $ apikit probe versions https://api.example.com/v1/users --bearer-env API_TOKEN
  $ apikit probe versions https://api.example.com/items --scheme header --header-name X-Api-Version
  $ apikit probe versions "https://api.example.com/items?api-version=2024-06-01" --fail-on medium
  $ apikit probe versions "$URL" --json | jq '.versions[] | {id, status, sunset, days_left}'
  $ apikit probe versions "$URL" --format markdown >> "$GITHUB_STEP_SUMMARY"`;

export function registerProbeVersions(parent: Command, ctx: Context): void {
  const cmd = parent
    .command('versions')
    .usage(USAGE)
    .summary('which API versions answer, how they are selected, and when they are sunset')
    .description(
      [
        'Find how the API selects a version — the URL path (/v1/, /2024-06-01/), a header (API-Version), the ' +
          'media type (application/vnd.<vendor>.v2+json) or a query parameter (?api-version=) — then try the ' +
          'versions it names itself (Link rel successor-version, predecessor-version, latest-version; ' +
          'api-supported-versions, api-deprecated-versions; the version lists of error bodies) and the ' +
          'neighbours of the one given, and an unversioned request.',
        'For each version: live (2xx, 401, 403), retired (410), gone (404), redirected, rejected; its ' +
          'Deprecation (RFC 9745) and Sunset (RFC 8594) dates, its successor and the days left. Only GETs, one at ' +
          `a time, at most ${VERSIONS_DEFAULT_MAX_REQUESTS} requests unless --max-requests says otherwise; the ` +
          'budget is printed on stderr first. Probe only APIs you run or may test.',
      ].join('\n\n'),
    )
    .argument('<url>', 'a versioned endpoint to start from (http or https)')
    .option(
      '--scheme <scheme>',
      'auto (default: every scheme the evidence shows), path, header, media-type or query',
    )
    .option('--header-name <NAME>', 'the version header, when it is not API-Version or X-API-Version')
    .option(
      '--max-versions <N>',
      `try at most N versions (default ${VERSIONS_DEFAULT_MAX_VERSIONS}, at most ${VERSIONS_MAX_VERSIONS_CEILING})`,
    )
    .option(
      '--max-requests <N>',
      `send at most N requests (default ${VERSIONS_DEFAULT_MAX_REQUESTS}, at most ${VERSIONS_MAX_REQUESTS_CEILING})`,
    )
    .option('--duration <duration>', FLAG_HELP.duration)
    .option('--format <format>', FLAG_HELP.format)
    .option(
      '--fail-on <severity>',
      'exit 1 when a finding of this severity or worse exists: low, medium or high (without it: exit 0)',
    );
  addHttpOptions(cmd, PROBE_HTTP_OPTIONS)
    .addHelpText('after', EXAMPLES)
    .action(async (url: string, flags: VersionsFlags) => {
      const opts = parseProbeVersionsFlags(url, flags, ctx);
      const result = await runProbeVersions(opts, ctx);
      await finishProbe(ctx, result, renderProbeVersions, result.report.error);
    });
  enforceFlagRules(cmd);
}

/** Every flag of the verb's own, checked and resolved (no I/O): a bad one is exit 2 before anything is sent. */
export function parseProbeVersionsFlags(
  url: string,
  flags: VersionsFlags,
  ctx: Pick<Context, 'flags'>,
): ProbeVersionsOptions {
  const target = parseTargetUrl(url);
  const scheme = parseScheme(flags.scheme);
  requireVersionInUrl(target.href, scheme);
  const headerName = parseHeaderName(flags.headerName, scheme);
  return {
    url: target.href,
    scheme,
    headerName,
    maxVersions: parseMaxVersions(flags.maxVersions),
    maxRequests: parseVersionsMaxRequests(flags.maxRequests),
    durationMs: parseProbeDuration(flags.duration),
    format: parseFormat(flags.format, ctx.flags.json),
    failOn: flags.failOn === undefined ? undefined : parseSeverity('--fail-on', flags.failOn),
    http: probeHttpFlags(flags),
  };
}

export async function runProbeVersions(
  opts: ProbeVersionsOptions,
  ctx: Context,
): Promise<ProbeVersionsResult> {
  const http = await resolveProbeHttp(opts.http, ctx);
  const probe: VersionsProbeOptions = {
    url: opts.url,
    scheme: opts.scheme,
    headerName: opts.headerName,
    headers: http.headers,
    maxRequests: opts.maxRequests,
    maxVersions: opts.maxVersions,
    durationMs: opts.durationMs,
    timeoutMs: http.timeoutMs,
  };
  // A safety statement, so on every stream: what is about to be sent, and its bounds.
  ctx.out.notice(versionsBudgetLine(probe));
  const warning = plainHttpWarning(opts.url);
  if (warning !== null) ctx.out.warn(warning);
  const client = await ctx.http({
    maxRequests: probe.maxRequests,
    concurrency: 1,
    timeoutMs: probe.timeoutMs,
    connectTimeoutMs: http.connectTimeoutMs,
    maxBodyBytes: http.maxBodyBytes,
    followRedirects: false,
    // None: the probe sets each request's headers (the user's, minus the version selector's).
    headers: {},
  });
  const { probeVersions } = await import('../../probes/versions.js');
  const report = await probeVersions(probe, {
    client,
    clock: ctx.clock,
    signal: ctx.signal,
    onProgress: progressTo(ctx),
  });
  return { report, format: opts.format, outcome: versionsOutcome(report, opts.failOn) };
}

/** Exit 0 whatever is found unless --fail-on is given (the rule, as in probe cors). */
export function versionsOutcome(report: VersionsReport, failOn: Severity | undefined): Outcome {
  return failOn === undefined ? 'ok' : findingsOutcome(report.findings, failOn);
}

/** `probing versions of https://…: up to 12 versions, at most 30 requests over 60 s, 1 at a time (GET only)`. */
export function versionsBudgetLine(
  probe: Pick<VersionsProbeOptions, 'url' | 'maxRequests' | 'maxVersions' | 'durationMs' | 'scheme'>,
): string {
  const scheme = probe.scheme === 'auto' ? '' : ` by ${probe.scheme}`;
  return (
    `probing versions${scheme} of ${terminalSafe(probe.url)}: up to ${probe.maxVersions} versions, ` +
    `${boundsText(probe.maxRequests, probe.durationMs, 1)} (GET only)`
  );
}

/** Table (the default), JSON (the VersionsReport exactly: `outcome` is not part of it) or Markdown. */
export function renderProbeVersions(result: ProbeVersionsResult, view: View): Rendered {
  if (view.json || result.format === 'json') return view.doc().json(result.report).blocks;
  if (result.format === 'markdown') return view.doc().result(versionsMarkdown(result.report)).blocks;
  return renderVersionsTable(result.report, view);
}
