import type { Context } from '../../context.js';
import { NetworkError, UsageError } from '../../errors.js';
import type { Rendered, View } from '../../io/render.js';
import { formatRequests, formatSpan } from '../../lib/report/numbers.js';
import { isLoopbackHost } from '../../lib/loopback.js';
import { terminalSafe } from '../../lib/text/terminal-safe.js';
import { resolveHttpFlags, type HttpFlags } from './http-flags.js';
import { DEFAULT_MAX_BODY_BYTES, DEFAULT_TIMEOUT_MS, refuseTwoCredentials } from './probe-flags.js';

/**
 * How every probe verb runs around its probe: the credential and transport flags resolved before the budget
 * line, the budget line and its warnings before the first request, progress on a terminal, and after a failure
 * the partial result first, then the failure (exit 3).
 */

/** The resolved HTTP flags of a probe: the headers of its requests and its client's transport settings. */
export interface ProbeHttp {
  headers: Record<string, string>;
  timeoutMs: number;
  connectTimeoutMs: number | undefined;
  maxBodyBytes: number;
}

/**
 * The credential (env var or profile) and the transport flags: the last inputs that can be wrong, still before the
 * budget line and the first request.
 */
export async function resolveProbeHttp(http: HttpFlags, ctx: Context): Promise<ProbeHttp> {
  refuseTwoCredentials(http);
  const resolved = await resolveHttpFlags(http, ctx);
  const headers = { ...resolved.headers };
  for (const [name, value] of Object.entries(headers)) {
    if (/[\r\n\0]/.test(value)) {
      throw new UsageError(
        `header "${terminalSafe(name, 80)}": a value cannot hold a line break or NUL`,
        'ERR_HTTP_HEADER',
      );
    }
  }
  return {
    headers,
    timeoutMs: resolved.clientOptions.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    connectTimeoutMs: resolved.clientOptions.connectTimeoutMs,
    maxBodyBytes: resolved.clientOptions.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
  };
}

/** `at most 150 requests over 60 s, 1 at a time`: the bounds every budget line states. */
export function boundsText(maxRequests: number, durationMs: number, concurrency: number): string {
  return `at most ${formatRequests(maxRequests)} over ${formatSpan(durationMs)}, ${concurrency} at a time`;
}

/** The warning for a target over plain http that is not loopback; null for any other. */
export function plainHttpWarning(url: string): string | null {
  const target = new URL(url);
  if (target.protocol !== 'http:' || isLoopbackHost(target.hostname)) return null;
  return (
    `${terminalSafe(target.host, 200)} is plain http and not loopback: the requests and any credential in them ` +
    'travel unencrypted (use https)'
  );
}

/** A probe's progress lines, on a terminal only (ctx.out.progress); they may quote what the server said. */
export function progressTo(ctx: Context): (line: string) => void {
  return (line: string) => ctx.out.progress(terminalSafe(line));
}

/**
 * The end of every probe verb's action: the result is printed (stdout) even when a request failed; the failure is
 * then the exit code (3) and one line on stderr. cli.ts writes no second --json document once stdout has one.
 */
export async function finishProbe<R extends object>(
  ctx: Context,
  result: R,
  render: (result: R, view: View) => Rendered,
  error: { code: string; message: string } | null,
): Promise<void> {
  await ctx.finish(result, render);
  if (error === null) return;
  throw new NetworkError(
    terminalSafe(error.message),
    /^ERR_[A-Z0-9_]+$/.test(error.code) ? error.code : 'ERR_PROBE_NETWORK',
    { hint: 'the result printed is what was learned before the failure' },
  );
}
