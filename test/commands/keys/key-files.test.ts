import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readKeyFile, readPassphrase } from '../../../src/commands/shared/key-files.js';
import { createContext } from '../../../src/context.js';
import { createIO } from '../../../src/io/io.js';
import { tempDir } from '../../helpers/cli.js';

/** The key-file reader every verb shares (keys and jwt): passphrase flags, and who gets the inspect hint. */
function ctxWith(env: Record<string, string> = {}) {
  const io = createIO(
    { stdin: Readable.from([]), stdout: new PassThrough(), stderr: new PassThrough() },
    env,
  );
  return createContext(io, env);
}

let tmp: ReturnType<typeof tempDir>;
const file = (name: string): string => join(tmp.dir, name);
beforeAll(() => {
  tmp = tempDir();
  writeFileSync(file('truncated.pem'), '-----BEGIN PRIVATE KEY-----\nAAAA\n');
  writeFileSync(file('garbage.pem'), 'hello, this is not a key\n');
  writeFileSync(file('pass.txt'), 'from a file\n');
});
afterAll(() => tmp.cleanup());

describe('readPassphrase', () => {
  it.each([
    { label: 'none', flags: () => ({}), want: undefined },
    { label: 'env', flags: () => ({ passphraseEnv: 'P' }), want: 'from env' },
    { label: 'file', flags: () => ({ passphraseFile: file('pass.txt') }), want: 'from a file' },
  ])('$label', async ({ flags, want }) => {
    const ctx = ctxWith({ P: 'from env' });
    expect(await readPassphrase(ctx, flags())).toBe(want);
    if (want !== undefined) expect(ctx.redactor.redact(`x ${want} y`)).not.toContain(want);
  });

  it('both sources: one "exactly one way" error naming the flags', async () => {
    const both = readPassphrase(ctxWith({ P: 'x' }), {
      passphraseEnv: 'P',
      passphraseFile: file('pass.txt'),
    });
    await expect(both).rejects.toMatchObject({
      code: 'ERR_SECRET_SOURCE',
      message: 'give the passphrase exactly one way: --passphrase-env or --passphrase-file',
    });
  });
});

describe('readKeyFile: the "try: apikit keys inspect" hint', () => {
  it.each([
    { label: 'default (jwt verbs)', options: {}, want: (f: string) => `try: apikit keys inspect ${f}` },
    { label: 'inspectHint: false (keys verbs)', options: { inspectHint: false }, want: () => undefined },
  ])('$label', async ({ options, want }) => {
    const f = file('truncated.pem');
    await expect(readKeyFile(ctxWith(), f, undefined, options)).rejects.toMatchObject({
      code: 'ERR_KEY_PEM_TRUNCATED',
      hint: want(f),
    });
  });

  it('a hint with a more specific next step stays either way', async () => {
    for (const inspectHint of [true, false]) {
      await expect(
        readKeyFile(ctxWith(), file('garbage.pem'), undefined, { inspectHint }),
      ).rejects.toMatchObject({
        code: 'ERR_KEY_UNRECOGNISED',
        hint: expect.stringContaining('apikit keys generate --alg HS256'),
      });
    }
  });
});
