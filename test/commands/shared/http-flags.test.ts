import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough, Readable } from 'node:stream';
import { Command } from 'commander';
import { afterEach, describe, expect, it } from 'vitest';
import {
  addHttpOptions,
  clientOptionsFor,
  httpUsage,
  refuseAuthorizationHeader,
  resolveHttpFlags,
  withHttpFlags,
  type HttpFlags,
  type HttpOptionSet,
  type ResolvedHttpFlags,
} from '../../../src/commands/shared/http-flags.js';
import { createContext, type Context } from '../../../src/context.js';
import { createIO } from '../../../src/io/io.js';

/**
 * Issue 9, item 13: the shared HTTP flags are registered, described and parsed in one place, each verb taking a
 * subset. The API-auth flags belong to no verb yet (they arrive with the API verbs), so their path — commander →
 * resolveHttpFlags → ctx.http — is tested here directly, against a loopback server.
 */
function ctxWith(env: Record<string, string> = {}): Context {
  const io = createIO(
    { stdin: Readable.from([]), stdout: new PassThrough(), stderr: new PassThrough() },
    env,
  );
  return createContext(io, env);
}

function longs(set: HttpOptionSet): string[] {
  return addHttpOptions(new Command('x'), set).options.map((o) => o.long!);
}

const TRANSPORT = ['--header', '--timeout', '--connect-timeout', '--max-body'];
const AUTH = ['--bearer-env', '--api-key-env', '--api-key-header', '--basic-env', '--profile'];

describe('addHttpOptions registers the subset a verb takes', () => {
  it.each<[HttpOptionSet, string[]]>([
    [{ transport: true }, TRANSPORT],
    [{ transport: true, timeout: false }, ['--header', '--connect-timeout', '--max-body']],
    [{ transport: true, followRedirects: true, auth: true }, [...TRANSPORT, '--follow-redirects', ...AUTH]],
    [{ transport: false, auth: true }, AUTH],
    [{ transport: false }, []],
  ])('%j → %j', (set, want) => {
    expect(longs(set)).toEqual(want);
  });

  it.each<HttpOptionSet>([
    { transport: true },
    { transport: true, timeout: false, placeholders: 'upper' },
    { transport: true, followRedirects: true, auth: true },
  ])('httpUsage(%j) names exactly the flags it registers', (set) => {
    const usage = httpUsage(set);
    expect([...new Set(usage.match(/--[a-z-]+/g))]).toEqual(longs(set));
    expect(usage).toContain('[--header <');
    if (set.placeholders === 'upper') expect(usage).not.toMatch(/<[a-z]/);
  });

  it('-H is repeatable and shows no "(default: [])"', () => {
    const cmd = addHttpOptions(new Command('x').exitOverride(), { transport: true });
    cmd.parse(['-H', 'A: 1', '--header', 'B: 2'], { from: 'user' });
    expect(cmd.opts().header).toEqual(['A: 1', 'B: 2']);
    expect(cmd.helpInformation()).not.toContain('(default: [])');
  });

  it('a verb without a flag refuses it (commander: unknown option)', () => {
    const cmd = addHttpOptions(new Command('x').exitOverride(), { transport: true });
    cmd.configureOutput({ writeErr: () => undefined });
    expect(() => cmd.parse(['--bearer-env', 'TOKEN'], { from: 'user' })).toThrow(
      expect.objectContaining({ code: 'commander.unknownOption' }),
    );
  });
});

describe('refuseAuthorizationHeader', () => {
  it.each(['Authorization: Basic eHg6eXk=', 'authorization:Bearer x', 'AUTHORIZATION : x'])(
    '%j → exit 2',
    (line) => {
      expect(() => refuseAuthorizationHeader(['X-Ok: 1', line], 'the hint')).toThrow(
        expect.objectContaining({ exitCode: 2, code: 'ERR_USAGE_AUTH_CONFLICT', hint: 'the hint' }),
      );
    },
  );

  it('lets other headers through', () => {
    expect(() => refuseAuthorizationHeader(['X-Authorization-Trace: 1', 'Cookie: a=b'], 'h')).not.toThrow();
    expect(() => refuseAuthorizationHeader(undefined, 'h')).not.toThrow();
  });
});

describe('clientOptionsFor: the flow keeps its limits, the flags adjust them', () => {
  const flags = (clientOptions: ResolvedHttpFlags['clientOptions'], headers = {}): ResolvedHttpFlags => ({
    clientOptions,
    headers,
  });

  it.each([
    // [user --max-body, the flow's cap, the cap used]: the flow's cap is a ceiling.
    [64, 1024 * 1024, 64],
    [100_000_000, 512 * 1024, 512 * 1024],
    [undefined, 65_536, 65_536],
    [4096, undefined, 4096],
  ])('--max-body %s with a cap of %s → %s', (user, own, want) => {
    expect(clientOptionsFor(flags({ maxBodyBytes: user }), { maxBodyBytes: own }).maxBodyBytes).toBe(want);
  });

  it.each([
    [300, 10_000, 300],
    [60_000, 10_000, 60_000],
    [undefined, 10_000, 10_000],
  ])('--timeout %s replaces the flow timeout %s → %s', (user, own, want) => {
    expect(clientOptionsFor(flags({ timeoutMs: user }), { timeoutMs: own }).timeoutMs).toBe(want);
  });

  it.each([
    // [--timeout, the flow's timeout, the login deadline, the timeout used]
    [undefined, undefined, 300_000, 30_000],
    [undefined, 10_000, 300, 300],
    [60_000, undefined, 1_000, 1_000],
  ])('--timeout %s, flow %s, deadline %s → %s', (user, own, max, want) => {
    const got = clientOptionsFor(
      flags({ timeoutMs: user }),
      { timeoutMs: own },
      { maxTimeoutMs: max, defaultTimeoutMs: 30_000 },
    );
    expect(got.timeoutMs).toBe(want);
  });

  it('sends -H lines unless the flow sets the header, and never follows redirects (even when asked)', () => {
    const got = clientOptionsFor(
      flags({ followRedirects: true, connectTimeoutMs: 500 }, { 'X-Test': '1', accept: 'text/plain' }),
      { headers: { accept: 'application/json' } },
    );
    expect(got).toMatchObject({
      headers: { 'X-Test': '1', accept: 'application/json' },
      followRedirects: false,
      connectTimeoutMs: 500,
    });
  });
});

