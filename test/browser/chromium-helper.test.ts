import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/server/loopback-server.js';
import { OriginBrowser, requireChromium, type CorsAttempt, type OriginPage } from '../helpers/chromium.js';

/**
 * The judge judged: before test/browser/cors-agreement.test.ts may call Chromium's verdicts ground truth, the
 * helper must show that CORS is still enforced with its flags (Local Network Access off is not CORS off), that
 * preflights reach the server (nothing answers them on its behalf), that the page's Origin is the one asked for,
 * and that no name resolves.
 */

interface Logged {
  method: string;
  origin: string | null;
  path: string;
  acrm: string | null;
}

/** /none: no CORS headers at all; /reflect: echoes the Origin with credentials; /star: `*` everywhere. */
function handler(log: Logged[]) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const path = new URL(req.url ?? '/', 'http://x.invalid').pathname;
    const origin = typeof req.headers.origin === 'string' ? req.headers.origin : null;
    const acrm = req.headers['access-control-request-method'];
    log.push({ method: req.method ?? '', origin, path, acrm: typeof acrm === 'string' ? acrm : null });
    if (path === '/reflect' && origin !== null) {
      res.setHeader('access-control-allow-origin', origin);
      res.setHeader('access-control-allow-credentials', 'true');
      res.setHeader('access-control-allow-methods', 'GET, DELETE');
      res.setHeader('access-control-allow-headers', 'Authorization, Content-Type, X-API-Key');
      res.setHeader('vary', 'Origin');
    }
    if (path === '/star') {
      res.setHeader('access-control-allow-origin', '*');
      res.setHeader('access-control-allow-methods', '*');
      res.setHeader('access-control-allow-headers', '*');
    }
    res.writeHead(req.method === 'OPTIONS' ? 204 : 200, { 'content-type': 'text/plain' });
    res.end(req.method === 'OPTIONS' ? undefined : 'ok\n');
  };
}

const readable = (a: CorsAttempt) => ({
  simple: a.simple.readable,
  credentialed: a.credentialed.readable,
  preflighted: a.preflighted.readable,
  stateChanging: a.stateChanging.readable,
});

const gate = requireChromium();

describe.skipIf(gate.skip)(`the Chromium helper${gate.skip ? ` (skipped: ${gate.reason})` : ''}`, () => {
  const log: Logged[] = [];
  let server: RunningServer;
  let browser: OriginBrowser;
  let evil: OriginPage;

  beforeAll(async () => {
    [server, browser] = await Promise.all([
      startServer({ handler: handler(log), closeGraceMs: 200 }),
      OriginBrowser.launch(),
    ]);
    const opened = await browser.open('https://evil.example');
    if (!opened.ok) throw new Error(opened.reason);
    evil = opened.page;
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const sent = (path: string, origin: string) =>
    log
      .filter((l) => l.path === path && l.origin === origin)
      .map((l) => `${l.method} ${l.acrm ?? ''}`.trim());

  it('enforces CORS on a loopback target without CORS headers: nothing readable, the DELETE not sent', async () => {
    const a = await evil.attempt(`${server.url}/none`);
    expect(readable(a)).toEqual({
      simple: false,
      credentialed: false,
      preflighted: false,
      stateChanging: false,
    });
    // The preflights reached the server itself (no one answered them for it), and only those did.
    expect(sent('/none', 'https://evil.example')).toEqual(['GET', 'GET', 'OPTIONS GET', 'OPTIONS DELETE']);
    expect(evil.console(`${server.url}/none`).join('\n')).toMatch(/No 'Access-Control-Allow-Origin' header/);
  });

  it('lets a page read and send what an echoing server with credentials allows', async () => {
    const a = await evil.attempt(`${server.url}/reflect`);
    expect(readable(a)).toEqual({ simple: true, credentialed: true, preflighted: true, stateChanging: true });
    expect(sent('/reflect', 'https://evil.example')).toEqual([
      'GET',
      'GET',
      'OPTIONS GET',
      'GET',
      'OPTIONS DELETE',
      'DELETE',
    ]);
  });

  it('refuses credentialed reads of `*` and treats `*` as a literal name with credentials', async () => {
    const a = await evil.attempt(`${server.url}/star`);
    expect(readable(a)).toEqual({
      simple: true,
      credentialed: false,
      preflighted: false,
      stateChanging: false,
    });
    expect(sent('/star', 'https://evil.example')).not.toContain('DELETE');
  });

  it('runs each preflight afresh (no preflight cache between the GET and the DELETE)', async () => {
    const before = log.length;
    await evil.attempt(`${server.url}/reflect`);
    await evil.attempt(`${server.url}/reflect`);
    const preflights = log.slice(before).filter((l) => l.method === 'OPTIONS');
    expect(preflights.map((l) => l.acrm)).toEqual(['GET', 'DELETE', 'GET', 'DELETE']);
  });

  it.each([
    'https://evil.example',
    'http://app.example.com', // not upgraded to https
    'https://app.example.com:8443',
    'https://app.example.com_.evil.example',
    'https://app.example.com`.evil.example',
    "https://app.example.com'.evil.example",
    'https://app.example.com!.evil.example',
    'null',
  ])('gives the page exactly the origin %s, and that is what the server receives', async (origin) => {
    const opened = await browser.open(origin);
    if (!opened.ok) throw new Error(opened.reason);
    try {
      const path = `/reflect`;
      const before = log.length;
      const a = await opened.page.attempt(`${server.url}${path}`);
      expect(a.credentialed.readable).toBe(true);
      const origins = new Set(log.slice(before).map((l) => l.origin));
      expect([...origins]).toEqual([origin]);
    } finally {
      await opened.page.close();
    }
  });

  it.each([
    ['HTTPS://APP.EXAMPLE.COM', /has origin "https:\/\/app\.example\.com"/],
    ['https://app.example.com/', /has origin "https:\/\/app\.example\.com"/],
    ['https://app.example.com*.evil.example', /has origin "https:\/\/app\.example\.com%2A\.evil\.example"/],
    ['https://app.example.com%60.evil.example', /has origin "https:\/\/app\.example\.com`\.evil\.example"/],
    ['https://app.example.com%0b.evil.example', /Chromium refuses the URL/],
  ])('says no page can have the origin %s', async (origin, why) => {
    const opened = await browser.open(origin);
    expect(opened.ok).toBe(false);
    if (!opened.ok) expect(opened.reason).toMatch(why);
  });

  it('resolves no name: a fetch of a public host fails before any connection', async () => {
    const target = 'https://example.com/';
    const a = await evil.attempt(target);
    expect(a.simple.readable).toBe(false);
    expect(evil.console(target).join('\n')).toMatch(/ERR_NAME_NOT_RESOLVED/);
  });
});
