import { stripVTControlCharacters } from 'node:util';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkApiKey, generateApiKey, hashApiKey } from '../../../src/lib/apikey.js';
import { hasStackTrace, runCli, tempDir, type RunResult } from '../../helpers/cli.js';
import { hasAnsi } from '../../helpers/view.js';

/**
 * Issue 14, `apikit apikey {generate | hash | check}` through the CLI: the key bare on stdout, the hash to store,
 * the offline check as an exit code — and a key read for hash/check never printed, not even in an error.
 */
const tmp = tempDir('apikit-apikey-');
afterAll(() => tmp.cleanup());

function expectOneLineError(r: RunResult, code: number, message: RegExp): void {
  expect(r.code, r.stderr).toBe(code);
  expect(r.stderr).toMatch(message);
  expect(r.stderr.split('\n').filter((l) => l.startsWith('error:'))).toHaveLength(1);
  expect(hasStackTrace(r.stderr)).toBe(false);
}

function expectNotShown(r: RunResult, key: string): void {
  for (const text of [r.stdout, r.stderr]) {
    expect(text).not.toContain(key);
    // Nor its random part (a reason or message quoting a slice of it).
    expect(text).not.toContain(key.slice(-36, -20));
  }
}

describe('apikey generate', () => {
  it('prints the key alone on stdout when piped; nothing on stderr', async () => {
    const r = await runCli(['apikey', 'generate']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^ak_live_[0-9A-Za-z]{36}\n$/);
    expect(checkApiKey(r.stdout.trim())).toEqual({ ok: true, prefix: 'ak_live' });
    expect(r.stderr).toBe('');
  });

  it('on a terminal, adds the hash to store on stderr', async () => {
    const r = await runCli(['apikey', 'generate', '--prefix', 'acme_test'], { tty: true });
    expect(r.code).toBe(0);
    const key = r.stdout.trim();
    expect(key).toMatch(/^acme_test_[0-9A-Za-z]{36}$/);
    expect(r.stderr).toContain(`store only its hash: ${hashApiKey(key)}`);
    expect(r.stderr).not.toContain(key);
    expect(hasAnsi(r.stderr)).toBe(true);
  });

  it('--json: { key, prefix, hash, algorithm, bits }', async () => {
    const r = await runCli(['apikey', 'generate', '--json', '--prefix', 'ci']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(Object.keys(doc)).toEqual(['key', 'prefix', 'hash', 'algorithm', 'bits']);
    expect(doc).toMatchObject({ prefix: 'ci', algorithm: 'sha256', bits: 178 });
    expect(doc.hash).toBe(hashApiKey(doc.key));
    expect(checkApiKey(doc.key)).toEqual({ ok: true, prefix: 'ci' });
  });

  it('makes a new key every time', async () => {
    const keys = await Promise.all([1, 2, 3].map(() => runCli(['apikey', 'generate'])));
    expect(new Set(keys.map((k) => k.stdout)).size).toBe(3);
  });

  it.each(['Live', '9lives', 'a-b', 'x'.repeat(21), 'ak_', '\u001b[2J'])(
    '--prefix %j is exit 2',
    async (prefix) => {
      const r = await runCli(['apikey', 'generate', '--prefix', prefix]);
      expectOneLineError(r, 2, /^error: --prefix ".*" (must|is)/m);
      expect(r.stdout).toBe('');
      expect(r.stderr).not.toContain('\u001b[2J');
    },
  );

  it('--prefix with --json: the error document, code ERR_APIKEY_PREFIX', async () => {
    const r = await runCli(['apikey', 'generate', '--prefix', 'BAD', '--json']);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout).error).toMatchObject({ code: 'ERR_APIKEY_PREFIX', exit_code: 2 });
  });
});

