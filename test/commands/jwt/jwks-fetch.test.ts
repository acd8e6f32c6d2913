import { generateKeyPairSync } from 'node:crypto';
import { PassThrough, Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CompactSign } from 'jose';
import { createContext } from '../../../src/context.js';
import { createIO } from '../../../src/io/io.js';
import { fetchJwks } from '../../../src/oauth/jwks.js';
import { hasStackTrace, runCli } from '../../helpers/cli.js';
import { clock, FIXED_S } from './fixtures.js';
import { json, startServer, type TestServer } from './server.js';

/**
 * JWKS fetching (src/oauth/jwks.ts): a size cap, a timeout, a per-run cache, no redirects followed, and only
 * https or loopback http. Everything against a loopback server; every server is closed in afterAll.
 */
const overrides = { clock };
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const goodJwks = { keys: [{ ...ec.publicKey.export({ format: 'jwk' }), kid: 'k1' }] };
let server: TestServer;
let stalled: TestServer;
let token: string;

beforeAll(async () => {
  token = await new CompactSign(new TextEncoder().encode(JSON.stringify({ exp: FIXED_S + 60 })))
    .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
    .sign(ec.privateKey);
  server = await startServer((req, res, base) => {
    switch (req.url) {
      case '/jwks':
        return json(res, 200, goodJwks);
      case '/huge':
        // Over the 512 KiB cap, and still a valid JWKS: only the cap can refuse it.
        return json(res, 200, { ...goodJwks, padding: 'x'.repeat(600 * 1024) });
      case '/not-json':
        res.writeHead(200, { 'content-type': 'text/html' });
        return res.end('<html>login</html>');
      case '/no-keys':
        return json(res, 200, { issuer: 'x' });
      case '/redirect':
        res.writeHead(302, { location: `${base}/jwks` });
        return res.end();
      default:
        return json(res, 404, {});
    }
  });
  // Accepts the connection, never answers.
  stalled = await startServer(() => undefined);
});
afterAll(async () => {
  await server.close();
  await stalled.close();
});

function testContext() {
  const io = createIO(
    {
      stdin: Readable.from([]),
      stdout: new PassThrough(),
      stderr: new PassThrough(),
      stdinIsTTY: false,
      stdoutIsTTY: false,
      stderrIsTTY: false,
      columns: 100,
    },
    {},
  );
  return createContext(io, {}, overrides);
}

describe('jwt verify --jwks URL: fetch limits', () => {
  it.each([
    ['/jwks', 0, /^valid: ES256 signature by http:\/\/127\.0\.0\.1:\d+\/jwks kid "k1"/, ''],
    ['/huge', 3, /^$/, 'larger than 524288 bytes'],
    ['/not-json', 3, /^$/, 'not JSON'],
    ['/no-keys', 2, /^$/, 'has no "keys" array'],
    // Redirects are never followed: a JWKS location is exactly what the user gave.
    ['/redirect', 3, /^$/, 'HTTP 302'],
  ])('%s → exit %i', async (path, code, stdout, stderr) => {
    server.requests.length = 0;
    const r = await runCli(['jwt', 'verify', token, '--jwks', `${server.url}${path}`], { overrides });
    expect(r.code).toBe(code);
    expect(r.stdout).toMatch(stdout);
    expect(r.stderr).toContain(stderr);
    expect(hasStackTrace(r.stderr)).toBe(false);
    expect(server.requests.map((q) => q.url)).toEqual([path]);
  });

  it.each(['http://jwks.example.com/keys', 'http://127.0.0.1.nip.io/keys', 'ftp://127.0.0.1/keys'])(
    'refuses %s without any request',
    async (url) => {
      const r = await runCli(['jwt', 'verify', token, '--jwks', url], { overrides });
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
    },
  );
});

describe('fetchJwks', () => {
  it('times out (bounded) on a server that never answers', async () => {
    const ctx = testContext();
    await expect(fetchJwks(ctx, `${stalled.url}/jwks`, { timeoutMs: 200 })).rejects.toMatchObject({
      code: 'ERR_HTTP_TRANSPORT',
      exitCode: 3,
      message: expect.stringContaining('timed out after 200 ms'),
    });
  });

  it('caches per run (one request for many calls), not across runs; failures are not cached', async () => {
    server.requests.length = 0;
    const ctx = testContext();
    const [a, b] = await Promise.all([
      fetchJwks(ctx, `${server.url}/jwks`),
      fetchJwks(ctx, `${server.url}/jwks`),
    ]);
    expect(a).toEqual(goodJwks);
    expect(b).toBe(a);
    expect(await fetchJwks(ctx, `${server.url}/jwks`)).toBe(a);
    expect(server.requests).toHaveLength(1);
    await fetchJwks(testContext(), `${server.url}/jwks`);
    expect(server.requests).toHaveLength(2);
    await expect(fetchJwks(ctx, `${server.url}/not-json`)).rejects.toMatchObject({ exitCode: 3 });
    await expect(fetchJwks(ctx, `${server.url}/not-json`)).rejects.toMatchObject({ exitCode: 3 });
    expect(server.requests.filter((q) => q.url === '/not-json')).toHaveLength(2);
  });
});
