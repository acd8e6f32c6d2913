import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createContext } from '../../src/context.js';
import { colorLevel, createIO } from '../../src/io/io.js';
import { readSecret } from '../../src/io/secrets.js';
import { tempDir } from '../helpers/cli.js';

describe('colorLevel', () => {
  it.each([
    { tty: true, env: {}, flag: false, level: 1 },
    { tty: false, env: {}, flag: false, level: 0 },
    { tty: true, env: { NO_COLOR: '1' }, flag: false, level: 0 },
    { tty: true, env: { NO_COLOR: '' }, flag: false, level: 1 },
    { tty: true, env: {}, flag: true, level: 0 },
    { tty: false, env: { FORCE_COLOR: '1' }, flag: false, level: 1 },
    { tty: false, env: { FORCE_COLOR: '3' }, flag: false, level: 3 },
    { tty: true, env: { FORCE_COLOR: '0' }, flag: false, level: 0 },
    { tty: true, env: { TERM: 'dumb' }, flag: false, level: 0 },
    { tty: true, env: { COLORTERM: 'truecolor' }, flag: false, level: 3 },
    { tty: true, env: { TERM: 'xterm-256color' }, flag: false, level: 2 },
  ])('tty=$tty env=$env --no-color=$flag → $level', ({ tty, env, flag, level }) => {
    expect(colorLevel(tty, env, flag)).toBe(level);
  });
});

function ctxWith(env: Record<string, string>, stdin = '', stdinIsTTY = false) {
  const io = createIO(
    {
      stdin: Readable.from(stdin ? [Buffer.from(stdin)] : []),
      stdout: new PassThrough(),
      stderr: new PassThrough(),
      stdinIsTTY,
    },
    env,
  );
  return createContext(io, env);
}

describe('readSecret', () => {
  it('reads env, file (one trailing newline stripped) and stdin, and registers each for redaction', async () => {
    const { dir, cleanup } = tempDir();
    try {
      writeFileSync(join(dir, 's'), 'file-secret-1\n');
      const ctx = ctxWith({ S: 'env-secret-1' }, 'stdin-secret-1\n');
      expect(await readSecret(ctx, { env: 'S' }, 'client secret')).toBe('env-secret-1');
      expect(await readSecret(ctx, { file: join(dir, 's') }, 'client secret')).toBe('file-secret-1');
      expect(await readSecret(ctx, { stdin: true }, 'client secret')).toBe('stdin-secret-1');
      expect(ctx.redactor.redact('env-secret-1 file-secret-1 stdin-secret-1')).toBe(
        '[REDACTED] [REDACTED] [REDACTED]',
      );
    } finally {
      cleanup();
    }
  });

  it.each([
    [{}, /exactly one way/],
    [{ env: 'A', file: 'f' }, /exactly one way/],
    [{ env: 'UNSET' }, /UNSET is not set/],
    [{ file: '/nonexistent/secret' }, /cannot read "\/nonexistent\/secret": no such file/],
  ])('%j → exit 2', async (source, message) => {
    await expect(readSecret(ctxWith({}), source, 'client secret')).rejects.toMatchObject({
      exitCode: 2,
      message: expect.stringMatching(message),
    });
  });

  it('refuses to read a secret from a terminal stdin', async () => {
    await expect(readSecret(ctxWith({}, '', true), { stdin: true }, 'client secret')).rejects.toMatchObject({
      code: 'ERR_SECRET_STDIN_TTY',
    });
  });
});
