import type { IncomingHttpHeaders, RequestListener } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/io/system.js';
import { BODY_SAMPLE_BYTES } from '../../src/lib/audit/types.js';
import { AUDIT_MAX_REQUESTS, gatherAuditFacts, type AuditProbeOptions } from '../../src/probes/audit.js';
import { requireOpenssl } from '../fixtures/audit/require-openssl.js';
import {
  makeTestPki,
  MODERN_TLS,
  startHttpsServer,
  startHttpTwin,
  type TestHttpServer,
  type TestHttpsServer,
  type TestPki,
} from '../fixtures/audit/tls.js';
import { clientPool } from '../helpers/http-client.js';

/**
 * src/probes/audit.ts against real servers on 127.0.0.1: an https server with a certificate made by openssl,
 * its plain-http twin, counted at the servers with every request's headers recorded.
 */
const gate = requireOpenssl();
const TOKEN = 'Bearer s3cret-token-value';

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
}

/** A handler that records what it got: 204 + CORS headers for OPTIONS, the JSON body (or `big`) otherwise. */
function recording(seen: Seen[], extra: Record<string, string> = {}, big = 0): RequestListener {
  return (req, res) => {
    seen.push({ method: req.method!, url: req.url!, headers: req.headers });
    if (req.method === 'OPTIONS') {
      res.writeHead(204, { 'access-control-allow-origin': 'https://app.example.com', vary: 'Origin' });
      res.end();
      return;
    }
    const body = big > 0 ? 'x'.repeat(big) : '{"ok":true}';
    res.writeHead(200, {
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(body)),
      'strict-transport-security': 'max-age=63072000',
      'set-cookie': ['sid=abc; Secure; HttpOnly', 'theme=dark'],
      ...extra,
    });
    res.end(body);
  };
}

