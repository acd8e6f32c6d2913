import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireNginx } from '../../fixtures/ratelimit/require.js';
import {
  rawResponse,
  startBare,
  startCookies,
  startHelmet,
  startLifecycle,
  startMalformed,
  startNginxAudit,
  type AuditServer,
  type NginxAudit,
} from '../../fixtures/audit/servers.js';

/**
 * The audit fixtures say what they claim to (ground truth for the command tests): each one's headers as received
 * by a plain client, and the request log at the server.
 */
const headerOf = (raw: string, name: string): string[] =>
  raw
    .split('\r\n\r\n')[0]!
    .split('\r\n')
    .filter((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`))
    .map((l) => l.slice(name.length + 1).trim());

describe('audit fixtures (node)', () => {
  const servers: AuditServer[] = [];
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
  });
  const start = async (f: () => Promise<AuditServer>): Promise<AuditServer> => {
    const s = await f();
    servers.push(s);
    return s;
  };

  it('helmet: helmet defaults on JSON, no X-Powered-By', async () => {
    const s = await start(startHelmet);
    const raw = await rawResponse(s.url);
    expect(headerOf(raw, 'strict-transport-security')).toEqual(['max-age=31536000; includeSubDomains']);
    expect(headerOf(raw, 'x-frame-options')).toEqual(['SAMEORIGIN']);
    expect(headerOf(raw, 'x-powered-by')).toEqual([]);
    expect(headerOf(raw, 'content-type')).toEqual(['application/json; charset=utf-8']);
    expect(await s.seen()).toEqual([
      { method: 'GET', path: '/v1/me', origin: undefined, credential: false, acrm: undefined },
    ]);
    expect(headerOf(await rawResponse(`${s.base}/v1/private`), 'content-type')).toEqual([
      'application/problem+json; charset=utf-8',
    ]);
  });

  it('bare: X-Powered-By and nothing else', async () => {
    const s = await start(startBare);
    const raw = await rawResponse(s.url);
    expect(headerOf(raw, 'x-powered-by')).toEqual(['Express']);
    expect(headerOf(raw, 'content-security-policy')).toEqual([]);
  });

  it('malformed: two CSP lines, max-age=abc, ALLOWALL, SameSite=Bogus', async () => {
    const s = await start(startMalformed);
    const raw = await rawResponse(s.url);
    expect(headerOf(raw, 'content-security-policy')).toHaveLength(2);
    expect(headerOf(raw, 'strict-transport-security')).toEqual(['max-age=abc']);
    expect(headerOf(raw, 'x-frame-options')).toEqual(['ALLOWALL']);
    expect(headerOf(raw, 'set-cookie')[0]).toContain('SameSite=Bogus');
  });

  it('cookies: five Set-Cookie lines', async () => {
    const s = await start(startCookies);
    expect(headerOf(await rawResponse(s.url), 'set-cookie')).toHaveLength(5);
  });

  it('lifecycle: past, future and soon', async () => {
    const s = await start(startLifecycle);
    expect(headerOf(await rawResponse(`${s.base}/past`), 'sunset')).toEqual([
      'Thu, 31 Dec 2020 23:59:59 GMT',
    ]);
    expect(headerOf(await rawResponse(`${s.base}/future`), 'link')[0]).toContain('successor-version');
    expect(headerOf(await rawResponse(`${s.base}/soon`), 'deprecation')[0]).toMatch(/^@\d+$/);
  });
});

const gate = requireNginx();

describe.skipIf(gate.skip)(`audit fixtures (nginx)${gate.skip ? ` — skipped: ${gate.reason}` : ''}`, () => {
  let nginx: NginxAudit;
  beforeAll(async () => {
    nginx = await startNginxAudit();
  });
  afterAll(() => nginx?.close());

  it('tokens: Server with the version, no security header', async () => {
    const raw = await rawResponse(nginx.tokens.url);
    expect(headerOf(raw, 'server')[0]).toMatch(/^nginx\/\d+\.\d+/);
    expect(headerOf(raw, 'x-content-type-options')).toEqual([]);
    expect(await nginx.tokens.seen()).toEqual([
      { method: 'GET', path: '/tokens', origin: undefined, credential: false, acrm: undefined },
    ]);
  });

  it('owasp: the whole set, Server without a version', async () => {
    const raw = await rawResponse(nginx.owasp.url);
    expect(headerOf(raw, 'server')).toEqual(['nginx']);
    expect(headerOf(raw, 'content-security-policy')).toEqual(["default-src 'none'; frame-ancestors 'none'"]);
    expect(headerOf(raw, 'cross-origin-embedder-policy')).toEqual(['require-corp']);
    expect(headerOf(raw, 'content-type')).toEqual(['application/json; charset=utf-8']);
  });
});
