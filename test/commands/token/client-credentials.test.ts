import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Clock } from '../../../src/context.js';
import { hasStackTrace, runBin, runCli, tempDir, type RunResult } from '../../helpers/cli.js';
import {
  RESOURCE,
  startOidcProvider,
  type OidcFixture,
  confidentialClient,
} from '../../helpers/oidc-provider.js';

/**
 * `apikit token client-credentials` against the real authorization server (oidc-provider) with one confidential
 * client per authentication method; the key of the private_key_jwt client is made by `apikit keys generate`.
 */
const TTL = 300;
// Secrets with ":" and "%" (RFC 6749 §2.3.1 encoding matters) — and long enough for HS256 (client_secret_jwt).
const BASIC = { id: 'cc-basic', secret: 'b4sic:s3cret%41-with:colons%%-0123456789' };
const POST = { id: 'cc-post', secret: 'p0st:s3cret%2F-value-abcdefghijklmnopqrs' };
const CSJWT = { id: 'cc-csjwt', secret: 'hs256-shared-secret-0123456789abcdefghij' };
const PKJWT = { id: 'cc-pkjwt' };
const SCOPE = 'read:reports';

const tmp = tempDir('apikit-cc-');
let as: OidcFixture;
let keyPem: string;
let keyPath: string;
/** client_assertion values the provider received, captured server-side. */
const assertions: string[] = [];
let configN = 0;

function freshConfig(): string {
  return join(tmp.dir, `config-${++configN}`);
}

function env(extra: Record<string, string> = {}): Record<string, string> {
  return {
    BASIC_SECRET: BASIC.secret,
    POST_SECRET: POST.secret,
    CSJWT_SECRET: CSJWT.secret,
    APIKIT_CONFIG_DIR: freshConfig(),
    ...extra,
  };
}

function tokenPosts(): number {
  return as.requests.exact('/token', 'POST');
}

beforeAll(async () => {
  const prefix = join(tmp.dir, 'ci-bot');
  const gen = await runCli(['keys', 'generate', '--alg', 'ES256', '--out', prefix]);
  expect(gen.code, gen.stderr).toBe(0);
  keyPath = `${prefix}.key.pem`;
  keyPem = readFileSync(keyPath, 'utf8');
  const jwks = JSON.parse(readFileSync(`${prefix}.jwks.json`, 'utf8')) as { keys: Record<string, unknown>[] };

  as = await startOidcProvider({
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
    if (typeof params?.client_assertion === 'string') assertions.push(params.client_assertion);
  };
  as.provider.on('grant.success', capture);
  as.provider.on('grant.error', capture);
});

afterAll(async () => {
  await as?.close();
  tmp.cleanup();
});

beforeEach(() => {
  as.requests.reset();
});

function cc(...args: string[]): string[] {
  return ['token', 'client-credentials', ...args];
}

function expectOneLineError(res: RunResult, code: number, message: RegExp): void {
  expect(res.code, res.stderr).toBe(code);
  expect(res.stdout).toBe('');
  expect(hasStackTrace(res.stderr)).toBe(false);
  const lines = res.stderr.trim().split('\n');
  expect(lines[0]).toMatch(/^error: /);
  expect(lines[0]).toMatch(message);
  expect(lines.length).toBeLessThanOrEqual(2);
  if (lines[1]) expect(lines[1]).toMatch(/^hint: /);
}

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
    const res = await runCli(
      cc(
        '--issuer',
        as.issuer,
        '--client-id',
        BASIC.id,
        '--client-secret-env',
        'BASIC_SECRET',
        '--scope',
        SCOPE,
        '--resource',
        RESOURCE,
      ),
      { env: env() },
    );
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
  const base = () =>
    cc(
      '--issuer',
      as.issuer,
      '--client-id',
      BASIC.id,
      '--client-secret-env',
      'BASIC_SECRET',
      '--scope',
      SCOPE,
    );

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
    expectOneLineError(res, 2, /--json conflicts with --format bare/);
  });
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

