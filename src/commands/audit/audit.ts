import type { Command } from 'commander';
import type { Context } from '../../context.js';
import type { Rendered, View } from '../../io/render.js';
import { ALL_CHECKS, auditReport } from '../../lib/audit/index.js';
import type { AuditFacts, AuditReport, AuditTarget } from '../../lib/audit/types.js';
import { formatSpan } from '../../lib/report/numbers.js';
import { AUDIT_MAX_REQUESTS, gatherAuditFacts } from '../../probes/audit.js';
import { gradeOutcome, type Grade } from '../../lib/findings.js';
import type { Outcome } from '../../lib/outcome.js';
import { terminalSafe } from '../../lib/text/terminal-safe.js';
import { enforceFlagRules } from '../shared/flag-rules.js';
import { addHttpOptions, type HttpFlags } from '../shared/http-flags.js';
import {
  CREDENTIALS_USAGE,
  PROBE_HTTP_OPTIONS,
  probeHttpFlags,
  TRANSPORT_USAGE,
  AUDIT_FORMATS,
  type AuditFormat,
} from '../shared/probe-flags.js';
import { finishProbe, plainHttpWarning, progressTo, resolveProbeHttp } from '../shared/probe-run.js';
import { auditMarkdown, partialMarkdown } from './markdown.js';
import { auditSarif, failedSarif } from './sarif.js';
import {
  CA_INPUT_LIMIT,
  checkAuditTarget,
  HEADERS_INPUT_LIMIT,
  isSafeMethod,
  parseAuditFormat,
  parseAuditMethod,
  parseAuditTarget,
  parseFailUnder,
  pemCertificates,
} from './options.js';
import type { AuditPartial } from './summary.js';
import { renderAuditTable, renderPartialTable } from './view.js';

/**
 * `apikit audit <url>`: grade an API's security headers and transport. One request as a client sends it (GET, or
 * -X, with the credential), one CORS preflight from a foreign origin (no credential, like a browser), for an https
 * URL the http:// twin (no credential, not followed) and one TLS handshake per protocol version — gathered by
 * src/probes/audit.ts, judged by the pure rules of src/lib/audit/, graded from 100 down by each finding's points,
 * with the Mozilla HTTP Observatory-equivalent score beside it. `--headers FILE|-` judges a saved response
 * instead, with nothing sent at all.
 */
export interface AuditOptions {
  /** Required live; optional with --headers (then the file's URL, else judged as https). */
  url: string | undefined;
  method: string;
  target: AuditTarget;
  format: AuditFormat;
  failUnder: Grade | undefined;
  /** --headers: a path, or "-" for stdin. */
  headersFile: string | undefined;
  assumeHttps: boolean;
  /** --ca: a PEM file of extra trusted CA certificates (read in run, before anything is sent). */
  caFile: string | undefined;
  /** --http-url: the http:// twin to ask instead of the URL with port 80. */
  httpUrl: string | undefined;
  http: HttpFlags;
}

/**
 * The report (the --json document exactly) and the verdict (negative only with --fail-under). When the audited
 * request failed there is no report to grade: `partial` says what was learned (the TLS facts often say why), it is
 * printed, then the failure is exit 3.
 */
export interface AuditResult {
  report: AuditReport | null;
  partial: AuditPartial | null;
  format: AuditFormat;
  outcome: Outcome;
  /** apikit's version, for SARIF's tool.driver. */
  version: string;
  /** The audited request's failure (exit 3 after the partial result); null otherwise. */
  error: { code: string; message: string } | null;
}

export interface AuditFlags extends HttpFlags {
  request?: string;
  target?: string;
  format?: string;
  failUnder?: string;
  headers?: string;
  assumeHttps?: boolean;
  ca?: string;
  httpUrl?: string;
}

const USAGE =
  '<url> [-X <METHOD>] [--target {auto | api | html}] [--format {table | json | markdown | sarif}] ' +
  '[--fail-under <GRADE>] [--assume-https] [--ca <FILE>] [--http-url <URL>] ' +
  `${CREDENTIALS_USAGE} [-H <line> ...] ${TRANSPORT_USAGE}\n` +
  '       apikit audit --headers {<FILE> | -} [<url>] [--target {auto | api | html}] [--assume-https] ' +
  '[--format {table | json | markdown | sarif}] [--fail-under <GRADE>]';

const EXAMPLES = `
Examples:
  $ apikit audit https://api.example.com/v1/me --bearer-env API_TOKEN
  $ apikit audit https://api.example.com/v1/me --fail-under B --format markdown >> "$GITHUB_STEP_SUMMARY"
  $ apikit audit https://api.example.com/v1/me --format sarif > audit.sarif
  $ apikit audit http://127.0.0.1:8080/v1/me --assume-https --json | jq '.findings[] | {id, points}'
  $ curl -si https://api.example.com/v1/me | apikit audit --headers - https://api.example.com/v1/me
  $ apikit audit --headers session.har --target html`;

