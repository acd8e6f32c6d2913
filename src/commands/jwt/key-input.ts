import type { Context } from '../../context.js';
import { InputError, UsageError } from '../../errors.js';
import { readEnvSecret, readFileSecret } from '../../io/secrets.js';

/**
 * HMAC secret input shared by mint and verify (env or file, never argv; registered with the redactor).
 * Key files and passphrases: ../shared/key-files.ts.
 */
export interface SecretFlags {
  secretEnv?: string | undefined;
  secretFile?: string | undefined;
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