describe('a hostile token endpoint on 127.0.0.1', () => {
  let server: Server;
  let url: string;
  let mode = '';
  const bodies: string[] = [];
  const auths: Array<string | undefined> = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        bodies.push(body);
        auths.push(req.headers.authorization);
        switch (mode) {
          case '500':
            res.writeHead(500, { 'content-type': 'text/html' }).end('<h1>Internal Server Error</h1>');
            return;
          case '503-json':
            res
              .writeHead(503, { 'content-type': 'application/json' })
              .end('{"error":"temporarily_unavailable"}');
            return;
          case 'html-200':
            res.writeHead(200, { 'content-type': 'text/html' }).end('<html>login page</html>');
            return;
          case 'no-token':
            res
              .writeHead(200, { 'content-type': 'application/json' })
              .end('{"token_type":"Bearer","expires_in":60}');
            return;
          case 'array':
            res.writeHead(200, { 'content-type': 'application/json' }).end('[1,2]');
            return;
          case '404':
            res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
            return;
          case 'unauthorized_client':
            res
              .writeHead(400, { 'content-type': 'application/json' })
              .end('{"error":"unauthorized_client","error_description":"grant not allowed for this client"}');
            return;
          case 'hang':
            return; // never answers; the client's --timeout ends it
          default:
            res.writeHead(200, { 'content-type': 'application/json' }).end(
              JSON.stringify({
                access_token: 'hostile-ok-token-123456',
                token_type: 'bearer',
                expires_in: 60,
              }),
            );
        }
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });

  const run = (...extra: string[]) =>
    runCli(
      cc(
        '--token-endpoint',
        url,
        '--client-id',
        BASIC.id,
        '--client-secret-env',
        'BASIC_SECRET',
        '--no-cache',
        ...extra,
      ),
      {
        env: env(),
      },
    );

  it.each([
    ['500 with HTML', '500', 3, /HTTP 500/],
    ['503 with an OAuth error', '503-json', 3, /temporarily_unavailable/],
    ['200 with HTML', 'html-200', 3, /not a JSON object/],
    ['200 without access_token', 'no-token', 3, /without an access_token/],
    ['200 with a JSON array', 'array', 3, /not a JSON object/],
    ['404 without an OAuth error', '404', 3, /HTTP 404 without an OAuth error/],
    [
      'unauthorized_client',
      'unauthorized_client',
      4,
      /unauthorized_client \(grant not allowed for this client\)/,
    ],
  ])('%s → exit %i with a one-line reason', async (_n, m, code, message) => {
    mode = m;
    expectOneLineError(await run(), code, message);
  });

  it('sends exactly one authentication method and every requested parameter', async () => {
    mode = '';
    bodies.length = 0;
    auths.length = 0;
    const res = await run(
      '--scope',
      'a b',
      '--resource',
      'https://api.one.example',
      '--resource',
      'https://api.two.example',
      '--audience',
      'https://api.example.com',
      '--param',
      'tenant=t-1',
    );
    expect(res.code, res.stderr).toBe(0);
    const body = new URLSearchParams(bodies[0]);
    expect(body.get('grant_type')).toBe('client_credentials');
    expect(body.get('scope')).toBe('a b');
    expect(body.getAll('resource')).toEqual(['https://api.one.example', 'https://api.two.example']);
    expect(body.get('audience')).toBe('https://api.example.com');
    expect(body.get('tenant')).toBe('t-1');
    // client_secret_basic: the credentials are in the header only.
    for (const p of ['client_id', 'client_secret', 'client_assertion', 'client_assertion_type'])
      expect(body.has(p)).toBe(false);
    expect(auths[0]).toMatch(/^Basic /);
  });

  it('client_secret_post and private_key_jwt send no Authorization header', async () => {
    mode = '';
    bodies.length = 0;
    auths.length = 0;
    const post = await run('--auth-method', 'client_secret_post');
    expect(post.code, post.stderr).toBe(0);
    const pk = await runCli(
      cc('--token-endpoint', url, '--client-id', PKJWT.id, '--private-key', keyPath, '--no-cache'),
      { env: env() },
    );
    expect(pk.code, pk.stderr).toBe(0);
    expect(auths).toEqual([undefined, undefined]);
    expect(Object.fromEntries(new URLSearchParams(bodies[0]))).toEqual({
      grant_type: 'client_credentials',
      client_id: BASIC.id,
      client_secret: BASIC.secret,
    });
    const second = new URLSearchParams(bodies[1]);
    expect([...second.keys()].sort()).toEqual([
      'client_assertion',
      'client_assertion_type',
      'client_id',
      'grant_type',
    ]);
  });

  it('a server that never answers → exit 3 after --timeout', async () => {
    mode = 'hang';
    expectOneLineError(await run('--timeout', '300ms'), 3, /timed out after 300 ms/);
  });

  it('a lower-case "bearer" token_type still makes a "Bearer" header', async () => {
    mode = '';
    const res = await run('--format', 'header');
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toBe('Authorization: Bearer hostile-ok-token-123456\n');
  });

  it('the assertion the hostile server captured never appears in the output, even with --verbose', async () => {
    mode = '';
    bodies.length = 0;
    const res = await runCli(
      [
        '--verbose',
        ...cc('--token-endpoint', url, '--client-id', PKJWT.id, '--private-key', keyPath, '--no-cache'),
      ],
      { env: env() },
    );
    expect(res.code, res.stderr).toBe(0);
    const assertion = new URLSearchParams(bodies[0]).get('client_assertion');
    expect(assertion).toMatch(/^eyJ/);
    // --token-endpoint without --issuer: the assertion's audience is the token endpoint.
    expect(JSON.parse(Buffer.from(assertion!.split('.')[1]!, 'base64url').toString()).aud).toBe(url);
    expect(res.stderr).toContain('> POST');
    expect(res.stderr).toContain('client_assertion=[REDACTED]');
    expect(res.stdout + res.stderr).not.toContain(assertion);
    expect(res.stdout + res.stderr).not.toContain(assertion!.split('.')[2]);
  });
});

