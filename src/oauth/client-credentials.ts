import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Context } from '../context.js';
import { ApikitError, describeCause, ExitCode, UsageError } from '../errors.js';
import type { HttpClient } from '../http/client.js';
import { readEnvSecret, readFileSecret, readSecret, type SecretSource } from '../io/secrets.js';
import { loadKeys, publicJwk } from '../lib/keys/load.js';
import { thumbprint } from '../lib/keys/thumbprint.js';
import {
  chooseAuthMethod,
  clientAuthParts,
  type ClientCredential,
  type TokenEndpointAuthMethod,
} from '../lib/oauth/client-auth.js';
import { requireSecureUrl } from '../lib/oauth/metadata.js';
import type { Profile, ProfileTokens } from '../auth/profile.js';
import { discover, requireEndpoint } from './discovery.js';
import {
  cacheKey,
  lookupCachedToken,
  storeCachedToken,
  withCacheKeyLock,
  type CacheKeyFields,
} from './token-cache.js';
import { OAuthError, requestToken } from './token-endpoint.js';

/**
 * The client credentials grant (RFC 6749 §4.4): a confidential client authenticates itself and gets an access
 * token for itself. Used by `apikit token client-credentials` and, through renewClientCredentialsProfile, by
 * `apikit token --profile` for a saved machine profile.
 */
export interface CredentialSource {
  /** Where the client secret comes from (exactly one of env/file/stdin), or undefined with a private key. */
  secret?: SecretSource | undefined;
  /** A private key file for private_key_jwt. */
  privateKeyFile?: string | undefined;
}

export interface ClientCredentialsInput {
  issuer?: string | undefined;
  tokenEndpoint?: string | undefined;
  clientId: string;
  credentials: CredentialSource;
  authMethod?: TokenEndpointAuthMethod | undefined;
  scope?: string | undefined;
  resource?: string[] | undefined;
  audience?: string | undefined;
  params?: Record<string, string> | undefined;
  assertionAud?: string | undefined;
  /** Use the token cache (read and write). */
  cache: boolean;
  /** A cached token is reused while more than this much of its lifetime remains. */
  minTtlMs: number;
  http?: HttpClient | undefined;
}

export interface ClientCredentialsToken {
  /** The server's answer (for a cached token: as it was when obtained). */
  response: Record<string, unknown>;
  accessToken: string;
  tokenType: string;
  scope: string | undefined;
  /** Epoch milliseconds. */
  obtainedAt: number;
  /** Epoch milliseconds; undefined when the server gave no expires_in. */
  expiresAt: number | undefined;
  fromCache: boolean;
  tokenEndpoint: string;
  authMethod: string;
}

const AUTH_ERRORS = new Set(['invalid_client', 'unauthorized_client']);

/** Reads the credential the user pointed at. Every value read is registered with the redactor. */
export async function loadCredential(ctx: Context, source: CredentialSource): Promise<ClientCredential> {
  const hasSecret =
    source.secret !== undefined && Object.values(source.secret).some((v) => v !== undefined && v !== false);
  if (hasSecret === (source.privateKeyFile !== undefined)) {
    throw new UsageError(
      'authenticate the client exactly one way: a secret (--client-secret-env, --client-secret-file, --client-secret-stdin) or --private-key',
      'ERR_CLIENT_CREDENTIAL_SOURCE',
    );
  }
  if (source.privateKeyFile !== undefined) return loadPrivateKeyCredential(source.privateKeyFile);
  return { kind: 'secret', secret: await readSecret(ctx, source.secret!, 'client secret') };
}

async function loadPrivateKeyCredential(path: string): Promise<ClientCredential> {
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
  const set = loadKeys(bytes, path);
  const privateKeys = set.keys.filter((k) => k.kind === 'private');
  if (privateKeys.length !== 1) {
    throw new UsageError(
      privateKeys.length === 0
        ? `--private-key "${path}" holds no private key (${set.keys[0]?.kind ?? 'no'} key)`
        : `--private-key "${path}" holds ${privateKeys.length} private keys; give a file with exactly one`,
      'ERR_CLIENT_KEY_NOT_PRIVATE',
      { hint: 'private_key_jwt signs with the private key (e.g. NAME.key.pem from apikit keys generate)' },
    );
  }
  const loaded = privateKeys[0]!;
  // The kid tells the server which of the client's registered keys to verify with. A PEM has none: use the
  // RFC 7638 thumbprint, the kid `apikit keys generate` puts in the JWKS it writes for registration.
  const kid = loaded.kid ?? (await thumbprint(publicJwk(loaded))).thumbprint;
  return { kind: 'private-key', key: loaded.key, kid, alg: loaded.alg };
}

interface ResolvedEndpoint {
  tokenEndpoint: string;
  authMethods: string[] | undefined;
  signingAlgs: string[] | undefined;
}

