import { connect } from 'node:net';
import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RateLimitReport } from '../../../src/lib/ratelimit/types.js';
import { runCli } from '../../helpers/cli.js';
import { startTinyLimiter, type TinyLimiter } from './tiny-limiter.js';

/**
 * What `apikit probe ratelimit` sends, as the server saw it: the method, the body, -H lines and the API
 * credential on every request (redacted in --verbose), and the warning for plain http beyond loopback.
 */
let server: TinyLimiter;
beforeAll(async () => (server = await startTinyLimiter({ unlimited: true })));
afterAll(() => server.close());

const TOKEN = 'tok-9f8e7d6c5b4a39281706';
const env = { API_TOKEN: TOKEN, BASIC: 'probe-user:pa55-w0rd-long-enough', KEY: 'key-0123456789abcdef' };
const SMALL = ['--max-requests', '4', '--duration', '5s'];

/** Runs a probe and returns the requests the server got for it. */
async function probe(argv: string[], extra: Parameters<typeof runCli>[1] = {}) {
  const before = server.seen.length;
  const r = await runCli(['probe', 'ratelimit', ...argv, ...SMALL], { env, ...extra });
  return { r, seen: server.seen.slice(before) };
}

describe('probe ratelimit: what reaches the server', () => {
  it.each([
    { flags: ['--bearer-env', 'API_TOKEN'], header: 'authorization', value: `Bearer ${TOKEN}` },
    {
      flags: ['--basic-env', 'BASIC'],
      header: 'authorization',
      value: `Basic ${Buffer.from(env.BASIC).toString('base64')}`,
    },
    { flags: ['--api-key-env', 'KEY'], header: 'x-api-key', value: env.KEY },
    { flags: ['--api-key-env', 'KEY', '--api-key-header', 'X-Key'], header: 'x-key', value: env.KEY },
    { flags: ['-H', 'X-Probe: yes', '-H', 'Accept: text/plain'], header: 'x-probe', value: 'yes' },
  ])('$flags → $header on every request', async ({ flags, header, value }) => {
    const { r, seen } = await probe([server.url, ...flags]);
    expect(r.code, r.stderr).toBe(0);
    expect(seen).toHaveLength(4);
    for (const s of seen) expect(s.headers[header]).toBe(value);
    expect(r.stdout + r.stderr).not.toContain(TOKEN);
  });

  it('--verbose traces every request with the bearer token redacted', async () => {
    const { r, seen } = await probe([server.url, '--bearer-env', 'API_TOKEN', '--verbose']);
    expect(r.code, r.stderr).toBe(0);
    expect(seen.every((s) => s.headers.authorization === `Bearer ${TOKEN}`)).toBe(true);
    expect(r.stderr.match(/^> GET http:\/\/127\.0\.0\.1/gm)).toHaveLength(4);
    expect(r.stderr).toMatch(/^> authorization: /m);
    expect(r.stderr).not.toContain(TOKEN);
    expect(r.stdout).not.toContain(TOKEN);
  });

  it.each([
    {
      flags: ['--data', 'q=1&r=2'],
      method: 'POST',
      body: 'q=1&r=2',
      type: 'application/x-www-form-urlencoded',
    },
    {
      flags: ['-X', 'put', '--data', '{"q":1}', '-H', 'Content-Type: application/json'],
      method: 'PUT',
      body: '{"q":1}',
      type: 'application/json',
    },
    { flags: ['-X', 'DELETE'], method: 'DELETE', body: '', type: undefined },
    { flags: [], method: 'GET', body: '', type: undefined },
  ])('$flags → $method', async ({ flags, method, body, type }) => {
    const { r, seen } = await probe([server.url, ...flags, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as RateLimitReport).method).toBe(method);
    expect(seen).toHaveLength(4);
    for (const s of seen) {
      expect(s.method).toBe(method);
      expect(s.body).toBe(body);
      expect(s.headers['content-type']).toBe(type);
    }
  });
});

describe('probe ratelimit: plain http beyond loopback', () => {
  // Every connection goes to the loopback server whatever the URL names: no name is ever resolved.
  let agent: Agent;
  beforeAll(() => {
    agent = new Agent({
      connect: (_opts, callback) => {
        const socket = connect(server.port, '127.0.0.1');
        socket.once('connect', () => callback(null, socket));
        socket.once('error', (err) => callback(err, null));
      },
    });
  });
  afterAll(() => agent.close());

  it('warns (and still probes) for http://api.example.test/, after the budget and before the first request', async () => {
    const { r, seen } = await probe(
      ['http://api.example.test/v1/search', '--bearer-env', 'API_TOKEN', '--json'],
      {
        overrides: { dispatcher: agent },
      },
    );
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines[0]).toBe(
      'probing GET http://api.example.test/v1/search: at most 4 requests over 5 s, 1 at a time',
    );
    expect(lines[1]).toBe(
      'warning: api.example.test is plain http and not loopback: the requests and any credential in them travel unencrypted (use https)',
    );
    expect(seen).toHaveLength(4);
    expect(seen[0]!.headers.host).toBe('api.example.test');
    expect(seen[0]!.path).toBe('/v1/search');
  });

  it.each([
    'http://127.0.0.1:PORT/',
    'http://localhost:PORT/',
    'http://[::1]:PORT/',
    'http://api.localhost:PORT/',
  ])('no warning for loopback %s', async (url) => {
    const { r } = await probe([url.replace('PORT', String(server.port)), '--json'], {
      overrides: { dispatcher: agent },
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toContain('warning');
  });
});
