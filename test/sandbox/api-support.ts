import type { IncomingMessage, ServerResponse } from 'node:http';
import { generateApiKey, hashApiKey } from '../../src/lib/apikey.js';
import type { Clock } from '../../src/lib/time/clock.js';
import { startServer, type RunningServer } from '../../src/server/loopback-server.js';
import { createApiHandler, DEFAULT_CORS_ORIGINS, type ApiKeyRecord } from '../../src/sandbox/api/index.js';
import {
  memoryLimiter,
  type BucketDecision,
  type BucketPolicy,
  type RateLimiter,
} from '../../src/sandbox/limiter/index.js';
import { RESOURCE_SCOPES, startOidcProvider, type OidcFixture } from '../helpers/oidc-provider.js';

/**
 * The reference API on 127.0.0.1 with a REAL issuer: test/helpers/oidc-provider.ts (oidc-provider) minting JWT
 * access tokens for the API's URL as resource indicator (audience), through the client_credentials grant. The
 * API's server is started first with a late-bound handler, because the provider needs the API's URL (the
 * resource) and the API needs the provider's issuer and JWKS.
 */

export const API_SCOPES = ['read:posts', 'write:posts', 'delete:posts'];
export const SERVICE = { clientId: 'api-test-service', clientSecret: 'api-test-secret-6f1d0c9b2a' } as const;
/** A second confidential client, for a bucket of its own. */
export const OTHER_SERVICE = {
  clientId: 'api-test-other',
  clientSecret: 'api-test-secret-8e2c1b0a3f',
} as const;

export const realClock: Clock = { now: () => Date.now() };

/** Never refuses: for tests about shapes, so that the address bucket they share does not run dry. */
export function unlimited(): RateLimiter & { keys: string[] } {
  const keys: string[] = [];
  return {
    kind: 'memory',
    keys,
    async take(key: string, policy: BucketPolicy): Promise<BucketDecision> {
      keys.push(`${policy.name}:${key}`);
      return {
        allowed: true,
        limit: policy.capacity,
        remaining: policy.capacity - 1,
        resetSeconds: 1,
        retryAfterSeconds: 0,
        policy,
      };
    },
    async close() {},
  };
}

export interface ApiFixture {
  apiUrl: string;
  oidc: OidcFixture;
  server: RunningServer;
  /** API keys by name, in clear (the API holds only their hashes). */
  keys: Record<string, string>;
  records: ApiKeyRecord[];
  limiter: RateLimiter;
  errors: unknown[];
  /** A client-credentials access token for the API, with these scopes. */
  token(
    scope: string,
    client?: { clientId: string; clientSecret: string },
    resource?: string,
  ): Promise<string>;
  close(): Promise<void>;
}

export interface ApiFixtureOptions {
  limiter?: RateLimiter;
  /** name → scopes; default one key `full` with read and write. */
  keys?: Record<string, string[]>;
  clock?: Clock;
  corsOrigins?: readonly string[];
  accessTokenTtl?: number;
}

function clientMetadata(c: { clientId: string; clientSecret: string }): Record<string, unknown> {
  return {
    client_id: c.clientId,
    client_secret: c.clientSecret,
    token_endpoint_auth_method: 'client_secret_basic',
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
    // The fixture's own resource's scopes too, for a token meant for another API (wrong audience).
    scope: [...API_SCOPES, ...RESOURCE_SCOPES].join(' '),
  };
}

export async function startApiFixture(options: ApiFixtureOptions = {}): Promise<ApiFixture> {
  const errors: unknown[] = [];
  // Bound once the issuer exists (it needs the API's URL as its resource indicator).
  const late: { handler?: (req: IncomingMessage, res: ServerResponse) => unknown } = {};
  const server = await startServer({
    handler: (req, res) => {
      if (late.handler === undefined) {
        res.writeHead(503);
        res.end();
        return;
      }
      return late.handler(req, res);
    },
    onError: (err) => errors.push(err),
    closeGraceMs: 200,
  });
  const apiUrl = server.url;
  let oidc: OidcFixture;
  try {
    oidc = await startOidcProvider({
      resources: { [apiUrl]: API_SCOPES },
      clients: [clientMetadata(SERVICE), clientMetadata(OTHER_SERVICE)],
      ...(options.accessTokenTtl ? { accessTokenTtl: options.accessTokenTtl } : {}),
    });
  } catch (err) {
    await server.close();
    throw err;
  }
  const keys: Record<string, string> = {};
  const records: ApiKeyRecord[] = [];
  for (const [name, scopes] of Object.entries(options.keys ?? { full: ['read:posts', 'write:posts'] })) {
    const key = generateApiKey('ak_test');
    keys[name] = key;
    records.push({ id: `key-${name}`, hash: hashApiKey(key), scopes });
  }
  const clock = options.clock ?? realClock;
  const limiter = options.limiter ?? memoryLimiter(clock);
  late.handler = createApiHandler({
    apiUrl,
    issuer: oidc.issuer,
    jwksUri: `${oidc.issuer}/jwks`,
    apiKeys: records,
    limiter,
    corsOrigins: options.corsOrigins ?? DEFAULT_CORS_ORIGINS,
    clock,
    onError: (err) => errors.push(err),
  });

  return {
    apiUrl,
    oidc,
    server,
    keys,
    records,
    limiter,
    errors,
    async token(scope, client = SERVICE, resource = apiUrl) {
      const res = await fetch(`${oidc.issuer}/token`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64')}`,
        },
        body: new URLSearchParams({ grant_type: 'client_credentials', scope, resource }).toString(),
      });
      const body = (await res.json()) as { access_token?: string };
      if (res.status !== 200 || typeof body.access_token !== 'string') {
        throw new Error(`token endpoint: ${res.status} ${JSON.stringify(body)}`);
      }
      return body.access_token;
    },
    async close() {
      await server.close();
      await oidc.close();
      await limiter.close();
    },
  };
}

/** One request to the API (fetch; redirects never followed), with the body parsed when it is JSON. */
export async function call(
  url: string,
  init: RequestInit = {},
): Promise<{ status: number; headers: Headers; body: unknown; text: string }> {
  const res = await fetch(url, { redirect: 'manual', ...init });
  const text = await res.text();
  let body: unknown = text;
  const type = res.headers.get('content-type') ?? '';
  if (/json/.test(type) && text !== '') body = JSON.parse(text);
  return { status: res.status, headers: res.headers, body, text };
}
