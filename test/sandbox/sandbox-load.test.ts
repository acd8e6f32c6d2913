import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import autocannon from 'autocannon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import { startSandboxBin, type SandboxProcess } from './harness.js';

/**
 * The sandbox under load and abuse, as a user runs it (the built CLI, a child process): 50 concurrent connections
 * for 10 s (autocannon) get only 200s and 429s; the process's memory stays bounded; malformed requests — huge
 * headers, bad JSON, wrong methods, garbage on the socket — get a 4xx, never a 5xx, and the API answers after.
 */
let sandbox: SandboxProcess;
let key: string;
const t = tempDir('apikit-sandbox-load-');

beforeAll(async () => {
  sandbox = await startSandboxBin(t.dir, ['--quiet']);
  key = readFileSync(sandbox.info.api_key_file, 'utf8').trim();
}, 60_000);
afterAll(async () => {
  await sandbox?.stop('SIGKILL');
  t.cleanup();
});

/** The child's resident set in MiB (Linux /proc). */
function rssMiB(pid: number): number {
  const kb = Number(/^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
  return kb / 1024;
}

/** Sends raw bytes and returns the status line the server answered with ('' when it just closed). */
function raw(url: string, bytes: string | Buffer): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let got = '';
    socket.setTimeout(10_000, () => socket.destroy(new Error('raw request timed out')));
    socket.on('data', (c: Buffer) => (got += c.toString('latin1')));
    socket.on('error', (err) =>
      (err as NodeJS.ErrnoException).code === 'ECONNRESET'
        ? resolve(got.split('\r\n')[0] ?? '')
        : reject(err),
    );
    socket.on('close', () => resolve(got.split('\r\n')[0] ?? ''));
    socket.end(bytes);
  });
}

describe('apikit sandbox under load and abuse', () => {
  it('50 connections for 10 s: only 200 and 429, memory bounded', async () => {
    const pid = sandbox.bin.child.pid!;
    const before = rssMiB(pid);
    const statuses = new Map<number, number>();
    const instance = autocannon({
      url: `${sandbox.info.api_url}/v1/posts`,
      connections: 50,
      duration: 10,
      headers: { 'x-api-key': key },
      timeout: 10,
    });
    instance.on('response', (_client: unknown, status: number) =>
      statuses.set(status, (statuses.get(status) ?? 0) + 1),
    );
    const result = await instance;
    const after = rssMiB(pid);
    expect(result.errors).toBe(0);
    expect(result.timeouts).toBe(0);
    expect([...statuses.keys()].sort()).toEqual([200, 429]);
    expect(statuses.get(429)!).toBeGreaterThan(statuses.get(200)!);
    // Bounded: the limiter's map and the posts store do not grow with the request count.
    expect(after).toBeLessThan(400);
    expect(after - before).toBeLessThan(150);
  }, 60_000);

  it.each([
    [
      'a 64 KiB header',
      (host: string) => `GET /v1/posts HTTP/1.1\r\nHost: ${host}\r\nX-Big: ${'a'.repeat(65_536)}\r\n\r\n`,
      /^HTTP\/1\.1 431 /,
    ],
    ['not HTTP at all', () => 'HELLO THERE\r\n\r\n', /^HTTP\/1\.1 400 /],
    [
      'a bad Content-Length',
      (host: string) => `POST /v1/posts HTTP/1.1\r\nHost: ${host}\r\nContent-Length: nope\r\n\r\n`,
      /^HTTP\/1\.1 400 /,
    ],
  ])('%s on the socket: a 4xx, not a crash', async (_name, bytes, want) => {
    const host = new URL(sandbox.info.api_url).host;
    expect(await raw(sandbox.info.api_url, bytes(host))).toMatch(want);
  });

  it.each([
    ['POST bad JSON', 'POST', '{"title": ', 'application/json'],
    ['POST a JSON array', 'POST', '[1,2,3]', 'application/json'],
    ['POST text/plain', 'POST', 'hello', 'text/plain'],
    ['PATCH (not allowed)', 'PATCH', '{}', 'application/json'],
    ['PUT (not allowed)', 'PUT', '{}', 'application/json'],
    [
      'POST 2 MiB',
      'POST',
      JSON.stringify({ title: 'x', body: 'y'.repeat(2 * 1024 * 1024) }),
      'application/json',
    ],
  ])('%s: a 4xx problem+json, never a 5xx', async (_name, method, body, type) => {
    // Let the key's bucket refill from the load test first (bounded wait).
    let res: Response | undefined;
    for (let i = 0; i < 20; i++) {
      res = await fetch(`${sandbox.info.api_url}/v1/posts`, {
        method,
        headers: { 'x-api-key': key, 'content-type': type },
        body,
        signal: AbortSignal.timeout(10_000),
      });
      if (res.status !== 429) break;
      await res.arrayBuffer();
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(res!.status).toBeGreaterThanOrEqual(400);
    expect(res!.status).toBeLessThan(500);
    expect(res!.status).not.toBe(429);
    expect(res!.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    await res!.arrayBuffer();
  });

  it('still answers after all that', async () => {
    const res = await fetch(`${sandbox.info.api_url}/v1/posts`, { signal: AbortSignal.timeout(10_000) });
    expect(res.status).toBe(401);
    await res.arrayBuffer();
  });
});