export function registerAudit(program: Command, ctx: Context, summary: string): void {
  const cmd = program
    .command('audit')
    .usage(USAGE)
    .summary(summary)
    .description(
      [
        'Grade an endpoint’s security headers and transport the way that matters for an API (OWASP REST ' +
          'Security and Secure Headers projects), or for an HTML page with --target html. Every finding has a ' +
          'stable id, a severity, the points it costs out of 100, and advice; the grade (A+ … F) uses the Mozilla ' +
          'HTTP Observatory’s bands, and the Observatory-equivalent score of the same response is shown beside it.',
        'It sends one request as a client would (GET, or -X, with the credential), one CORS preflight from ' +
          'https://apikit-audit.invalid without the credential, and for an https URL the http:// twin (no ' +
          'credential, not followed) and one TLS handshake per protocol version (TLS 1.0 to 1.3). A 401 or 403 is ' +
          'audited like a 200. --headers judges a saved response (raw HTTP, a HAR file, or a JSON object of ' +
          'headers) and sends nothing.',
      ].join('\n\n'),
    )
    .argument('[url]', 'the endpoint to audit (http or https); optional with --headers')
    .option('-X, --request <METHOD>', 'the method of the audited request (default GET); sent once, for real')
    .option('--target <kind>', 'the rule set: auto (default: from the Content-Type), api or html')
    .option('--format <format>', `${AUDIT_FORMATS.join(', ')} (table is the default; json is as --json)`)
    .option('--fail-under <GRADE>', 'exit 1 when the grade is below this one (e.g. B; without it: exit 0)')
    .option(
      '--headers <FILE>',
      'audit a saved response from FILE (- for stdin): raw HTTP, HAR or JSON; offline',
    )
    .option(
      '--assume-https',
      'judge a loopback http URL as if served over https (a local server behind a TLS proxy): no transport checks',
    )
    .option(
      '--ca <FILE>',
      'also trust the CA certificates in this PEM file (for the TLS checks and the request)',
    )
    .option(
      '--http-url <URL>',
      'the http:// twin to check for a redirect (default: the URL over http, port 80)',
    );
  addHttpOptions(cmd, PROBE_HTTP_OPTIONS)
    .addHelpText('after', EXAMPLES)
    .action(async (url: string | undefined, flags: AuditFlags) => {
      const opts = parseAuditFlags(url, flags, ctx);
      const result = await runAudit(opts, ctx);
      await finishProbe(ctx, result, renderAudit, result.error);
    });
  enforceFlagRules(cmd);
}

/** Every flag of the verb's own, checked (no I/O): a bad one is exit 2 before anything is read or sent. */
export function parseAuditFlags(
  url: string | undefined,
  flags: AuditFlags,
  ctx: Pick<Context, 'flags'>,
): AuditOptions {
  const http = probeHttpFlags(flags);
  const format = parseAuditFormat(flags.format, ctx.flags.json);
  const target = parseAuditTarget(flags.target);
  const failUnder = parseFailUnder(flags.failUnder);
  const method = parseAuditMethod(flags.request);
  const checked = checkAuditTarget(
    {
      url,
      headers: flags.headers,
      assumeHttps: flags.assumeHttps,
      ca: flags.ca,
      httpUrl: flags.httpUrl,
      request: flags.request,
    },
    http,
  );
  return {
    url: checked.url,
    method,
    target,
    format,
    failUnder,
    headersFile: flags.headers,
    assumeHttps: flags.assumeHttps === true,
    caFile: flags.ca,
    httpUrl: checked.httpUrl,
    http,
  };
}

export async function runAudit(opts: AuditOptions, ctx: Context): Promise<AuditResult> {
  const gathered = opts.headersFile !== undefined ? await readSaved(opts, ctx) : await gather(opts, ctx);
  const common = { format: opts.format, version: ctx.version, error: gathered.error };
  if (gathered.facts === null) {
    return { ...common, report: null, partial: gathered.partial, outcome: 'ok' };
  }
  const report = auditReport(gathered.facts, { target: opts.target, now: ctx.clock.now() });
  return { ...common, report, partial: null, outcome: gradeOutcome(report.grade, opts.failUnder) };
}

type Gathered =
  | { facts: AuditFacts; error: null }
  | { facts: null; partial: AuditPartial; error: { code: string; message: string } };

/** --headers: the saved response, read whole (at most HEADERS_INPUT_LIMIT), parsed by src/lib/audit/input.ts. */
async function readSaved(opts: AuditOptions, ctx: Context): Promise<Gathered> {
  const [{ readInput }, { readAuditInput }] = await Promise.all([
    import('../../files/read-input.js'),
    import('../../lib/audit/input.js'),
  ]);
  const input = await readInput(opts.headersFile!, ctx.io, {
    limit: HEADERS_INPUT_LIMIT,
    stdinIsTTY: ctx.io.stdinIsTTY,
  });
  const facts = readAuditInput(
    { name: input.name, data: input.data },
    { ...(opts.url === undefined ? {} : { url: opts.url }), assumeHttps: opts.assumeHttps },
  );
  return { facts, error: null };
}

/** TLS 1.0, 1.1, 1.2, 1.3: one handshake each for an https URL. */
const TLS_HANDSHAKES = 4;

