import { STATUS_CODES } from 'node:http';
import type { Command } from 'commander';
import type { Context } from '../../context.js';
import { REDACTED } from '../../io/redact.js';
import { addHttpOptions, httpUsage, resolveHttpFlags, type HttpOptionSet } from '../shared/http-flags.js';
import { plainHttpWarning } from '../shared/probe-run.js';
import { decodeBody, isJsonBody, problemOf, type DecodedBody } from './body.js';
import type { RequestResult } from './result.js';
import { parseRequestFlags, readRequestBody, type RequestFlags, type RequestOptions } from './options.js';
import { renderRequest, writeBareBody } from './view.js';

/**
 * `apikit request <METHOD> <URL>`: the authenticated call a user makes next — a profile's token (refreshed when
 * needed), a bearer token, an API key or Basic auth from the environment — over the same HTTP client as the
 * probes. The status line and the response headers on stderr (redacted), the body on stdout; `--json` for the
 * whole answer. A response that is not 2xx is a negative verdict (exit 1), its problem details on stderr; no answer
 * at all is exit 3.
 */
export type { RequestOptions, RequestResult };

/**
 * Transport, redirects (credential headers dropped on a cross-origin hop) and the API credentials. Redirects are
 * followed only when asked: a 3xx is an answer to show.
 */
export const REQUEST_HTTP_OPTIONS: HttpOptionSet = { transport: true, followRedirects: true, auth: true };

/** A request and its redirects (the client follows at most 5): a bound on what one command can send. */
const MAX_REQUESTS = 6;

const USAGE =
  '<METHOD> <URL> [-d <body> | --data-file <file> | --data-stdin] ' +
  `${httpUsage(REQUEST_HTTP_OPTIONS)} [--json]`;

const HELP = `
The status line and the response headers go to stderr (colour on a terminal; credential headers such as
Set-Cookie shown as [REDACTED], and no secret apikit read ever shown), the body to stdout: as received when
piped, JSON pretty-printed and control characters shown as ? on a terminal. A body that is not text is written
as it is when piped, and not shown on a terminal.

Request body: -d is text on the command line (visible to every user of the machine: never put a secret there);
--data-file and --data-stdin read up to 16 MiB. Content-Type defaults to application/json when the body parses
as JSON; otherwise none is sent unless -H 'Content-Type: …' gives one.

Exit codes: 0 a 2xx answer; 1 any other status (3xx not followed, 4xx including 401 and 403, 5xx) — the
answer is still printed, and a problem+json (RFC 9457) or OAuth error's title and detail are shown on stderr;
2 bad flags, an unreadable body file, an unset env var, a profile that does not exist; 3 no usable answer
(connection refused, timeout, a body over --max-body, too many redirects); 4 the profile's session is gone or its
refresh was refused (apikit login).

--json: { "method", "url", "status", "status_text", "ok", "redirects", "headers" (lower-case names; a repeated
field as an array), "body" (parsed JSON, text, base64 of bytes that are not UTF-8, or null), "body_encoding"
("json" | "text" | "base64" | "empty") }. The headers and body are as received, not redacted.

Examples:
  $ apikit request GET https://api.example.com/v1/posts --profile default
  $ apikit request POST https://api.example.com/v1/posts --bearer-env API_TOKEN -d '{"title":"hello"}'
  $ apikit request GET https://api.example.com/v1/posts --api-key-env API_KEY --json | jq .headers.ratelimit
  $ apikit request PUT https://api.example.com/v1/posts/7 --basic-env API_BASIC --data-file post.json
  $ jq -n '{title: "from jq"}' | apikit request POST https://api.example.com/v1/posts --profile ci --data-stdin
  $ apikit request DELETE https://api.example.com/v1/posts/7 --profile default -H 'If-Match: "v3"' --timeout 5s`;

export function registerRequest(program: Command, ctx: Context): Command {
  const cmd = program
    .command('request')
    .description(
      'make an HTTP request with an API credential (a profile, a bearer token, an API key or Basic auth): ' +
        'status and headers on stderr, the body on stdout',
    )
    .usage(USAGE)
    .argument('<METHOD>', 'GET, POST, PUT, PATCH, DELETE, … (any HTTP method but CONNECT)')
    // Optional for commander only, so that `apikit request https://…` gets a message that says what to do.
    .argument('[URL]', 'the http(s) URL to call (required)')
    .option('-d, --data <body>', 'the request body, as text (never a secret: argv is visible)')
    .option('--data-file <file>', 'read the request body from a file ("-" is stdin)')
    .option('--data-stdin', 'read the request body from stdin');
  return addHttpOptions(cmd, REQUEST_HTTP_OPTIONS)
    .addHelpText('after', HELP)
    .action(async (method: string, url: string | undefined, flags: RequestFlags) => {
      const result = await runRequest(parseRequestFlags(method, url, flags), ctx);
      await ctx.finish(result, renderRequest);
      await writeBareBody(result, ctx);
    });
}

export async function runRequest(opts: RequestOptions, ctx: Context): Promise<RequestResult> {
  const body = await readRequestBody(opts.body, ctx);
  const resolved = await resolveHttpFlags(opts.http, ctx);
  const own: Record<string, string> = {};
  const hasContentType = Object.keys(resolved.headers).some((name) => name.toLowerCase() === 'content-type');
  if (body !== undefined && !hasContentType && isJsonBody(body)) own['content-type'] = 'application/json';
  const credentialed = Object.keys(resolved.headers).some((name) => ctx.redactor.isSecretHeader(name));
  const warning = credentialed ? plainHttpWarning(opts.url) : null;
  if (warning !== null) ctx.out.warn(warning);

  const client = await ctx.http({
    ...resolved.clientOptions,
    // Client-wide, not per request: the client then keeps credential headers off a cross-origin redirect.
    headers: resolved.headers,
    concurrency: 1,
    maxRequests: MAX_REQUESTS,
  });
  const res = await client.request({
    method: opts.method,
    url: opts.url,
    headers: own,
    ...(body !== undefined ? { body } : {}),
  });

  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(res.headers)) if (value !== undefined) headers[name] = value;
  const decoded = decodeBody(res.body, res.header('content-type'));
  const ok = res.status >= 200 && res.status < 300;
  return {
    method: res.method,
    url: res.url,
    status: res.status,
    statusText: STATUS_CODES[res.status] ?? '',
    ok,
    redirects: res.redirects,
    headers,
    body: decoded,
    bytes: res.body,
    shown: {
      headers: shownHeaders(headers, ctx),
      redirects: res.redirects.map((u) => ctx.redactor.redact(u)),
      problem: ok ? null : problemLine(decoded, ctx),
    },
    outcome: ok ? 'ok' : 'negative',
  };
}

/** Each header line for stderr: a credential header's value replaced, any secret apikit read removed from the rest. */
function shownHeaders(headers: RequestResult['headers'], ctx: Pick<Context, 'redactor'>): [string, string][] {
  const lines: [string, string][] = [];
  for (const [name, value] of Object.entries(headers)) {
    for (const one of Array.isArray(value) ? value : [value]) {
      lines.push([name, ctx.redactor.isSecretHeader(name) ? REDACTED : ctx.redactor.redact(one)]);
    }
  }
  return lines;
}

/** `Title: detail` of an error answer, redacted (server text may quote the credential), or null. */
function problemLine(body: DecodedBody, ctx: Pick<Context, 'redactor'>): string | null {
  const problem = problemOf(body);
  if (problem === null) return null;
  const text = [problem.title, problem.detail].filter((t) => t !== null).join(': ');
  return ctx.redactor.redact(text);
}
