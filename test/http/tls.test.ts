import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { probeTls, tlsHandshake, trustStore } from '../../src/http/tls.js';
import { rootCertificates } from 'node:tls';
import { requireOpenssl } from '../fixtures/audit/require-openssl.js';
import {
  LEGACY_TLS,
  makeTestPki,
  MODERN_TLS,
  startHttpsServer,
  type TestHttpsServer,
  type TestPki,
} from '../fixtures/audit/tls.js';
import { clientPool } from '../helpers/http-client.js';

/** src/http/tls.ts against real https servers on 127.0.0.1 with certificates made by openssl in the test. */
const gate = requireOpenssl();

/** A TCP server that accepts and never says a word: a handshake to it can only time out. Counts connections. */
async function silentServer(): Promise<{ port: number; connections: () => number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  let connections = 0;
  const server: Server = createServer((s) => {
    connections++;
    sockets.add(s);
    s.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    connections: () => connections,
    close: () =>
      new Promise((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

/** A port nothing listens on (bound, then closed). */
async function closedPort(): Promise<number> {
  const s = await silentServer();
  await s.close();
  return s.port;
}

describe.skipIf(gate.skip)(`TLS facts (src/http/tls.ts)${gate.skip ? ` — ${gate.reason}` : ''}`, () => {
  let pki: TestPki;
  const servers: TestHttpsServer[] = [];
  let modern: TestHttpsServer;
  let legacy: TestHttpsServer;
  beforeAll(async () => {
    pki = makeTestPki({ days: 10 });
    modern = await startHttpsServer({ cert: pki.leaf, ...MODERN_TLS });
    legacy = await startHttpsServer({ cert: pki.leaf, ...LEGACY_TLS });
    servers.push(modern, legacy);
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
    pki?.cleanup();
  });
  const start = async (cert: { certPem: string; keyPem: string }): Promise<TestHttpsServer> => {
    const s = await startHttpsServer({ cert, ...MODERN_TLS });
    servers.push(s);
    return s;
  };

  it('a TLS 1.2+ server: 1.0 and 1.1 refused, 1.2 and 1.3 accepted, one handshake each, no request', async () => {
    const before = { handshakes: modern.handshakes, tlsErrors: modern.tlsErrors };
    const facts = await probeTls({
      host: '127.0.0.1',
      port: modern.port,
      ca: [pki.caPem],
      connectTimeoutMs: 5000,
    });
    expect(facts.protocols.map((p) => [p.version, p.accepted])).toEqual([
      ['TLSv1', false],
      ['TLSv1.1', false],
      ['TLSv1.2', true],
      ['TLSv1.3', true],
    ]);
    expect(facts.protocols[0]!.error).toBe('tlsv1 alert protocol version');
    expect(facts.protocols[3]!.cipher).toBe('TLS_AES_256_GCM_SHA384');
    expect(facts.protocols[2]!.cipher).toMatch(/^TLS_ECDHE_ECDSA_WITH_/);
    expect(facts).toMatchObject({ host: '127.0.0.1', port: modern.port, authorized: true });
    expect(facts.authorizationError).toBeUndefined();
    expect(modern.handshakes - before.handshakes).toBe(2);
    expect(modern.tlsErrors - before.tlsErrors).toBe(2);
    expect(modern.requests).toBe(0);
  });

  it('a server that also accepts TLS 1.0 is seen to accept every version', async () => {
    const before = legacy.handshakes;
    const facts = await probeTls({
      host: '127.0.0.1',
      port: legacy.port,
      ca: [pki.caPem],
      connectTimeoutMs: 5000,
    });
    expect(facts.protocols.map((p) => [p.version, p.accepted])).toEqual([
      ['TLSv1', true],
      ['TLSv1.1', true],
      ['TLSv1.2', true],
      ['TLSv1.3', true],
    ]);
    expect(facts.protocols[0]!.cipher).toMatch(/^TLS_ECDHE_ECDSA_WITH_AES_\d+_CBC_SHA$/);
    expect(legacy.handshakes - before).toBe(4);
  });

  it('the certificate chain: leaf first, dates, names, fingerprint; the CA from --ca completes it', async () => {
    const facts = await probeTls({
      host: '127.0.0.1',
      port: modern.port,
      ca: [pki.caPem],
      connectTimeoutMs: 5000,
    });
    const [leaf, ca] = facts.chain;
    expect(leaf).toMatchObject({
      subject: 'CN=127.0.0.1',
      issuer: `CN=${pki.caSubject}`,
      validFrom: pki.leaf.notBefore.toISOString(),
      validTo: pki.leaf.notAfter.toISOString(),
      subjectAltNames: ['127.0.0.1', 'localhost'],
      selfSigned: false,
    });
    expect(leaf!.fingerprint256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(ca).toMatchObject({ subject: `CN=${pki.caSubject}`, selfSigned: true });
    expect(facts.chain).toHaveLength(2);
  });

  it.each([
    ['no --ca: the test CA is not a system root', 'none', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'],
    ['an expired leaf', 'expired', 'CERT_HAS_EXPIRED'],
    ['a self-signed leaf', 'self', 'DEPTH_ZERO_SELF_SIGNED_CERT'],
    ['a leaf for another host name', 'other-host', 'ERR_TLS_CERT_ALTNAME_INVALID'],
  ] as const)('not authorized: %s', async (_name, kind, code) => {
    const cert =
      kind === 'expired'
        ? pki.issue({
            notBefore: new Date('2024-01-01T00:00:00Z'),
            notAfter: new Date('2024-02-01T00:00:00Z'),
          })
        : kind === 'self'
          ? pki.issue({ selfSigned: true })
          : kind === 'other-host'
            ? pki.issue({ hosts: ['api.example.test'] })
            : pki.leaf;
    const server = await start(cert);
    const facts = await probeTls({
      host: '127.0.0.1',
      port: server.port,
      ...(kind === 'none' ? {} : { ca: [pki.caPem] }),
      connectTimeoutMs: 5000,
      versions: ['TLSv1.3'],
    });
    expect(facts.protocols).toEqual([
      { version: 'TLSv1.3', accepted: true, cipher: 'TLS_AES_256_GCM_SHA384' },
    ]);
    expect(facts.authorized).toBe(false);
    expect(facts.authorizationError).toBe(code);
    expect(facts.chain[0]!.selfSigned).toBe(kind === 'self');
    if (kind === 'expired') expect(facts.chain[0]!.validTo).toBe('2024-02-01T00:00:00.000Z');
    expect(server.handshakes).toBe(1);
  });

  it('a host name is checked against the certificate and sent as SNI', async () => {
    const facts = await probeTls({
      host: 'localhost',
      port: modern.port,
      ca: [pki.caPem],
      connectTimeoutMs: 5000,
      versions: ['TLSv1.2'],
    });
    // localhost may resolve to ::1 first on some systems; the fixture listens on 127.0.0.1 only.
    if (facts.protocols[0]!.accepted) expect(facts.authorized).toBe(true);
    else expect(facts.protocols[0]!.error).toBe('connection refused');
  });

  it('connection refused: one attempt, every version refused with that reason, no chain', async () => {
    const port = await closedPort();
    const facts = await probeTls({ host: '127.0.0.1', port, connectTimeoutMs: 5000 });
    expect(facts.protocols.every((p) => !p.accepted && p.error === 'connection refused')).toBe(true);
    expect(facts).toMatchObject({ authorized: false, chain: [] });
    expect(facts.authorizationError).toBeUndefined();
  });

  describe('a server that never answers', () => {
    let silent: Awaited<ReturnType<typeof silentServer>>;
    beforeAll(async () => {
      silent = await silentServer();
    });
    afterAll(() => silent.close());

    it('each handshake ends at the connect timeout, as a refusal that says so', async () => {
      const before = silent.connections();
      const facts = await probeTls({
        host: '127.0.0.1',
        port: silent.port,
        connectTimeoutMs: 150,
        versions: ['TLSv1.2', 'TLSv1.3'],
      });
      expect(facts.protocols).toEqual([
        { version: 'TLSv1.2', accepted: false, error: 'timed out after 150 ms' },
        { version: 'TLSv1.3', accepted: false, error: 'timed out after 150 ms' },
      ]);
      expect(silent.connections() - before).toBe(2);
    });

    it('an abort ends the handshake in flight and rejects with the reason; nothing more is tried', async () => {
      const before = silent.connections();
      const ac = new AbortController();
      const run = probeTls({
        host: '127.0.0.1',
        port: silent.port,
        connectTimeoutMs: 60_000,
        signal: ac.signal,
      });
      await expect.poll(() => silent.connections() - before).toBe(1);
      ac.abort(new Error('stop here'));
      await expect(run).rejects.toThrow('stop here');
      expect(silent.connections() - before).toBe(1);
    });

    it('an aborted signal makes no connection at all', async () => {
      const before = silent.connections();
      const ac = new AbortController();
      ac.abort();
      await expect(
        tlsHandshake({ host: '127.0.0.1', port: silent.port, connectTimeoutMs: 1000, signal: ac.signal }),
      ).rejects.toThrow();
      expect(silent.connections()).toBe(before);
    });
  });

  it('trustStore adds --ca to the system roots (Node`s `ca` alone would replace them)', () => {
    expect(trustStore(undefined)).toBeUndefined();
    expect(trustStore([])).toBeUndefined();
    const store = trustStore([pki.caPem])!;
    expect(store).toHaveLength(rootCertificates.length + 1);
    expect(store.at(-1)).toBe(pki.caPem);
  });

  describe('the HTTP client`s `ca` option', () => {
    const pool = clientPool();
    afterEach(() => pool.closeAll());

    it('trusts the CA given and still the system roots', async () => {
      const before = modern.requests;
      const res = await pool.make({ ca: [pki.caPem] }).request({ url: modern.url });
      expect(res.status).toBe(200);
      expect(res.text()).toBe('{"ok":true}');
      expect(modern.requests - before).toBe(1);
    });

    it('without it the test CA is not trusted: a network error (exit 3), no request reaches the server', async () => {
      const before = modern.requests;
      const err = await pool
        .make()
        .request({ url: modern.url })
        .catch((e: unknown) => e);
      expect(err).toMatchObject({ exitCode: 3, code: 'ERR_HTTP_TRANSPORT' });
      expect(modern.requests - before).toBe(0);
    });
  });
});
