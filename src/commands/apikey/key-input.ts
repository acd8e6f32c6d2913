import { Option, type Command } from 'commander';
import type { Context } from '../../context.js';
import { UsageError } from '../../errors.js';
import { readSecret, type SecretSource } from '../../io/secrets.js';

/**
 * The key `hash` and `check` read: from an environment variable, a file or stdin (src/io/secrets.ts, the one
 * secret reader: exactly one source, one trailing newline dropped, the value registered with the redactor) —
 * never from argv, where `ps` and shell history would keep it. A key on argv is caught only to be refused.
 */
export interface KeyInputFlags {
  keyEnv?: string;
  keyFile?: string;
  keyStdin?: boolean;
  /** Hidden: caught to refuse it. */
  key?: string;
}

export const KEY_INPUT_USAGE = '{--key-env <VAR> | --key-file <file> | --key-stdin}';

const KEY_FLAGS = { env: '--key-env', file: '--key-file', stdin: '--key-stdin' };

export function addKeyInputOptions(cmd: Command): Command {
  return (
    cmd
      .option('--key-env <VAR>', 'read the key from environment variable VAR')
      .option('--key-file <file>', 'read the key from a file (one trailing newline is ignored)')
      .option('--key-stdin', 'read the key from stdin')
      .addOption(new Option('--key <key>').hideHelp())
      // Extra words are taken, not refused by commander, so that a key typed as an argument is refused below.
      .allowExcessArguments(true)
  );
}

/** The one source the flags name (checked when read: exactly one). Refuses a key on the command line. */
export function keySourceOf(flags: KeyInputFlags, args: readonly string[], ctx: Context): SecretSource {
  const onArgv = flags.key ?? args[0];
  if (onArgv !== undefined) {
    // Registered first: the error document and any trace must not show it either.
    ctx.redactor.add(onArgv);
    throw new UsageError('refusing an API key on the command line', 'ERR_SECRET_ON_ARGV', {
      hint: 'use --key-env VAR, --key-file FILE or --key-stdin — and treat this key as leaked if others share the machine',
    });
  }
  return { env: flags.keyEnv, file: flags.keyFile, stdin: flags.keyStdin === true ? true : undefined };
}

export function readKey(ctx: Context, source: SecretSource): Promise<string> {
  return readSecret(ctx, source, 'API key', { flags: KEY_FLAGS });
}