describe('no secret or assertion in stdout, stderr or the --verbose trace (real server)', () => {
  const forms = (s: string) => [s, encodeURIComponent(s), new URLSearchParams({ v: s }).toString().slice(2)];
  it.each([
    [
      'client_secret_basic',
      () => cc('--issuer', as.issuer, '--client-id', BASIC.id, '--client-secret-env', 'BASIC_SECRET'),
      BASIC,
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
      POST,
    ],
    [
      'client_secret_jwt',
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
      CSJWT,
    ],
    [
      'private_key_jwt',
      () => cc('--issuer', as.issuer, '--client-id', PKJWT.id, '--private-key', keyPath),
      undefined,
    ],
  ])('%s', async (_n, argv, client) => {
    assertions.length = 0;
    const e = env();
    const outputs: string[] = [];
    for (const format of ['bare', 'json']) {
      const res = await runCli(['--verbose', ...argv(), '--format', format, '--no-cache'], { env: e });
      expect(res.code, res.stderr).toBe(0);
      expect(res.stderr).toContain('> POST');
      const all = res.stdout + res.stderr;
      outputs.push(all);
      if (client) {
        for (const f of forms(client.secret)) expect(all).not.toContain(f);
        const basic = Buffer.from(
          `${encodeURIComponent(client.id)}:${new URLSearchParams({ v: client.secret }).toString().slice(2)}`,
        ).toString('base64');
        expect(all).not.toContain(basic);
      }
      expect(all).not.toContain('PRIVATE KEY');
    }
    if (client !== BASIC && client !== POST) {
      expect(assertions.length).toBe(2);
      for (const a of assertions) {
        // The whole assertion, its signed part and its signature: in none of the outputs.
        expect(a).toMatch(/^eyJ/);
        const [head, payload, sig] = a.split('.');
        for (const out of outputs) {
          expect(out).toContain('client_assertion=[REDACTED]');
          expect(out).not.toContain(`${head}.${payload}`);
          expect(out).not.toContain(sig!);
        }
      }
    }
    // Nothing stored contains the secret or the key either.
    const dir = e.APIKIT_CONFIG_DIR!;
    let stored = '';
    try {
      for (const f of readdirSync(dir))
        if (statSync(join(dir, f)).isFile()) stored += readFileSync(join(dir, f), 'utf8');
    } catch {
      // no config dir: nothing stored
    }
    if (client) expect(stored).not.toContain(client.secret);
    expect(stored).not.toContain(keyPem.split('\n')[1]!);
  });

  it('the captured assertions are absent from the output', async () => {
    assertions.length = 0;
    const res = await runCli(
      [
        '--verbose',
        ...cc('--issuer', as.issuer, '--client-id', PKJWT.id, '--private-key', keyPath, '--no-cache'),
      ],
      {
        env: env(),
      },
    );
    expect(res.code, res.stderr).toBe(0);
    expect(assertions).toHaveLength(1);
    const [head, payload, sig] = assertions[0]!.split('.');
    const all = res.stdout + res.stderr;
    expect(all).toContain('client_assertion=[REDACTED]');
    expect(all).not.toContain(assertions[0]!);
    expect(all).not.toContain(`${head}.${payload}`);
    expect(all).not.toContain(sig!);
  });
});

