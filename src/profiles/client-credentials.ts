import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Context } from '../context.js';
import { describeCause, UsageError } from '../errors.js';
import { readEnvSecret, readFileSecret, type SecretSource } from '../io/secrets.js';
import { privateKeyCredential, type ClientCredential } from '../lib/oauth/client-auth.js';
import { fetchClientCredentialsToken, type ClientCredentialsToken } from '../oauth/client-credentials.js';
import type { ClientAuthConfig, Profile, ProfileTokens } from './profile.js';

/**
 * Client-credentials profiles: what `--save-profile` stores (where the credential lives, never the credential)
 * and how `apikit token --profile NAME` renews such a profile through the one grant flow in src/oauth/.
 */

/** Where a client credential comes from: a secret (env var, file or stdin) or a private key file. */
export type CredentialSource =
  { kind: 'secret'; secret: SecretSource } | { kind: 'private-key'; file: string };

/** The client part of a profile without its method: where the credential lives, never the credential. */
export type SavedCredential = Omit<ClientAuthConfig, 'method'>;

/**
 * What a profile stores about the credential. Checked before any request: a secret read from stdin cannot be
 * read again, so it cannot be saved.
 */
export function savedCredential(source: CredentialSource, assertionAud: string | undefined): SavedCredential {
  if (source.kind === 'secret' && source.secret.stdin) {
    throw new UsageError(
      'a client secret read from stdin cannot be saved in a profile',
      'ERR_PROFILE_SECRET_STDIN',
      {
        hint: 'use --client-secret-env VAR or --client-secret-file FILE with --save-profile (the profile stores the name or path, never the secret)',
      },
    );
  }
  const saved: SavedCredential = {};
  // Absolute paths: `apikit token --profile` may run from another directory.
  if (source.kind === 'secret') {
    if (source.secret.env !== undefined) saved.secretEnv = source.secret.env;
    if (source.secret.file !== undefined) saved.secretFile = resolve(source.secret.file);
  } else {
    saved.privateKeyFile = resolve(source.file);
  }
  if (assertionAud !== undefined) saved.assertionAud = assertionAud;
  return saved;
}

export function profileTokens(token: ClientCredentialsToken): ProfileTokens {
  const tokens: ProfileTokens = {
    accessToken: token.accessToken,
    tokenType: token.tokenType,
    obtainedAt: token.obtainedAt,
  };
  if (token.expiresAt !== undefined) tokens.expiresAt = token.expiresAt;
  if (token.scope !== undefined) tokens.scope = token.scope;
  return tokens;
}

/**
 * Reads the private_key_jwt key file (--private-key, or a saved profile's key path); the key itself is parsed
 * by src/lib/oauth/client-auth.ts.
 */
export async function loadPrivateKeyCredential(path: string): Promise<ClientCredential> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(
      `--private-key: cannot read "${path}": ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : describeCause(err)}`,
      'ERR_CLIENT_KEY_FILE',
    );
  }
  // The kid that PREFIX.jwks.json beside a generated PEM gives the key (the one registered with the server).
  const { readCompanionJwks } = await import('../files/key-companion.js');
  return privateKeyCredential(bytes, path, readCompanionJwks(path));
}

/**
 * Renews the tokens of a saved client-credentials profile from the same env var, file or key file it was
 * saved with. Called lazily by `apikit token --profile NAME`; the caller stores the result in the profile.
 * The token cache is not used: the profile is its own cache.
 */
export async function renewClientCredentialsProfile(ctx: Context, profile: Profile): Promise<ProfileTokens> {
  const auth = profile.clientAuth;
  if (profile.grant !== 'client_credentials' || !auth) {
    throw new UsageError(
      `profile "${profile.name}" is not a client-credentials profile`,
      'ERR_PROFILE_GRANT',
    );
  }
  const credential = await savedClientCredential(ctx, profile.name, auth);
  const method = auth.method;
  if (method === 'none') {
    throw new UsageError(
      `profile "${profile.name}" has no client authentication method`,
      'ERR_PROFILE_CREDENTIAL',
    );
  }
  const token = await fetchClientCredentialsToken(ctx, {
    endpoint: {
      kind: 'url',
      tokenEndpoint: profile.tokenEndpoint,
      what: `token endpoint of profile "${profile.name}"`,
      issuer: profile.issuer,
    },
    clientId: profile.clientId,
    credential,
    authMethod: method,
    scope: profile.scope,
    resource: profile.resource,
    audience: profile.audience,
    params: profile.params,
    assertionAud: auth.assertionAud,
    cache: false,
    http: await ctx.http({ maxBodyBytes: 1024 * 1024 }),
  });
  return profileTokens(token);
}

/** The credential a profile points at, read again from its env var, file or key file. */
async function savedClientCredential(
  ctx: Context,
  name: string,
  auth: ClientAuthConfig,
): Promise<ClientCredential> {
  const what = `client secret of profile "${name}"`;
  if (auth.privateKeyFile !== undefined) return loadPrivateKeyCredential(auth.privateKeyFile);
  if (auth.secretEnv !== undefined)
    return { kind: 'secret', secret: readEnvSecret(ctx, auth.secretEnv, what) };
  if (auth.secretFile !== undefined) {
    return { kind: 'secret', secret: await readFileSecret(ctx, auth.secretFile, what) };
  }
  throw new UsageError(
    `profile "${name}" does not say where its client secret or key is`,
    'ERR_PROFILE_CREDENTIAL',
    {
      hint: `save it again: apikit token client-credentials ... --save-profile ${name}`,
    },
  );
}
