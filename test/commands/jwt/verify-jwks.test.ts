import { CompactSign } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/cli.js';
import { clock, FIXED_S, suiteKeyFiles } from './fixtures.js';
import { json, startServer, type TestServer } from './server.js';

/** `jwt verify`: keys from a JWKS URL and from an issuer's discovery document (a loopback server). */

const { k, sign } = suiteKeyFiles('apikit-jwt-verify-');
const overrides = { clock };

describe('jwt verify: --jwks URL and --issuer discovery (loopback)', () => {
  let server: TestServer;
  let issuerDoc: (base: string) => unknown = (base) => ({ issuer: base, jwks_uri: `${base}/jwks` });
  let rfc8414 = true;
  const publicJwks = () => ({
    keys: [
      { ...k.objects.ec256.publicKey.export({ format: 'jwk' }), kid: 'k1' },
      { kty: 'oct', k: 'c2VjcmV0', kid: 'sym' },
      { kty: 'AKP', alg: 'ML-DSA-44', pub: 'abc', kid: 'pq' },
    ],
  });
  beforeAll(async () => {
    server = await startServer((req, res, base) => {
      if (req.url === '/.well-known/oauth-authorization-server') {
        if (rfc8414) json(res, 200, issuerDoc(base));
        else json(res, 404, {});
      } else if (req.url === '/.well-known/openid-configuration') json(res, 200, issuerDoc(base));
      else if (req.url === '/jwks') json(res, 200, publicJwks());
      else json(res, 404, {});
    });
  });
  afterAll(() => server.close());

  it('--jwks URL: verifies; unusable published keys are skipped with a warning', async () => {
    server.requests.length = 0;
    const r = await runCli(
      ['jwt', 'verify', await sign({ exp: FIXED_S + 60 }, { kid: 'k1' }), '--jwks', `${server.url}/jwks`],
      { overrides },
    );
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/kid "sym".*symmetric key in a published key set is never used/);
    expect(r.stderr).toMatch(/keys\[2\].*unsupported kty "AKP"/);
    expect(server.requests.map((q) => q.url)).toEqual(['/jwks']);
  });

  it('--jwks URL: a published oct key never verifies an HS256 token', async () => {
    const token = await new CompactSign(new TextEncoder().encode('{}'))
      .setProtectedHeader({ alg: 'HS256', kid: 'sym' })
      .sign(Buffer.from('secret'));
    const r = await runCli(['jwt', 'verify', token, '--jwks', `${server.url}/jwks`, '--json'], { overrides });
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).code).toBe('alg_not_allowed');
  });

  it('--issuer: RFC 8414 discovery, jwks_uri, iss checked by default', async () => {
    rfc8414 = true;
    server.requests.length = 0;
    const good = await sign({ iss: server.url, exp: FIXED_S + 60 }, { kid: 'k1' });
    const r = await runCli(['jwt', 'verify', good, '--issuer', server.url], { overrides });
    expect(r.stderr).not.toMatch(/error/);
    expect(r.code).toBe(0);
    expect(server.requests.map((q) => q.url)).toEqual(['/.well-known/oauth-authorization-server', '/jwks']);
    const other = await sign({ iss: 'https://other.example', exp: FIXED_S + 60 }, { kid: 'k1' });
    const bad = await runCli(['jwt', 'verify', other, '--issuer', server.url, '--json'], { overrides });
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.stdout).code).toBe('iss_mismatch');
  });

  it('--issuer: falls back to OpenID discovery', async () => {
    rfc8414 = false;
    server.requests.length = 0;
    try {
      const good = await sign({ iss: server.url, exp: FIXED_S + 60 }, { kid: 'k1' });
      const r = await runCli(['jwt', 'verify', good, '--issuer', server.url], { overrides });
      expect(r.code).toBe(0);
      expect(server.requests.map((q) => q.url)).toEqual([
        '/.well-known/oauth-authorization-server',
        '/.well-known/openid-configuration',
        '/jwks',
      ]);
    } finally {
      rfc8414 = true;
    }
  });

  it('--issuer: a document naming another issuer is refused (exit 2) and its JWKS never fetched', async () => {
    const saved = issuerDoc;
    issuerDoc = (base) => ({ issuer: 'https://evil.example', jwks_uri: `${base}/jwks` });
    server.requests.length = 0;
    try {
      const r = await runCli(['jwt', 'verify', await sign({ exp: FIXED_S + 60 }), '--issuer', server.url], {
        overrides,
      });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/names issuer "https:\/\/evil.example"/);
      expect(server.requests.map((q) => q.url)).not.toContain('/jwks');
    } finally {
      issuerDoc = saved;
    }
  });

  it('--issuer: a non-loopback http jwks_uri is refused', async () => {
    const saved = issuerDoc;
    issuerDoc = (base) => ({ issuer: base, jwks_uri: 'http://keys.example.com/jwks' });
    try {
      const r = await runCli(['jwt', 'verify', await sign({ exp: FIXED_S + 60 }), '--issuer', server.url], {
        overrides,
      });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/must use https/);
    } finally {
      issuerDoc = saved;
    }
  });

  it('batch: the JWKS is fetched once for many tokens', async () => {
    server.requests.length = 0;
    const tokens = await Promise.all(
      Array.from({ length: 5 }, (_, i) => sign({ n: i, exp: FIXED_S + 60 }, { kid: 'k1' })),
    );
    const r = await runCli(['jwt', 'verify', '--jwks', `${server.url}/jwks`, '--json'], {
      stdin: tokens.join('\n') + '\n',
      overrides,
    });
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(5);
    expect(server.requests).toHaveLength(1);
  });
});
