import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createContext, type Context } from '../../../src/context.js';
import { createIO } from '../../../src/io/io.js';
import type { ClientCredential } from '../../../src/lib/oauth/client-auth.js';
import {
  fetchClientCredentialsToken,
  type ClientCredentialsRequest,
} from '../../../src/oauth/client-credentials.js';
import { loadPrivateKeyCredential } from '../../../src/profiles/client-credentials.js';
import type { OidcFixture } from '../../helpers/oidc-provider.js';
import { BASIC, PKJWT, SCOPE, TTL, useClientCredentialsServer } from './cc-fixture.js';

/**
 * The one client-credentials flow (src/oauth/client-credentials.ts) called directly with a resolved request —
 * credential object, endpoint source, method — against the real authorization server: its single path goes
 * down (cache lookup → discovery → method → token endpoint → cache store) and never back up.
 */
const fx = useClientCredentialsServer();
let as: OidcFixture;
let keyPath: string;
beforeAll(() => {
  ({ as, keyPath } = fx);
});

const contexts: Context[] = [];
afterEach(async () => {
  await Promise.all(contexts.splice(0).map((c) => c.dispose()));
});

let n = 0;
function context(): { ctx: Context; configDir: string } {
  const configDir = join(fx.tmp.dir, `flow-config-${++n}`);
  const io = createIO({ stdin: Readable.from([]), stdout: new PassThrough(), stderr: new PassThrough() }, {});
  const ctx = createContext(io, {}, { configDir });
  contexts.push(ctx);
  return { ctx, configDir };
}

const secret: ClientCredential = { kind: 'secret', secret: BASIC.secret };

async function request(
  ctx: Context,
  overrides: Partial<ClientCredentialsRequest> = {},
): Promise<ClientCredentialsRequest> {
  return {
    endpoint: { kind: 'issuer', issuer: as.issuer },
    clientId: BASIC.id,
    credential: secret,
    authMethod: undefined,
    scope: SCOPE,
    cache: false,
    http: await ctx.http({ maxBodyBytes: 1024 * 1024 }),
    ...overrides,
  };
}

describe('fetchClientCredentialsToken', () => {
  it('an issuer: discovery, then one POST with the default method for a secret', async () => {
    const { ctx, configDir } = context();
    const token = await fetchClientCredentialsToken(ctx, await request(ctx));
    expect(token).toMatchObject({
      tokenType: 'Bearer',
      scope: SCOPE,
      fromCache: false,
      tokenEndpoint: `${as.issuer}/token`,
      authMethod: 'client_secret_basic',
    });
    expect(token.expiresAt! - token.obtainedAt).toBe(TTL * 1000);
    expect(as.requests.exact('/token', 'POST')).toBe(1);
    expect(as.requests.count('/.well-known')).toBeGreaterThanOrEqual(1);
    expect(await as.introspect(token.accessToken)).toMatchObject({ active: true, client_id: BASIC.id });
    // cache: false neither reads nor writes the cache.
    expect(existsSync(join(configDir, 'token-cache.json'))).toBe(false);
  });

  it('a known token endpoint: no discovery at all', async () => {
    const { ctx } = context();
    const token = await fetchClientCredentialsToken(
      ctx,
      await request(ctx, {
        endpoint: { kind: 'url', tokenEndpoint: `${as.issuer}/token`, what: '--token-endpoint' },
        authMethod: 'client_secret_post',
        credential: { kind: 'secret', secret: fx.env().POST_SECRET! },
        clientId: 'cc-post',
      }),
    );
    expect(token.authMethod).toBe('client_secret_post');
    expect(as.requests.count()).toBe(1);
    expect(as.requests.exact('/token', 'POST')).toBe(1);
  });

  it('a private key credential signs a private_key_jwt assertion', async () => {
    const { ctx } = context();
    const token = await fetchClientCredentialsToken(
      ctx,
      await request(ctx, { clientId: PKJWT.id, credential: await loadPrivateKeyCredential(keyPath) }),
    );
    expect(token.authMethod).toBe('private_key_jwt');
    expect(await as.introspect(token.accessToken)).toMatchObject({ active: true, client_id: PKJWT.id });
  });

  it('with the cache: the second call is answered from it without any request', async () => {
    const { ctx, configDir } = context();
    const req = await request(ctx, { cache: { minTtlMs: 60_000 } });
    const first = await fetchClientCredentialsToken(ctx, req);
    expect(existsSync(join(configDir, 'token-cache.json'))).toBe(true);
    as.requests.reset();
    const second = await fetchClientCredentialsToken(ctx, req);
    expect(as.requests.count()).toBe(0);
    expect(second).toMatchObject({
      accessToken: first.accessToken,
      fromCache: true,
      authMethod: 'client_secret_basic',
      tokenEndpoint: `${as.issuer}/token`,
    });
  });

  it('the endpoint is named as the caller names it, and refused before anything is sent', async () => {
    const { ctx } = context();
    await expect(
      fetchClientCredentialsToken(
        ctx,
        await request(ctx, {
          endpoint: {
            kind: 'url',
            tokenEndpoint: 'http://as.example.com/token',
            what: 'token endpoint of profile "ci"',
          },
        }),
      ),
    ).rejects.toMatchObject({
      code: 'ERR_URL_INSECURE',
      message: expect.stringMatching(
        /^token endpoint of profile "ci" "http:\/\/as\.example\.com\/token" must use https/,
      ),
    });
    expect(as.requests.count()).toBe(0);
  });

  it('a wrong secret is exit 4 with the hint naming the method sent', async () => {
    const { ctx } = context();
    await expect(
      fetchClientCredentialsToken(
        ctx,
        await request(ctx, { credential: { kind: 'secret', secret: 'wrong' } }),
      ),
    ).rejects.toMatchObject({
      code: 'ERR_OAUTH_INVALID_CLIENT',
      exitCode: 4,
      hint: expect.stringMatching(/sent: client_secret_basic/),
    });
  });
});
