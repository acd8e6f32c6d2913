import type { Command } from 'commander';
import type { Context } from '../../context.js';
import { InputError } from '../../errors.js';
import { isInformational, lintToken, type JwtWarning } from '../../lib/jwt/lint.js';
import { decodeJws, decodeSegment, type JsonObject } from '../../lib/jwt/parse.js';
import { timeClaims, type TimeClaim } from '../../lib/jwt/times.js';
import {
  DEFAULT_MAX_TOKEN_BYTES,
  extractToken,
  isTokenFormatError,
  TokenFormatError,
  tokenShape,
} from '../../lib/jwt/token-text.js';
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
  try {
    const shape = tokenShape(token, maxBytes);
    if (shape.kind === 'jwe') throw jweError(shape.parts[0]!);
    if (shape.kind !== 'jws') throw new TokenFormatError('not a compact JWS', 'malformed');
    const decoded = decodeJws(shape.parts);
    const now = ctx.clock.now();
    return {
      verified: false,
      header: decoded.header,
      payload: decoded.payload,
      signature: decoded.signature,
      times: timeClaims(decoded.payload, now),
      warnings: lintToken(decoded.header, decoded.payload, now),
    };
  } catch (err) {
    if (isTokenFormatError(err)) throw formatError(err);
    throw err;
  }
}

function formatError(err: TokenFormatError): InputError {
  const code = {
    malformed: 'ERR_JWT_MALFORMED',
    too_large: 'ERR_JWT_TOO_LARGE',
    jwe_not_supported: 'ERR_JWT_JWE',
    json_serialization_not_supported: 'ERR_JWT_JSON_SERIALIZATION',
  }[err.code];
  const hint = err.code === 'too_large' ? 'raise the limit with --max-size BYTES' : undefined;
  // The message may quote the token (a duplicate member's name): sanitised for the error line.
  return new InputError(`cannot decode token: ${terminalSafe(err.message)}`, code, hint ? { hint } : {});
}

/** A 5-part token is a JWE (RFC 7516 §7.1): say what it is, and what it is encrypted with when readable. */
function jweError(protectedHeader: string): InputError {
  let detail = '';
  try {
    const h = decodeSegment(protectedHeader, 'header');
    detail = terminalSafe(`; alg ${JSON.stringify(h.alg)}, enc ${JSON.stringify(h.enc)}`, 120);
  } catch {
    // The header is unreadable too; the part count alone identifies it.
  }
  return new InputError(
    `cannot decode token: it is a JWE (5 parts, encrypted${detail}); its claims can only be read with the decryption key`,
    'ERR_JWT_JWE',
    { hint: "decrypt it with the recipient's key first; apikit jwt decode reads signed JWTs (JWS)" },
  );
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
