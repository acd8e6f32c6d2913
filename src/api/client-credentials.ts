import { UsageError } from '../errors.js';
import {
  isConfidentialAuthMethod,
  privateKeyCredential,
  requireMethodFits,
  type ClientCredential,
} from '../lib/oauth/client-auth.js';
import { fetchClientCredentialsToken, type TokenEndpointSource } from '../oauth/client-credentials.js';
import { version } from '../version.js';
import { defaultClock } from './clock.js';
import { fetchHttpClient } from './fetch-client.js';
import { flowContext } from './flow-context.js';
import type { Clock, FetchLike, KeyInput } from './types.js';

/** How the client proves itself at the token endpoint (RFC 6749 §2.3, RFC 7523). */
export type ClientAuthMethod =
  'client_secret_basic' | 'client_secret_post' | 'private_key_jwt' | 'client_secret_jwt';

export interface ClientCredentialsOptions {
  /** The issuer: its token endpoint is discovered (RFC 8414, then OIDC). Give this or `tokenEndpoint`. */
  issuer?: string;
  /** The token endpoint URL itself (https; http only on loopback). */
  tokenEndpoint?: string;
  clientId: string;
  /** The client secret (client_secret_basic, client_secret_post, client_secret_jwt). Give this or `privateKey`. */
  clientSecret?: string;
  /** The private key for private_key_jwt (PEM or JWK with exactly one private key). */
  privateKey?: KeyInput;
  /** The `kid` the server knows the private key by. Default: the JWK's kid, else the RFC 7638 thumbprint. */
  kid?: string;
  /**
   * Default: client_secret_basic for a secret, private_key_jwt for a key — or the first of those the server
   * advertises (token_endpoint_auth_methods_supported) when discovered.
   */
  authMethod?: ClientAuthMethod;
  scope?: string;
  /** RFC 8707 resource indicators. */
  resource?: string[];
  /** The `audience` parameter some servers (Auth0, …) ask for. */
  audience?: string;
  /** Extra form parameters. */
  params?: Record<string, string>;
  /** The `aud` of a JWT client assertion. Default: the issuer, else the token endpoint. */
  assertionAudience?: string;
  /** The fetch used for discovery and the token request. Default: the global fetch. */
  fetch?: FetchLike;
  /** For obtainedAt/expiresAt and the assertion's iat/exp. Default: the wall clock. */
  clock?: Clock;
  /** Per request. Default 30000 ms. */
  timeoutMs?: number;
  /** Aborts the requests in flight. */
  signal?: AbortSignal;
}

export interface ClientCredentialsResult {
  accessToken: string;
  tokenType: string;
  scope: string | undefined;
  /** Epoch ms. */
  obtainedAt: number;
  /** Epoch ms; undefined when the server gave no expires_in. */
  expiresAt: number | undefined;
  tokenEndpoint: string;
  authMethod: ClientAuthMethod;
  /** The server's whole JSON answer (it holds the access token: treat it as a secret). */
  response: Record<string, unknown>;
}

/** A cap on the token endpoint's answer, as the CLI's (src/commands/token/client-credentials.ts). */
const MAX_TOKEN_RESPONSE_BYTES = 1024 * 1024;

/**
 * Gets an access token with the client credentials grant (RFC 6749 §4.4) — the flow `apikit token
 * client-credentials` runs, without its token cache or profiles. All I/O goes through `fetch`.
 *
 * @throws an {@link ApikitErrorInfo}: `ERR_OAUTH_<ERROR>` for an OAuth error response (exitCode 4 for
 *   invalid_client/unauthorized_client), `ERR_DISCOVERY_*`, `ERR_TOKEN_*`, `ERR_HTTP_*` (exitCode 3),
 *   `ERR_USAGE*` for options that do not fit together.
 */
export async function clientCredentialsToken(
  options: ClientCredentialsOptions,
): Promise<ClientCredentialsResult> {
  const endpoint = endpointOf(options);
  const credential = await credentialOf(options);
  if (options.authMethod !== undefined && !isConfidentialAuthMethod(options.authMethod)) {
    throw new UsageError(
      `authMethod "${String(options.authMethod)}" is not a client authentication method`,
      'ERR_USAGE',
    );
  }
  requireMethodFits(credential.kind, options.authMethod);
  const clock = options.clock ?? defaultClock;
  const signal = options.signal ?? new AbortController().signal;
  const http = fetchHttpClient({
    fetch: options.fetch ?? (globalThis.fetch as unknown as FetchLike),
    clock,
    userAgent: `apikit/${version()}`,
    timeoutMs: options.timeoutMs ?? 30_000,
    // Discovery goes through the same client, under the same cap, as in the CLI.
    maxBodyBytes: MAX_TOKEN_RESPONSE_BYTES,
    signal,
  });
  const token = await fetchClientCredentialsToken(flowContext({ clock, http, signal }), {
    endpoint,
    clientId: options.clientId,
    credential,
    authMethod: options.authMethod,
    scope: options.scope,
    resource: options.resource,
    audience: options.audience,
    params: options.params,
    assertionAud: options.assertionAudience,
    cache: false,
    http,
  });
  return {
    accessToken: token.accessToken,
    tokenType: token.tokenType,
    scope: token.scope,
    obtainedAt: token.obtainedAt,
    expiresAt: token.expiresAt,
    tokenEndpoint: token.tokenEndpoint,
    authMethod: token.authMethod,
    response: token.response,
  };
}

function endpointOf(options: ClientCredentialsOptions): TokenEndpointSource {
  if ((options.issuer === undefined) === (options.tokenEndpoint === undefined)) {
    throw new UsageError('give exactly one of issuer and tokenEndpoint', 'ERR_USAGE');
  }
  if (options.issuer !== undefined) return { kind: 'issuer', issuer: options.issuer };
  return { kind: 'url', tokenEndpoint: options.tokenEndpoint!, what: 'tokenEndpoint' };
}

async function credentialOf(options: ClientCredentialsOptions): Promise<ClientCredential> {
  if ((options.clientSecret === undefined) === (options.privateKey === undefined)) {
    throw new UsageError('give exactly one of clientSecret and privateKey', 'ERR_USAGE');
  }
  if (options.clientSecret !== undefined) return { kind: 'secret', secret: options.clientSecret };
  const key = options.privateKey!;
  const bytes =
    typeof key === 'string'
      ? Buffer.from(key, 'utf8')
      : key instanceof Uint8Array
        ? key
        : Buffer.from(JSON.stringify(key), 'utf8');
  const credential = await privateKeyCredential(bytes, 'privateKey');
  return options.kid !== undefined && credential.kind === 'private-key'
    ? { ...credential, kid: options.kid }
    : credential;
}
