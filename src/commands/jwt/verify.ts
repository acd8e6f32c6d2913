import type { Command } from 'commander';
import type { Context } from '../../context.js';
import { UsageError } from '../../errors.js';
import type { ChunkedWriter } from '../../io/output.js';
import type { Rendered, View } from '../../io/render.js';
import { parseAssignment, typedValue } from '../../lib/jwt/claim-value.js';
import { isInformational, type JwtWarning } from '../../lib/jwt/lint.js';
import { DEFAULT_MAX_TOKEN_BYTES, extractToken } from '../../lib/jwt/token-text.js';
import type { VerifyPolicy } from '../../lib/jwt/verify.js';
import type { Outcome } from '../../lib/outcome.js';
import { terminalSafe } from '../../lib/text/terminal-safe.js';
import { optionalDurationFlag, parseDurationFlag } from '../../lib/time/duration.js';
import { collect } from '../shared/flags.js';
import { addHttpOptions, httpUsage, type HttpOptionSet } from '../shared/http-flags.js';
import { addPassphraseOptions } from '../shared/key-files.js';
import { enforceFlagRules } from '../shared/flag-rules.js';
import { parseMaxSize, redactToken, tooLarge } from './token-input.js';
import { formatVerdictLine, verdictJson, type NumberedVerdict } from './verdict-line.js';
import type { BatchLines } from './verify-batch.js';
import type { KeySourceFlags } from './verify-keys.js';

/**
 * `apikit jwt verify`: one verdict per token — exit 0 valid, 1 invalid, 2 bad input or key, 3 network.
 * A token argument gives one verdict; stdin is read line by line (batch: one verdict per line, keys and JWKS
 * loaded once). Algorithms come from the keys (or --alg ∩ keys), never from the token (RFC 8725 §3.1).
 */
export interface JwtVerifyOptions extends KeySourceFlags {
  token: string | undefined;
  algs: string[];
  iss?: string | undefined;
  aud: string[];
  sub?: string | undefined;
  typ?: string | undefined;
  leeway?: string | undefined;
  maxAge?: string | undefined;
  requireClaims: string[];
  requireScopes: string[];
  maxSize?: string | undefined;
}

export { formatVerdictLine, type NumberedVerdict } from './verdict-line.js';

export interface JwtVerifyResult {
  batch: boolean;
  /** Every verdict, unless a sink consumed them as they came (batch output streams). */
  verdicts: NumberedVerdict[];
  valid: number;
  invalid: number;
  /** About the setup (keys skipped, weak secret), shown once. */
  warnings: JwtWarning[];
  /** True when a sink already showed the verdicts and setup warnings. */
  streamed: boolean;
  /** Negative when any token is invalid (exit 1). */
  outcome: Outcome;
}

/** Batch output streams: `start` gets the setup warnings before the first verdict. */
export interface VerdictSink {
  start(warnings: JwtWarning[]): Promise<void>;
  verdict(verdict: NumberedVerdict): Promise<void>;
  /** Lines formatted on worker threads (a large batch), to show as `verdict` would have. */
  lines?: BatchLines;
}

/**
 * With --jwks <URL> or --issuer (discovery, then the JWKS): transport flags only, and only then (exit 2 with other
 * keys). --timeout replaces the requests' own timeouts (discovery 30 s, JWKS 10 s); --max-body can only lower their
 * 512 KiB caps. No --follow-redirects: a redirected discovery document or JWKS would let whoever controls a redirect
 * on that host choose the keys tokens are verified with. No API-auth flags.
 */
const HTTP_OPTIONS: HttpOptionSet = {
  transport: true,
  placeholders: 'upper',
  help: {
    timeout: 'with --jwks URL or --issuer; default 30s for discovery, 10s for the JWKS',
    maxBody: 'default and ceiling 524288',
  },
};

