import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { generateKeyPair, SignJWT, UnsecuredJWT, decodeJwt } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { generateApiKey, hashApiKey } from '../../src/lib/apikey.js';
import { headerLines } from '../../src/lib/headers.js';
import { readLifecycle } from '../../src/lib/lifecycle/index.js';
import { SECURITY_HEADERS } from '../../src/sandbox/api/security-headers.js';
import { EXPOSED_HEADERS } from '../../src/sandbox/api/cors.js';
import { PROBLEM_TYPES } from '../../src/sandbox/api/problems.js';
import { RESOURCE } from '../helpers/oidc-provider.js';
import { startServer } from '../../src/server/loopback-server.js';
import { createApiHandler } from '../../src/sandbox/api/index.js';
import { call, realClock, startApiFixture, unlimited, type ApiFixture } from './api-support.js';
import { problemOf, rawRequest } from './api-http.js';

/**
 * The reference API over HTTP, with a real issuer (oidc-provider minting client-credentials JWTs for the API's
 * URL): every answer's shape — problem+json, challenges, security and CORS headers, lifecycle headers — and
 * that nothing a client sends turns into a 500. The rate limiter here never refuses (it records the bucket
 * keys): api-ratelimit.test.ts is about the limits.
 */

const limiter = unlimited();
let offsetMs = 0;
let f: ApiFixture;
let readToken: string;
let allToken: string;

beforeAll(async () => {
  f = await startApiFixture({
    limiter,
    clock: { now: () => Date.now() + offsetMs },
    keys: { full: ['read:posts', 'write:posts'], reader: ['read:posts'] },
  });
  [readToken, allToken] = await Promise.all([
    f.token('read:posts'),
    f.token('read:posts write:posts delete:posts'),
  ]);
});
afterAll(async () => {
  await f?.close();
});
beforeEach(() => {
  offsetMs = 0;
  limiter.keys.length = 0;
});

const bearer = (t: string) => ({ authorization: `Bearer ${t}` });
const apiKey = (name: string) => ({ 'x-api-key': f.keys[name]! });

describe('authenticated reads', () => {
  it('a client-credentials JWT with read:posts lists the seeded posts; its bucket is the client id (sub)', async () => {
    const r = await call(`${f.apiUrl}/v1/posts`, { headers: bearer(readToken) });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/json');
    const body = r.body as { posts: { id: string; title: string }[]; next: string | null };
    expect(body.posts.length).toBeGreaterThanOrEqual(3);
    expect(body.posts[0]).toMatchObject({ id: '1', author: 'sandbox' });
    // oidc-provider puts the client id in `sub` (and `client_id`) of a client-credentials token.
    const claims = decodeJwt(readToken);
    expect(claims).toMatchObject({ sub: 'api-test-service', client_id: 'api-test-service', aud: f.apiUrl });
    expect(limiter.keys).toEqual(['default:sub:api-test-service']);
  });

  it('an API key in X-API-Key reads too; its bucket is named by its hash, not its id (ids repeat across sandboxes)', async () => {
    const r = await call(`${f.apiUrl}/v1/posts/2`, { headers: apiKey('reader') });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ id: '2', title: 'Try a probe' });
    const hex = hashApiKey(f.keys.reader!).slice('sha256:'.length, 'sha256:'.length + 24);
    expect(limiter.keys).toEqual([`default:key:${hex}`]);
  });

  it('every answer carries the OWASP REST security headers and no Server / X-Powered-By', async () => {
    for (const r of [
      await call(`${f.apiUrl}/v1/posts`, { headers: apiKey('reader') }),
      await call(`${f.apiUrl}/v1/posts`),
      await call(`${f.apiUrl}/nope`),
    ]) {
      for (const [name, value] of Object.entries(SECURITY_HEADERS)) expect(r.headers.get(name)).toBe(value);
      expect(r.headers.get('server')).toBeNull();
      expect(r.headers.get('x-powered-by')).toBeNull();
      expect(r.headers.get('ratelimit-policy')).toBe('"default";q=20;w=4');
    }
  });

  it('HEAD is answered like GET, without a body; OPTIONS (not a preflight) lists the methods', async () => {
    const head = await call(`${f.apiUrl}/v1/posts`, { method: 'HEAD', headers: apiKey('reader') });
    expect(head.status).toBe(200);
    expect(head.text).toBe('');
    const options = await call(`${f.apiUrl}/v1/posts/1`, { method: 'OPTIONS' });
    expect(options.status).toBe(204);
    expect(options.headers.get('allow')).toBe('GET, HEAD, DELETE, OPTIONS');
  });
});

