import type { Context } from '../../context.js';
import { hasCode, InputError, isApikitError, UsageError } from '../../errors.js';
import { readSecret } from '../../io/secrets.js';
import type { KeySet } from '../../lib/keys/load.js';
import { readKeyFile } from '../shared/key-files.js';

/**
 * HMAC secret input shared by mint and verify (env or file, never argv; registered with the redactor).
 * Key files and passphrases: ../shared/key-files.ts.
 */
export interface SecretFlags {
  secretEnv?: string | undefined;
  secretFile?: string | undefined;
}

/**
 * The HMAC secret text from --secret-env / --secret-file, or undefined when neither is given (the one secret
 * reader, src/io/secrets.ts, refuses both). `what` names the source in messages: `secret in $VAR`.
 */
export async function readSecretFlag(
  ctx: Context,
  flags: SecretFlags,
): Promise<{ text: string; what: string; flagged: string } | undefined> {
  const text = await readSecret(ctx, { env: flags.secretEnv, file: flags.secretFile }, 'HMAC secret', {
    flags: { env: '--secret-env', file: '--secret-file' },
    optional: true,
  });
  if (text === undefined) return undefined;
  const what =
    flags.secretEnv !== undefined ? `secret in $${flags.secretEnv}` : `secret file "${flags.secretFile}"`;
  // `flagged` names the flag too, for refusals: "secret in $S (--secret-env)".
  return {
    text,
    what,
    flagged: `${what} (${flags.secretEnv !== undefined ? '--secret-env' : '--secret-file'})`,
  };
}

/**
 * A key file given with `flag` (--key, --jwks), through the one key reader. When the file turns out to be key
 * material in a raw-secret position (DER, hex or base64 of a key, an OpenSSH blob), the refusal names the flag.
 */
export async function readKeyFlag(
  ctx: Context,
  flag: string,
  path: string,
  passphrase: string | undefined,
): Promise<KeySet> {
  try {
    return await readKeyFile(ctx, path, passphrase);
  } catch (err) {
    if (!isApikitError(err) || !hasCode(err, 'ERR_KEY_NOT_PEM')) throw err;
    const message = err.message.startsWith('cannot read key ')
      ? `${flag} ${err.message.slice('cannot read key '.length)}`
      : `${flag}: ${err.message}`;
    // The key loader's hint reads DER; hex text needs undoing first.
    const hint = message.includes('hex-encoded')
      ? `convert it to PEM: xxd -r -p ${path} | openssl pkey -inform DER  (add -pubin for a public key)`
      : err.hint;
    throw new InputError(message, err.code, hint !== undefined ? { hint } : {});
  }
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
