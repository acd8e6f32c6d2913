import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createContext } from '../../src/context.js';
import { parseHeaderLine, resolveHttpFlags, type HttpFlags } from '../../src/commands/shared/http-flags.js';
import { createIO } from '../../src/io/io.js';

function ctxWith(env: Record<string, string>) {
  const io = createIO(
    { stdin: Readable.from([]), stdout: new PassThrough(), stderr: new PassThrough() },
    env,
  );
  return createContext(io, env);
}

describe('HTTP flags', () => {
  it.each([
    ['X-Trace: abc', ['X-Trace', 'abc']],
    ['Accept:application/json', ['Accept', 'application/json']],
    ['X-Empty:', ['X-Empty', '']],
  ])('parses %j', (line, want) => expect(parseHeaderLine(line)).toEqual(want));

  it.each(['no colon', ': value', 'Bad Name: x'])('rejects header %j with exit 2', (line) => {
    expect(() => parseHeaderLine(line)).toThrow(expect.objectContaining({ exitCode: 2 }));
  });

  it.each<[HttpFlags, Record<string, string>]>([
    [{ bearerEnv: 'TOKEN' }, { Authorization: 'Bearer tok-abcdef' }],
    [{ apiKeyEnv: 'KEY' }, { 'X-API-Key': 'key-12345' }],
    [{ apiKeyEnv: 'KEY', apiKeyHeader: 'Api-Key' }, { 'Api-Key': 'key-12345' }],
    [{ basicEnv: 'BASIC' }, { Authorization: `Basic ${Buffer.from('user:pa:ss').toString('base64')}` }],
    [{ header: ['X-A: 1', 'X-B: 2'] }, { 'X-A': '1', 'X-B': '2' }],
  ])('%j → headers', async (flags, headers) => {
    const ctx = ctxWith({ TOKEN: 'tok-abcdef', KEY: 'key-12345', BASIC: 'user:pa:ss' });
    const resolved = await resolveHttpFlags(flags, ctx);
    expect(resolved.headers).toEqual(headers);
    // every credential is registered for redaction
    for (const value of Object.values(headers)) {
      if (/^(Bearer|Basic) /.test(value) || value.startsWith('key-')) {
        expect(ctx.redactor.redact(`x ${value.replace(/^(Bearer|Basic) /, '')} y`)).toBe('x [REDACTED] y');
      }
    }
  });

  it.each<[HttpFlags, RegExp]>([
    [{ bearerEnv: 'MISSING' }, /MISSING is not set/],
    [{ bearerEnv: 'eyJhbGciOiJIUzI1NiJ9.e30.x' }, /is not an environment variable name/],
    [{ basicEnv: 'TOKEN' }, /must hold user:password/],
    [{ bearerEnv: 'TOKEN', apiKeyEnv: 'KEY' }, /choose one of/],
    [{ timeout: 'soon' }, /--timeout "soon" is not a positive duration/],
    [{ maxBody: '-1' }, /--max-body/],
  ])('%j → exit 2 (%s)', async (flags, message) => {
    const ctx = ctxWith({ TOKEN: 'tok-abcdef', KEY: 'key-12345' });
    await expect(resolveHttpFlags(flags, ctx)).rejects.toMatchObject({
      exitCode: 2,
      message: expect.stringMatching(message),
    });
  });

  it('turns durations into client options', async () => {
    const r = await resolveHttpFlags(
      { timeout: '5s', connectTimeout: '500ms', maxBody: '1024', followRedirects: true },
      ctxWith({}),
    );
    expect(r.clientOptions).toEqual({
      timeoutMs: 5000,
      connectTimeoutMs: 500,
      maxBodyBytes: 1024,
      followRedirects: true,
    });
  });
});

describe('a secret passed where an env var NAME belongs', () => {
  it('is refused without echoing it (exit 2)', async () => {
    const { runCli } = await import('../helpers/cli.js');
    const secret = 'pa55-w0rd!sEcReT';
    const r = await runCli(['jwt', 'verify', 'a.b.c', '--secret-env', secret]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/is not an environment variable name/);
    expect(r.stderr + r.stdout).not.toContain(secret);
  });
});
