import type { Command } from 'commander';
import type { Context } from '../../context.js';
import { UsageError } from '../../errors.js';
import type { Rendered, View } from '../../io/render.js';
import {
  APIKEY_BITS,
  APIKEY_HASH_ALGORITHM,
  apiKeyPrefixProblem,
  DEFAULT_APIKEY_PREFIX,
  generateApiKey,
  hashApiKey,
} from '../../lib/apikey.js';
import { terminalSafe } from '../../lib/text/terminal-safe.js';
import { APIKEY_HELP } from './help.js';

/** `apikit apikey generate`: a new random, checksummed API key — the key on stdout, bare. */
export interface ApikeyGenerateOptions {
  prefix: string;
}

/** --json: `{ key, prefix, hash, algorithm, bits }`, stable names. */
export interface ApikeyGenerateResult {
  key: string;
  prefix: string;
  /** What the server stores: `sha256:<hex>` (hashApiKey). */
  hash: string;
  algorithm: typeof APIKEY_HASH_ALGORITHM;
  /** Bits of randomness in the key. */
  bits: number;
}

export function registerApikeyGenerate(parent: Command, ctx: Context): void {
  parent
    .command('generate')
    .description('generate a random API key with a checksum (the key on stdout; --json adds its hash)')
    .usage('[--prefix <name>] [--json]')
    .option(
      '--prefix <name>',
      `what the key is for: lowercase letters, digits and _, a letter first, at most 20 (default ${DEFAULT_APIKEY_PREFIX})`,
    )
    .addHelpText(
      'after',
      `${APIKEY_HELP}

--json: { "key", "prefix", "hash", "algorithm": "sha256", "bits" }.

Examples:
  $ apikit apikey generate
  $ apikit apikey generate --prefix acme_test
  $ KEY=$(apikit apikey generate) && printf '%s' "$KEY" | apikit apikey hash --key-stdin
  $ apikit apikey generate --json | jq -r .hash`,
    )
    .action(async (flags: { prefix?: string }) => {
      const result = runApikeyGenerate(parseApikeyGenerateFlags(flags), ctx);
      await ctx.finish(result, renderApikeyGenerate);
    });
}

export function parseApikeyGenerateFlags(flags: { prefix?: string }): ApikeyGenerateOptions {
  const prefix = flags.prefix ?? DEFAULT_APIKEY_PREFIX;
  const problem = apiKeyPrefixProblem(prefix);
  if (problem !== null) {
    throw new UsageError(`--prefix "${terminalSafe(prefix, 40)}" ${problem}`, 'ERR_APIKEY_PREFIX', {
      hint: 'apikit apikey generate --prefix ak_live',
    });
  }
  return { prefix };
}

export function runApikeyGenerate(
  opts: ApikeyGenerateOptions,
  ctx: Pick<Context, 'redactor'>,
  random?: (n: number) => Uint8Array,
): ApikeyGenerateResult {
  const key = generateApiKey(opts.prefix, random);
  // The artifact goes to stdout as it is; no message or trace line may ever show it.
  ctx.redactor.add(key);
  return {
    key,
    prefix: opts.prefix,
    hash: hashApiKey(key),
    algorithm: APIKEY_HASH_ALGORITHM,
    bits: APIKEY_BITS,
  };
}

/** The key bare on stdout (so `KEY=$(apikit apikey generate)` works); on a terminal, the hash to store on stderr. */
export function renderApikeyGenerate(result: ApikeyGenerateResult, view: View): Rendered {
  const doc = view.doc();
  if (view.json) return doc.json(result).blocks;
  doc.result(result.key);
  return doc.progress(`store only its hash: ${result.hash}`).blocks;
}