export const VERIFY_USAGE =
  '[<TOKEN> | -] {--key <FILE> ... | --jwks <FILE|URL> | --issuer <URL> | --secret-env <VAR> | --secret-file <FILE>} ' +
  '[--passphrase-env <VAR> | --passphrase-file <FILE>] [--alg <ALG> ...] [--iss <ISS>] [--aud <AUD> ...] [--sub <SUB>] ' +
  '[--typ <TYP>] [--leeway <DURATION>] [--max-age <DURATION>] [--require-claim <NAME[=VALUE]> ...] ' +
  `[--require-scope <SCOPE> ...] [--max-size <BYTES>] ${httpUsage(HTTP_OPTIONS)} [--json]`;

export function registerJwtVerify(parent: Command, ctx: Context): void {
  const options = addPassphraseOptions(
    parent
      .command('verify')
      .usage(VERIFY_USAGE)
      .summary("verify a token's signature and claims (exit 0 valid, 1 invalid)")
      .description(
        "Verify JWTs against YOUR keys: a key file, a JWKS file or URL, an issuer (discovery), or an HMAC secret. The token's own jku/x5u/x5c/jwk/kid never fetch or add a key. Several tokens on stdin, one per line, give one verdict per line (JSON lines with --json).",
      )
      .argument('[token]', 'the token, or "-" (the default) to read tokens from stdin, one per line')
      .option('--key <FILE>', 'a key file: PEM, certificate, JWK, JWKS or HMAC secret (repeatable)', collect)
      .option('--jwks <FILE|URL>', 'a JWKS file, or an https URL (http only on loopback)')
      .option('--issuer <URL>', "discover the issuer's jwks_uri (RFC 8414, then OIDC) and check iss")
      .option('--secret-env <VAR>', 'HMAC secret from this environment variable')
      .option('--secret-file <FILE>', 'HMAC secret from this file (one line)'),
  )
    .option(
      '--alg <ALG>',
      'allow only this algorithm (repeatable; intersected with what the keys support)',
      collect,
    )
    .option('--iss <ISS>', 'require this "iss"')
    .option('--aud <AUD>', 'require this "aud" (repeatable: any of them)', collect)
    .option('--sub <SUB>', 'require this "sub"')
    .option('--typ <TYP>', 'require this header "typ" (e.g. at+jwt, RFC 9068)')
    .option('--leeway <DURATION>', 'clock skew allowed for exp/nbf/iat (e.g. 30s)', '0s')
    .option('--max-age <DURATION>', 'reject tokens issued ("iat") longer ago than this')
    .option(
      '--require-claim <NAME[=VALUE]>',
      'require a claim, optionally with a JSON-typed value (repeatable)',
      collect,
    )
    .option('--require-scope <SCOPE>', 'require a scope in "scope" or "scp" (repeatable)', collect)
    .option('--max-size <BYTES>', `refuse tokens larger than this (default: ${DEFAULT_MAX_TOKEN_BYTES})`);
  const cmd = addHttpOptions(options, HTTP_OPTIONS)
    .addHelpText(
      'after',
      `
Examples:
  $ apikit jwt verify "$TOKEN" --key signing.pub.pem --aud api.example.com
  $ apikit jwt verify "$TOKEN" --issuer https://login.example.com/ --aud api --require-scope orders:read
  $ apikit jwt verify "$TOKEN" --jwks https://login.example.com/.well-known/jwks.json --typ at+jwt --json
  $ apikit jwt verify "$TOKEN" --issuer https://login.example.com/ --timeout 3s -H 'X-Tenant: acme'
  $ apikit jwt verify "$TOKEN" --secret-env JWT_SECRET --alg HS256 --leeway 30s
  $ cut -f3 tokens.tsv | apikit jwt verify --key keys.jwks.json --json > verdicts.jsonl`,
    )
    .action(async (token: string | undefined, flags: VerifyFlags) => {
      const { key, alg, requireClaim, requireScope, ...rest } = flags;
      const opts: JwtVerifyOptions = {
        ...rest,
        token,
        aud: rest.aud ?? [],
        keys: key ?? [],
        algs: alg ?? [],
        requireClaims: requireClaim ?? [],
        requireScopes: requireScope ?? [],
      };
      const streaming = token === undefined || token === '-';
      const writer = ctx.out.stream();
      try {
        const result = await runJwtVerify(opts, ctx, streaming ? verdictSink(ctx, writer) : undefined);
        await writer.flush();
        await ctx.finish(result, renderJwtVerify);
      } finally {
        // Whatever streamed before an error still reaches stdout.
        await writer.flush();
      }
    });
  enforceFlagRules(cmd, {
    exclusive: [
      { flags: ['--key', '--jwks', '--issuer', '--secret-env', '--secret-file'], what: 'the keys' },
    ],
  });
}

