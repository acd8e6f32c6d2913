import { Option, type Command } from 'commander';
import type { Context } from '../../context.js';
import { UsageError } from '../../errors.js';
import { writeFilesAtomic } from '../../files/atomic-write.js';
import { JWS_ALGORITHMS, type JwsAlgorithm } from '../../lib/keys/algorithms.js';
import { checkGenerateRequest, generateKey, plannedFiles } from '../../lib/keys/generate.js';
import { signingJwk } from '../../lib/keys/signing-jwk.js';
import type { Rendered, View } from '../../io/render.js';
import { terminalSafe } from '../../lib/text/terminal-safe.js';
import { octalMode } from './file-mode.js';

export interface KeysGenerateOptions {
  alg: string;
  out: string;
  kid?: string | undefined;
  bits?: number | undefined;
  force?: boolean | undefined;
}

export interface KeysGenerateResult {
  alg: JwsAlgorithm;
  kty: 'RSA' | 'EC' | 'OKP' | 'oct';
  /** null for HMAC secrets: a bare secret file has nowhere to keep one. */
  kid: string | null;
  /** RFC 7638 SHA-256 thumbprint of the public key (null for HMAC secrets). */
  thumbprint: string | null;
  files: { path: string; mode: string; contents: 'private-key' | 'public-key' | 'jwks' | 'secret' }[];
}

export function registerKeysGenerate(parent: Command, ctx: Context): void {
  parent
    .command('generate')
    .description(
      'generate a signing key: PREFIX.key.pem, PREFIX.pub.pem and PREFIX.jwks.json (HMAC: PREFIX.secret)',
    )
    .usage('--alg <ALG> --out <PREFIX> [--kid <KID>] [--bits <N>] [--force]')
    .addOption(
      new Option('--alg <ALG>', 'JWS algorithm the key is for')
        .choices([...JWS_ALGORITHMS])
        .makeOptionMandatory(),
    )
    .addOption(new Option('--out <PREFIX>', 'path prefix of the files to write').makeOptionMandatory())
    .option('--kid <KID>', 'key id for the JWKS (default: the RFC 7638 SHA-256 thumbprint)')
    .option('--bits <N>', 'RSA modulus size (RS*/PS* only; at least 2048; default 2048)')
    .option('--force', 'overwrite existing files')
    .addHelpText(
      'after',
      `
Private files are written 0600, public ones 0644, all or nothing; existing files are kept unless --force;
missing directories are created (0700). What was written is reported on stderr (--json: stdout).
The kid is kept in PREFIX.jwks.json; apikit commands that read PREFIX.key.pem or PREFIX.pub.pem take it
from there (the entry with the same public key).
PS256/384/512 keys are ordinary RSA keys tagged alg PS*. HMAC secrets are one line of base64url text
(32/48/64 random bytes); the key is that text as written.

Examples:
  $ apikit keys generate --alg ES256 --out signing
  $ apikit keys generate --alg RS256 --bits 3072 --kid 2026-01 --out keys/api
  $ apikit keys generate --alg HS256 --out webhook
  $ apikit keys generate --alg EdDSA --out ed --json`,
    )
    .action(async (flags: { alg: string; out: string; kid?: string; bits?: string; force?: boolean }) => {
      const bits = flags.bits === undefined ? undefined : parseBits(flags.bits);
      const result = await runKeysGenerate(
        { alg: flags.alg, out: flags.out, kid: flags.kid, bits, force: flags.force },
        ctx,
      );
      await ctx.finish(result, renderKeysGenerate);
    });
}

function parseBits(text: string): number {
  if (!/^\d+$/.test(text))
    throw new UsageError(`--bits "${text}" is not a number of bits`, 'ERR_KEYS_RSA_BITS');
  return Number(text);
}

export async function runKeysGenerate(opts: KeysGenerateOptions, _ctx: Context): Promise<KeysGenerateResult> {
  const alg = checkGenerateRequest(opts.alg, opts, 'flags');
  if (opts.out === '' || opts.out.endsWith('/')) {
    throw new UsageError(`--out "${opts.out}" must be a path prefix such as keys/signing`, 'ERR_USAGE');
  }

  const key = await generateKey(alg, opts.bits === undefined ? {} : { bits: opts.bits });
  let kid: string | null = null;
  let tp: string | null = null;
  let jwk: Record<string, unknown> = {};
  if (key.type === 'asymmetric') {
    ({ jwk, kid, thumbprint: tp } = await signingJwk(key.publicKey, alg, opts.kid));
  }
  const files = plannedFiles(opts.out, key, jwk);
  await writeFilesAtomic(files, { force: opts.force === true });
  return {
    alg,
    kty: key.type === 'secret' ? 'oct' : (jwk.kty as 'RSA' | 'EC' | 'OKP'),
    kid,
    thumbprint: tp,
    files: files.map((f) => ({ path: f.path, mode: octalMode(f.mode), contents: f.contents })),
  };
}

const DESCRIPTIONS = {
  'private-key': 'private key, PKCS#8',
  'public-key': 'public key, SPKI',
  jwks: 'public JWKS',
  secret: 'HMAC secret',
} as const;

/**
 * --json: the result as it is, the one document on stdout. Otherwise the files are the product: one line per
 * file written, then the kid and alg, all on stderr for the person who ran it (stdout stays empty).
 */
export function renderKeysGenerate(result: KeysGenerateResult, view: View): Rendered {
  const doc = view.doc();
  if (view.json) return doc.json(result).blocks;
  const c = view.color.err;
  for (const f of result.files) {
    doc.notice(`wrote ${f.path}  ${c.dim(`(${DESCRIPTIONS[f.contents]}, mode ${f.mode})`)}`);
  }
  if (result.kid !== null) doc.notice(`kid: ${terminalSafe(result.kid)}`);
  return doc.notice(`alg: ${result.alg}`).blocks;
}
