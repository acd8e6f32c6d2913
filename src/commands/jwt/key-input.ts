import type { Context } from '../../context.js';
import { InputError, UsageError } from '../../errors.js';
import { readSecret } from '../../io/secrets.js';

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
): Promise<{ text: string; what: string } | undefined> {
  const text = await readSecret(ctx, { env: flags.secretEnv, file: flags.secretFile }, 'HMAC secret', {
    flags: { env: '--secret-env', file: '--secret-file' },
    optional: true,
  });
  if (text === undefined) return undefined;
  return {
    text,
    what:
      flags.secretEnv !== undefined ? `secret in $${flags.secretEnv}` : `secret file "${flags.secretFile}"`,
  };
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
