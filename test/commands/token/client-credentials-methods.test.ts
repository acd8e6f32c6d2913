import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Clock } from '../../../src/context.js';
import { runCli } from '../../helpers/cli.js';
import { RESOURCE, type OidcFixture } from '../../helpers/oidc-provider.js';
import {
  BASIC,
  cc,
  ccBasic,
  CSJWT,
  expectOneLineError,
  PKJWT,
  POST,
  SCOPE,
  TTL,
  useClientCredentialsServer,
} from './cc-fixture.js';

/**
 * `apikit token client-credentials` with each client authentication method against the real server, and
 * the output formats (bare token, header line, JSON).
 * Shared setup: ./cc-fixture.ts.
 */

const fx = useClientCredentialsServer();
const { tmp, assertions, env, tokenPosts } = fx;
let as: OidcFixture;
let keyPath: string;
beforeAll(() => {
  ({ as, keyPath } = fx);
});

describe('one confidential client per authentication method', () => {
  const rows: Array<[string, () => string[]]> = [
    [
      'client_secret_basic (default with a secret; secret has ":" and "%")',
      () => cc('--issuer', as.issuer, '--client-id', BASIC.id, '--client-secret-env', 'BASIC_SECRET'),
    ],
    [
      'client_secret_basic via --token-endpoint',
      () =>
        cc(
          '--token-endpoint',
          `${as.issuer}/token`,
          '--client-id',
          BASIC.id,
          '--client-secret-env',
          'BASIC_SECRET',
        ),
    ],
    [
      'client_secret_post',
      () =>
        cc(
          '--issuer',
          as.issuer,
          '--client-id',
          POST.id,
          '--client-secret-env',
          'POST_SECRET',
          '--auth-method',
          'client_secret_post',
        ),
    ],
    [
      'client_secret_jwt (HS256)',
      () =>
        cc(
          '--issuer',
          as.issuer,
          '--client-id',
          CSJWT.id,
          '--client-secret-env',
          'CSJWT_SECRET',
          '--auth-method',
          'client_secret_jwt',
        ),
    ],
    [
      'private_key_jwt (default with --private-key; key from apikit keys generate)',
      () => cc('--issuer', as.issuer, '--client-id', PKJWT.id, '--private-key', keyPath),
    ],
  ];
  it.each(rows)('%s: the token alone on stdout, active at the server with the scope', async (_name, argv) => {
    const res = await runCli([...argv(), '--scope', SCOPE], { env: env() });
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr).toBe('');
    expect(res.stdout).toMatch(/^[A-Za-z0-9._~+/=-]+\n$/);
    expect(tokenPosts()).toBe(1);
    const info = await as.introspect(res.stdout.trim());
    expect(info.active).toBe(true);
    expect(info.scope).toBe(SCOPE);
    expect(info.client_id).toBe(argv()[argv().indexOf('--client-id') + 1]);
  });

  it('the basic secret is one where RFC 6749 §2.3.1 encoding matters: the naive header is refused by the server', async () => {
    const naive = Buffer.from(`${BASIC.id}:${BASIC.secret}`).toString('base64');
    const res = await fetch(`${as.issuer}/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${naive}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    expect(res.status).toBeGreaterThanOrEqual(400);
  });

  it('private_key_jwt assertion: iss = sub = client id, aud = the issuer (one string), unique jti, exp ≤ 5 min, kid of the key', async () => {
    assertions.length = 0;
    for (let i = 0; i < 2; i++) {
      const res = await runCli(
        cc('--issuer', as.issuer, '--client-id', PKJWT.id, '--private-key', keyPath, '--no-cache'),
        { env: env() },
      );
      expect(res.code, res.stderr).toBe(0);
    }
    expect(assertions).toHaveLength(2);
    const decode = (jwt: string, part: 0 | 1) =>
      JSON.parse(Buffer.from(jwt.split('.')[part]!, 'base64url').toString()) as Record<string, unknown>;
    const jwks = JSON.parse(readFileSync(join(tmp.dir, 'ci-bot.jwks.json'), 'utf8')) as {
      keys: Array<{ kid: string }>;
    };
    const [a, b] = assertions.map((x) => decode(x, 1));
    expect(decode(assertions[0]!, 0)).toMatchObject({ alg: 'ES256', kid: jwks.keys[0]!.kid });
    expect(a).toMatchObject({ iss: PKJWT.id, sub: PKJWT.id, aud: as.issuer });
    expect((a!.exp as number) - (a!.iat as number)).toBeLessThanOrEqual(300);
    expect(a!.jti).not.toBe(b!.jti);
  });

  it('--assertion-aud sends the token endpoint instead (servers that still want it)', async () => {
    assertions.length = 0;
    const res = await runCli(
      cc(
        '--issuer',
        as.issuer,
        '--client-id',
        PKJWT.id,
        '--private-key',
        keyPath,
        '--assertion-aud',
        `${as.issuer}/token`,
      ),
      { env: env() },
    );
    expect(res.code, res.stderr).toBe(0);
    const payload = JSON.parse(Buffer.from(assertions[0]!.split('.')[1]!, 'base64url').toString()) as Record<
      string,
      unknown
    >;
    expect(payload.aud).toBe(`${as.issuer}/token`);
  });

  it('--resource (RFC 8707) gets a JWT access token for that resource server', async () => {
    const res = await runCli(ccBasic(as, '--resource', RESOURCE), { env: env() });
    expect(res.code, res.stderr).toBe(0);
    const info = await as.introspect(res.stdout.trim());
    expect(info).toMatchObject({ active: true, aud: RESOURCE, scope: SCOPE, client_id: BASIC.id });
  });

  it('the secret can come from a file or stdin as well', async () => {
    const file = join(tmp.dir, 'basic-secret.txt');
    writeFileSync(file, BASIC.secret + '\n', { mode: 0o600 });
    const fromFile = await runCli(
      cc('--issuer', as.issuer, '--client-id', BASIC.id, '--client-secret-file', file),
      { env: env() },
    );
    expect(fromFile.code, fromFile.stderr).toBe(0);
    const fromStdin = await runCli(
      cc('--issuer', as.issuer, '--client-id', BASIC.id, '--client-secret-stdin'),
      {
        env: env(),
        stdin: BASIC.secret + '\n',
      },
    );
    expect(fromStdin.code, fromStdin.stderr).toBe(0);
    expect((await as.introspect(fromStdin.stdout.trim())).active).toBe(true);
  });
});

describe('output formats', () => {
  const base = () => ccBasic(as);

  it('--format header prints an Authorization header line', async () => {
    const res = await runCli([...base(), '--format', 'header'], { env: env() });
    expect(res.code, res.stderr).toBe(0);
    const m = /^Authorization: Bearer (\S+)\n$/.exec(res.stdout);
    expect(m).not.toBeNull();
    expect((await as.introspect(m![1]!)).active).toBe(true);
  });

  it.each([
    ['--format json', ['--format', 'json']],
    ['--json', ['--json']],
  ])('%s prints the full response plus expires_at (ISO-8601)', async (_name, flag) => {
    const now = Date.parse('2026-11-28T10:00:00Z');
    const clock: Clock = { now: () => now };
    const res = await runCli([...base(), ...flag], { env: env(), overrides: { clock } });
    expect(res.code, res.stderr).toBe(0);
    const doc = JSON.parse(res.stdout) as Record<string, unknown>;
    expect(doc).toMatchObject({
      token_type: 'Bearer',
      expires_in: TTL,
      scope: SCOPE,
      expires_at: '2026-11-28T10:05:00Z',
    });
    expect(typeof doc.access_token).toBe('string');
    expect((await as.introspect(doc.access_token as string)).active).toBe(true);
  });

  it('--json with --format bare is a usage error', async () => {
    const res = await runCli([...base(), '--json', '--format', 'bare'], { env: env() });
    // With --json the failure is also one error document on stdout (README, the --json contract).
    expect(JSON.parse(res.stdout)).toEqual({
      error: expect.objectContaining({ code: 'ERR_USAGE', exit_code: 2 }),
    });
    expectOneLineError({ ...res, stdout: '' }, 2, /--json conflicts with --format bare/);
  });
});