describe('withHttpFlags', () => {
  it("reads through to the verb's context and gives every client the flags", async () => {
    const ctx = ctxWith();
    const overlay = withHttpFlags(ctx, { clientOptions: { timeoutMs: 1234 }, headers: { 'X-Test': '1' } });
    expect(overlay.redactor).toBe(ctx.redactor);
    ctx.flags.verbose = true;
    expect(overlay.flags.verbose).toBe(true);
    const client = await overlay.http({ maxBodyBytes: 100, timeoutMs: 10_000 });
    expect(client.options).toMatchObject({
      timeoutMs: 1234,
      maxBodyBytes: 100,
      headers: { 'X-Test': '1' },
      followRedirects: false,
    });
    await ctx.dispose();
  });
});

/** The API-auth flags through commander and resolveHttpFlags to a request on 127.0.0.1 (and its redirect). */
describe('the API-auth path (for the API verbs to come)', () => {
  const servers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((close) => close()));
  });

  async function recorder(
    answer: (path: string) => { status: number; location?: string },
  ): Promise<{ url: string; seen: { path: string; headers: IncomingHttpHeaders }[] }> {
    const seen: { path: string; headers: IncomingHttpHeaders }[] = [];
    const server = createServer((req, res) => {
      seen.push({ path: req.url ?? '/', headers: req.headers });
      const a = answer(req.url ?? '/');
      res.writeHead(a.status, a.location ? { location: a.location } : {});
      res.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    servers.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
  }

  function parse(argv: string[]): HttpFlags {
    const cmd = addHttpOptions(new Command('api').exitOverride(), {
      transport: true,
      followRedirects: true,
      auth: true,
    });
    cmd.parse(argv, { from: 'user' });
    return cmd.opts<HttpFlags>();
  }

  it.each<[string[], Record<string, string>]>([
    [['--bearer-env', 'TOKEN'], { authorization: 'Bearer tok-abcdef-0123456789' }],
    [['--api-key-env', 'KEY'], { 'x-api-key': 'key-0123456789' }],
    [['--api-key-env', 'KEY', '--api-key-header', 'Api-Key'], { 'api-key': 'key-0123456789' }],
    [['--basic-env', 'BASIC'], { authorization: `Basic ${Buffer.from('user:pa:ss').toString('base64')}` }],
  ])('%j reaches the server, with the -H lines', async (argv, want) => {
    const ctx = ctxWith({ TOKEN: 'tok-abcdef-0123456789', KEY: 'key-0123456789', BASIC: 'user:pa:ss' });
    const api = await recorder(() => ({ status: 200 }));
    const resolved = await resolveHttpFlags(parse([...argv, '-H', 'X-Test: 1', '--timeout', '2s']), ctx);
    const http = await ctx.http({ ...resolved.clientOptions, headers: resolved.headers });
    expect(http.options.timeoutMs).toBe(2000);
    expect((await http.request({ url: `${api.url}/r` })).status).toBe(200);
    expect(api.seen[0]!.headers).toMatchObject({ ...want, 'x-test': '1' });
    await ctx.dispose();
  });

  it('--follow-redirects follows, dropping the credential on a cross-origin hop', async () => {
    const ctx = ctxWith({ TOKEN: 'tok-abcdef-0123456789' });
    const other = await recorder(() => ({ status: 200 }));
    const api = await recorder((path) =>
      path === '/start' ? { status: 302, location: `${other.url}/landed` } : { status: 200 },
    );
    const resolved = await resolveHttpFlags(
      parse(['--bearer-env', 'TOKEN', '-H', 'X-Test: 1', '--follow-redirects']),
      ctx,
    );
    const http = await ctx.http({ ...resolved.clientOptions, headers: resolved.headers });
    // The headers as client-wide defaults (ctx.http({ ...clientOptions, headers })): they stay home too.
    const res = await http.request({ url: `${api.url}/start` });
    expect(res.status).toBe(200);
    expect(res.redirects).toEqual([`${api.url}/start`]);
    expect(api.seen[0]!.headers.authorization).toBe('Bearer tok-abcdef-0123456789');
    expect(other.seen[0]!.headers['x-test']).toBe('1');
    expect(other.seen[0]!.headers.authorization).toBeUndefined();
    await ctx.dispose();
  });

  it('two credentials at once are exit 2', async () => {
    await expect(
      resolveHttpFlags(parse(['--bearer-env', 'TOKEN', '--profile', 'ci']), ctxWith({ TOKEN: 'x' })),
    ).rejects.toMatchObject({ exitCode: 2, code: 'ERR_USAGE_AUTH_CONFLICT' });
  });
});
