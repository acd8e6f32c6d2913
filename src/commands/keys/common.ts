import { Option, type Command } from 'commander';
import type { Context } from '../../context.js';
import { InputError, UsageError } from '../../errors.js';
import { readInput } from '../../files/read-input.js';
import { readEnvSecret, readFileSecret } from '../../io/secrets.js';
import { loadKeys, type KeySet } from '../../lib/keys/load.js';

/** Flags and helpers shared by the `keys` verbs that read key files (inspect, convert, jwks). */
export interface PassphraseFlags {
  passphraseEnv?: string;
  passphraseFile?: string;
}

export function addPassphraseOptions(cmd: Command): Command {
  return cmd
    .addOption(
      new Option('--passphrase-env <VAR>', 'read the passphrase of an encrypted PEM from env var VAR'),
    )
    .addOption(
      new Option('--passphrase-file <FILE>', 'read the passphrase of an encrypted PEM from FILE').conflicts(
        'passphraseEnv',
      ),
    );
}

/** The passphrase, read only from env or a file (never argv) and registered with the redactor. */
export async function readPassphrase(ctx: Context, flags: PassphraseFlags): Promise<string | undefined> {
  if (flags.passphraseEnv !== undefined && flags.passphraseFile !== undefined) {
    throw new UsageError(
      'give the passphrase one way: --passphrase-env or --passphrase-file',
      'ERR_SECRET_SOURCE',
    );
  }
  if (flags.passphraseEnv !== undefined) return readEnvSecret(ctx, flags.passphraseEnv, 'passphrase');
  if (flags.passphraseFile !== undefined) return readFileSecret(ctx, flags.passphraseFile, 'passphrase');
  return undefined;
}

/** Reads FILE (or stdin for "-") and loads every key in it; every failure is one line naming the input. */
export async function readKeyFile(
  ctx: Context,
  path: string,
  passphrase: string | undefined,
): Promise<KeySet> {
  const input = await readInput(path, ctx.io.stdin, { stdinIsTTY: ctx.io.stdinIsTTY });
  try {
    return loadKeys(input.data, input.name, passphrase === undefined ? {} : { passphrase });
  } catch (err) {
    // The loader's generic hint sends people to `apikit keys inspect`, where they already are: one line is enough.
    if (err instanceof InputError && err.hint?.startsWith('try: apikit keys inspect')) {
      throw new InputError(err.message, err.code);
    }
    throw err;
  }
}

export function octalMode(mode: number): string {
  return '0' + mode.toString(8);
}
