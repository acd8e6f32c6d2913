import { Agent, createServer, request } from 'node:http';
import { once } from 'node:events';
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  isListenError,
  serverUrl,
  startServer,
  type RequestHandler,
  type RunningServer,
  type ServerOptions,
} from '../../src/server/loopback-server.js';

/**
 * The loopback server helper on its own: where it listens, that close() never hangs (idle keep-alive sockets,
 * requests in flight, a second call, the user's interrupt), and that a bind failure is a usage error naming
 * host:port. Every server here binds loopback on an ephemeral port and is closed after its test.
 */
const started: RunningServer[] = [];

afterEach(async () => {
  await Promise.all(started.splice(0).map((s) => s.close()));
});

const hello: RequestHandler = (_req, res) => {
  res.end('hello');
};

async function start(options: Partial<ServerOptions> = {}): Promise<RunningServer> {
  const s = await startServer({ handler: hello, ...options });
  started.push(s);
  return s;
}

interface Got {
  status: number;
  body: string;
  socket: Socket;
}

/**
 * One request with node:http, bounded by a timeout. A fresh connection each time (Node's global agent would
 * reuse one) unless a keep-alive `agent` is given.
 */
function get(host: string, port: number, path = '/', agent?: Agent): Promise<Got> {
  return new Promise((resolve, reject) => {
    let socket!: Socket;
    const req = request({ host, port, path, agent: agent ?? false, timeout: 5000 }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, socket }));
    });
    req.on('socket', (s) => (socket = s));
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

async function ipv6Available(): Promise<boolean> {
  const probe = createServer();
  try {
    await new Promise<void>((resolve, reject) => {
      probe.once('error', reject);
      probe.listen(0, '::1', () => resolve());
    });
    return true;
  } catch {
    return false;
  } finally {
    probe.close();
  }
}
const IPV6 = await ipv6Available();