/**
 * The whole live audit's time cap: every request and handshake at its own timeout, one after another — a bound,
 * never a wait (each step ends when answered).
 */
export function auditDurationMs(timeoutMs: number, connectTimeoutMs: number | undefined): number {
  return AUDIT_MAX_REQUESTS * timeoutMs + TLS_HANDSHAKES * Math.min(timeoutMs, connectTimeoutMs ?? 10_000);
}

/** Live: the credential and transport flags, --ca, the budget line, then the requests (src/probes/audit.ts). */
async function gather(opts: AuditOptions, ctx: Context): Promise<Gathered> {
  const url = opts.url!;
  const http = await resolveProbeHttp(opts.http, ctx);
  let ca: string[] | undefined;
  if (opts.caFile !== undefined) {
    const { readInput } = await import('../../files/read-input.js');
    const input = await readInput(opts.caFile, ctx.io, {
      limit: CA_INPUT_LIMIT,
      stdinIsTTY: ctx.io.stdinIsTTY,
    });
    ca = pemCertificates(input.data.toString('utf8'), input.name);
  }
  const https = new URL(url).protocol === 'https:' && !opts.assumeHttps;
  const durationMs = auditDurationMs(http.timeoutMs, http.connectTimeoutMs);
  // A safety statement, so on every stream: what is about to be sent, and its bounds.
  ctx.out.notice(auditBudgetLine(opts.method, url, https, durationMs));
  const warning = plainHttpWarning(url);
  if (warning !== null) ctx.out.warn(warning);
  if (!isSafeMethod(opts.method)) ctx.out.warn(`-X ${opts.method} is sent for real, once`);

  const client = await ctx.http({
    maxRequests: AUDIT_MAX_REQUESTS,
    concurrency: 1,
    timeoutMs: http.timeoutMs,
    connectTimeoutMs: http.connectTimeoutMs,
    maxBodyBytes: http.maxBodyBytes,
    followRedirects: false,
    // None: the probe sets each request's headers, and neither the preflight nor the twin carries the credential.
    headers: {},
    ...(ca === undefined ? {} : { ca }),
  });
  const credentialHeaders = opts.http.apiKeyEnv !== undefined ? [opts.http.apiKeyHeader ?? 'X-API-Key'] : [];
  const gathered = await gatherAuditFacts(
    {
      url,
      method: opts.method,
      headers: http.headers,
      credentialHeaders,
      assumeHttps: opts.assumeHttps,
      ...(opts.httpUrl === undefined ? {} : { httpUrl: opts.httpUrl }),
      ...(ca === undefined ? {} : { ca }),
      timeoutMs: http.timeoutMs,
      ...(http.connectTimeoutMs === undefined ? {} : { connectTimeoutMs: http.connectTimeoutMs }),
      durationMs,
    },
    { client, clock: ctx.clock, signal: ctx.signal, onProgress: progressTo(ctx) },
  );
  for (const line of gathered.skipped) ctx.out.warn(terminalSafe(line));
  if (gathered.facts !== null) return { facts: gathered.facts, error: null };
  const p = gathered.partial;
  return {
    facts: null,
    error: gathered.error,
    partial: {
      url: p.url,
      method: opts.method,
      source: 'live',
      error: gathered.error,
      tls: p.tls ?? null,
      requests: p.requests,
      authenticated: p.authenticated,
    },
  };
}

/**
 * `auditing GET https://api.example.com/v1/me: at most 3 requests (the GET, a CORS preflight, the http:// twin) and
 * 4 TLS handshakes, over at most 70 s` — before the first one.
 */
export function auditBudgetLine(method: string, url: string, https: boolean, durationMs: number): string {
  const what = https
    ? `at most 3 requests (the ${method}, a CORS preflight, the http:// twin) and ${TLS_HANDSHAKES} TLS handshakes`
    : `at most 2 requests (the ${method}, a CORS preflight)`;
  return `auditing ${method} ${terminalSafe(url)}: ${what}, over at most ${formatSpan(durationMs)}`;
}

/** Table (the default), JSON (the AuditReport exactly: `outcome` is not part of it), Markdown or SARIF. */
export function renderAudit(result: AuditResult, view: View): Rendered {
  const json = view.json || result.format === 'json';
  if (result.report === null) {
    const partial = result.partial!;
    if (json) return view.doc().json(partial).blocks;
    if (result.format === 'markdown') return view.doc().result(partialMarkdown(partial)).blocks;
    if (result.format === 'sarif')
      return view.doc().json(failedSarif(partial, ALL_CHECKS, result.version)).blocks;
    return renderPartialTable(partial, view);
  }
  if (json) return view.doc().json(result.report).blocks;
  if (result.format === 'markdown') return view.doc().result(auditMarkdown(result.report)).blocks;
  if (result.format === 'sarif') return renderSarif(result.report, result.version, view);
  return renderAuditTable(result.report, view);
}

/** SARIF: every check apikit can report is a rule of the log, so a dashboard knows the ones that did not fire. */
function renderSarif(report: AuditReport, version: string, view: View): Rendered {
  return view.doc().json(auditSarif(report, ALL_CHECKS, version)).blocks;
}
