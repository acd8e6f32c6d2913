import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { startLoopback, type LoopbackReceiver } from '../../../src/oauth/loopback.js';

/**
 * The loopback redirect receiver (RFC 8252 §7.3) on its own: where it listens, what its pages carry, which
 * requests settle the login and which are turned away.
 */
const STATE = 'state-0123456789abcdefghijklmnopqrstuvwxyz';
const ISSUER = 'https://as.example';
let receiver: LoopbackReceiver | undefined;

afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
});

async function start(ignored: string[] = []): Promise<LoopbackReceiver> {
  receiver = await startLoopback({
    bindHost: '127.0.0.1',
    bindPort: 0,
    advertiseHost: '127.0.0.1',
    expect: { state: STATE, issuer: ISSUER, issRequired: true },
    onIgnored: (why) => ignored.push(why),
  });
  return receiver;
}

/** One request with node:http (bounded by a timeout); the host may be any loopback address. */
function get(
  host: string,
  port: number,
  path: string,
  method = 'GET',
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host, port, path, method, timeout: 5000 }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

const cb = (q: Record<string, string>) => `/callback?${new URLSearchParams(q).toString()}`;

function expectSafePage(page: { headers: Record<string, unknown>; body: string }): void {
  expect(page.headers['referrer-policy']).toBe('no-referrer');
  expect(page.headers['cache-control']).toBe('no-store');
  expect(page.headers['content-security-policy']).toMatch(/default-src 'none'/);
  expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
  // Self-contained: nothing is loaded from anywhere.
  expect(page.body).not.toMatch(/(src|href)=|@import|url\(/i);
}

describe('startLoopback', () => {
  it('binds 127.0.0.1 only (not a wildcard): another loopback address is refused', async () => {
    const r = await start();
    expect(r.redirectUri).toBe(`http://127.0.0.1:${r.port}/callback`);
    expect((await get('127.0.0.1', r.port, '/nothing')).status).toBe(404);
    // 127.0.0.2 is loopback too; a server bound to 0.0.0.0 would answer there.
    await expect(get('127.0.0.2', r.port, '/nothing')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('a wrong or missing state gets a 400 page and the wait goes on; the first valid response settles', async () => {
    const ignored: string[] = [];
    const r = await start(ignored);
    const stale = await get('127.0.0.1', r.port, cb({ code: 'old', state: 'another-state', iss: ISSUER }));
    expect(stale.status).toBe(400);
    expectSafePage(stale);
    // A forged error without the state cannot end the login either.
    expect((await get('127.0.0.1', r.port, cb({ error: 'access_denied' }))).status).toBe(400);
    expect(ignored).toHaveLength(2);

    const held = get('127.0.0.1', r.port, cb({ code: 'the-code', state: STATE, iss: ISSUER }));
    const got = await r.result;
    expect(got.code).toBe('the-code');
    // A second valid-looking response is turned away.
    const again = await get('127.0.0.1', r.port, cb({ code: 'second', state: STATE, iss: ISSUER }));
    expect(again.status).toBe(400);
    expect(again.body).toMatch(/already been handled/);
    got.finish(true, 'You are signed in to apikit.');
    const page = await held;
    expect(page.status).toBe(200);
    expectSafePage(page);
    expect(page.body).toMatch(/return to your terminal/);
  });

  it('a failed exchange shows a failure page, not a success page', async () => {
    const r = await start();
    const held = get('127.0.0.1', r.port, cb({ code: 'c', state: STATE, iss: ISSUER }));
    (await r.result).finish(false, 'The sign-in could not be completed.');
    const page = await held;
    expect(page.status).toBe(400);
    expect(page.body).toMatch(/Sign-in failed/);
  });

  it.each<{ name: string; q: Record<string, string>; code: string }>([
    {
      name: 'iss of another server',
      q: { code: 'c', state: STATE, iss: 'https://evil.example' },
      code: 'ERR_LOGIN_ISS_MISMATCH',
    },
    { name: 'a missing iss', q: { code: 'c', state: STATE }, code: 'ERR_LOGIN_ISS_MISSING' },
    {
      name: 'error=access_denied',
      q: { error: 'access_denied', state: STATE, iss: ISSUER },
      code: 'ERR_LOGIN_ACCESS_DENIED',
    },
  ])('$name ends the login (exit 4) with a failure page', async ({ q, code }) => {
    const r = await start();
    const page = await get('127.0.0.1', r.port, cb(q));
    expect(page.status).toBe(400);
    expectSafePage(page);
    await expect(r.result).rejects.toMatchObject({ exitCode: 4, code });
  });

  it('server text on the page is escaped', async () => {
    const r = await start();
    const page = await get('127.0.0.1', r.port, cb({ code: 'c', state: STATE, iss: '<script>x</script>' }));
    expect(page.body).not.toContain('<script>');
    expect(page.body).toContain('&#60;script&#62;');
    await expect(r.result).rejects.toMatchObject({ code: 'ERR_LOGIN_ISS_MISMATCH' });
  });

  it('only GET /callback is served', async () => {
    const r = await start();
    const post = await get('127.0.0.1', r.port, cb({ code: 'c', state: STATE, iss: ISSUER }), 'POST');
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('GET');
    expect((await get('127.0.0.1', r.port, '/favicon.ico')).status).toBe(404);
  });

  it('a busy port is a usage error naming it; close() frees the port', async () => {
    const r = await start();
    await expect(
      startLoopback({
        bindHost: '127.0.0.1',
        bindPort: r.port,
        advertiseHost: '127.0.0.1',
        expect: { state: STATE, issRequired: false },
      }),
    ).rejects.toMatchObject({ exitCode: 2, message: `port ${r.port} on 127.0.0.1 is already in use` });
    await r.close();
    receiver = undefined;
    await expect(get('127.0.0.1', r.port, '/callback')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('--listen: binds the given address, advertises loopback with the mapped port', async () => {
    receiver = await startLoopback({
      bindHost: '127.0.0.2',
      bindPort: 0,
      advertiseHost: 'localhost',
      advertisePort: 8400,
      expect: { state: STATE, issRequired: false },
    });
    expect(receiver.redirectUri).toBe('http://localhost:8400/callback');
    expect((await get('127.0.0.2', receiver.port, '/x')).status).toBe(404);
    await expect(get('127.0.0.1', receiver.port, '/x')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });
});