/**
 * Batch output as it comes: the setup warnings first, then each verdict's line through the chunked stdout
 * writer, and each kind of verdict warning once per batch (on stderr, as it arises).
 */
function verdictSink(ctx: Context, writer: ChunkedWriter): VerdictSink {
  const view = ctx.view();
  const seen = new Set<string>();
  let setup: JwtWarning[] = [];
  return {
    start: (warnings) => {
      setup = warnings;
      return ctx.out.emit(renderVerifyWarnings(warnings, undefined, view));
    },
    async verdict(v) {
      const fresh = firstOfKind(v.warnings, seen);
      if (fresh.length > 0) await ctx.out.emit(renderVerifyWarnings(fresh, v.line, view));
      await writer.write(formatVerdictLine(v, view, setup));
    },
    lines: {
      format: () => ({ json: view.json, colorLevel: view.color.out.level, setup }),
      write: (text) => writer.write(text),
      async warnings(warnings, line) {
        const fresh = firstOfKind(warnings, seen);
        if (fresh.length > 0) await ctx.out.emit(renderVerifyWarnings(fresh, line, view));
      },
    },
  };
}

/** As commander hands them over: repeatable flags are undefined when never given. */
type VerifyFlags = Omit<
  JwtVerifyOptions,
  'token' | 'keys' | 'algs' | 'aud' | 'requireClaims' | 'requireScopes'
> & {
  key?: string[];
  alg?: string[];
  aud?: string[];
  requireClaim?: string[];
  requireScope?: string[];
};

export async function runJwtVerify(
  opts: JwtVerifyOptions,
  ctx: Context,
  sink?: VerdictSink,
): Promise<JwtVerifyResult> {
  // Keys (node:crypto) and jose's verifier load only when this verb runs, keeping `jwt decode` fast.
  const { allowedAlgorithms, parseAlgList } = await import('../../lib/jwt/keyring.js');
  const { buildKeyring } = await import('./verify-keys.js');
  const algs = parseAlgList(opts.algs);
  const leewaySec = parseDurationFlag('--leeway', opts.leeway ?? '0s') / 1000;
  const maxAgeMs = optionalDurationFlag('--max-age', opts.maxAge);
  const maxAgeSec = maxAgeMs === undefined ? undefined : maxAgeMs / 1000;
  const maxBytes = parseMaxSize(opts.maxSize, DEFAULT_MAX_TOKEN_BYTES);
  const requireClaims = opts.requireClaims.map((text) => {
    const { name, raw } = parseAssignment(text, '--require-claim');
    return raw === undefined ? { name, hasValue: false } : { name, value: typedValue(raw), hasValue: true };
  });
  const streaming = opts.token === undefined || opts.token === '-';
  if (streaming && ctx.io.stdinIsTTY) {
    throw new UsageError(
      'no token: give it as an argument or pipe tokens on stdin, one per line',
      'ERR_JWT_NO_TOKEN',
      {
        hint: 'apikit jwt verify "$TOKEN" --key public.pem',
      },
    );
  }

  if (streaming && [...opts.keys, opts.jwks].includes('-')) {
    // Both would read the same stream: the key would swallow the tokens (or the other way round).
    throw new UsageError(
      'the tokens are read from stdin, so the key cannot be: give the token as an argument or the key as a file',
      'ERR_JWT_STDIN_TWICE',
    );
  }
  if (!streaming) {
    // Before any key is read or fetched: an over-size token is bad input, not a verdict.
    const size = Buffer.byteLength(extractToken(opts.token!), 'utf8');
    if (size > maxBytes) throw tooLarge('the token', size, maxBytes);
  }
  const built = await buildKeyring(ctx, opts);
  const policy: VerifyPolicy = {
    algorithms: allowedAlgorithms(built.ring, algs),
    issuer: opts.iss ?? built.discoveredIssuer,
    audience: opts.aud,
    subject: opts.sub,
    typ: opts.typ,
    leewaySec,
    maxAgeSec,
    requireClaims,
    requireScopes: opts.requireScopes,
    maxBytes,
  };
  const { verifyToken } = await import('../../lib/jwt/verify.js');
  const result: JwtVerifyResult = {
    batch: streaming,
    verdicts: [],
    valid: 0,
    invalid: 0,
    warnings: built.warnings,
    streamed: sink !== undefined,
    outcome: 'ok',
  };
  await sink?.start(built.warnings);
  const take = async (v: NumberedVerdict): Promise<void> => {
    if (v.valid) result.valid++;
    else result.invalid++;
    if (sink) await sink.verdict(v);
    else result.verdicts.push(v);
  };

  if (!streaming) {
    redactToken(ctx, opts.token);
    await take(await verifyToken(opts.token!, built.ring, policy, ctx.clock.now()));
  } else {
    // Loaded for a batch only: it brings node:stream and node:os, which one token does not need (~2 ms).
    const { verifyLines } = await import('./verify-batch.js');
    await verifyLines(ctx, {
      ring: built.ring,
      policy,
      maxBytes,
      verifyToken,
      take,
      lines: sink?.lines,
      count: (valid, invalid) => {
        result.valid += valid;
        result.invalid += invalid;
      },
    });
    if (result.valid + result.invalid === 0) {
      throw new UsageError('no token on stdin', 'ERR_JWT_NO_TOKEN', { hint: 'pipe tokens in, one per line' });
    }
  }
  result.outcome = result.invalid > 0 ? 'negative' : 'ok';
  return result;
}

