import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/cli.js';
import { startOidcProvider, type OidcFixture, confidentialClient } from '../../helpers/oidc-provider.js';
import { BASIC, cc, expectOneLineError, PKJWT, POST, useClientCredentialsServer } from './cc-fixture.js';

/**
 * What `apikit token client-credentials` refuses, and how it fails: wrong credentials (exit 4), server refusals
 * and outages (exit 3), usage errors before any request (exit 2) — each one line, with a hint at most.
 * Shared setup: ./cc-fixture.ts.
 */

const fx = useClientCredentialsServer();
const { tmp, env } = fx;
let as: OidcFixture;
beforeAll(() => {
  ({ as } = fx);
});

describe('errors', () => {
  it('wrong secret → exit 4 with the server description', async () => {
    const res = await runCli(
      cc('--issuer', as.issuer, '--client-id', BASIC.id, '--client-secret-env', 'WRONG'),
      {
        env: env({ WRONG: 'not-the-secret-at-all' }),
      },
    );
    expectOneLineError(res, 4, /refused the token request: invalid_client \(client authentication failed\)/);
  });

  it('a key the client did not register → exit 4', async () => {
    const prefix = join(tmp.dir, 'other');
    expect((await runCli(['keys', 'generate', '--alg', 'ES256', '--out', prefix])).code).toBe(0);
    const res = await runCli(
      cc('--issuer', as.issuer, '--client-id', PKJWT.id, '--private-key', `${prefix}.key.pem`),
      { env: env() },
    );
    expectOneLineError(res, 4, /invalid_client/);
  });

  it('an unknown resource → exit 3 (an OAuth error that is not about the credentials)', async () => {
    const res = await runCli(
      cc(
        '--issuer',
        as.issuer,
        '--client-id',
        BASIC.id,
        '--client-secret-env',
        'BASIC_SECRET',
        '--resource',
        'http://127.0.0.1/unknown',
      ),
      { env: env() },
    );
    expectOneLineError(res, 3, /invalid_target/);
  });

  describe('a server that does not support the method', () => {
    let strict: OidcFixture;
    beforeAll(async () => {
      strict = await startOidcProvider({
        clientAuthMethods: ['client_secret_basic', 'private_key_jwt'],
        clients: [confidentialClient(BASIC.id, 'client_secret_basic', { client_secret: BASIC.secret })],
      });
    });
    afterAll(async () => {
      await strict?.close();
    });
    it.each([
      ['client_secret_post', 'client_secret_post'],
      ['client_secret_jwt', 'client_secret_jwt'],
    ])(
      '--auth-method %s → exit 2 naming what it supports; nothing sent to the token endpoint',
      async (_n, method) => {
        strict.requests.reset();
        const res = await runCli(
          cc(
            '--issuer',
            strict.issuer,
            '--client-id',
            BASIC.id,
            '--client-secret-env',
            'BASIC_SECRET',
            '--auth-method',
            method,
          ),
          { env: env() },
        );
        expectOneLineError(
          res,
          2,
          new RegExp(`does not support ${method} \\(it supports: client_secret_basic, private_key_jwt\\)`),
        );
        expect(strict.requests.exact('/token', 'POST')).toBe(0);
      },
    );
    it('the supported default still works there', async () => {
      const res = await runCli(
        cc('--issuer', strict.issuer, '--client-id', BASIC.id, '--client-secret-env', 'BASIC_SECRET'),
        { env: env() },
      );
      expect(res.code, res.stderr).toBe(0);
    });
  });

  it('a server that lists only client_secret_post: it becomes the default for a secret', async () => {
    const postOnly = await startOidcProvider({
      clientAuthMethods: ['client_secret_post', 'private_key_jwt'],
      clients: [confidentialClient(POST.id, 'client_secret_post', { client_secret: POST.secret })],
    });
    try {
      const res = await runCli(
        cc('--issuer', postOnly.issuer, '--client-id', POST.id, '--client-secret-env', 'POST_SECRET'),
        {
          env: env(),
        },
      );
      expect(res.code, res.stderr).toBe(0);
      expect(postOnly.requests.exact('/token', 'POST')).toBe(1);
    } finally {
      await postOnly.close();
    }
  });

  it.each([
    ['--token-endpoint', (port: number) => ['--token-endpoint', `http://127.0.0.1:${port}/token`]],
    ['--issuer', (port: number) => ['--issuer', `http://127.0.0.1:${port}`]],
  ])('server down (closed port, %s) → exit 3', async (_n, target) => {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as AddressInfo).port;
    await new Promise<void>((r) => server.close(() => r()));
    const res = await runCli(
      cc(...target(port), '--client-id', BASIC.id, '--client-secret-env', 'BASIC_SECRET'),
      { env: env() },
    );
    expectOneLineError(res, 3, /connection refused/);
  });

  it.each([
    ['--client-secret VALUE', ['--client-secret', 'argv-secret-VALUE-1234']],
    ['--client-secret=VALUE', ['--client-secret=argv-secret-VALUE-1234']],
  ])('a secret on argv (%s) is refused with a hint, and not echoed', async (_n, flag) => {
    const res = await runCli(cc('--issuer', as.issuer, '--client-id', BASIC.id, ...flag), { env: env() });
    expectOneLineError(res, 2, /refusing a client secret on the command line/);
    expect(res.stderr).toMatch(/--client-secret-env VAR, --client-secret-file FILE or --client-secret-stdin/);
    expect(res.stderr).not.toContain('argv-secret-VALUE-1234');
    expect(as.requests.count()).toBe(0);
  });

  it.each([
    ['no credential', ['--client-id', 'x'], /exactly one way/],
    [
      'two credentials',
      ['--client-id', 'x', '--client-secret-env', 'BASIC_SECRET', '--private-key', 'k.pem'],
      /exactly one way/,
    ],
    [
      'two endpoints',
      ['--client-id', 'x', '--client-secret-env', 'BASIC_SECRET', '--token-endpoint', 'http://127.0.0.1:1/t'],
      /exactly one of --issuer/,
    ],
    [
      'private_key_jwt with a secret',
      ['--client-id', 'x', '--client-secret-env', 'BASIC_SECRET', '--auth-method', 'private_key_jwt'],
      /needs --private-key/,
    ],
    [
      'a reserved --param',
      ['--client-id', 'x', '--client-secret-env', 'BASIC_SECRET', '--param', 'client_secret=zz'],
      /--param client_secret is set by apikit/,
    ],
    [
      '-H Authorization',
      ['--client-id', 'x', '--client-secret-env', 'BASIC_SECRET', '-H', 'Authorization: Basic eHh4Onl5eQ=='],
      /second client authentication method/,
    ],
    [
      'a bad --min-ttl',
      ['--client-id', 'x', '--client-secret-env', 'BASIC_SECRET', '--min-ttl', 'soon'],
      /--min-ttl "soon"/,
    ],
    ['an unset env var', ['--client-id', 'x', '--client-secret-env', 'NOPE'], /NOPE is not set/],
    [
      "the parent's --profile",
      ['--client-id', 'x', '--client-secret-env', 'BASIC_SECRET', '--profile', 'ci'],
      /--profile does not apply to `token client-credentials`/,
    ],
    [
      "the parent's --check",
      ['--client-id', 'x', '--client-secret-env', 'BASIC_SECRET', '--check'],
      /--check does not apply/,
    ],
    [
      'a missing key file',
      ['--client-id', 'x', '--private-key', '/nonexistent/k.pem'],
      /cannot read "\/nonexistent\/k.pem": no such file/,
    ],
  ])('usage error: %s → exit 2, no request', async (_n, args, message) => {
    const res = await runCli(cc('--issuer', as.issuer, ...args), { env: env() });
    expectOneLineError(res, 2, message);
    expect(as.requests.count()).toBe(0);
  });

  it('a public key given as --private-key → exit 2', async () => {
    const res = await runCli(
      cc('--issuer', as.issuer, '--client-id', PKJWT.id, '--private-key', join(tmp.dir, 'ci-bot.pub.pem')),
      { env: env() },
    );
    expectOneLineError(res, 2, /holds no private key/);
  });

  it('a plain-http token endpoint that is not loopback is refused before any secret is sent', async () => {
    const res = await runCli(
      cc(
        '--token-endpoint',
        'http://as.example.com/token',
        '--client-id',
        BASIC.id,
        '--client-secret-env',
        'BASIC_SECRET',
      ),
      {
        env: env(),
      },
    );
    expectOneLineError(res, 2, /must use https/);
  });
});
