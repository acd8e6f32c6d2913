import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, expect } from 'vitest';
import { hasStackTrace, runCli, tempDir, type RunResult } from '../../helpers/cli.js';
import { startOidcProvider, type OidcFixture, confidentialClient } from '../../helpers/oidc-provider.js';

/**
 * Shared setup of the `apikit token client-credentials` tests: the real authorization server (oidc-provider)
 * with one confidential client per authentication method; the key of the private_key_jwt client is made by
 * `apikit keys generate`.
 */
export const TTL = 300;
// Secrets with ":" and "%" (RFC 6749 §2.3.1 encoding matters) — and long enough for HS256 (client_secret_jwt).
export const BASIC = { id: 'cc-basic', secret: 'b4sic:s3cret%41-with:colons%%-0123456789' };
export const POST = { id: 'cc-post', secret: 'p0st:s3cret%2F-value-abcdefghijklmnopqrs' };
export const CSJWT = { id: 'cc-csjwt', secret: 'hs256-shared-secret-0123456789abcdefghij' };
export const PKJWT = { id: 'cc-pkjwt' };
export const SCOPE = 'read:reports';

export interface ClientCredentialsServer {
  /** The temp dir holding the generated key (ci-bot.key.pem, ci-bot.pub.pem, ci-bot.jwks.json) and configs. */
  tmp: { dir: string; cleanup: () => void };
  /** client_assertion values the provider received, captured server-side. */
  assertions: string[];
  /** Set in beforeAll. */
  as: OidcFixture;
  keyPem: string;
  keyPath: string;
  /** The client secrets in env vars, and a fresh config dir each call. */
  env(extra?: Record<string, string>): Record<string, string>;
  /** POSTs the token endpoint received since the last reset. */
  tokenPosts(): number;
}

/**
 * Starts the server in beforeAll (and stops it in afterAll) for the calling test file; request counters are
 * reset before each test.
 */
export function useClientCredentialsServer(): ClientCredentialsServer {
  const tmp = tempDir('apikit-cc-');
  let configN = 0;
  const server = {
    tmp,
    assertions: [] as string[],
    env(extra: Record<string, string> = {}): Record<string, string> {
      return {
        BASIC_SECRET: BASIC.secret,
        POST_SECRET: POST.secret,
        CSJWT_SECRET: CSJWT.secret,
        APIKIT_CONFIG_DIR: join(tmp.dir, `config-${++configN}`),
        ...extra,
      };
    },
    tokenPosts(): number {
      return server.as.requests.exact('/token', 'POST');
    },
  } as ClientCredentialsServer;

  beforeAll(async () => {
    const prefix = join(tmp.dir, 'ci-bot');
    const gen = await runCli(['keys', 'generate', '--alg', 'ES256', '--out', prefix]);
    expect(gen.code, gen.stderr).toBe(0);
    server.keyPath = `${prefix}.key.pem`;
    server.keyPem = readFileSync(server.keyPath, 'utf8');
    const jwks = JSON.parse(readFileSync(`${prefix}.jwks.json`, 'utf8')) as {
      keys: Record<string, unknown>[];
    };

    server.as = await startOidcProvider({
      accessTokenTtl: TTL,
      clients: [
        confidentialClient(BASIC.id, 'client_secret_basic', { client_secret: BASIC.secret }),
        confidentialClient(POST.id, 'client_secret_post', { client_secret: POST.secret }),
        confidentialClient(CSJWT.id, 'client_secret_jwt', { client_secret: CSJWT.secret }),
        confidentialClient(PKJWT.id, 'private_key_jwt', { jwks }),
      ],
    });
    // Server-side capture of every client assertion (the value that must never show in apikit's output).
    const capture = (ctx: unknown) => {
      const params = (ctx as { oidc?: { params?: Record<string, unknown> } }).oidc?.params;
      if (typeof params?.client_assertion === 'string') server.assertions.push(params.client_assertion);
    };
    server.as.provider.on('grant.success', capture);
    server.as.provider.on('grant.error', capture);
  });

  afterAll(async () => {
    await server.as?.close();
    tmp.cleanup();
  });

  beforeEach(() => {
    server.as.requests.reset();
  });

  return server;
}

export function cc(...args: string[]): string[] {
  return ['token', 'client-credentials', ...args];
}

export function expectOneLineError(res: RunResult, code: number, message: RegExp): void {
  expect(res.code, res.stderr).toBe(code);
  expect(res.stdout).toBe('');
  expect(hasStackTrace(res.stderr)).toBe(false);
  const lines = res.stderr.trim().split('\n');
  expect(lines[0]).toMatch(/^error: /);
  expect(lines[0]).toMatch(message);
  expect(lines.length).toBeLessThanOrEqual(2);
  if (lines[1]) expect(lines[1]).toMatch(/^hint: /);
}

/** The command line most tests start from: the client_secret_basic client, its secret from the env, SCOPE. */
export function ccBasic(as: OidcFixture, ...extra: string[]): string[] {
  return cc(
    '--issuer',
    as.issuer,
    '--client-id',
    BASIC.id,
    '--client-secret-env',
    'BASIC_SECRET',
    '--scope',
    SCOPE,
    ...extra,
  );
}
