import { Option, type Command } from 'commander';
import type { Context } from '../../context.js';
import { readInput } from '../../files/read-input.js';
import { readSecret, type SecretFlagNames } from '../../io/secrets.js';
import type { KeySet } from '../../lib/keys/load.js';

/**
 * What every command that reads key files shares (keys inspect/convert/jwks, jwt mint/verify): the passphrase
 * flags for encrypted PEM — env or file, never argv — and reading a key file through the one key loader.
 */
export interface PassphraseFlags {
  passphraseEnv?: string | undefined;
  passphraseFile?: string | undefined;
}

const PASSPHRASE_FLAGS: SecretFlagNames = { env: '--passphrase-env', file: '--passphrase-file' };

export function addPassphraseOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--passphrase-env <VAR>', 'passphrase of an encrypted PEM, from env var VAR'))
    .addOption(
      new Option('--passphrase-file <FILE>', 'passphrase of an encrypted PEM, from FILE').conflicts(
        'passphraseEnv',
      ),
    );
}

/** The passphrase, read only from env or a file and registered with the redactor; undefined when not given. */
export async function readPassphrase(ctx: Context, flags: PassphraseFlags): Promise<string | undefined> {
  return readSecret(ctx, { env: flags.passphraseEnv, file: flags.passphraseFile }, 'passphrase', {
    flags: PASSPHRASE_FLAGS,
    optional: true,
  });
}

export interface ReadKeyFileOptions {
  /**
   * Whether a load failure suggests `try: apikit keys inspect FILE` (default true). The `keys` verbs pass
   * false: from inside `apikit keys`, the suggestion is noise.
   */
  inspectHint?: boolean;
}

/**
 * Reads FILE (or stdin for "-") and loads every key in it; every failure is one line naming the input.
 * Raw HMAC secrets read this way are registered with the redactor like any other secret. A PEM named like
 * `apikit keys generate` output (PREFIX.key.pem, PREFIX.pub.pem) takes its kid from PREFIX.jwks.json beside it
 * (src/files/key-companion.ts), so mint, verify and the keys verbs use the kid that was published.
 */
export async function readKeyFile(
  ctx: Context,
  path: string,
  passphrase: string | undefined,
  options: ReadKeyFileOptions = {},
): Promise<KeySet> {
  const { loadKeys, companionJwksPath, wantsCompanionKid } = await import('../../lib/keys/load.js');
  const input = await readInput(path, ctx.io, { stdinIsTTY: ctx.io.stdinIsTTY });
  const loaded = loadKeys(input.data, input.name, {
    ...(passphrase === undefined ? {} : { passphrase }),
    inspectHint: options.inspectHint ?? true,
  });
  // Only a PEM named like generate's output can have a companion; other reads load no code for it (start-up).
  const set =
    path !== '-' && companionJwksPath(path) !== undefined && wantsCompanionKid(loaded)
      ? (await import('../../files/key-companion.js')).withCompanionKids(loaded, path)
      : loaded;
  for (const k of set.keys) {
    if (k.kind === 'secret') ctx.redactor.add(k.key.export().toString('utf8'));
  }
  return set;
}