async function resolveEndpoint(
  ctx: Context,
  input: ClientCredentialsInput,
  http: HttpClient,
): Promise<ResolvedEndpoint> {
  if (input.tokenEndpoint !== undefined) {
    // Credentials are about to be sent there.
    requireSecureUrl(input.tokenEndpoint, '--token-endpoint');
    return { tokenEndpoint: input.tokenEndpoint, authMethods: undefined, signingAlgs: undefined };
  }
  const meta = await discover(ctx, input.issuer!, http);
  if (
    Array.isArray(meta.grant_types_supported) &&
    !meta.grant_types_supported.includes('client_credentials')
  ) {
    throw new UsageError(
      `issuer ${meta.issuer} does not support the client_credentials grant (grant_types_supported: ${meta.grant_types_supported.join(', ')})`,
      'ERR_CLIENT_CREDENTIALS_UNSUPPORTED',
    );
  }
  const strings = (v: unknown): string[] | undefined =>
    Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : undefined;
  return {
    tokenEndpoint: requireEndpoint(meta, 'token_endpoint', 'token endpoint'),
    authMethods: strings(meta.token_endpoint_auth_methods_supported),
    signingAlgs: strings(meta.token_endpoint_auth_signing_alg_values_supported),
  };
}

interface GrantRequest {
  tokenEndpoint: string;
  issuer: string | undefined;
  clientId: string;
  method: TokenEndpointAuthMethod;
  credential: ClientCredential;
  assertionAud: string | undefined;
  signingAlgs: string[] | undefined;
  scope: string | undefined;
  resource: string[] | undefined;
  audience: string | undefined;
  params: Record<string, string> | undefined;
  http: HttpClient | undefined;
}

/** One client_credentials request with exactly one client authentication method. */
async function grant(ctx: Context, req: GrantRequest): Promise<ClientCredentialsToken> {
  const obtainedAt = ctx.clock.now();
  const auth = await clientAuthParts({
    method: req.method,
    clientId: req.clientId,
    credential: req.credential,
    // RFC 7523 §3 as tightened in 2025: the audience is the issuer identifier, a single string — never a list
    // and, by default, not an endpoint URL another server could also claim.
    audience: req.assertionAud ?? req.issuer ?? req.tokenEndpoint,
    now: obtainedAt,
    signingAlgs: req.signingAlgs,
  });
  ctx.redactor.add(auth.headers.authorization?.replace(/^Basic /, ''));
  ctx.redactor.add(auth.params.client_assertion);
  let res;
  try {
    res = await requestToken(
      ctx,
      req.tokenEndpoint,
      {
        ...req.params,
        grant_type: 'client_credentials',
        scope: req.scope,
        resource: req.resource && req.resource.length > 0 ? req.resource : undefined,
        audience: req.audience,
      },
      auth,
      req.http,
    );
  } catch (err) {
    throw mapOAuthError(err, req);
  }
  return {
    response: res.raw,
    accessToken: res.access_token,
    tokenType: res.token_type,
    scope: res.scope,
    obtainedAt,
    expiresAt: res.expires_in === undefined ? undefined : obtainedAt + res.expires_in * 1000,
    fromCache: false,
    tokenEndpoint: req.tokenEndpoint,
    authMethod: req.method,
  };
}

/**
 * For this grant only invalid_client and unauthorized_client mean "your credentials are wrong" (exit 4); any
 * other OAuth error (invalid_scope, invalid_target, …) is the server refusing the request (exit 3).
 */
function mapOAuthError(err: unknown, req: GrantRequest): unknown {
  if (!(err instanceof OAuthError)) return err;
  if (AUTH_ERRORS.has(err.error)) {
    return new ApikitError(err.message, err.code, ExitCode.AUTH, {
      hint:
        err.error === 'invalid_client'
          ? `check the client id "${req.clientId}", its ${req.method === 'private_key_jwt' ? 'key (and the kid registered for it)' : 'secret'} and --auth-method (sent: ${req.method})`
          : `client "${req.clientId}" may not use the client_credentials grant (or the requested scope); ask the server's admin`,
    });
  }
  return new ApikitError(err.message, err.code, ExitCode.NETWORK);
}

