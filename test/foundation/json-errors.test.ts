import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { VERSION, versionOutput } from '../../src/version.js';
import { BIN, runBin, runCli, tempDir } from '../helpers/cli.js';

/**
 * Issue 9, item 18: with --json a failing command still prints exactly one JSON document on stdout,
 * `{"error": {code, message, hint, exit_code}}`, while the human line goes to stderr as before; `--version --json`
 * prints `{"version": …}`.
 */
type ErrorDoc = { error: { code: string; message: string; hint: string | null; exit_code: number } };

function errorDoc(stdout: string): ErrorDoc['error'] {
  const doc = JSON.parse(stdout) as ErrorDoc;
  expect(Object.keys(doc)).toEqual(['error']);
  expect(Object.keys(doc.error)).toEqual(['code', 'message', 'hint', 'exit_code']);
  return doc.error;
}

describe('--json: a failure is one error document on stdout', () => {
  const tmp = tempDir('apikit-json-errors-');
  const missing = join(tmp.dir, 'missing.pem');

  it.each([
    {
      label: 'bad input (exit 2)',
      argv: ['--json', 'keys', 'inspect', missing],
      exit: 2,
      code: 'ERR_INPUT_UNREADABLE',
      message: `cannot read "${missing}": no such file`,
      stderr: /^error: cannot read ".*missing\.pem": no such file$/m,
    },
    {
      label: '--json after the verb',
      argv: ['keys', 'inspect', missing, '--json'],
      exit: 2,
      code: 'ERR_INPUT_UNREADABLE',
      message: `cannot read "${missing}": no such file`,
      stderr: /^error: cannot read/m,
    },
    {
      label: 'an unknown option (commander)',
      argv: ['--json', 'keys', 'inspect', '--bogus'],
      exit: 2,
      code: 'ERR_USAGE_UNKNOWN_OPTION',
      message: "unknown option '--bogus'",
      stderr: /^error: unknown option '--bogus'$/m,
    },
    {
      label: 'an unknown command, with the suggestion as the hint',
      argv: ['--json', 'kyes'],
      exit: 2,
      code: 'ERR_USAGE_UNKNOWN_COMMAND',
      message: "unknown command 'kyes'",
      hint: 'Did you mean keys?',
      stderr: /^error: unknown command 'kyes'$/m,
    },
    {
      label: 'a missing argument (commander)',
      argv: ['--json', 'profiles', 'show'],
      exit: 2,
      code: 'ERR_USAGE_MISSING_ARGUMENT',
      message: "missing required argument 'name'",
      stderr: /missing required argument/,
    },
    {
      label: 'a usage error of apikit',
      argv: ['--json', 'jwt', 'verify', 'a.b.c', '--leeway', 'soon', '--secret-env', 'S'],
      exit: 2,
      code: 'ERR_USAGE_DURATION',
      message: '--leeway "soon" is not a duration (e.g. 90s, 15m, 2h)',
      stderr: /^error: --leeway "soon" is not a duration/m,
    },
  ])('$label', async ({ argv, exit, code, message, hint, stderr }) => {
    const r = await runCli(argv, { env: { S: 'a-secret-of-32-bytes-or-more-0123456789' } });
    expect(r.code).toBe(exit);
    const error = errorDoc(r.stdout);
    expect(error).toMatchObject({ code, message, exit_code: exit });
    if (hint !== undefined) expect(error.hint).toBe(hint);
    expect(r.stderr).toMatch(stderr);
  });

  it('without --json stdout stays empty', async () => {
    const r = await runCli(['keys', 'inspect', missing]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
  });

  it('a secret in the message is redacted in the document as on stderr', async () => {
    const long = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlLXNpZ25hdHVyZQ';
    const r = await runCli(['--json', 'jwt', 'verify', long, '--key', missing]);
    expect(r.code).toBe(2);
    expect(r.stdout).not.toContain(long);
    expect(r.stderr).not.toContain(long);
  });

  it('--json after `--` is an argument, not the flag', async () => {
    const r = await runCli(['keys', 'inspect', '--', '--json']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
  });

  it('help is not an error: no document', async () => {
    const r = await runCli(['--json', 'keys', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: apikit keys/);
  });

  it('the built binary prints the same document', async () => {
    const r = await runBin(['--json', 'kyes']);
    expect(r.code).toBe(2);
    expect(errorDoc(r.stdout)).toEqual({
      code: 'ERR_USAGE_UNKNOWN_COMMAND',
      message: "unknown command 'kyes'",
      hint: 'Did you mean keys?',
      exit_code: 2,
    });
    expect(r.stderr).toMatch(/^error: unknown command 'kyes'$/m);
    const bad = await runBin(['keys', 'inspect', missing, '--json']);
    expect(bad.code).toBe(2);
    expect(errorDoc(bad.stdout)).toMatchObject({ code: 'ERR_INPUT_UNREADABLE', exit_code: 2 });
  });
});

describe('--version --json', () => {
  const doc = `{\n  "version": "${VERSION}"\n}\n`;

  it.each([
    [['--version', '--json'], doc],
    [['--json', '--version'], doc],
    [['-V', '--json'], doc],
    [['--version'], `${VERSION}\n`],
    [['-V'], `${VERSION}\n`],
  ])('%j (in process and the built binary)', async (argv, want) => {
    const inProcess = await runCli(argv);
    expect(inProcess).toEqual({ code: 0, stdout: want, stderr: '' });
    const bin = await runBin(argv);
    expect(bin).toEqual({ code: 0, stdout: want, stderr: '' });
  });

  it('other global flags with --version go through commander, with the same document', async () => {
    const r = await runCli(['--json', '--verbose', '--version']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ version: VERSION });
    const plain = await runCli(['--verbose', '--version']);
    expect(plain.stdout).toBe(`${VERSION}\n`);
  });

  it.each([
    [[]],
    [['--json']],
    [['--version', '--version']],
    [['--version', 'keys']],
    [['--json', '--json']],
  ])('versionOutput(%j) is not a version request', (argv) => {
    expect(versionOutput(argv)).toBeUndefined();
  });

  it('the fast path stays: `apikit --version --json` loads no package', () => {
    const recorder = join(import.meta.dirname, '..', 'helpers', 'record-imports.mjs');
    const r = spawnSync(process.execPath, ['--import', recorder, BIN, '--version', '--json'], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH, RECORD_FILES: '1' },
    });
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ version: VERSION });
    expect(r.stderr).not.toMatch(/\[import\]/);
    // bin/apikit.js and dist/bundle/version.js only: not the program's bundle.
    expect(r.stderr).not.toMatch(/\[file\] .*dist\/bundle\/(apikit|chunks)/);
    expect(r.stderr).toMatch(/\[file\] .*dist\/bundle\/version\.js/);
  });
});