describe('401 and 403', () => {
  it('no credential: 401 problem+json and a bare Bearer challenge (RFC 6750 §3.1: no error code)', async () => {
    const r = await call(`${f.apiUrl}/v1/posts`);
    expect(r.status).toBe(401);
    expect(r.headers.get('www-authenticate')).toBe('Bearer realm="apikit-sandbox"');
    expect(problemOf(r)).toMatchObject({ status: 401, type: `${f.apiUrl}/problems/unauthorized` });
    expect(limiter.keys).toEqual(['default:addr:127.0.0.1']);
  });

  it.each([
    ['DELETE', '/v1/posts/3', () => bearer(readToken), 'delete:posts'],
    ['POST', '/v1/posts', () => apiKey('reader'), 'write:posts'],
    ['DELETE', '/v1/posts/3', () => apiKey('full'), 'delete:posts'],
  ])('%s %s without the scope: 403 insufficient_scope naming it', async (method, path, headers, scope) => {
    const r = await call(`${f.apiUrl}${path}`, {
      method,
      headers: { ...headers(), 'content-type': 'application/json' },
      body: method === 'POST' ? '{"title":"x"}' : undefined,
    });
    expect(r.status).toBe(403);
    expect(r.headers.get('www-authenticate')).toBe(
      `Bearer realm="apikit-sandbox", error="insufficient_scope", error_description="the ${scope} scope is required", scope="${scope}"`,
    );
    expect(problemOf(r)).toMatchObject({ status: 403, type: `${f.apiUrl}/problems/insufficient-scope` });
  });

  const forged = async (alg: 'ES256' | 'HS256', kid: string) => {
    const claims = { scope: 'read:posts', client_id: 'api-test-service' };
    const jwt = new SignJWT(claims)
      .setProtectedHeader({ alg, kid, typ: 'at+jwt' })
      .setIssuer(f.oidc.issuer)
      .setAudience(f.apiUrl)
      .setSubject('api-test-service')
      .setIssuedAt()
      .setExpirationTime('5m');
    if (alg === 'HS256') return jwt.sign(new TextEncoder().encode('x'.repeat(32)));
    return jwt.sign((await generateKeyPair('ES256')).privateKey);
  };

  it.each([
    ['expired (the API clock 1 h ahead)', async () => ((offsetMs = 3_600_000), readToken), 'has expired'],
    ['for another API (aud)', () => f.token('read:reports', undefined, RESOURCE), '(aud)'],
    ['signed by another key with the issuer’s kid', () => forged('ES256', 'fixture-es256'), 'signature'],
    ['HS256 (the public key as an HMAC secret)', () => forged('HS256', 'fixture-rs256'), 'algorithm'],
    [
      'alg none',
      async () =>
        new UnsecuredJWT({ scope: 'read:posts' })
          .setIssuer(f.oidc.issuer)
          .setAudience(f.apiUrl)
          .setSubject('x')
          .setExpirationTime('5m')
          .encode(),
      'algorithm',
    ],
    ['not a JWT', async () => 'abc.def', 'not a signed JWT'],
    ['not a token at all', async () => 'a b c', 'malformed'],
  ])('a token %s: 401 invalid_token with why', async (_what, make, why) => {
    const token = await make();
    const r = await call(`${f.apiUrl}/v1/posts`, { headers: bearer(token) });
    expect(r.status).toBe(401);
    const challenge = r.headers.get('www-authenticate') ?? '';
    expect(challenge).toMatch(
      /^Bearer realm="apikit-sandbox", error="invalid_token", error_description="[^"]+"$/,
    );
    const problem = problemOf(r);
    expect(problem).toMatchObject({ status: 401, type: `${f.apiUrl}/problems/invalid-token` });
    expect(problem.detail).toContain(why);
    expect(r.text).not.toContain(token);
  });

  it('another Authorization scheme: 401 with a bare challenge saying Bearer is expected', async () => {
    const r = await call(`${f.apiUrl}/v1/posts`, { headers: { authorization: 'Basic YWxpY2U6d29uZGVy' } });
    expect(r.status).toBe(401);
    expect(r.headers.get('www-authenticate')).toBe('Bearer realm="apikit-sandbox"');
    expect(problemOf(r).detail).toContain('"Basic" is not accepted');
  });

  it.each([
    ['well formed but unknown', () => generateApiKey('ak_test'), 'not known'],
    [
      'with a broken checksum',
      () => `${f.keys.full!.slice(0, -1)}${f.keys.full!.endsWith('A') ? 'B' : 'A'}`,
      'malformed',
    ],
    ['not a key at all', () => 'hunter2', 'malformed'],
  ])('an API key %s: 401 invalid-api-key, the key never echoed', async (_what, make, why) => {
    const key = make();
    const r = await call(`${f.apiUrl}/v1/posts`, { headers: { 'x-api-key': key } });
    expect(r.status).toBe(401);
    expect(problemOf(r)).toMatchObject({ type: `${f.apiUrl}/problems/invalid-api-key` });
    expect(problemOf(r).detail).toContain(why);
    expect(r.text).not.toContain(key);
    expect(r.headers.get('www-authenticate')).toBe('Bearer realm="apikit-sandbox"');
  });

  it.each(['api_key', 'apikey', 'key', 'API_KEY', 'access_token'])(
    'a credential in the query (?%s=): 400 saying why, valid or not, never echoed',
    async (param) => {
      const key = f.keys.full!;
      const r = await call(`${f.apiUrl}/v1/posts?${param}=${encodeURIComponent(key)}`, {
        headers: apiKey('full'),
      });
      expect(r.status).toBe(400);
      const problem = problemOf(r);
      expect(problem).toMatchObject({ type: `${f.apiUrl}/problems/credential-in-query` });
      expect(problem.detail).toMatch(/URLs are logged/);
      expect(problem.detail).toContain(param);
      expect(r.text).not.toContain(key);
      expect(r.headers.get('www-authenticate')).toContain('error="invalid_request"');
    },
  );

  it('both Authorization and X-API-Key: 400, one credential at a time', async () => {
    const r = await call(`${f.apiUrl}/v1/posts`, { headers: { ...bearer(readToken), ...apiKey('full') } });
    expect(r.status).toBe(400);
    expect(problemOf(r).type).toBe(`${f.apiUrl}/problems/ambiguous-credentials`);
  });

  it('a bad credential on a public route is still refused (the client learns at once)', async () => {
    const r = await call(`${f.apiUrl}/`, { headers: { 'x-api-key': 'nope' } });
    expect(r.status).toBe(401);
    const ok = await call(`${f.apiUrl}/`);
    expect(ok.status).toBe(200);
    expect((ok.body as { routes: unknown[] }).routes.length).toBeGreaterThanOrEqual(7);
  });
});