/** The token, from the cache when it still has more than minTtl to live, else from the server. */
export async function fetchClientCredentialsToken(
  ctx: Context,
  input: ClientCredentialsInput,
  credential?: ClientCredential,
): Promise<ClientCredentialsToken> {
  if ((input.issuer === undefined) === (input.tokenEndpoint === undefined)) {
    throw new UsageError('give exactly one of --issuer URL and --token-endpoint URL', 'ERR_CLIENT_ENDPOINT');
  }
  // Read the credential even when a cached token will do: a broken setup fails now, not when the cache expires.
  const cred = credential ?? (await loadCredential(ctx, input.credentials));
  // A method that does not fit the credential is a usage error even when the cache could answer.
  chooseAuthMethod(cred.kind, input.authMethod, undefined);
  const fetch = async (): Promise<ClientCredentialsToken> => {
    const http = input.http ?? (await ctx.http({ maxBodyBytes: 1024 * 1024 }));
    const endpoint = await resolveEndpoint(ctx, input, http);
    const method = chooseAuthMethod(cred.kind, input.authMethod, endpoint.authMethods);
    return grant(ctx, {
      tokenEndpoint: endpoint.tokenEndpoint,
      issuer: input.issuer,
      clientId: input.clientId,
      method,
      credential: cred,
      assertionAud: input.assertionAud,
      signingAlgs: endpoint.signingAlgs,
      scope: input.scope,
      resource: input.resource,
      audience: input.audience,
      params: input.params,
      http,
    });
  };
  if (!input.cache) return fetch();

  const fields: CacheKeyFields = {
    endpoint: input.tokenEndpoint ?? `issuer:${input.issuer}`,
    clientId: input.clientId,
    // Known without asking the server, so a cache hit needs no request at all (not even discovery).
    authMethod: input.authMethod ?? `default:${cred.kind}`,
    scope: input.scope,
    resource: input.resource,
    audience: input.audience,
    params: input.params,
  };
  const id = cacheKey(fields);
  return withCacheKeyLock(ctx, id, async () => {
    const hit = await lookupCachedToken(ctx, id, input.minTtlMs);
    if (hit) {
      return {
        response: hit.response,
        accessToken: hit.response.access_token as string,
        tokenType: typeof hit.response.token_type === 'string' ? hit.response.token_type : 'Bearer',
        scope: typeof hit.response.scope === 'string' ? hit.response.scope : undefined,
        obtainedAt: hit.obtainedAt,
        expiresAt: hit.expiresAt,
        fromCache: true,
        tokenEndpoint: hit.tokenEndpoint,
        authMethod: hit.authMethod,
      };
    }
    const token = await fetch();
    // A token without expires_in cannot be judged fresh later, so it is not cached.
    if (token.expiresAt !== undefined) {
      await storeCachedToken(ctx, id, {
        key: fields,
        response: token.response,
        obtainedAt: token.obtainedAt,
        expiresAt: token.expiresAt,
        tokenEndpoint: token.tokenEndpoint,
        authMethod: token.authMethod,
      });
    }
    return token;
  });
}

/** The client part of a profile: where the credential comes from, never the credential. */
export function profileClientAuth(
  source: CredentialSource,
  method: string,
  assertionAud: string | undefined,
): NonNullable<Profile['clientAuth']> {
  if (source.secret?.stdin) {
    throw new UsageError(
      'a client secret read from stdin cannot be saved in a profile',
      'ERR_PROFILE_SECRET_STDIN',
      {
        hint: 'use --client-secret-env VAR or --client-secret-file FILE with --save-profile (the profile stores the name or path, never the secret)',
      },
    );
  }
  const clientAuth: NonNullable<Profile['clientAuth']> = { method: method as TokenEndpointAuthMethod };
  // Absolute paths: `apikit token --profile` may run from another directory.
  if (source.secret?.env !== undefined) clientAuth.secretEnv = source.secret.env;
  if (source.secret?.file !== undefined) clientAuth.secretFile = resolve(source.secret.file);
  if (source.privateKeyFile !== undefined) clientAuth.privateKeyFile = resolve(source.privateKeyFile);
  if (assertionAud !== undefined) clientAuth.assertionAud = assertionAud;
  return clientAuth;
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
  let credential: ClientCredential;
  if (auth.privateKeyFile !== undefined) {
    credential = await loadPrivateKeyCredential(auth.privateKeyFile);
  } else if (auth.secretEnv !== undefined) {
    credential = {
      kind: 'secret',
      secret: readEnvSecret(ctx, auth.secretEnv, `client secret of profile "${profile.name}"`),
    };
  } else if (auth.secretFile !== undefined) {
    credential = {
      kind: 'secret',
      secret: await readFileSecret(ctx, auth.secretFile, `client secret of profile "${profile.name}"`),
    };
  } else {
    throw new UsageError(
      `profile "${profile.name}" does not say where its client secret or key is`,
      'ERR_PROFILE_CREDENTIAL',
      {
        hint: `save it again: apikit token client-credentials ... --save-profile ${profile.name}`,
      },
    );
  }
  if (auth.method === 'none') {
    throw new UsageError(
      `profile "${profile.name}" has no client authentication method`,
      'ERR_PROFILE_CREDENTIAL',
    );
  }
  requireSecureUrl(profile.tokenEndpoint, `token endpoint of profile "${profile.name}"`);
  const token = await grant(ctx, {
    tokenEndpoint: profile.tokenEndpoint,
    issuer: profile.issuer,
    clientId: profile.clientId,
    method: auth.method,
    credential,
    assertionAud: auth.assertionAud,
    signingAlgs: undefined,
    scope: profile.scope,
    resource: profile.resource,
    audience: profile.audience,
    params: profile.params,
    http: undefined,
  });
  return profileTokens(token);
}
