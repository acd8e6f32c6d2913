import type { Context } from '../../context.js';
import { InputError, UsageError } from '../../errors.js';
import { readInput } from '../../files/read-input.js';
import { readEnvSecret, readFileSecret } from '../../io/secrets.js';
import type { KeySet } from '../../lib/keys/load.js';

/**
 * Key inputs shared by mint and verify: key files through the one key loader, passphrases and HMAC secrets
 * through src/io/secrets.ts (env or file, never argv), all registered with the redactor.
 */
export interface PassphraseFlags {
  passphraseEnv?: string | undefined;
  passphraseFile?: string | undefined;
}

export interface SecretFlags {
  secretEnv?: string | undefined;
  secretFile?: string | undefined;
}

export async function readPassphrase(ctx: Context, flags: PassphraseFlags): Promise<string | undefined> {
  if (flags.passphraseEnv !== undefined && flags.passphraseFile !== undefined) {
    throw new UsageError(
      'give the passphrase one way: --passphrase-env or --passphrase-file',
      'ERR_JWT_PASSPHRASE_SOURCE',
    );
  }
  if (flags.passphraseEnv !== undefined) return readEnvSecret(ctx, flags.passphraseEnv, 'passphrase');
  if (flags.passphraseFile !== undefined) return readFileSecret(ctx, flags.passphraseFile, 'passphrase');
  return undefined;
}

/** The HMAC secret text from --secret-env / --secret-file, or undefined when neither is given. */
export async function readSecretFlag(
  ctx: Context,
  flags: SecretFlags,
): Promise<{ text: string; what: string } | undefined> {
  if (flags.secretEnv !== undefined && flags.secretFile !== undefined) {
    throw new UsageError(
      'give the HMAC secret one way: --secret-env or --secret-file',
      'ERR_JWT_SECRET_SOURCE',
    );
  }
  if (flags.secretEnv !== undefined) {
    return {
      text: readEnvSecret(ctx, flags.secretEnv, 'HMAC secret'),
      what: `secret in $${flags.secretEnv}`,
    };
  }
  if (flags.secretFile !== undefined) {
    return {
      text: await readFileSecret(ctx, flags.secretFile, 'HMAC secret'),
      what: `secret file "${flags.secretFile}"`,
    };
  }
  return undefined;
}

/** Reads and loads a key file (PEM, JWK, JWKS or a raw HMAC secret). */
export async function loadKeyFile(
  ctx: Context,
  path: string,
  passphrase: string | undefined,
): Promise<KeySet> {
  const { loadKeys } = await import('../../lib/keys/load.js');
  const input = await readInput(path, ctx.io.stdin, { limit: 1024 * 1024, stdinIsTTY: ctx.io.stdinIsTTY });
  const set = loadKeys(input.data, input.name, passphrase === undefined ? {} : { passphrase });
  for (const k of set.keys) {
    if (k.kind === 'secret') ctx.redactor.add(k.key.export().toString('utf8'));
  }
  return set;
}

export function noKeyError(verb: string): InputError {
  return new UsageError(
    `jwt ${verb} needs a key: --key FILE${verb === 'verify' ? ', --jwks FILE|URL, --issuer URL' : ''}, --secret-env VAR or --secret-file FILE`,
    'ERR_JWT_NO_KEY',
    {
      hint:
        verb === 'verify'
          ? 'apikit jwt verify TOKEN --key public.pem'
          : 'apikit jwt mint --key private.pem --sub alice',
    },
  );
}
