import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildJwks,
  clientCredentialsToken,
  convertKey,
  decodeJwt,
  generateKey,
  inspectKey,
  isApikitError,
  mintJwt,
  parseRateLimitHeaders,
  verifyJwt,
  type GeneratedKeyPair,
  type VerifyJwtOptions,
} from '../../src/api/index.js';
import { runCli } from '../helpers/cli.js';

// The library against the CLI, in one process: the same input must give the same answer, because both run the
// same functions (src/lib/, src/oauth/). The CLI runs with a frozen clock, the library gets the same instant.

const NOW = 1_750_000_000_000;
const clock = { now: () => NOW };
let dir: string;
let pair: GeneratedKeyPair;
let pubPath: string;
let keyPath: string;

async function cliJson(argv: string[]): Promise<unknown> {
  const run = await runCli([...argv, '--json'], { overrides: { clock } });
  expect(run.stderr.includes('error')).toBe(false);
  return JSON.parse(run.stdout);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'apikit-api-'));
  const generated = await generateKey('ES256', { kid: 'k-2026' });
  if (generated.type !== 'asymmetric') throw new Error('expected a pair');
  pair = generated;
  pubPath = join(dir, 'k.pub.pem');
  keyPath = join(dir, 'k.key.pem');
  writeFileSync(pubPath, pair.publicKeyPem);
  writeFileSync(keyPath, pair.privateKeyPem, { mode: 0o600 });
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('library and CLI agree', () => {
  it('decodeJwt = jwt decode --json', async () => {
    const { token } = await mintJwt({ key: pair.privateKeyPem, sub: 'alice', exp: '-5m', clock });
    const cli = await cliJson(['jwt', 'decode', token]);
    expect(decodeJwt(token, { now: NOW })).toEqual(cli);
  });

  it.each([
    ['valid', {}, []],
    ['audience mismatch', { audience: 'other' }, ['--aud', 'other']],
    ['scope missing', { requireScopes: ['write'] }, ['--require-scope', 'write']],
  ] as [string, VerifyJwtOptions, string[]][])(
    'verifyJwt = jwt verify --json (%s)',
    async (_name, options, flags) => {
      const { token } = await mintJwt({
        key: pair.privateKeyPem,
        sub: 'alice',
        aud: 'api',
        scope: 'read',
        clock,
      });
      const cli = (await runCli(['jwt', 'verify', token, '--key', pubPath, ...flags, '--json'], {
        overrides: { clock },
      })) as { stdout: string };
      // The key's label names its source: the file for the CLI, "key" for the library.
      const cliVerdict = JSON.parse(cli.stdout.replaceAll(pubPath, 'key')) as unknown;
      expect(await verifyJwt(token, { keys: pair.publicKeyPem, clock, ...options })).toEqual(cliVerdict);
    },
  );

  it('a token the CLI mints verifies with the library, and the other way round', async () => {
    const cli = await runCli(['jwt', 'mint', '--key', keyPath, '--kid', 'k-2026', '--sub', 'bob'], {
      overrides: { clock },
    });
    const fromCli = await verifyJwt(cli.stdout.trim(), { keys: pair.jwks, clock });
    expect([fromCli.code, fromCli.payload?.sub]).toEqual(['valid', 'bob']);
    const { token } = await mintJwt({ key: pair.privateKeyPem, kid: pair.kid, sub: 'carol', clock });
    const back = await runCli(['jwt', 'verify', token, '--key', pubPath], { overrides: { clock } });
    expect(back.code).toBe(0);
  });

  it.each([
    ['secret', ['weak_secret', 'short_secret']],
    ['a-string-secret-at-least-256-bits-long', ['weak_secret']],
    ['not-weak-but-short-20b', ['short_secret']],
    ['Zq3vK9pLmN2xR7tY5wB8cD1eF4gH6jK0-strong', []],
  ])('verifyJwt warns about the HMAC secret %j as jwt verify does: %j', async (secret, want) => {
    const input = `${Buffer.from('{"alg":"HS256"}').toString('base64url')}.${Buffer.from(JSON.stringify({ sub: 'me', exp: NOW / 1000 + 60 })).toString('base64url')}`;
    const token = `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
    const cli = await runCli(['jwt', 'verify', token, '--secret-env', 'S', '--json'], {
      overrides: { clock },
      env: { S: secret },
    });
    const ids = (warnings: { id: string }[]) => warnings.map((w) => w.id);
    expect(ids((JSON.parse(cli.stdout) as { warnings: { id: string }[] }).warnings)).toEqual(want);
    const verdict = await verifyJwt(token, { secret, clock });
    expect([verdict.code, ids(verdict.warnings)]).toEqual(['valid', want]);
    // The message names where the secret came from, never the secret.
    for (const w of verdict.warnings) expect(w.message).toMatch(/^the secret is /);
  });

  it('inspectKey = keys inspect --json', async () => {
    const cli = (await cliJson(['keys', 'inspect', keyPath])) as { format: string; keys: unknown[] };
    expect(await inspectKey(pair.privateKeyPem, { now: NOW })).toEqual({
      format: cli.format,
      keys: cli.keys,
    });
  });

  it('convertKey = keys convert (PEM → public JWK, and back)', async () => {
    const cli = await runCli(['keys', 'convert', keyPath, '--to', 'jwk', '--public']);
    const jwk = await convertKey(pair.privateKeyPem, { to: 'jwk', public: true });
    expect(jwk.text).toBe(cli.stdout);
    const pem = await convertKey(jwk.text, { to: 'pem' });
    expect(pem.text).toBe(pair.publicKeyPem);
  });

  it('buildJwks = keys jwks --json (duplicates dropped, kids kept)', async () => {
    const other = await generateKey('EdDSA');
    if (other.type !== 'asymmetric') throw new Error('expected a pair');
    const otherPath = join(dir, 'ed.pub.pem');
    writeFileSync(otherPath, other.publicKeyPem);
    const cli = await cliJson(['keys', 'jwks', pubPath, otherPath, keyPath]);
    const built = await buildJwks([pair.publicKeyPem, other.publicKeyPem, pair.privateKeyPem]);
    expect(built.jwks).toEqual(cli);
    expect(built.duplicates.map((d) => [d.source, d.sameAs])).toEqual([['keys[2]', 'keys[0]']]);
  });

  it('generateKey gives the texts keys generate writes', async () => {
    const prefix = join(dir, 'gen');
    await runCli(['keys', 'generate', '--alg', 'ES256', '--kid', 'x', '--out', prefix]);
    const jwks = JSON.parse(readFileSync(`${prefix}.jwks.json`, 'utf8')) as {
      keys: Record<string, unknown>[];
    };
    // Different random keys; the same shape, members and order.
    expect(Object.keys(pair.jwks.keys[0]!)).toEqual(Object.keys(jwks.keys[0]!));
    expect(pair.privateKeyPem.split('\n')[0]).toBe(readFileSync(`${prefix}.key.pem`, 'utf8').split('\n')[0]);
  });
});

describe('errors and refusals', () => {
  it.each([
    ['no key', () => verifyJwt('a.b.c', {}), 'ERR_JWT_NO_KEY'],
    [
      'alg none',
      () => verifyJwt('a.b.c', { keys: pair.publicKeyPem, algorithms: ['none' as never] }),
      'ERR_JWT_ALG_NONE',
    ],
    [
      'a public key as HMAC secret',
      () => verifyJwt('a.b.c', { secret: pair.publicKeyPem }),
      'ERR_JWT_SECRET_IS_KEY',
    ],
    ['a short HMAC secret', () => mintJwt({ secret: 'short' }), 'ERR_JWT_SECRET_TOO_SHORT'],
    ['not a key', () => inspectKey('hello'), 'ERR_KEY_UNRECOGNISED'],
    ['RSA under 2048 bits', () => generateKey('RS256', { bits: 1024 }), 'ERR_KEYS_RSA_BITS'],
  ] as [string, () => Promise<unknown>, string][])(
    '%s → an ApikitError with a stable code',
    async (_name, call, code) => {
      const err = await Promise.resolve()
        .then(call)
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(isApikitError(err) ? err.code : err).toBe(code);
    },
  );

  it('a bad token is a verdict, not an exception', async () => {
    const v = await verifyJwt('not-a-token', { keys: pair.publicKeyPem, clock });
    expect([v.valid, v.code]).toEqual([false, 'malformed']);
  });
});

describe('clientCredentialsToken over the real global fetch', () => {
  it('private_key_jwt against a loopback token endpoint: the assertion verifies with the library', async () => {
    const seen: URLSearchParams[] = [];
    const server = createServer((req: IncomingMessage, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        seen.push(new URLSearchParams(body));
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({ access_token: 'at-1', token_type: 'Bearer', expires_in: 60, scope: 'read' }),
        );
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as { port: number };
      const url = `http://127.0.0.1:${port}/token`;
      const token = await clientCredentialsToken({
        tokenEndpoint: url,
        clientId: 'svc',
        privateKey: pair.privateKeyPem,
        kid: pair.kid,
        scope: 'read',
        clock,
      });
      expect(token).toMatchObject({
        accessToken: 'at-1',
        authMethod: 'private_key_jwt',
        expiresAt: NOW + 60_000,
      });
      const assertion = seen[0]!.get('client_assertion')!;
      const verdict = await verifyJwt(assertion, {
        keys: pair.jwks,
        audience: url,
        issuer: 'svc',
        subject: 'svc',
        clock,
      });
      expect(verdict.code).toBe('valid');
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('an OAuth error answer is an ApikitError with exit code 4 for invalid_client', async () => {
    const err = await clientCredentialsToken({
      tokenEndpoint: 'https://as.example.test/token',
      clientId: 'svc',
      clientSecret: 'wrong-secret',
      fetch: async () =>
        new Response(JSON.stringify({ error: 'invalid_client' }), {
          status: 401,
          headers: { 'content-type': 'application/json' },
        }),
    }).catch((e: unknown) => e);
    expect(isApikitError(err) && [err.code, err.exitCode]).toEqual(['ERR_OAUTH_INVALID_CLIENT', 4]);
  });
});

describe('parseRateLimitHeaders', () => {
  it('reads a plain object and a Headers alike, with the receive time injected', () => {
    const plain = {
      'X-RateLimit-Limit': '60',
      'X-RateLimit-Remaining': '0',
      'X-RateLimit-Reset': String(NOW / 1000 + 30),
    };
    const a = parseRateLimitHeaders(plain, { receivedAt: NOW });
    const b = parseRateLimitHeaders(new Headers(plain), { receivedAt: new Date(NOW) });
    expect(a).toEqual(b);
    expect(a.states[0]).toMatchObject({ scheme: 'x-ratelimit', limit: 60, remaining: 0, reset_s: 30 });
  });
});
