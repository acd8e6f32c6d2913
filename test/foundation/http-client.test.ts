import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpClient, DEFAULT_HTTP_OPTIONS, type HttpClientOptions } from '../../src/http/client.js';
import { Redactor } from '../../src/io/redact.js';

let server: Server;
let base: string;
let other: Server;
let otherBase: string;
let inFlight = 0;
let maxInFlight = 0;
const seen: { url: string; headers: IncomingMessage['headers']; method: string }[] = [];

function handler(req: IncomingMessage, res: ServerResponse): void {
  seen.push({ url: req.url ?? '', headers: req.headers, method: req.method ?? '' });
  const url = new URL(req.url ?? '/', 'http://x');
  switch (url.pathname) {
    case '/ok':
      res.setHeader('content-type', 'application/json');
      res.end('{"hello":"world"}');
      return;
    case '/404':
      res.statusCode = 404;
      res.end('nope');
      return;
    case '/503':
      res.statusCode = 503;
      res.setHeader('retry-after', '7');
      res.end();
      return;
    case '/redirect':
      res.statusCode = 302;
      res.setHeader('location', url.searchParams.get('to') ?? '/ok');
      res.end();
      return;
    case '/big':
      res.end(Buffer.alloc(64 * 1024, 'a'));
      return;
    case '/slow':
      setTimeout(() => res.end('late'), 2000);
      return;
    case '/hold':
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      setTimeout(() => {
        inFlight--;
        res.end('done');
      }, 50);
      return;
    case '/echo':
      res.setHeader('content-type', 'application/json');
      res.setHeader('set-cookie', 'sid=supersecretcookie');
      res.end(JSON.stringify({ access_token: 'tok-123456789', headers: req.headers }));
      return;
    default:
      res.statusCode = 500;
      res.end();
  }
}

function listen(s: Server): Promise<string> {
  return new Promise((resolve) =>
    s.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(s.address() as AddressInfo).port}`)),
  );
}

beforeAll(async () => {
  server = createServer(handler);
  other = createServer(handler);
  base = await listen(server);
  otherBase = await listen(other);
});
afterAll(async () => {
  server.closeAllConnections();
  other.closeAllConnections();
  await Promise.all([new Promise((r) => server.close(r)), new Promise((r) => other.close(r))]);
});

function client(overrides: Partial<HttpClientOptions> = {}) {
  return createHttpClient({
    ...DEFAULT_HTTP_OPTIONS,
    userAgent: 'apikit/test',
    headers: {},
    redactor: new Redactor(),
    clock: { now: () => Date.now() },
    ...overrides,
  });
}

describe('http client', () => {
  it('returns 4xx/5xx as data with headers and timing', async () => {
    const c = client();
    try {
      const notFound = await c.request({ url: `${base}/404` });
      expect(notFound.status).toBe(404);
      expect(notFound.text()).toBe('nope');
      const unavailable = await c.request({ url: `${base}/503` });
      expect(unavailable.status).toBe(503);
      expect(unavailable.header('Retry-After')).toBe('7');
      expect(unavailable.timing.headersMs).toBeGreaterThan(0);
      expect(unavailable.timing.totalMs).toBeGreaterThanOrEqual(unavailable.timing.headersMs);
    } finally {
      await c.close();
    }
  });

  it('sends the user agent and parses JSON', async () => {
    const c = client();
    try {
      const res = await c.request({ url: `${base}/ok` });
      expect(res.json()).toEqual({ hello: 'world' });
      expect(seen.at(-1)?.headers['user-agent']).toBe('apikit/test');
    } finally {
      await c.close();
    }
  });

  it('does not follow redirects unless asked, and drops credentials across origins', async () => {
    const c = client();
    try {
      const res = await c.request({ url: `${base}/redirect` });
      expect(res.status).toBe(302);
      const followed = await c.request({
        url: `${base}/redirect?to=${encodeURIComponent(`${otherBase}/ok`)}`,
        followRedirects: true,
        headers: { authorization: 'Bearer keep-it-home' },
      });
      expect(followed.status).toBe(200);
      expect(followed.redirects).toHaveLength(1);
      expect(seen.at(-1)?.headers.authorization).toBeUndefined();
    } finally {
      await c.close();
    }
  });

  it('caps the body: refuses by default, truncates when asked', async () => {
    const c = client({ maxBodyBytes: 1000 });
    try {
      await expect(c.request({ url: `${base}/big` })).rejects.toMatchObject({
        code: 'ERR_HTTP_BODY_TOO_LARGE',
        exitCode: 3,
      });
      const res = await c.request({ url: `${base}/big`, truncateBody: true });
      expect(res.truncated).toBe(true);
      expect(res.body.length).toBe(1000);
    } finally {
      await c.close();
    }
  });

  it('times out (exit 3) and names the host', async () => {
    const c = client({ timeoutMs: 200 });
    try {
      await expect(c.request({ url: `${base}/slow` })).rejects.toMatchObject({
        exitCode: 3,
        message: expect.stringMatching(/^GET 127\.0\.0\.1:\d+: timed out after 200 ms$/),
      });
    } finally {
      await c.close();
    }
  });

  it('reports a refused connection (exit 3) with the host', async () => {
    const closed = createServer();
    const url = await listen(closed);
    await new Promise((r) => closed.close(r));
    const c = client();
    try {
      await expect(c.request({ url: `${url}/x` })).rejects.toMatchObject({
        exitCode: 3,
        message: expect.stringContaining('connection refused'),
      });
    } finally {
      await c.close();
    }
  });

  it('bounds concurrency and enforces the request budget', async () => {
    const c = client({ concurrency: 3, maxRequests: 10 });
    maxInFlight = 0;
    try {
      await Promise.all(Array.from({ length: 10 }, () => c.request({ url: `${base}/hold` })));
      expect(maxInFlight).toBeLessThanOrEqual(3);
      expect(maxInFlight).toBeGreaterThan(1);
      expect(c.sent).toBe(10);
      await expect(c.request({ url: `${base}/hold` })).rejects.toMatchObject({ code: 'ERR_HTTP_BUDGET' });
    } finally {
      await c.close();
    }
  });

  it('traces requests and responses with secrets redacted', async () => {
    const lines: string[] = [];
    const redactor = new Redactor();
    redactor.add('registered-secret-value');
    const c = client({ trace: (l) => lines.push(l), redactor });
    try {
      await c.request({
        method: 'POST',
        url: `${base}/echo`,
        headers: {
          authorization: 'Bearer abcdefghijklmnop',
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: 'client_secret=registered-secret-value&refresh_token=rt-987654321&scope=read',
      });
    } finally {
      await c.close();
    }
    const trace = lines.join('\n');
    expect(trace).toContain(`> POST ${base}/echo`);
    expect(trace).toMatch(/< 200 \(/);
    expect(trace).toContain('scope=read');
    for (const secret of [
      'abcdefghijklmnop',
      'registered-secret-value',
      'rt-987654321',
      'tok-123456789',
      'supersecretcookie',
    ]) {
      expect(trace).not.toContain(secret);
    }
  });

  it('refuses non-http URLs', async () => {
    const c = client();
    await expect(c.request({ url: 'file:///etc/passwd' })).rejects.toMatchObject({ exitCode: 2 });
    await c.close();
  });
});