describe('token cache', () => {
  const argv = () =>
    cc(
      '--issuer',
      as.issuer,
      '--client-id',
      BASIC.id,
      '--client-secret-env',
      'BASIC_SECRET',
      '--scope',
      SCOPE,
    );

  it('a cache hit makes no request at all; --no-cache makes one; a near-expiry entry renews', async () => {
    const e = env();
    const t0 = Date.now();
    let now = t0;
    const overrides = { clock: { now: () => now } };

    const first = await runCli(argv(), { env: e, overrides });
    expect(first.code, first.stderr).toBe(0);
    expect(tokenPosts()).toBe(1);
    const cacheFile = join(e.APIKIT_CONFIG_DIR!, 'token-cache.json');
    expect(statSync(cacheFile).mode & 0o777).toBe(0o600);
    expect(readFileSync(cacheFile, 'utf8')).not.toContain(BASIC.secret);

    as.requests.reset();
    now = t0 + 200_000; // 100 s left > --min-ttl 60 s
    const hit = await runCli(argv(), { env: e, overrides });
    expect(hit.code, hit.stderr).toBe(0);
    expect(hit.stdout).toBe(first.stdout);
    expect(as.requests.count()).toBe(0); // not even discovery

    const json = await runCli([...argv(), '--format', 'json'], { env: e, overrides });
    expect(as.requests.count()).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ expires_in: 100, access_token: first.stdout.trim() });

    const bypass = await runCli([...argv(), '--no-cache'], { env: e, overrides });
    expect(bypass.code, bypass.stderr).toBe(0);
    expect(tokenPosts()).toBe(1);
    expect(bypass.stdout).not.toBe(first.stdout);

    as.requests.reset();
    const wantsMore = await runCli([...argv(), '--min-ttl', '2m'], { env: e, overrides });
    expect(tokenPosts()).toBe(1); // 100 s left ≤ 2 m
    expect(wantsMore.stdout).not.toBe(first.stdout);

    as.requests.reset();
    now = t0 + 10 * 60_000; // everything cached so far has expired
    const renewed = await runCli(argv(), { env: e, overrides });
    expect(renewed.code, renewed.stderr).toBe(0);
    expect(tokenPosts()).toBe(1);
    expect(renewed.stdout).not.toBe(first.stdout);
    expect(renewed.stdout).not.toBe(wantsMore.stdout);
    expect((await as.introspect(renewed.stdout.trim())).active).toBe(true);
  });

  it('the key includes scope, resource, audience, auth method and client: a different one is a miss', async () => {
    const e = env();
    const a = await runCli(argv(), { env: e });
    expect(tokenPosts()).toBe(1);
    const b = await runCli([...argv().slice(0, -1), 'read:reports write:reports'], { env: e });
    expect(tokenPosts()).toBe(2);
    expect(b.stdout).not.toBe(a.stdout);
    // Scopes are a set: the same scopes in another order hit.
    const c = await runCli([...argv().slice(0, -1), 'write:reports read:reports'], { env: e });
    expect(tokenPosts()).toBe(2);
    expect(c.stdout).toBe(b.stdout);
    await runCli([...argv(), '--auth-method', 'client_secret_basic'], { env: e });
    expect(tokenPosts()).toBe(3);
    const pk = await runCli(
      cc('--issuer', as.issuer, '--client-id', PKJWT.id, '--private-key', keyPath, '--scope', SCOPE),
      { env: e },
    );
    expect(pk.code, pk.stderr).toBe(0);
    expect(tokenPosts()).toBe(4);
  });

  it('a wrong secret is not cached, and a cached token is not served for another client', async () => {
    const e = env({ WRONG: 'definitely-wrong-secret' });
    expect(
      (
        await runCli(cc('--issuer', as.issuer, '--client-id', BASIC.id, '--client-secret-env', 'WRONG'), {
          env: e,
        })
      ).code,
    ).toBe(4);
    expect(
      (
        await runCli(cc('--issuer', as.issuer, '--client-id', BASIC.id, '--client-secret-env', 'WRONG'), {
          env: e,
        })
      ).code,
    ).toBe(4);
    expect(tokenPosts()).toBe(2);
    // A token cached for cc-basic is not handed to cc-post asking for the same scope.
    const basic = await runCli(argv(), { env: e });
    expect(basic.code, basic.stderr).toBe(0);
    const post = await runCli(
      cc(
        '--issuer',
        as.issuer,
        '--client-id',
        POST.id,
        '--client-secret-env',
        'POST_SECRET',
        '--scope',
        SCOPE,
      ),
      { env: e },
    );
    expect(post.code, post.stderr).toBe(0);
    expect(tokenPosts()).toBe(4);
    expect(post.stdout).not.toBe(basic.stdout);
    expect((await as.introspect(post.stdout.trim())).client_id).toBe(POST.id);
  });

  it('parallel runs with the same key wait for one another: one request, one token', async () => {
    const e = env();
    const results = await Promise.all(Array.from({ length: 5 }, () => runCli(argv(), { env: e })));
    for (const r of results) expect(r.code, r.stderr).toBe(0);
    expect(new Set(results.map((r) => r.stdout)).size).toBe(1);
    expect(tokenPosts()).toBe(1);
  });

  it('a damaged cache file is ignored and rewritten', async () => {
    const e = env();
    const first = await runCli(argv(), { env: e });
    writeFileSync(join(e.APIKIT_CONFIG_DIR!, 'token-cache.json'), '{not json');
    const second = await runCli(argv(), { env: e });
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).not.toBe(first.stdout);
    expect(JSON.parse(readFileSync(join(e.APIKIT_CONFIG_DIR!, 'token-cache.json'), 'utf8')).version).toBe(1);
  });
});

