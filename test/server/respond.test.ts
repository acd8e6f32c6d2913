import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/server/loopback-server.js';
import { escapeHtml, sendHtml, sendJson } from '../../src/server/respond.js';

/**
 * The response helpers over a real loopback server: pages carry the headers that keep an authorization code
 * out of caches, referrers and frames; JSON is never cached or sniffed; the caller's headers win.
 */
let server: RunningServer;

beforeAll(async () => {
  server = await startServer({
    handler: (req, res) => {
      switch (req.url) {
        case '/page':
          return sendHtml(res, 200, '<p>héllo</p>');
        case '/page-override':
          return sendHtml(res, 404, '<p>gone</p>', { 'cache-control': 'max-age=60', connection: 'close' });
        case '/json':
          return sendJson(res, 201, { token_type: 'Bearer', n: 1, s: 'ünï' });
        default:
          return sendJson(res, 404, { error: 'not_found' }, { 'x-extra': 'yes' });
      }
    },
  });
});

afterAll(async () => {
  await server.close();
});

function get(path: string): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${server.url}${path}`, { timeout: 5000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString(),
        }),
      );
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

describe('sendHtml', () => {
  it('sends a complete page with the page headers', async () => {
    const page = await get('/page');
    expect(page.status).toBe(200);
    expect(page.body).toBe('<p>héllo</p>');
    expect(page.headers).toMatchObject({
      'content-type': 'text/html; charset=utf-8',
      // Bytes, not characters: "é" is two.
      'content-length': String(Buffer.byteLength('<p>héllo</p>')),
      'cache-control': 'no-store',
      pragma: 'no-cache',
      'referrer-policy': 'no-referrer',
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
    });
    expect(page.headers['content-security-policy']).toMatch(/default-src 'none'/);
  });

  it("the caller's headers win and add", async () => {
    const page = await get('/page-override');
    expect(page.status).toBe(404);
    expect(page.headers['cache-control']).toBe('max-age=60');
    expect(page.headers.connection).toBe('close');
    expect(page.headers['referrer-policy']).toBe('no-referrer');
  });
});

describe('sendJson', () => {
  it('sends JSON that is neither cached nor sniffed', async () => {
    const res = await get('/json');
    expect(res.status).toBe(201);
    expect(JSON.parse(res.body)).toEqual({ token_type: 'Bearer', n: 1, s: 'ünï' });
    expect(res.headers).toMatchObject({
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(res.body)),
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    });
    // Page-only headers stay on pages.
    expect(res.headers['content-security-policy']).toBeUndefined();
  });

  it('adds the caller headers', async () => {
    const res = await get('/nothing');
    expect(res.status).toBe(404);
    expect(res.headers['x-extra']).toBe('yes');
  });
});

describe('escapeHtml', () => {
  it.each([
    ['<script>alert("x")</script>', '&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62;'],
    ["a & b's", 'a &#38; b&#39;s'],
    ['plain', 'plain'],
  ])('%j', (input, want) => expect(escapeHtml(input)).toBe(want));
});
