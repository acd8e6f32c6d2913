import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
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

describe('readKeyFile: a PEM takes its kid from the JWKS `keys generate` wrote beside it', () => {
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const privatePem = ec.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  const publicPem = ec.publicKey.export({ type: 'spki', format: 'pem' }) as string;
  const jwks = (kid: string, key = ec.publicKey): string =>
    JSON.stringify({ keys: [{ ...key.export({ format: 'jwk' }), kid, alg: 'ES256', use: 'sig' }] });
  /** PREFIX.key.pem, PREFIX.pub.pem and (unless null) PREFIX.jwks.json in a directory of their own. */
  function generated(name: string, companion: string | null): string {
    const dir = join(tmp.dir, name);
    mkdirSync(dir);
    writeFileSync(join(dir, 'api.key.pem'), privatePem);
    writeFileSync(join(dir, 'api.pub.pem'), publicPem);
    if (companion !== null) writeFileSync(join(dir, 'api.jwks.json'), companion);
    return join(dir, 'api');
  }

  it.each(['key.pem', 'pub.pem'])('PREFIX.%s → the kid in PREFIX.jwks.json', async (suffix) => {
    const prefix = generated(`gen-${suffix}`, jwks('2026-01'));
    const set = await readKeyFile(ctxWith(), `${prefix}.${suffix}`, undefined);
    expect(set.keys[0]!.kid).toBe('2026-01');
    expect(set.keys[0]!.kidFrom).toBe(`${prefix}.jwks.json`);
  });

  it.each([
    { label: 'no companion', companion: null },
    {
      label: 'a companion for another key',
      companion: jwks('other', generateKeyPairSync('ed25519').publicKey),
    },
    { label: 'a companion that is not JSON', companion: '{"keys": [' },
  ])('$label: no kid (it becomes the thumbprint downstream)', async ({ label, companion }) => {
    const prefix = generated(`none-${label.replace(/ /g, '-')}`, companion);
    const set = await readKeyFile(ctxWith(), `${prefix}.key.pem`, undefined);
    expect(set.keys[0]!.kid).toBeUndefined();
    expect(set.keys[0]!.kidFrom).toBeUndefined();
  });

  it('a companion that is a directory or a FIFO is ignored (and does not hang)', async () => {
    const prefix = generated('dir-companion', null);
    mkdirSync(`${prefix}.jwks.json`);
    expect((await readKeyFile(ctxWith(), `${prefix}.key.pem`, undefined)).keys[0]!.kid).toBeUndefined();
    const fifo = generated('fifo-companion', null);
    execFileSync('mkfifo', [`${fifo}.jwks.json`]);
    expect((await readKeyFile(ctxWith(), `${fifo}.key.pem`, undefined)).keys[0]!.kid).toBeUndefined();
  });

  it('a name `keys generate` does not write has no companion', async () => {
    const dir = join(tmp.dir, 'other-names');
    mkdirSync(dir);
    writeFileSync(join(dir, 'api.pem'), privatePem);
    writeFileSync(join(dir, 'api.jwks.json'), jwks('2026-01'));
    expect((await readKeyFile(ctxWith(), join(dir, 'api.pem'), undefined)).keys[0]!.kid).toBeUndefined();
  });

  it('stdin has no companion', async () => {
    const io = createIO(
      {
        stdin: Readable.from([Buffer.from(privatePem)]),
        stdout: new PassThrough(),
        stderr: new PassThrough(),
      },
      {},
    );
    const set = await readKeyFile(createContext(io, {}), '-', undefined);
    expect(set.keys[0]!.kid).toBeUndefined();
  });

  it("a JWK's own kid wins over the companion", async () => {
    const prefix = generated('own-kid', jwks('from-companion'));
    const own = `${prefix}.key.pem`;
    writeFileSync(own, JSON.stringify({ ...ec.publicKey.export({ format: 'jwk' }), kid: 'own' }));
    expect((await readKeyFile(ctxWith(), own, undefined)).keys[0]!.kid).toBe('own');
  });
});
