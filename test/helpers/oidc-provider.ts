import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLocalJWKSet, exportJWK, generateKeyPair, jwtVerify, type JWK } from 'jose';
import type ProviderType from 'oidc-provider';

/**
 * THE shared real authorization server for tests: `oidc-provider` (panva) on 127.0.0.1, port 0.
 *
 * Defaults:
 * - native public client `apikit-cli` (token_endpoint_auth_method none, PKCE S256 required, application_type
 *   native, redirect URIs http://127.0.0.1/callback and http://localhost/callback — any port, RFC 8252 §7.3),
 *   grants authorization_code, refresh_token and device_code;
 * - rotating refresh tokens (public client: every refresh rotates; reusing a rotated one revokes the grant);
 * - refresh tokens issued whenever the client may use the refresh_token grant (no offline_access needed);
 * - revocation, introspection (confidential client `introspector`, used by `introspect()`), device flow,
 *   resource indicators: `RESOURCE` (http://127.0.0.1/api) gets JWT access tokens with scopes read:reports,
 *   write:reports; the client_credentials grant for confidential clients passed in `options.clients`;
 * - devInteractions (login form: any account name, then a consent form) — driven by test/helpers/browser.ts;
 * - in-memory adapter, signing keys (RS256 + ES256) generated at start, findAccount returns the account id as `sub`.
 */
export const RESOURCE = 'http://127.0.0.1/api';
export const RESOURCE_SCOPES = ['read:reports', 'write:reports'];
export const NATIVE_CLIENT_ID = 'apikit-cli';
export const INTROSPECTOR = {
  clientId: 'introspector',
  clientSecret: 'introspector-secret-9f2c1e7a',
} as const;

export interface OidcFixture {
  /** http://127.0.0.1:PORT — exactly what discovery's `issuer` says (no trailing slash). */
  issuer: string;
  port: number;
  provider: ProviderType;
  /** Count requests the server received, by path prefix (e.g. '/token'); reset() zeroes the counters. */
  requests: {
    /**
     * Requests whose path equals `pathPrefix` or starts with it followed by "/" (so '/token' also counts
     * '/token/revocation'; use `exact` to avoid that). Without an argument: all requests. The fixture's own
     * introspect() calls are not counted.
     */
    count(pathPrefix?: string): number;
    /** Requests whose path is exactly `path` (query string ignored), optionally only with `method`. */
    exact(path: string, method?: string): number;
    /** Every counted request, in order. */
    log(): Array<{ method: string; path: string }>;
    reset(): void;
  };
  /**
   * RFC 7662 introspection as a trusted resource server would do it (client `introspector`). oidc-provider refuses
   * to introspect its JWT access tokens (resource-indicator tokens); for those the answer comes from validating
   * the JWT against the issuer's keys (iss, exp) and carries `verified_locally: true`.
   */
  introspect(token: string): Promise<Record<string, unknown>>;
  /**
   * Every secret value the server handed out or received at the token endpoint so far (access/refresh/ID tokens,
   * codes, code verifiers, device codes, client secrets and assertions) — for "never printed" assertions.
   */
  secrets(): string[];
  close(): Promise<void>;
}

export interface OidcFixtureOptions {
  /** Extra client metadata objects (oidc-provider format), added to the default native public client. */
  clients?: Array<Record<string, unknown>>;
  /** Access-token (and client-credentials token) lifetime in seconds; default 300. */
  accessTokenTtl?: number;
  /** ID-token lifetime in seconds; default 3600. */
  idTokenTtl?: number;
  /** Refresh-token lifetime in seconds; default 86400. */
  refreshTokenTtl?: number;
  /** Device-code lifetime in seconds; default 600. */
  deviceCodeTtl?: number;
  /** `interval` added to the device authorization response (oidc-provider sends none; RFC 8628 default 5). */
  deviceInterval?: number;
  /** Scopes for the RESOURCE resource server; default RESOURCE_SCOPES. */
  resourceScopes?: string[];
  /** Extra resource servers: indicator → scopes (JWT access tokens, audience = indicator). */
  resources?: Record<string, string[]>;
  /** Merged over the default `features` (shallow per feature). */
  features?: Record<string, Record<string, unknown>>;
  /** Rotate refresh tokens on every use (default true, oidc-provider's default for public clients). */
  rotateRefreshToken?: boolean;
  /**
   * oidc-provider's `clientAuthMethods` (what `token_endpoint_auth_methods_supported` advertises); default:
   * oidc-provider's own list. The `introspector` client needs client_secret_basic for introspect() to work.
   */
  clientAuthMethods?: string[];
}