describe.skipIf(gate.skip)(
  `audit facts, live (src/probes/audit.ts)${gate.skip ? ` — ${gate.reason}` : ''}`,
  () => {
    let pki: TestPki;
    let https: TestHttpsServer;
    let twin: TestHttpServer;
    const seen: Seen[] = [];
    const twinSeen: Seen[] = [];
    const pool = clientPool();
    beforeAll(async () => {
      pki = makeTestPki({ days: 10 });
      https = await startHttpsServer({ cert: pki.leaf, ...MODERN_TLS, handler: recording(seen) });
      twin = await startHttpTwin({
        handler: (req, res) => {
          twinSeen.push({ method: req.method!, url: req.url!, headers: req.headers });
          res.writeHead(301, { location: `https://127.0.0.1:${https.port}${req.url}` });
          res.end();
        },
      });
    });
    afterEach(async () => {
      seen.length = 0;
      twinSeen.length = 0;
      await pool.closeAll();
    });
    afterAll(async () => {
      await Promise.all([https?.close(), twin?.close()]);
      pki?.cleanup();
    });

    const base = (over: Partial<AuditProbeOptions> = {}): AuditProbeOptions => ({
      url: `${https.url}v1/items?x=1`,
      headers: { authorization: TOKEN, 'x-trace': 'on' },
      assumeHttps: false,
      httpUrl: `${twin.url}v1/items?x=1`,
      ca: [pki.caPem],
      timeoutMs: 5000,
      durationMs: 30_000,
      ...over,
    });
    const deps = (ca = true) => ({ client: pool.make(ca ? { ca: [pki.caPem] } : {}), clock: systemClock });

    it('an https URL: the GET with the credential, a preflight and the http twin without it, TLS per version', async () => {
      const lines: string[] = [];
      const got = await gatherAuditFacts(base(), { ...deps(), onProgress: (l) => lines.push(l) });
      expect(got.error).toBeNull();
      const facts = got.facts!;
      expect(facts).toMatchObject({
        url: `${https.url}v1/items?x=1`,
        source: 'live',
        authenticated: true,
        assumeHttps: false,
        requests: AUDIT_MAX_REQUESTS,
        response: { method: 'GET', status: 200, body: '{"ok":true}', bodyBytes: 11 },
      });
      expect(facts.response.headers['set-cookie']).toEqual(['sid=abc; Secure; HttpOnly', 'theme=dark']);
      expect(facts.response.headers['strict-transport-security']).toEqual(['max-age=63072000']);

      // Counted at the servers: two requests on https, one on the twin.
      expect(seen.map((s) => `${s.method} ${s.url}`)).toEqual(['GET /v1/items?x=1', 'OPTIONS /v1/items?x=1']);
      expect(twinSeen.map((s) => `${s.method} ${s.url}`)).toEqual(['GET /v1/items?x=1']);
      const [get, preflight] = seen;
      expect(get!.headers).toMatchObject({ authorization: TOKEN, 'x-trace': 'on' });
      expect(get!.headers.origin).toBeUndefined();
      expect(preflight!.headers).toMatchObject({
        origin: 'https://apikit-audit.invalid',
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'authorization',
        'x-trace': 'on',
      });
      expect(preflight!.headers.authorization).toBeUndefined();
      expect(twinSeen[0]!.headers.authorization).toBeUndefined();

      expect(facts.cors).toMatchObject({
        origin: 'https://apikit-audit.invalid',
        preflight: { method: 'OPTIONS', status: 204 },
      });
      expect(facts.cors!.preflight!.headers['access-control-allow-origin']).toEqual([
        'https://app.example.com',
      ]);
      expect(facts.redirect).toEqual({
        url: `${twin.url}v1/items?x=1`,
        status: 301,
        location: `https://127.0.0.1:${https.port}/v1/items?x=1`,
      });
      expect(facts.tls!.protocols.map((p) => [p.version, p.accepted])).toEqual([
        ['TLSv1', false],
        ['TLSv1.1', false],
        ['TLSv1.2', true],
        ['TLSv1.3', true],
      ]);
      expect(facts.tls).toMatchObject({ host: '127.0.0.1', port: https.port, authorized: true });
      expect(facts.tls!.chain[0]!.validTo).toBe(pki.leaf.notAfter.toISOString());
      expect(got.skipped).toEqual([]);
      expect(lines.join('\n')).not.toContain('s3cret');
      expect(lines[0]).toBe(`GET ${https.url}v1/items?x=1: 200`);
    });

    it('the body is sampled to BODY_SAMPLE_BYTES; bodyBytes says how long it was', async () => {
      const big = await startHttpsServer({
        cert: pki.leaf,
        handler: recording([], {}, BODY_SAMPLE_BYTES * 2),
      });
      try {
        const got = await gatherAuditFacts(base({ url: big.url, only: 'main' }), deps());
        expect(got.facts!.response.body).toHaveLength(BODY_SAMPLE_BYTES);
        expect(got.facts!.response.bodyBytes).toBe(BODY_SAMPLE_BYTES * 2);
        expect(big.requests).toBe(1);
        expect(got.facts!.requests).toBe(1);
        expect(got.facts!.tls).toBeUndefined();
      } finally {
        await big.close();
      }
    });

    it('a certificate the client does not trust fails the GET (exit 3); the TLS facts say why; nothing else sent', async () => {
      const got = await gatherAuditFacts(base(), deps(false));
      expect(got.facts).toBeNull();
      if (got.facts !== null) return;
      expect(got.error.code).toBe('ERR_HTTP_TRANSPORT');
      expect(got.partial.tls).toMatchObject({ authorized: true });
      // The probe's own handshakes trust --ca; the client was built without it: the GET failed, the facts still tell.
      const untrusted = await gatherAuditFacts(base({ ca: [] }), deps(false));
      expect(untrusted.facts).toBeNull();
      if (untrusted.facts !== null) return;
      expect(untrusted.partial.tls).toMatchObject({
        authorized: false,
        authorizationError: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
      });
      expect(seen).toEqual([]);
      expect(twinSeen).toEqual([]);
      expect(untrusted.partial.requests).toBe(1);
    });

    it('a loopback http URL: the GET and the preflight only, no twin, no TLS', async () => {
      const plainSeen: Seen[] = [];
      const plain = await startHttpTwin({ handler: recording(plainSeen) });
      try {
        const got = await gatherAuditFacts(base({ url: plain.url, assumeHttps: true }), deps());
        expect(got.facts).toMatchObject({ assumeHttps: true, requests: 2, response: { status: 200 } });
        expect(got.facts!.redirect).toBeUndefined();
        expect(got.facts!.tls).toBeUndefined();
        expect(plainSeen.map((s) => s.method)).toEqual(['GET', 'OPTIONS']);
        expect(twinSeen).toEqual([]);
      } finally {
        await plain.close();
      }
    });

    it('connection refused on the GET: exit-3 error, no facts, nothing else tried', async () => {
      const gone = await startHttpTwin({});
      await gone.close();
      const got = await gatherAuditFacts(base({ url: gone.url }), deps());
      expect(got.facts).toBeNull();
      expect(got.error).toMatchObject({
        code: 'ERR_HTTP_TRANSPORT',
        message: expect.stringContaining('connection refused'),
      });
    });

    it('a failing preflight and an unreachable twin are facts, not failures', async () => {
      const rude = await startHttpsServer({
        cert: pki.leaf,
        handler: (req, res) => {
          if (req.method === 'OPTIONS') req.socket.destroy();
          else recording([])(req, res);
        },
      });
      const gone = await startHttpTwin({});
      await gone.close();
      try {
        const got = await gatherAuditFacts(base({ url: rude.url, httpUrl: gone.url }), deps());
        expect(got.error).toBeNull();
        expect(got.facts!.cors!.preflight).toBeUndefined();
        expect(got.facts!.cors!.error).toMatch(/OPTIONS 127\.0\.0\.1:\d+: connection reset/);
        expect(got.facts!.redirect).toMatchObject({
          url: gone.url,
          error: expect.stringContaining('connection refused'),
        });
        expect(got.facts!.redirect!.status).toBeUndefined();
        expect(got.facts!.tls!.authorized).toBe(true);
        expect(rude.requests).toBe(2);
      } finally {
        await rude.close();
      }
    });

    it('a request budget of 1: the GET only; what was skipped is said', async () => {
      const got = await gatherAuditFacts(base({ maxRequests: 1 }), deps());
      expect(got.facts!.requests).toBe(1);
      expect(seen.map((s) => s.method)).toEqual(['GET']);
      expect(twinSeen).toEqual([]);
      expect(got.facts!.cors).toEqual({
        origin: 'https://apikit-audit.invalid',
        error: 'not sent (request budget)',
      });
      expect(got.skipped).toEqual([
        'CORS preflight: not sent (request budget)',
        'http redirect: not checked (request budget)',
      ]);
      // Handshakes are not requests: the TLS facts are still there.
      expect(got.facts!.tls!.authorized).toBe(true);
    });

    it('a custom credential header stays off the preflight and the twin, and is named in the preflight', async () => {
      const got = await gatherAuditFacts(
        base({ headers: { 'x-token': 'tok-123456' }, credentialHeaders: ['X-Token'] }),
        deps(),
      );
      expect(got.facts!.authenticated).toBe(true);
      expect(seen[0]!.headers['x-token']).toBe('tok-123456');
      expect(seen[1]!.headers['x-token']).toBeUndefined();
      expect(seen[1]!.headers['access-control-request-headers']).toBe('x-token');
      expect(twinSeen[0]!.headers['x-token']).toBeUndefined();
    });

    it('unauthenticated: no Access-Control-Request-Headers; -X POST asked about in the preflight', async () => {
      const got = await gatherAuditFacts(base({ headers: {}, method: 'post' }), deps());
      expect(got.facts!.authenticated).toBe(false);
      expect(seen.map((s) => s.method)).toEqual(['POST', 'OPTIONS']);
      expect(seen[1]!.headers['access-control-request-method']).toBe('POST');
      expect(seen[1]!.headers['access-control-request-headers']).toBeUndefined();
    });

    it('header names that are Object.prototype`s own stay headers', async () => {
      const odd = await startHttpsServer({
        cert: pki.leaf,
        handler: recording([], { constructor: 'x', __proto__: 'y', tostring: 'z' } as Record<string, string>),
      });
      try {
        const got = await gatherAuditFacts(base({ url: odd.url, only: 'main' }), deps());
        expect(got.facts!.response.headers['constructor']).toEqual(['x']);
        expect(got.facts!.response.headers['tostring']).toEqual(['z']);
      } finally {
        await odd.close();
      }
    });

    describe('a server that never answers', () => {
      let hang: TestHttpServer;
      beforeAll(async () => {
        hang = await startHttpTwin({ handler: () => undefined });
      });
      afterAll(() => hang.close());

      it('the deadline ends the GET: an exit-3 error that says so', async () => {
        const got = await gatherAuditFacts(
          base({ url: hang.url, durationMs: 200, timeoutMs: 60_000 }),
          deps(),
        );
        expect(got.facts).toBeNull();
        expect(got.error).toMatchObject({ code: 'ERR_AUDIT_DEADLINE' });
        expect(got.stopped).toBe('deadline');
        expect(hang.requests).toBe(1);
      });

      it('Ctrl-C during the GET throws InterruptedError (exit 130)', async () => {
        const ac = new AbortController();
        const before = hang.requests;
        const run = gatherAuditFacts(base({ url: hang.url }), { ...deps(), signal: ac.signal });
        await expect.poll(() => hang.requests - before).toBe(1);
        ac.abort();
        await expect(run).rejects.toMatchObject({ code: 'ERR_INTERRUPTED', exitCode: 130 });
      });
    });
  },
);