describe('apikey hash', () => {
  const key = generateApiKey();
  const file = join(tmp.dir, 'key.txt');
  writeFileSync(file, `${key}\n`);

  it.each([
    { name: '--key-env', argv: ['--key-env', 'API_KEY'], stdin: undefined },
    { name: '--key-file (one trailing newline ignored)', argv: ['--key-file', file], stdin: undefined },
    { name: '--key-stdin', argv: ['--key-stdin'], stdin: `${key}\n` },
  ])('$name → the hash alone on stdout, the key nowhere', async ({ argv, stdin }) => {
    const r = await runCli(['apikey', 'hash', ...argv], { env: { API_KEY: key }, stdin });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`${hashApiKey(key)}\n`);
    expect(r.stderr).toBe('');
    expectNotShown(r, key);
  });

  it('--json: { hash, algorithm, prefix, warning }', async () => {
    const r = await runCli(['apikey', 'hash', '--key-env', 'API_KEY', '--json'], { env: { API_KEY: key } });
    expect(JSON.parse(r.stdout)).toEqual({
      hash: hashApiKey(key),
      algorithm: 'sha256',
      prefix: 'ak_live',
      warning: null,
    });
    expectNotShown(r, key);
  });

  it('hashes a key of another format too, with a warning that quotes none of it', async () => {
    const other = 'sk_ThisIsSomeOtherVendorsKey0123456789';
    const r = await runCli(['apikey', 'hash', '--key-env', 'K'], { env: { K: other } });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${hashApiKey(other)}\n`);
    expect(r.stderr).toMatch(
      /^warning: not a well-formed apikit key: .*; hashed anyway \(SHA-256 suits random keys of 128 bits or more, never a chosen password\)\n$/,
    );
    expect(r.stderr).not.toContain('ThisIsSome');
  });

  it.each([
    { argv: [], message: /give the API key exactly one way: --key-env, --key-file or --key-stdin/ },
    { argv: ['--key-env', 'A', '--key-stdin'], message: /exactly one way/ },
    { argv: ['--key-env', 'UNSET'], message: /environment variable UNSET is not set/ },
    { argv: ['--key-file', join(tmp.dir, 'missing')], message: /no such file/ },
  ])('$argv → exit 2', async ({ argv, message }) => {
    const r = await runCli(['apikey', 'hash', ...argv], { env: { A: key } });
    expectOneLineError(r, 2, message);
    expect(r.stdout).toBe('');
    expectNotShown(r, key);
  });

  it.each([
    { how: 'as an argument', argv: [key] },
    { how: 'with --key', argv: ['--key', key] },
  ])('refuses a key on the command line ($how), without echoing it (--json too)', async ({ argv }) => {
    for (const verb of ['hash', 'check']) {
      const r = await runCli(['apikey', verb, ...argv, '--json']);
      expect(r.code).toBe(2);
      expect(JSON.parse(r.stdout).error).toMatchObject({ code: 'ERR_SECRET_ON_ARGV', exit_code: 2 });
      expect(r.stderr).toMatch(/^error: refusing an API key on the command line$/m);
      expectNotShown(r, key);
    }
  });
});

describe('apikey check', () => {
  const key = generateApiKey('acme');
  const typo = key.slice(0, 10) + (key[10] === 'x' ? 'y' : 'x') + key.slice(11);

  it.each([
    { tty: false, json: false },
    { tty: true, json: false },
  ])('a valid key: exit 0, "valid" on stdout (tty $tty)', async ({ tty }) => {
    const r = await runCli(['apikey', 'check', '--key-env', 'K'], { env: { K: key }, tty });
    expect(r.code).toBe(0);
    expect(stripVTControlCharacters(r.stdout)).toBe('valid: a acme key, checksum matches\n');
    expect(hasAnsi(r.stdout)).toBe(tty);
    expect(r.stderr).toBe('');
  });

  it('a typo: exit 1, the reason on stdout, the key nowhere', async () => {
    const r = await runCli(['apikey', 'check', '--key-stdin'], { stdin: typo });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(
      'invalid: the checksum does not match (a typo, a truncated copy, or not an API key)\n',
    );
    expect(r.stderr).toBe('');
    expectNotShown(r, typo);
  });

  it.each([
    { input: key, code: 0, want: { valid: true, prefix: 'acme', reason: null } },
    {
      input: typo,
      code: 1,
      want: { valid: false, prefix: null, reason: expect.stringContaining('checksum') },
    },
    {
      input: 'nope',
      code: 1,
      want: { valid: false, prefix: null, reason: expect.stringContaining('no prefix') },
    },
  ])('--json → $want.valid, exit $code', async ({ input, code, want }) => {
    const r = await runCli(['apikey', 'check', '--key-env', 'K', '--json'], { env: { K: input } });
    expect(r.code).toBe(code);
    expect(JSON.parse(r.stdout)).toEqual(want);
  });
});

describe('help', () => {
  it.each([
    {
      argv: ['apikey', 'generate', '--help'],
      want: [/Examples:\n {2}\$ apikit apikey generate/, /SHA-256/, /bcrypt/],
    },
    { argv: ['apikey', 'hash', '--help'], want: [/--key-env <VAR>/, /Examples:/, /SHA-256/] },
    { argv: ['apikey', 'check', '--help'], want: [/Exit codes: 0 valid; 1/, /Examples:/] },
    { argv: ['apikey', '--help'], want: [/generate/, /hash/, /check/, /Examples:/] },
  ])('$argv', async ({ argv, want }) => {
    const r = await runCli(argv);
    expect(r.code).toBe(0);
    for (const re of want) expect(r.stdout).toMatch(re);
    expect(r.stdout).not.toMatch(/--key <key>/);
  });
});
