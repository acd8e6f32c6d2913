import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import type { Context } from '../../context.js';
import { InputError } from '../../errors.js';
import type { Rendered, View } from '../../io/render.js';
import type { HmacAlg } from '../../lib/jwt/crack.js';
import { decodeJws } from '../../lib/jwt/parse.js';
import {
  DEFAULT_MAX_TOKEN_BYTES,
  extractToken,
  isTokenFormatError,
  TokenFormatError,
  tokenShape,
} from '../../lib/jwt/token-text.js';
import type { Outcome } from '../../lib/outcome.js';
import { terminalSafe } from '../../lib/text/terminal-safe.js';
import { enforceFlagRules } from '../shared/flag-rules.js';
import { readTokenText, redactToken } from './token-input.js';

/**
 * `apikit jwt crack`: checks YOUR OWN HS* token against well-known secrets (and a wordlist), in-process.
 * Exit 1 when the secret is found (a negative verdict: the secret is weak), 0 when nothing matched.
 */
export interface JwtCrackOptions {
  token: string | undefined;
  wordlist?: string | undefined;
}

export interface JwtCrackResult {
  alg: HmacAlg;
  cracked: boolean;
  /** The secret, when found. */
  secret: string | null;
  source: 'builtin' | 'wordlist' | null;
  tried: number;
  /** Negative when the secret was found: it is weak (exit 1). Not part of the JSON output. */
  outcome: Outcome;
}

export const CRACK_USAGE = '[<TOKEN> | -] [--wordlist <FILE>] [--json]';

export function registerJwtCrack(parent: Command, ctx: Context): void {
  const cmd = parent
    .command('crack')
    .usage(CRACK_USAGE)
    .summary('check whether an HS256/384/512 token uses a weak, well-known secret (own tokens only)')
    .description(
      'Try a built-in list of common HMAC secrets (and --wordlist) against an HS* token of your own, in-process. Exit 1 when the secret is found: anyone could forge tokens with it. Exit 0 when nothing matched.',
    )
    .argument('[token]', 'the token, or "-" (the default) to read it from stdin')
    .option('--wordlist <FILE>', 'more candidate secrets, one per line')
    .addHelpText(
      'after',
      `
Examples:
  $ apikit jwt crack "$TOKEN"
  $ apikit jwt crack "$TOKEN" --wordlist /usr/share/wordlists/jwt.secrets.list --json`,
    )
    .action(async (token: string | undefined, flags: { wordlist?: string }) => {
      await ctx.finish(await runJwtCrack({ token, wordlist: flags.wordlist }, ctx), renderJwtCrack);
    });
  enforceFlagRules(cmd);
}

export async function runJwtCrack(opts: JwtCrackOptions, ctx: Context): Promise<JwtCrackResult> {
  // node:crypto and the word list load only when this verb runs.
  const { hmacMatcher, isHmacAlg } = await import('../../lib/jwt/crack.js');
  const { WEAK_SECRETS } = await import('../../lib/jwt/weak-secrets.js');
  const token = extractToken(await readTokenText(ctx, opts.token, DEFAULT_MAX_TOKEN_BYTES));
  redactToken(ctx, token);
  let parts: [string, string, string];
  let alg: unknown;
  let signature: Uint8Array;
  try {
    const shape = tokenShape(token);
    if (shape.kind !== 'jws')
      throw new TokenFormatError(
        'it is a JWE (encrypted); only HS* signed tokens can be checked',
        'malformed',
      );
    parts = shape.parts;
    const decoded = decodeJws(parts);
    alg = decoded.header.alg;
    signature = decoded.signatureBytes;
  } catch (err) {
    if (isTokenFormatError(err))
      throw new InputError(`cannot crack token: ${terminalSafe(err.message)}`, 'ERR_JWT_MALFORMED');
    throw err;
  }
  if (!isHmacAlg(alg)) {
    throw new InputError(
      `cannot crack token: alg is ${terminalSafe(JSON.stringify(alg) ?? 'absent', 60)}; only HS256/HS384/HS512 tokens have a guessable secret`,
      'ERR_JWT_CRACK_ALG',
    );
  }
  if (opts.wordlist !== undefined) await checkReadable(opts.wordlist);
  const matches = hmacMatcher(`${parts[0]}.${parts[1]}`, signature, alg);
  let tried = 0;
  const hit = (secret: string, source: 'builtin' | 'wordlist'): JwtCrackResult => {
    ctx.redactor.add(secret);
    return { alg, cracked: true, secret, source, tried, outcome: 'negative' };
  };
  for (const candidate of WEAK_SECRETS) {
    tried++;
    if (matches(candidate)) return hit(candidate, 'builtin');
  }
  if (opts.wordlist !== undefined) {
    const lines = createInterface({ input: createReadStream(opts.wordlist), crlfDelay: Infinity });
    try {
      for await (const line of lines) {
        if (ctx.signal.aborted) break;
        tried++;
        if (matches(line)) return hit(line, 'wordlist');
      }
    } finally {
      lines.close();
    }
  }
  return { alg, cracked: false, secret: null, source: null, tried, outcome: 'ok' };
}

async function checkReadable(path: string): Promise<void> {
  let info;
  try {
    info = await stat(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new InputError(
      `--wordlist "${path}": ${code === 'ENOENT' ? 'no such file' : (code ?? 'unreadable')}`,
      'ERR_JWT_WORDLIST',
    );
  }
  if (info.isDirectory()) throw new InputError(`--wordlist "${path}" is a directory`, 'ERR_JWT_WORDLIST');
}

/**
 * One line: the secret found (the answer, on stdout — a wordlist line is JSON-quoted and sanitised, never cut)
 * or that none matched.
 */
export function renderJwtCrack(result: JwtCrackResult, view: View): Rendered {
  const doc = view.doc();
  if (view.json) {
    const { alg, cracked, secret, source, tried } = result;
    return doc.json({ alg, cracked, secret, source, tried }).blocks;
  }
  const c = view.color.out;
  if (result.cracked) {
    const from = result.source === 'builtin' ? 'built-in list' : 'wordlist';
    doc.result(
      `${c.red('weak')}: the ${result.alg} secret is ${terminalSafe(JSON.stringify(result.secret), Infinity)} (${from}, after ${result.tried} tries) — anyone can forge tokens with it`,
    );
  } else {
    doc.result(
      `${c.green('not found')}: none of ${result.tried} candidate secrets matched (not proof that the secret is strong)`,
    );
  }
  return doc.blocks;
}
