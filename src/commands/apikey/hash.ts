import type { Command } from 'commander';
import type { Context } from '../../context.js';
import type { Rendered, View } from '../../io/render.js';
import type { SecretSource } from '../../io/secrets.js';
import { APIKEY_HASH_ALGORITHM, checkApiKey, hashApiKey } from '../../lib/apikey.js';
import { APIKEY_HELP } from './help.js';
import {
  addKeyInputOptions,
  KEY_INPUT_USAGE,
  keySourceOf,
  readKey,
  type KeyInputFlags,
} from './key-input.js';

/** `apikit apikey hash`: the value a server stores for a key. The key itself is never printed. */
export interface ApikeyHashOptions {
  source: SecretSource;
}

/** --json: `{ hash, algorithm, prefix }`, stable names. */
export interface ApikeyHashResult {
  hash: string;
  algorithm: typeof APIKEY_HASH_ALGORITHM;
  /** The key's prefix when it is a well-formed key (apikey check passes), else null. */
  prefix: string | null;
  /** Why it is not a well-formed key (it is hashed all the same), or null. */
  warning: string | null;
}

export function registerApikeyHash(parent: Command, ctx: Context): void {
  const cmd = parent
    .command('hash')
    .description(
      'print the hash to store for an API key: sha256:<hex> (the key is read from env, a file or stdin)',
    )
    .usage(`${KEY_INPUT_USAGE} [--json]`);
  addKeyInputOptions(cmd)
    .addHelpText(
      'after',
      `${APIKEY_HELP}

A key that is not in apikit's format is hashed too, with a warning: SHA-256 is right only for random keys of
128 bits or more; never store a human-chosen secret this way.

--json: { "hash", "algorithm": "sha256", "prefix" (null unless the key is well-formed), "warning" (or null) }.

Examples:
  $ apikit apikey hash --key-env API_KEY
  $ apikit apikey hash --key-file key.txt
  $ apikit apikey generate | apikit apikey hash --key-stdin
  $ apikit apikey hash --key-env API_KEY --json | jq -r .hash`,
    )
    .action(async (flags: KeyInputFlags, command: Command) => {
      const opts = { source: keySourceOf(flags, command.args, ctx) };
      await ctx.finish(await runApikeyHash(opts, ctx), renderApikeyHash);
    });
}

export async function runApikeyHash(opts: ApikeyHashOptions, ctx: Context): Promise<ApikeyHashResult> {
  const key = await readKey(ctx, opts.source);
  const check = checkApiKey(key);
  return {
    hash: hashApiKey(key),
    algorithm: APIKEY_HASH_ALGORITHM,
    prefix: check.ok ? check.prefix : null,
    warning: check.ok
      ? null
      : `not a well-formed apikit key: ${check.reason}; hashed anyway (SHA-256 suits random keys of 128 bits or more, never a chosen password)`,
  };
}

/** The hash bare on stdout; a key of another shape gets a warning on stderr (in --json too). */
export function renderApikeyHash(result: ApikeyHashResult, view: View): Rendered {
  const doc = view.doc();
  if (result.warning !== null) doc.warn(result.warning);
  if (view.json) return doc.json(result).blocks;
  return doc.result(result.hash).blocks;
}
