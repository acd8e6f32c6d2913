import type { Context } from '../context.js';
import { ApikitError, ExitCode, UsageError } from '../errors.js';
import type { HttpClient } from '../http/client.js';
import {
  chooseAuthMethod,
  clientAuthParts,
  type ClientCredential,
  type ConfidentialAuthMethod,
} from '../lib/oauth/client-auth.js';
import { requireSecureUrl } from '../lib/oauth/metadata.js';
import { terminalSafe } from '../lib/text/terminal-safe.js';
import { discover, requireEndpoint } from './discovery.js';
import {
  cacheKey,
  credentialFingerprint,
  lookupCachedToken,
  storeCachedToken,
  withCacheKeyLock,
  type CacheKeyFields,
  type CachedToken,
} from './token-cache.js';
import { isOAuthError, requestToken } from './token-endpoint.js';

/**
 * The client credentials grant (RFC 6749 §4.4): a confidential client authenticates itself and gets an access
 * token for itself. Used by `apikit token client-credentials` and, through renewClientCredentialsProfile, by
 * `apikit token --profile` for a saved machine profile. The callers resolve everything first (the credential
 * read and loaded, the endpoint chosen, the method checked against the credential); the one path here only
 * goes down: cache lookup → discovery → method → token endpoint → cache store.
 */

/** Where the token endpoint comes from: the issuer's metadata (RFC 8414), or a URL the caller knows. */
export type TokenEndpointSource =
  | { kind: 'issuer'; issuer: string }
  | {
      kind: 'url';
      tokenEndpoint: string;
      /** How messages name the URL: "--token-endpoint", `token endpoint of profile "ci"`. */
      what: string;
      /** The issuer, when known: the audience of JWT assertions (a saved profile's issuer). */
      issuer?: string | undefined;
    };

export interface ClientCredentialsRequest {
  endpoint: TokenEndpointSource;
  clientId: string;
  credential: ClientCredential;
  /** The method asked for (the caller has checked that it fits the credential); undefined: the default. */
  authMethod: ConfidentialAuthMethod | undefined;
  scope?: string | undefined;
  resource?: string[] | undefined;
  audience?: string | undefined;
  params?: Record<string, string> | undefined;
  assertionAud?: string | undefined;
  /**
   * Reuse a cached token while more than `minTtlMs` of its lifetime remains, and cache a new one; false: the
   * cache is neither read nor written (a saved profile is its own cache).
   */
  cache: { minTtlMs: number } | false;
  http: HttpClient;
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
  authMethod: ConfidentialAuthMethod;
}

const AUTH_ERRORS = new Set(['invalid_client', 'unauthorized_client']);

