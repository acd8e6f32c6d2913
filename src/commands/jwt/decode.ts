import type { Command } from 'commander';
import type { Context } from '../../context.js';
import { isInformational, lintToken, type JwtWarning } from '../../lib/jwt/lint.js';
import { decodeToken } from '../../lib/jwt/decode-token.js';
import type { JsonObject } from '../../lib/jwt/parse.js';
import { timeClaims, type TimeClaim } from '../../lib/jwt/times.js';
import { DEFAULT_MAX_TOKEN_BYTES, extractToken } from '../../lib/jwt/token-text.js';
import type { Rendered, View } from '../../io/render.js';
import { terminalSafe } from '../../lib/text/terminal-safe.js';
import { enforceFlagRules } from '../shared/flag-rules.js';
import { colourJson } from './json-view.js';
import { parseMaxSize, readTokenText, redactToken } from './token-input.js';

/**
 * `apikit jwt decode`: shows a token's header and claims WITHOUT verifying it — and says so every time.
 * Start-up matters here (people paste tokens from logs): this path loads only jose's base64url decoder.
 */
export interface JwtDecodeOptions {
  token: string | undefined;
  maxSize?: string | undefined;
}

export interface JwtDecodeResult {
  verified: false;
  header: JsonObject;
  payload: JsonObject;
  signature: string;
  times: TimeClaim[];
  warnings: JwtWarning[];
}

export const DECODE_USAGE = '[<TOKEN> | -] [--max-size <BYTES>] [--json]';

export function registerJwtDecode(parent: Command, ctx: Context): void {
  const cmd = parent
    .command('decode')
    .usage(DECODE_USAGE)
    .summary("show a token's header and claims (does NOT verify the signature)")
    .description(
      'Decode a JWT without verifying it: header and payload as JSON, times as ISO-8601 and relative, and lint warnings (RFC 8725). Accepts the bare token, "Bearer <token>" or a whole "Authorization:" line.',
    )
    .argument('[token]', 'the token, or "-" (the default) to read it from stdin')
    .option('--max-size <BYTES>', `refuse tokens larger than this (default: ${DEFAULT_MAX_TOKEN_BYTES})`)
    .addHelpText(
      'after',
      `
Examples:
  $ apikit jwt decode eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2ln
  $ pbpaste | apikit jwt decode
  $ grep -m1 Authorization access.log | apikit jwt decode --json | jq .payload.sub`,
    )
    .action(async (token: string | undefined, flags: { maxSize?: string }) => {
      await ctx.finish(await runJwtDecode({ token, maxSize: flags.maxSize }, ctx), renderJwtDecode);
    });
  enforceFlagRules(cmd);
}

export async function runJwtDecode(opts: JwtDecodeOptions, ctx: Context): Promise<JwtDecodeResult> {
  const maxBytes = parseMaxSize(opts.maxSize, DEFAULT_MAX_TOKEN_BYTES);
  const text = await readTokenText(ctx, opts.token, maxBytes);
  const token = extractToken(text);
  redactToken(ctx, token);
  const decoded = decodeToken(token, maxBytes);
  const now = ctx.clock.now();
  return {
    verified: false,
    header: decoded.header,
    payload: decoded.payload,
    signature: decoded.signature,
    times: timeClaims(decoded.payload, now),
    warnings: lintToken(decoded.header, decoded.payload, now),
  };
}

export function renderJwtDecode(result: JwtDecodeResult, view: View): Rendered {
  const doc = view.doc();
  // Said every time, also with --json (on stderr): a decoded token is not a trusted token.
  const notice = (): Rendered => {
    doc.notice(
      view.color.err.yellow("note: signature not verified (use apikit jwt verify with the issuer's key)"),
    );
    // Lint messages quote the token (claim names, crit, kid): sanitised. Informational lints are notes.
    for (const w of result.warnings) {
      const line = `${terminalSafe(w.message)} [${w.id}]`;
      if (isInformational(w)) doc.notice(`note: ${line}`);
      else doc.warn(line);
    }
    return doc.blocks;
  };
  if (view.json) {
    doc.json(result);
    return notice();
  }
  const c = view.color.out;
  const lines = [
    c.bold('Header'),
    colourJson(result.header, c),
    c.bold('Payload'),
    colourJson(result.payload, c),
  ];
  if (result.times.length > 0) {
    lines.push(c.bold('Times'));
    for (const t of result.times) {
      const infinite = typeof t.value === 'number' && !Number.isFinite(t.value);
      const when =
        t.iso === undefined
          ? c.red(infinite ? 'not a finite number: no NumericDate' : 'not a usable NumericDate')
          : `${t.iso}  (${t.relative})`;
      // JSON text, never the raw value: a string "exp" from an untrusted token may carry terminal escapes
      // (JSON escapes C0 only: terminalSafe takes the rest). A number too large for a double (1e400) is Infinity,
      // which JSON writes as null: say what it is instead.
      const raw = infinite ? 'overflow' : terminalSafe((JSON.stringify(t.value) ?? 'null').slice(0, 40));
      lines.push(`  ${t.claim.padEnd(9)} ${raw.padEnd(12)} ${when}`);
    }
  }
  doc.result(lines.join('\n'));
  return notice();
}
