import type { Command } from 'commander';
import type { Context } from '../../context.js';
import type { Rendered, View } from '../../io/render.js';
import type { SecretSource } from '../../io/secrets.js';
import { checkApiKey } from '../../lib/apikey.js';
import type { Outcome } from '../../lib/outcome.js';
import {
  addKeyInputOptions,
  KEY_INPUT_USAGE,
  keySourceOf,
  readKey,
  type KeyInputFlags,
} from './key-input.js';

/**
 * `apikit apikey check`: is this a well-formed key with a matching checksum? Offline — it says nothing about
 * whether any server knows the key. Exit 0 valid, 1 not; the key is never printed, not even in part.
 */
export interface ApikeyCheckOptions {
  source: SecretSource;
}

/** --json: `{ valid, prefix, reason }`, stable names (`outcome` is not printed). */
export interface ApikeyCheckResult {
  valid: boolean;
  /** The prefix of a valid key, else null. */
  prefix: string | null;
  /** Why it is not valid, else null. */
  reason: string | null;
  outcome: Outcome;
}

export function registerApikeyCheck(parent: Command, ctx: Context): void {
  const cmd = parent
    .command('check')
    .description("check an API key's shape and checksum offline (exit 0 valid, 1 not)")
    .usage(`${KEY_INPUT_USAGE} [--json]`);
  addKeyInputOptions(cmd)
    .addHelpText(
      'after',
      `
The checksum (the last 6 characters: a CRC32 of the rest, base62) catches typos and truncated copies before
any server is asked. A valid checksum does not mean a server knows the key.

Exit codes: 0 valid; 1 bad shape or checksum (the reason on stdout); 2 no key or an unreadable source.
--json: { "valid", "prefix" (or null), "reason" (or null) }.

Examples:
  $ apikit apikey check --key-env API_KEY
  $ apikit apikey check --key-file key.txt --json
  $ pbpaste | apikit apikey check --key-stdin && echo "looks right"`,
    )
    .action(async (flags: KeyInputFlags, command: Command) => {
      const opts = { source: keySourceOf(flags, command.args, ctx) };
      await ctx.finish(await runApikeyCheck(opts, ctx), renderApikeyCheck);
    });
}

export async function runApikeyCheck(opts: ApikeyCheckOptions, ctx: Context): Promise<ApikeyCheckResult> {
  const check = checkApiKey(await readKey(ctx, opts.source));
  return check.ok
    ? { valid: true, prefix: check.prefix, reason: null, outcome: 'ok' }
    : { valid: false, prefix: null, reason: check.reason, outcome: 'negative' };
}

/** `valid: an ak_live key, checksum matches` / `invalid: <reason>` on stdout, like `jwt verify`. */
export function renderApikeyCheck(result: ApikeyCheckResult, view: View): Rendered {
  const doc = view.doc();
  if (view.json) {
    const { outcome: _outcome, ...json } = result;
    return doc.json(json).blocks;
  }
  const c = view.color.out;
  return doc.result(
    result.valid
      ? `${c.green('valid')}: a ${result.prefix} key, checksum matches`
      : `${c.red('invalid')}: ${result.reason}`,
  ).blocks;
}