describe('through the built binary (npm run build first)', () => {
  it('CI usage: TOKEN=$(apikit token client-credentials ...) gets exactly the token; a cache hit asks nothing', async () => {
    const e = env();
    const argv = cc(
      '--issuer',
      as.issuer,
      '--client-id',
      BASIC.id,
      '--client-secret-env',
      'BASIC_SECRET',
      '--scope',
      SCOPE,
    );
    const res = await runBin(argv, { env: e });
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr).toBe('');
    expect(res.stdout).toMatch(/^\S+\n$/);
    expect((await as.introspect(res.stdout.trim())).active).toBe(true);
    as.requests.reset();
    const again = await runBin(argv, { env: e });
    expect(again.stdout).toBe(res.stdout);
    expect(as.requests.count()).toBe(0);
  });

  it('wrong secret → exit 4; secret on argv → exit 2 without echoing it', async () => {
    const wrong = await runBin(
      cc('--issuer', as.issuer, '--client-id', BASIC.id, '--client-secret-env', 'W', '--verbose'),
      {
        env: env({ W: 'wrong-secret-value-xyz' }),
      },
    );
    expect(wrong.code).toBe(4);
    expect(wrong.stderr).toMatch(/^error: .*invalid_client \(client authentication failed\)$/m);
    expect(wrong.stderr).not.toContain('wrong-secret-value-xyz');
    expect(hasStackTrace(wrong.stderr)).toBe(false);
    const argvSecret = await runBin(
      cc('--issuer', as.issuer, '--client-id', BASIC.id, `--client-secret=${BASIC.secret}`),
      { env: env() },
    );
    expect(argvSecret.code).toBe(2);
    expect(argvSecret.stderr).not.toContain(BASIC.secret);
    expect(argvSecret.stderr).toMatch(/--client-secret-env/);
  });
});