/**
 * Silences oidc-provider's console notices (the "Unsupported runtime" warning on Node 20, devInteractions and
 * "you SHOULD change" notices): only lines starting with "oidc-provider " are dropped, for the whole test file.
 */
let quieted = false;
function quietOidcProvider(): void {
  if (quieted) return;
  quieted = true;
  for (const level of ['warn', 'info', 'log'] as const) {
    const original = console[level].bind(console);
    console[level] = (...args: unknown[]) => {
      if (typeof args[0] === 'string' && args[0].startsWith('oidc-provider ')) return;
      original(...args);
    };
  }
}

export async function startOidcProvider(options: OidcFixtureOptions = {}): Promise<OidcFixture> {
  quietOidcProvider();
  const { default: Provider, errors } = await import('oidc-provider');
  const accessTokenTtl = options.accessTokenTtl ?? 300;
  const resources: Record<string, string[]> = {
    [RESOURCE]: options.resourceScopes ?? RESOURCE_SCOPES,
    ...(options.resources ?? {}),
  };

  const log: Array<{ method: string; path: string }> = [];
  // Set once the provider exists (its issuer needs the port the server got).
  // eslint-disable-next-line prefer-const
  let handler: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    if (req.headers['x-fixture-internal'] !== '1') log.push({ method: req.method ?? 'GET', path });
    if (!handler) {
      res.statusCode = 503;
      res.end();
      return;
    }
    handler(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const issuer = `http://127.0.0.1:${port}`;

  const rsa = await generateKeyPair('RS256', { extractable: true });
  const ec = await generateKeyPair('ES256', { extractable: true });
  const keys = [
    { ...(await exportJWK(rsa.privateKey)), kid: 'fixture-rs256', alg: 'RS256', use: 'sig' },
    { ...(await exportJWK(ec.privateKey)), kid: 'fixture-es256', alg: 'ES256', use: 'sig' },
  ];

  const publicKeys: JWK[] = [
    { ...(await exportJWK(rsa.publicKey)), kid: 'fixture-rs256', alg: 'RS256', use: 'sig' },
    { ...(await exportJWK(ec.publicKey)), kid: 'fixture-es256', alg: 'ES256', use: 'sig' },
  ];

  const nativeClient = {
    client_id: NATIVE_CLIENT_ID,
    application_type: 'native',
    token_endpoint_auth_method: 'none',
    redirect_uris: ['http://127.0.0.1/callback', 'http://localhost/callback'],
    grant_types: ['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code'],
    response_types: ['code'],
    scope: ['openid', 'offline_access', 'profile', 'email', ...Object.values(resources).flat()].join(' '),
  };
  const introspector = {
    client_id: INTROSPECTOR.clientId,
    client_secret: INTROSPECTOR.clientSecret,
    token_endpoint_auth_method: 'client_secret_basic',
    grant_types: [],
    response_types: [],
    redirect_uris: [],
  };

  const features: Record<string, Record<string, unknown>> = {
    devInteractions: { enabled: true },
    deviceFlow: { enabled: true },
    revocation: { enabled: true },
    introspection: { enabled: true, allowedPolicy: async () => true },
    clientCredentials: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: async (_ctx: unknown, _client: unknown, oneOf?: string) => oneOf ?? undefined,
      useGrantedResource: async () => true,
      getResourceServerInfo: async (_ctx: unknown, indicator: string) => {
        const scopes = resources[indicator];
        if (!scopes) throw new errors.InvalidTarget();
        return {
          scope: scopes.join(' '),
          audience: indicator,
          accessTokenTTL: accessTokenTtl,
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg: 'RS256' } },
        };
      },
    },
  };
  for (const [name, value] of Object.entries(options.features ?? {}))
    features[name] = { ...features[name], ...value };

  const provider = new Provider(issuer, {
    clients: [nativeClient, introspector, ...(options.clients ?? [])],
    jwks: { keys },
    cookies: { keys: ['fixture-cookie-key-0123456789abcdef'] },
    findAccount: async (_ctx: unknown, id: string) => ({
      accountId: id,
      claims: async () => ({
        sub: id,
        email: `${id}@example.test`,
        email_verified: true,
        name: `User ${id}`,
      }),
    }),
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    // Resource scopes are listed too, so that clients may declare them in their `scope` metadata.
    scopes: ['openid', 'offline_access', 'profile', 'email', ...Object.values(resources).flat()],
    pkce: { required: () => true },
    features,
    ttl: {
      AccessToken: accessTokenTtl,
      ClientCredentials: accessTokenTtl,
      IdToken: options.idTokenTtl ?? 3600,
      RefreshToken: options.refreshTokenTtl ?? 86_400,
      DeviceCode: options.deviceCodeTtl ?? 600,
      AuthorizationCode: 60,
      Interaction: 600,
      Session: 86_400,
      Grant: 86_400,
    },
    // Refresh tokens without offline_access: the CLI wants long-lived sessions, the tests want rotation.
    issueRefreshToken: async (_ctx: unknown, client: { grantTypeAllowed(g: string): boolean }) =>
      client.grantTypeAllowed('refresh_token'),
    rotateRefreshToken: () => options.rotateRefreshToken ?? true,
    ...(options.clientAuthMethods ? { clientAuthMethods: options.clientAuthMethods } : {}),
    renderError: async (ctx: { type: string; body: unknown }, out: Record<string, unknown>) => {
      ctx.type = 'html';
      ctx.body = `<!doctype html><title>oops</title><pre>${JSON.stringify(out)}</pre>`;
    },
  });
  // RFC 8628 §3.2: `interval` is optional (default 5 s); the fixture advertises a short one so tests stay quick.
  provider.on('device_authorization.success', (_ctx: unknown, body: Record<string, unknown>) => {
    body.interval = options.deviceInterval ?? 1;
  });
  const seen = new Set<string>();
  const remember = (v: unknown): void => {
    if (typeof v === 'string' && v.length >= 8) seen.add(v);
  };
  const SECRET_FIELDS = [
    'access_token',
    'refresh_token',
    'id_token',
    'code',
    'code_verifier',
    'device_code',
    'client_secret',
    'client_assertion',
  ];
  const harvest = (ctx: { body?: unknown; oidc?: { params?: Record<string, unknown> } }): void => {
    const body = (ctx.body ?? {}) as Record<string, unknown>;
    const params = ctx.oidc?.params ?? {};
    for (const f of SECRET_FIELDS) {
      remember(body[f]);
      remember(params[f]);
    }
  };
  provider.on('grant.success', harvest);
  provider.on('grant.error', harvest);
  provider.on('device_authorization.success', (_ctx: unknown, body: Record<string, unknown>) =>
    remember(body.device_code),
  );
  provider.on('authorization_code.saved', (code: { jti?: string }) => remember(code.jti));
  handler = provider.callback();

  return {
    issuer,
    port,
    provider,
    requests: {
      count(pathPrefix?: string) {
        if (pathPrefix === undefined) return log.length;
        const base = pathPrefix.endsWith('/') ? pathPrefix.slice(0, -1) : pathPrefix;
        return log.filter((r) => r.path === base || r.path.startsWith(base + '/')).length;
      },
      exact(path: string, method?: string) {
        return log.filter(
          (r) => r.path === path && (method === undefined || r.method === method.toUpperCase()),
        ).length;
      },
      log() {
        return [...log];
      },
      reset() {
        log.length = 0;
      },
    },
    async introspect(token: string) {
      const res = await fetch(`${issuer}/token/introspection`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from(`${INTROSPECTOR.clientId}:${INTROSPECTOR.clientSecret}`).toString('base64')}`,
          'x-fixture-internal': '1',
        },
        body: new URLSearchParams({ token }).toString(),
      });
      const body = (await res.json()) as Record<string, unknown>;
      if (res.status === 400 && body.error === 'unsupported_token_type') {
        // oidc-provider does not introspect its structured (JWT) access tokens: a resource server validates them
        // itself — signature against the issuer's JWKS, iss and exp. (Revocation is invisible for those.)
        try {
          const { payload } = await jwtVerify(token, createLocalJWKSet({ keys: publicKeys }), { issuer });
          return { active: true, token_type: 'access_token', verified_locally: true, ...payload };
        } catch {
          return { active: false, verified_locally: true };
        }
      }
      if (res.status !== 200)
        throw new Error(`introspection failed: HTTP ${res.status} ${JSON.stringify(body)}`);
      return body;
    },
    secrets() {
      return [...seen];
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Metadata of a confidential client for the client_credentials grant (scopes read:reports, write:reports). */
export function confidentialClient(
  id: string,
  method: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    client_id: id,
    token_endpoint_auth_method: method,
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
    scope: 'read:reports write:reports',
    ...extra,
  };
}