/** Warnings on stderr, "line N: " first for a verdict of a batch. */
export function renderVerifyWarnings(
  warnings: readonly JwtWarning[],
  line: number | undefined,
  view: View,
): Rendered {
  const doc = view.doc();
  const where = line !== undefined ? `line ${line}: ` : '';
  // Informational lints (RS256) stay in the JSON `warnings`; on the terminal they are noise on every run.
  for (const w of warnings) if (!isInformational(w)) doc.warn(`${where}${terminalSafe(w.message)} [${w.id}]`);
  return doc.blocks;
}

/**
 * The warnings of a verdict whose kind has not been shown yet, recorded in `seen`: in a batch each kind is shown
 * once (a thousand "aud not checked" lines help nobody).
 */
export function firstOfKind(warnings: readonly JwtWarning[], seen: Set<string>): JwtWarning[] {
  const fresh: JwtWarning[] = [];
  for (const w of warnings) {
    if (seen.has(w.id)) continue;
    seen.add(w.id);
    fresh.push(w);
  }
  return fresh;
}

/**
 * What is left to show once run returns: for one token its verdict (a JSON document with --json, else a line)
 * with the setup warnings before it; for a batch, which streamed, the count on stderr.
 */
export function renderJwtVerify(result: JwtVerifyResult, view: View): Rendered {
  const doc = view.doc();
  if (!result.streamed) doc.add(renderVerifyWarnings(result.warnings, undefined, view));
  const seen = new Set<string>();
  for (const v of result.verdicts) {
    if (!result.batch && view.json) {
      doc.add(renderVerifyWarnings(v.warnings, v.line, view));
      doc.json(verdictJson(v, result.warnings));
    } else {
      doc.add(renderVerifyWarnings(firstOfKind(v.warnings, seen), v.line, view));
      doc.result(formatVerdictLine(v, view, result.warnings));
    }
  }
  const total = result.valid + result.invalid;
  if (result.batch && total > 1) {
    doc.notice(`${total} tokens: ${result.valid} valid, ${result.invalid} invalid`);
  }
  return doc.blocks;
}