describe('startServer', () => {
  it('binds 127.0.0.1 by default, not a wildcard: another loopback address is refused', async () => {
    const s = await start();
    expect(s.host).toBe('127.0.0.1');
    expect(s.url).toBe(`http://127.0.0.1:${s.port}`);
    expect(await get('127.0.0.1', s.port)).toMatchObject({ status: 200, body: 'hello' });
    // 127.0.0.2 is loopback too; a server bound to 0.0.0.0 would answer there.
    await expect(get('127.0.0.2', s.port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('port 0 gives a free ephemeral port, a different one each time', async () => {
    const a = await start();
    const b = await start({ port: 0 });
    expect(a.port).toBeGreaterThan(0);
    expect(b.port).toBeGreaterThan(0);
    expect(a.port).not.toBe(b.port);
    expect((await get('127.0.0.1', b.port)).status).toBe(200);
  });

  it.skipIf(!IPV6)('binds an IPv6 loopback address when asked; the URL brackets it', async () => {
    const s = await start({ host: '::1' });
    expect(s.url).toBe(`http://[::1]:${s.port}`);
    expect((await get('::1', s.port)).body).toBe('hello');
  });

  it('close() resolves with an idle keep-alive connection open, and closes that connection', async () => {
    // A grace period far beyond the test timeout: only closing idle connections can let close() resolve.
    const s = await start({ closeGraceMs: 10 * 60_000 });
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const got = await get('127.0.0.1', s.port, '/', agent);
      expect(got.status).toBe(200);
      // Back in the agent's pool, open and idle.
      await new Promise((resolve) => setImmediate(resolve));
      expect(got.socket.destroyed).toBe(false);
      const closed = once(got.socket, 'close');
      await s.close();
      await closed;
    } finally {
      agent.destroy();
    }
  });

  it('close() cuts a request still in flight after the grace period', async () => {
    let arrived!: () => void;
    const inFlight = new Promise<void>((resolve) => (arrived = resolve));
    // Never answers, like a login page held open while the code is exchanged.
    const s = await start({ closeGraceMs: 0, handler: () => arrived() });
    const pending = get('127.0.0.1', s.port, '/hold');
    await inFlight;
    await s.close();
    await expect(pending).rejects.toThrow(/socket hang up|ECONNRESET/);
  });

  it('close() is idempotent: every call returns the same promise, and resolves', async () => {
    const s = await start();
    const first = s.close();
    expect(s.close()).toBe(first);
    await first;
    await s.close();
    expect(s.server.listening).toBe(false);
  });

  it('closes itself when the signal aborts', async () => {
    const ctl = new AbortController();
    const s = await start({ signal: ctl.signal });
    expect((await get('127.0.0.1', s.port)).status).toBe(200);
    const closed = once(s.server, 'close');
    ctl.abort();
    expect(s.server.listening).toBe(false);
    await closed;
    await expect(get('127.0.0.1', s.port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('an already aborted signal: it never listens, and says interrupted (exit 130)', async () => {
    const ctl = new AbortController();
    ctl.abort();
    await expect(startServer({ handler: hello, signal: ctl.signal })).rejects.toMatchObject({
      code: 'ERR_INTERRUPTED',
      exitCode: 130,
    });
  });

  it('a port already in use is a usage error (exit 2) naming host:port', async () => {
    const s = await start();
    const err: unknown = await startServer({ handler: hello, port: s.port }).catch((e: unknown) => e);
    expect(err).toMatchObject({
      name: 'ListenError',
      code: 'ERR_SERVER_LISTEN',
      exitCode: 2,
      reason: 'EADDRINUSE',
      host: '127.0.0.1',
      port: s.port,
      message: `cannot listen on 127.0.0.1:${s.port}: the port is already in use`,
      hint: expect.stringMatching(/port 0/),
    });
    expect(isListenError(err)).toBe(true);
    expect((err as Error).cause).toMatchObject({ code: 'EADDRINUSE' });
  });

  it.skipIf(!IPV6)('an IPv6 host in the error is bracketed', async () => {
    const s = await start({ host: '::1' });
    await expect(startServer({ handler: hello, host: '::1', port: s.port })).rejects.toMatchObject({
      message: `cannot listen on [::1]:${s.port}: the port is already in use`,
    });
  });

  it('an address this machine does not have is a usage error too', async () => {
    // 192.0.2.0/24 is TEST-NET-1 (RFC 5737): never assigned, so the bind fails and nothing is exposed.
    await expect(startServer({ handler: hello, host: '192.0.2.1' })).rejects.toMatchObject({
      code: 'ERR_SERVER_LISTEN',
      exitCode: 2,
      reason: 'EADDRNOTAVAIL',
      message: 'cannot listen on 192.0.2.1:0: the address is not available on this machine',
    });
  });

  it('other errors are not mistaken for listen errors', () => {
    expect(isListenError(new Error('x'))).toBe(false);
    expect(isListenError({ code: 'ERR_SERVER_LISTEN' })).toBe(false);
  });

  it.each<{ name: string; handler: RequestHandler }>([
    {
      name: 'throws',
      handler: () => {
        throw new Error('boom');
      },
    },
    { name: 'rejects', handler: async () => Promise.reject(new Error('boom')) },
  ])('a handler that $name gets a 500 and is reported, and the server goes on', async ({ handler }) => {
    const errors: unknown[] = [];
    const s = await start({ handler, onError: (e) => errors.push(e) });
    expect(await get('127.0.0.1', s.port)).toMatchObject({ status: 500, body: 'internal error\n' });
    expect(await get('127.0.0.1', s.port)).toMatchObject({ status: 500 });
    expect(errors).toHaveLength(2);
    expect(errors[0]).toMatchObject({ message: 'boom' });
  });
});

describe('serverUrl', () => {
  it.each([
    ['127.0.0.1', 8080, 'http://127.0.0.1:8080'],
    ['localhost', 3000, 'http://localhost:3000'],
    ['::1', 8080, 'http://[::1]:8080'],
    // A wildcard bind is reached from this machine over loopback.
    ['0.0.0.0', 8080, 'http://127.0.0.1:8080'],
    ['::', 8080, 'http://[::1]:8080'],
  ])('%s:%i → %s', (host, port, want) => expect(serverUrl(host, port)).toBe(want));
});