describe('posts', () => {
  const json = { 'content-type': 'application/json' };

  it('create (201 + Location), read, delete (204), then 404', async () => {
    const created = await call(`${f.apiUrl}/v1/posts`, {
      method: 'POST',
      headers: { ...apiKey('full'), ...json },
      body: JSON.stringify({ title: 'Hello', body: 'from the test' }),
    });
    expect(created.status).toBe(201);
    const post = created.body as { id: string; author: string };
    expect(post).toMatchObject({ title: 'Hello', body: 'from the test', author: 'key-full' });
    expect(created.headers.get('location')).toBe(`${f.apiUrl}/v1/posts/${post.id}`);
    const read = await call(created.headers.get('location')!, { headers: bearer(readToken) });
    expect(read.body).toEqual(post);
    const gone = await call(created.headers.get('location')!, {
      method: 'DELETE',
      headers: bearer(allToken),
    });
    expect(gone.status).toBe(204);
    expect(gone.text).toBe('');
    const again = await call(created.headers.get('location')!, { headers: bearer(readToken) });
    expect(again.status).toBe(404);
    expect(problemOf(again).type).toBe(`${f.apiUrl}/problems/not-found`);
  });

  it('lists in pages with a next link', async () => {
    const r = await call(`${f.apiUrl}/v1/posts?limit=1`, { headers: bearer(readToken) });
    const body = r.body as { posts: { id: string }[]; next: string };
    expect(body.posts.map((p) => p.id)).toEqual(['1']);
    expect(body.next).toBe(`${f.apiUrl}/v1/posts?limit=1&after=1`);
    expect(r.headers.get('link')).toBe(`<${body.next}>; rel="next"`);
    const bad = await call(`${f.apiUrl}/v1/posts?limit=1000`, { headers: bearer(readToken) });
    expect(bad.status).toBe(400);
  });

  it.each([
    ['not JSON', json, '{"title": ', 400, 'invalid-json'],
    ['not UTF-8', json, Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), 400, 'invalid-json'],
    ['empty', json, '', 400, 'invalid-json'],
    ['an array', json, '[1,2]', 400, 'invalid-post'],
    ['without a title', json, '{"body":"b"}', 400, 'invalid-post'],
    ['with unknown members', json, '{"title":"t","__proto__":{"admin":true}}', 400, 'invalid-post'],
    ['nested 100 000 deep', json, '['.repeat(100_000) + ']'.repeat(100_000), 400, 'invalid-post'],
    ['as text/plain', { 'content-type': 'text/plain' }, '{"title":"t"}', 415, 'unsupported-media-type'],
    [
      'as form data',
      { 'content-type': 'application/x-www-form-urlencoded' },
      'title=t',
      415,
      'unsupported-media-type',
    ],
    [
      'in latin-1',
      { 'content-type': 'application/json; charset=iso-8859-1' },
      '{"title":"t"}',
      415,
      'unsupported-media-type',
    ],
  ] as const)('a POST body %s: %i %s', async (_what, type, body, status, slug) => {
    const r = await call(`${f.apiUrl}/v1/posts`, {
      method: 'POST',
      headers: { ...apiKey('full'), ...type },
      body,
    });
    expect(r.status).toBe(status);
    expect(problemOf(r).type).toBe(`${f.apiUrl}/problems/${slug}`);
    if (status === 415) expect(r.headers.get('accept-post')).toBe('application/json');
    if (slug === 'invalid-post') expect(Array.isArray((r.body as { errors: unknown[] }).errors)).toBe(true);
  });

  it('a field error names the member by JSON pointer', async () => {
    const r = await call(`${f.apiUrl}/v1/posts`, {
      method: 'POST',
      headers: { ...apiKey('full'), ...json },
      body: JSON.stringify({ title: '', body: 3, 'a/b': 1 }),
    });
    expect((r.body as { errors: unknown[] }).errors).toEqual([
      { pointer: '/title', detail: 'must not be empty' },
      { pointer: '/body', detail: 'must be a string' },
      { pointer: '/a~1b', detail: 'unknown member' },
    ]);
  });

  it('a body over 1 MiB: 413 whether Content-Length says so or the chunks do, and the connection closes', async () => {
    const declared = await call(`${f.apiUrl}/v1/posts`, {
      method: 'POST',
      headers: { ...apiKey('full'), ...json },
      body: Buffer.alloc(1024 * 1024 + 1, 0x20),
    });
    expect(declared.status).toBe(413);
    expect(declared.headers.get('connection')).toBe('close');
    expect(problemOf(declared).type).toBe(`${f.apiUrl}/problems/content-too-large`);
    const chunk = new Uint8Array(64 * 1024).fill(0x20);
    const streamed = await call(`${f.apiUrl}/v1/posts`, {
      method: 'POST',
      headers: { ...apiKey('full'), ...json },
      body: new ReadableStream({
        start(c) {
          for (let i = 0; i < 20; i++) c.enqueue(chunk);
          c.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    expect(streamed.status).toBe(413);
    // Exactly 1 MiB is still accepted as a body (and then judged as JSON).
    const edge = await call(`${f.apiUrl}/v1/posts`, {
      method: 'POST',
      headers: { ...apiKey('full'), ...json },
      body: Buffer.alloc(1024 * 1024, 0x20),
    });
    expect(edge.status).toBe(400);
  });
});

describe('routes and versions', () => {
  it('404, 405 with Allow, as problem+json', async () => {
    const missing = await call(`${f.apiUrl}/v1/comments`, { headers: apiKey('full') });
    expect(missing.status).toBe(404);
    expect(problemOf(missing).status).toBe(404);
    const wrong = await call(`${f.apiUrl}/v1/posts`, { method: 'PUT', headers: apiKey('full') });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('GET, HEAD, POST, OPTIONS');
    expect(problemOf(wrong).type).toBe(`${f.apiUrl}/problems/method-not-allowed`);
  });

  it('v0 answers like v1, with Deprecation (past), Sunset (over 30 days ahead) and the successor link', async () => {
    const r = await call(`${f.apiUrl}/v0/posts/1`, { headers: apiKey('full') });
    expect(r.status).toBe(200);
    expect(r.headers.get('deprecation')).toMatch(/^@\d+$/);
    const now = Date.now();
    const lifecycle = readLifecycle(
      headerLines(Object.fromEntries(r.headers)),
      `${f.apiUrl}/v0/posts/1`,
      now,
    );
    expect(lifecycle.problems).toEqual([]);
    expect(lifecycle.deprecation!.at!.epochMs).toBeLessThan(now);
    expect(lifecycle.sunset!.epochMs).toBeGreaterThan(now + 30 * 86_400_000);
    expect(lifecycle.successor).toBe(`${f.apiUrl}/v1/posts/1`);
    expect(lifecycle.deprecationInfo).toBe(`${f.apiUrl}/versions`);
    // Errors under v0 carry the notice too.
    const denied = await call(`${f.apiUrl}/v0/posts`);
    expect(denied.status).toBe(401);
    expect(denied.headers.get('deprecation')).toBe(r.headers.get('deprecation'));
    const v1 = await call(`${f.apiUrl}/v1/posts/1`, { headers: apiKey('full') });
    expect(v1.headers.get('deprecation')).toBeNull();
    expect(v1.headers.get('sunset')).toBeNull();
  });

  it('v-1 is 410 Gone, with its past Sunset and the successor', async () => {
    const r = await call(`${f.apiUrl}/v-1/posts`, { headers: apiKey('full') });
    expect(r.status).toBe(410);
    expect(problemOf(r)).toMatchObject({ status: 410, type: `${f.apiUrl}/problems/gone` });
    const lifecycle = readLifecycle(headerLines(Object.fromEntries(r.headers)), `${f.apiUrl}/v-1/posts`);
    expect(lifecycle.sunset!.epochMs).toBeLessThan(Date.now());
    expect(lifecycle.successor).toBe(`${f.apiUrl}/v1/posts`);
    const doc = await call(`${f.apiUrl}/versions`);
    expect(
      (doc.body as { versions: { id: string; status: string }[] }).versions.map((v) => [v.id, v.status]),
    ).toEqual([
      ['v1', 'live'],
      ['v0', 'deprecated'],
      ['v-1', 'retired'],
    ]);
  });

  it('every problem type is served at its type URL', async () => {
    for (const [slug, t] of Object.entries(PROBLEM_TYPES)) {
      const r = await call(`${f.apiUrl}/problems/${slug}`);
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({
        type: `${f.apiUrl}/problems/${slug}`,
        status: t.status,
        title: t.title,
      });
    }
  });
});

describe('CORS', () => {
  it('an allowed origin gets itself back with credentials and the exposed headers; Vary: Origin always', async () => {
    const r = await call(`${f.apiUrl}/v1/posts`, {
      headers: { ...apiKey('full'), origin: 'http://localhost:3000' },
    });
    expect(r.headers.get('access-control-allow-origin')).toBe('http://localhost:3000');
    expect(r.headers.get('access-control-allow-credentials')).toBe('true');
    const exposed = (r.headers.get('access-control-expose-headers') ?? '').split(', ');
    for (const h of [
      'RateLimit',
      'RateLimit-Policy',
      'X-RateLimit-Remaining',
      'Retry-After',
      'Deprecation',
    ]) {
      expect(exposed).toContain(h);
    }
    expect(exposed).toEqual([...EXPOSED_HEADERS]);
    expect(r.headers.get('vary')).toBe('Origin');
    // The error answers are readable by the page too.
    const denied = await call(`${f.apiUrl}/v1/posts`, { headers: { origin: 'http://127.0.0.1:5173' } });
    expect(denied.status).toBe(401);
    expect(denied.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:5173');
  });

  it.each([
    'https://evil.example',
    'http://localhost:3000.evil.example',
    'http://localhost:30000',
    'null',
    'HTTP://LOCALHOST:3000',
  ])('a disallowed origin (%s) gets no Access-Control-Allow-* at all', async (origin) => {
    const r = await call(`${f.apiUrl}/v1/posts`, { headers: { ...apiKey('full'), origin } });
    expect(r.status).toBe(200);
    expect([...r.headers.keys()].filter((h) => h.startsWith('access-control-'))).toEqual([]);
    expect(r.headers.get('vary')).toBe('Origin');
  });

  it('a preflight: 204, the methods and headers for an allowed origin, nothing for others, never counted', async () => {
    const ask = (origin: string) =>
      call(`${f.apiUrl}/v1/posts/1`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'DELETE',
          'access-control-request-headers': 'authorization,content-type,x-api-key',
        },
      });
    const ok = await ask('http://localhost:3000');
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-origin')).toBe('http://localhost:3000');
    expect(ok.headers.get('access-control-allow-credentials')).toBe('true');
    expect(ok.headers.get('access-control-allow-methods')).toBe('GET, HEAD, POST, DELETE');
    expect(ok.headers.get('access-control-allow-headers')).toBe('Authorization, Content-Type, X-API-Key');
    expect(ok.headers.get('access-control-max-age')).toBe('600');
    const no = await ask('https://evil.example');
    expect(no.status).toBe(204);
    expect([...no.headers.keys()].filter((h) => h.startsWith('access-control-'))).toEqual([]);
    expect(limiter.keys).toEqual([]);
  });
});

describe('malformed requests get a 4xx, never a 500', () => {
  it.each([
    [
      'a header block over 16 KiB',
      `GET /v1/posts HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(40_000)}\r\n\r\n`,
      431,
    ],
    ['a method Node does not know', 'BREW /v1/posts HTTP/1.1\r\nHost: x\r\n\r\n', 400],
    ['bytes that are not HTTP', '\u0000\u0001\u0002 nonsense\r\n\r\n', 400],
    [
      'a request target that is no path',
      'GET nonsense HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
      400,
    ],
    ['a bad percent-encoding', 'GET /v1/%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', 404],
    ['PATCH', 'PATCH /v1/posts/1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', 405],
    [
      'a Content-Length that lies short',
      'POST /v1/posts HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nConnection: close\r\n\r\n{"title":"x"}',
      401,
    ],
    [
      'a Content-Length that is not a number',
      'POST /v1/posts HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n',
      400,
    ],
    [
      'an Authorization header of 10 KiB',
      `GET /v1/posts HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${'a'.repeat(10_000)}\r\nConnection: close\r\n\r\n`,
      401,
    ],
  ])('%s → %i', async (_what, raw, status) => {
    const reply = await rawRequest(f.server.port, raw);
    expect(reply.status).toBe(status);
    expect(f.errors).toEqual([]);
  });

  it('OPTIONS * and an absolute-form target (RFC 9112 §3.2.2) are answered', async () => {
    const star = await rawRequest(
      f.server.port,
      'OPTIONS * HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    );
    expect(star.status).toBe(204);
    expect(star.head).toMatch(/\r\nallow: GET, HEAD, POST, DELETE, OPTIONS\r\n/i);
    const absolute = await rawRequest(
      f.server.port,
      `GET http://elsewhere.example/v1/posts HTTP/1.1\r\nHost: x\r\nX-API-Key: ${f.keys.full}\r\nConnection: close\r\n\r\n`,
    );
    expect(absolute.status).toBe(200);
    expect(f.errors).toEqual([]);
  });
});

describe('/lab/: broken on purpose', () => {
  it('the index lists the three, each with what is wrong and the command that shows it', async () => {
    const r = await call(`${f.apiUrl}/lab/`);
    expect(r.status).toBe(200);
    const entries = (r.body as { endpoints: { path: string; broken: string; try: string }[] }).endpoints;
    expect(entries.map((e) => e.path)).toEqual(['/lab/cors', '/lab/headers', '/lab/ratelimit']);
    for (const e of entries) expect(e.try).toMatch(/^apikit (probe|audit)/);
  });

  it('/lab/headers: none of the security headers, and the leaky ones', async () => {
    const r = await call(`${f.apiUrl}/lab/headers`);
    expect(r.status).toBe(200);
    for (const name of Object.keys(SECURITY_HEADERS).filter((n) => n !== 'cache-control')) {
      expect(r.headers.get(name)).toBeNull();
    }
    expect(r.headers.get('cache-control')).toBe('public, max-age=3600');
    expect(r.headers.get('server')).toBe('nginx/1.18.0');
    expect(r.headers.get('x-powered-by')).toBe('Express');
  });

  it('/lab/cors: any origin is reflected with credentials, any preflight granted, no Vary', async () => {
    const r = await call(`${f.apiUrl}/lab/cors`, { headers: { origin: 'https://evil.example' } });
    expect(r.headers.get('access-control-allow-origin')).toBe('https://evil.example');
    expect(r.headers.get('access-control-allow-credentials')).toBe('true');
    expect(r.headers.get('vary')).toBeNull();
    const pre = await call(`${f.apiUrl}/lab/cors`, {
      method: 'OPTIONS',
      headers: {
        origin: 'null',
        'access-control-request-method': 'PUT',
        'access-control-request-headers': 'x-anything',
      },
    });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe('null');
    expect(pre.headers.get('access-control-allow-methods')).toBe('PUT');
  });

  it('/lab/ratelimit: after the window’s quota, 429 with Retry-After: 1 while the window has longer to go', async () => {
    const key = { 'x-api-key': f.keys.reader! };
    const answers = [];
    for (let i = 0; i < 6; i++) answers.push(await call(`${f.apiUrl}/lab/ratelimit`, { headers: key }));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200, 429]);
    const limited = answers[5]!;
    expect(limited.headers.get('retry-after')).toBe('1');
    expect(Number(limited.headers.get('x-ratelimit-reset'))).toBeGreaterThan(1);
    expect(problemOf(limited).status).toBe(429);
  });
});

describe('when what the API depends on fails', () => {
  it('the JWKS unreachable: 503 problem with Retry-After, onError told; the limiter failing: 503 too', async () => {
    const errors: unknown[] = [];
    // A JWKS endpoint that cuts every connection, kept listening for the whole test: a server closed here instead
    // would free its port, and one of the API servers below could get it and answer its own JWKS requests.
    const dead = createNetServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => dead.listen(0, '127.0.0.1', () => resolve()));
    const deadJwks = `http://127.0.0.1:${(dead.address() as AddressInfo).port}/jwks`;
    const failing = { ...unlimited(), take: () => Promise.reject(new Error('redis is down')) };
    const servers = await Promise.all(
      [unlimited(), failing].map((lim) =>
        startServer({
          handler: createApiHandler({
            apiUrl: 'http://127.0.0.1:1',
            issuer: f.oidc.issuer,
            jwksUri: deadJwks,
            apiKeys: f.records,
            limiter: lim,
            corsOrigins: [],
            clock: realClock,
            onError: (err) => errors.push(err),
          }),
        }),
      ),
    );
    try {
      const noKeys = await call(`${servers[0]!.url}/v1/posts`, { headers: bearer(readToken) });
      expect(noKeys.status).toBe(503);
      expect(noKeys.headers.get('retry-after')).toBe('5');
      expect(problemOf(noKeys).type).toBe('http://127.0.0.1:1/problems/upstream-unavailable');
      const noLimiter = await call(`${servers[1]!.url}/v1/posts`, { headers: apiKey('full') });
      expect(noLimiter.status).toBe(503);
      expect(problemOf(noLimiter).detail).toBe('the rate limiter is unavailable');
      expect(errors.map(String)).toHaveLength(2);
    } finally {
      await Promise.all(servers.map((s) => s.close()));
      await new Promise<void>((resolve) => dead.close(() => resolve()));
    }
  });
});