/** The token: from the cache when it still has more than minTtl to live, else from the server. */
export async function fetchClientCredentialsToken(
  ctx: Context,
  req: ClientCredentialsRequest,
): Promise<ClientCredentialsToken> {
  if (!req.cache) return requestClientCredentialsToken(ctx, req);
  const { minTtlMs } = req.cache;
  const fields = await cacheKeyFields(ctx, req);
  const id = cacheKey(fields);
  return withCacheKeyLock(ctx, id, async () => {
    const hit = await lookupCachedToken(ctx, id, minTtlMs);
    if (hit) return fromCache(hit);
    const token = await requestClientCredentialsToken(ctx, req);
    // A token without expires_in cannot be judged fresh later, so it is not cached.
    if (token.expiresAt !== undefined) {
      const { credential: _fingerprint, ...key } = fields;
      await storeCachedToken(ctx, id, {
        key,
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

/**
 * What identifies the token in the cache — known without asking the server, so a hit makes no request. The
 * credential is part of it: a token obtained with one secret is never the answer for another (a rotated or
 * wrong secret must reach the server and fail there).
 */
async function cacheKeyFields(ctx: Context, req: ClientCredentialsRequest): Promise<CacheKeyFields> {
  return {
    endpoint: req.endpoint.kind === 'issuer' ? `issuer:${req.endpoint.issuer}` : req.endpoint.tokenEndpoint,
    clientId: req.clientId,
    authMethod: req.authMethod ?? `default:${req.credential.kind}`,
    credential: await credentialFingerprint(ctx, req.credential),
    scope: req.scope,
    resource: req.resource,
    audience: req.audience,
    params: req.params,
  };
}

function fromCache(hit: CachedToken): ClientCredentialsToken {
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

/** Discovery (for an issuer) → the method → one request to the token endpoint. */
async function requestClientCredentialsToken(
  ctx: Context,
  req: ClientCredentialsRequest,
): Promise<ClientCredentialsToken> {
  const endpoint = await resolveEndpoint(ctx, req.endpoint, req.http);
  const method = chooseAuthMethod(req.credential.kind, req.authMethod, endpoint.authMethods);
  return grant(ctx, req, endpoint, method);
}

interface ResolvedEndpoint {
  tokenEndpoint: string;
  authMethods: string[] | undefined;
  signingAlgs: string[] | undefined;
}

async function resolveEndpoint(
  ctx: Context,
  source: TokenEndpointSource,
  http: HttpClient,
): Promise<ResolvedEndpoint> {
  if (source.kind === 'url') {
    // Credentials are about to be sent there.
    requireSecureUrl(source.tokenEndpoint, source.what);
    return { tokenEndpoint: source.tokenEndpoint, authMethods: undefined, signingAlgs: undefined };
  }
  const meta = await discover(ctx, source.issuer, http);
  if (
    Array.isArray(meta.grant_types_supported) &&
    !meta.grant_types_supported.includes('client_credentials')
  ) {
    throw new UsageError(
      `issuer ${meta.issuer} does not support the client_credentials grant (grant_types_supported: ${terminalSafe(meta.grant_types_supported.join(', '))})`,
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

/** One client_credentials request with exactly one client authentication method. */
async function grant(
  ctx: Context,
  req: ClientCredentialsRequest,
  endpoint: ResolvedEndpoint,
  method: ConfidentialAuthMethod,
): Promise<ClientCredentialsToken> {
  const obtainedAt = ctx.clock.now();
  const issuer = req.endpoint.issuer;
  const auth = await clientAuthParts({
    method,
    clientId: req.clientId,
    credential: req.credential,
    // RFC 7523 §3 as tightened in 2025: the audience is the issuer identifier, a single string — never a list
    // and, by default, not an endpoint URL another server could also claim.
    audience: req.assertionAud ?? issuer ?? endpoint.tokenEndpoint,
    now: obtainedAt,
    signingAlgs: endpoint.signingAlgs,
  });
  ctx.redactor.add(auth.headers.authorization?.replace(/^Basic /, ''));
  ctx.redactor.add(auth.params.client_assertion);
  let res;
  try {
    res = await requestToken(
      ctx,
      endpoint.tokenEndpoint,
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
    throw mapOAuthError(err, req.clientId, method);
  }
  return {
    response: res.raw,
    accessToken: res.access_token,
    tokenType: res.token_type,
    scope: res.scope,
    obtainedAt,
    expiresAt: res.expires_in === undefined ? undefined : obtainedAt + res.expires_in * 1000,
    fromCache: false,
    tokenEndpoint: endpoint.tokenEndpoint,
    authMethod: method,
  };
}

/**
 * For this grant only invalid_client and unauthorized_client mean "your credentials are wrong" (exit 4); any
 * other OAuth error (invalid_scope, invalid_target, …) is the server refusing the request (exit 3).
 */
function mapOAuthError(err: unknown, clientId: string, method: ConfidentialAuthMethod): unknown {
  if (!isOAuthError(err)) return err;
  if (AUTH_ERRORS.has(err.error)) {
    return new ApikitError(err.message, err.code, ExitCode.AUTH, {
      hint:
        err.error === 'invalid_client'
          ? `check the client id "${clientId}", its ${method === 'private_key_jwt' ? 'key (and the kid registered for it)' : 'secret'} and --auth-method (sent: ${method})`
          : `client "${clientId}" may not use the client_credentials grant (or the requested scope); ask the server's admin`,
    });
  }
  return new ApikitError(err.message, err.code, ExitCode.NETWORK);
}
