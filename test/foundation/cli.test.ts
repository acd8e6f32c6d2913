import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exitCodeFor } from '../../src/cli.js';
import { ApikitError, AuthError, ExitCode, InputError, NetworkError, UsageError } from '../../src/errors.js';
import { BIN, hasStackTrace, runBin, runCli } from '../helpers/cli.js';

describe('apikit entry point', () => {
  it.each([
    { argv: ['--version'], code: 0, stdout: /^\d+\.\d+\.\d+\n$/ },
    { argv: ['-V'], code: 0, stdout: /^\d+\.\d+\.\d+\n$/ },
    { argv: ['--help'], code: 0, stdout: /Usage: apikit[\s\S]*keys[\s\S]*jwt[\s\S]*Examples:/ },
    { argv: ['help'], code: 0, stdout: /Usage: apikit/ },
    // Groups load only the verb named on the command line; their help still lists every verb.
    { argv: ['jwt', '--help'], code: 0, stdout: /mint[\s\S]*decode[\s\S]*verify[\s\S]*crack/ },
    {
      argv: ['profiles', '--help'],
      code: 0,
      stdout: /^Usage: apikit profiles \{list \| show <name> \| remove <name>\}$/m,
    },
    { argv: ['help', 'jwt'], code: 0, stdout: /mint[\s\S]*decode[\s\S]*verify[\s\S]*crack/ },
    { argv: ['keys', '--help'], code: 0, stdout: /generate[\s\S]*inspect[\s\S]*convert[\s\S]*jwks/ },
    { argv: ['--json', 'keys', 'help'], code: 0, stdout: /generate[\s\S]*inspect[\s\S]*convert[\s\S]*jwks/ },
    {
      argv: ['jwt', 'decode', '--help'],
      code: 0,
      stdout: /^Usage: apikit jwt decode \[<TOKEN> \| -\][\s\S]*Examples:/m,
    },
    {
      argv: ['jwt', 'verify', '--help'],
      code: 0,
      stdout: /^Usage: apikit jwt verify \[<TOKEN> \| -\] \{--key <FILE> \.\.\. \|/m,
    },
    {
      argv: ['jwt', 'mint', '--help'],
      code: 0,
      stdout: /^Usage: apikit jwt mint \{--key <FILE> \| --secret-env <VAR>/m,
    },
    {
      argv: ['jwt', 'crack', '--help'],
      code: 0,
      stdout: /^Usage: apikit jwt crack \[<TOKEN> \| -\] \[--wordlist <FILE>\] \[--json\]$/m,
    },
  ])('$argv → exit $code', async ({ argv, code, stdout }) => {
    const r = await runCli(argv);
    expect(r.code).toBe(code);
    expect(r.stdout).toMatch(stdout);
    expect(r.stderr).toBe('');
  });

  it.each([
    { argv: ['kyes'], stderr: /unknown command 'kyes'[\s\S]*Did you mean keys\?/ },
    { argv: ['--bogus'], stderr: /unknown option '--bogus'/ },
    { argv: ['keys', 'generat'], stderr: /unknown command 'generat'|Did you mean generate/ },
    { argv: ['jwt', 'decod'], stderr: /unknown command 'decod'[\s\S]*Did you mean decode\?/ },
  ])('usage error $argv → exit 2 with a suggestion, no stack trace', async ({ argv, stderr }) => {
    const r = await runCli(argv);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(stderr);
    expect(hasStackTrace(r.stderr)).toBe(false);
    expect(r.stdout).toBe('');
  });

  it('colours commander errors only on a terminal', async () => {
    const tty = await runCli(['--bogus'], { tty: true });
    const piped = await runCli(['--bogus'], { tty: false });
    expect(tty.stderr).toContain('\u001b[');
    expect(piped.stderr).not.toContain('\u001b[');
    const noColor = await runCli(['--bogus'], { tty: true, env: { NO_COLOR: '1' } });
    expect(noColor.stderr).not.toContain('\u001b[');
  });

  it('the built binary sets the exit code and prints no stack trace for unknown flags', async () => {
    const ok = await runBin(['--version']);
    expect(ok.code).toBe(0);
    const bad = await runBin(['--nope']);
    expect(bad.code).toBe(2);
    expect(hasStackTrace(bad.stderr)).toBe(false);
  });
});

describe('exitCodeFor: the one error → exit code map', () => {
  it.each([
    [new UsageError('x'), ExitCode.USAGE],
    [new InputError('x'), ExitCode.USAGE],
    [new NetworkError('x'), ExitCode.NETWORK],
    [new AuthError('x'), ExitCode.AUTH],
    [new ApikitError('x', 'ERR_X', ExitCode.VERDICT), ExitCode.VERDICT],
    [Object.assign(new Error('x'), { code: 'commander.unknownOption' }), ExitCode.USAGE],
    [Object.assign(new Error('x'), { code: 'commander.helpDisplayed' }), ExitCode.OK],
    [Object.assign(new Error('aborted'), { name: 'AbortError' }), ExitCode.INTERRUPTED],
    [new TypeError('undefined is not a function'), ExitCode.INTERNAL],
    ['a string', ExitCode.INTERNAL],
  ])('%s → %i', (err, code) => {
    expect(exitCodeFor(err)).toBe(code);
  });
});

describe('lazy loading (the built bundle)', () => {
  const recorder = join(import.meta.dirname, '..', 'helpers', 'record-imports.mjs');
  const bundleDir = join(import.meta.dirname, '..', '..', 'dist', 'bundle');
  const meta = JSON.parse(readFileSync(join(bundleDir, 'meta.json'), 'utf8')) as {
    outputs: Record<string, { inputs: Record<string, unknown> }>;
  };

  /** Every package the run loaded: external ones by specifier, bundled ones through the chunks' inputs. */
  const packagesLoadedBy = (...argv: string[]): string[] => {
    const r = spawnSync(process.execPath, ['--import', recorder, BIN, ...argv], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH, RECORD_FILES: '1' },
    });
    expect(r.status).toBe(0);
    const packages = new Set<string>();
    for (const [, spec] of r.stderr.matchAll(/\[import\] (\S+)/g)) packages.add(spec!);
    for (const [, file] of r.stderr.matchAll(/\[file\] (\S+)/g)) {
      const output = meta.outputs[relative(join(bundleDir, '..', '..'), file!)];
      for (const input of Object.keys(output?.inputs ?? {})) {
        const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
        if (m) packages.add(m[1]!);
      }
    }
    return [...packages].sort();
  };

  it('`apikit --version` loads no package at all', () => {
    expect(packagesLoadedBy('--version')).toEqual([]);
  });

  it('`apikit jwt decode` loads only the decode verb of its group', () => {
    const r = spawnSync(
      process.execPath,
      ['--import', recorder, BIN, 'jwt', 'decode', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln'],
      { encoding: 'utf8', env: { PATH: process.env.PATH, RECORD_FILES: '1' } },
    );
    const sources = new Set<string>();
    for (const [, file] of r.stderr.matchAll(/\[file\] (\S+)/g)) {
      const output = meta.outputs[relative(join(bundleDir, '..', '..'), file!)];
      for (const input of Object.keys(output?.inputs ?? {})) sources.add(input);
    }
    expect(sources).toContain('src/commands/jwt/decode.ts');
    for (const other of ['mint', 'verify', 'crack'])
      expect(sources).not.toContain(`src/commands/jwt/${other}.ts`);
  });

  it('`apikit --help` loads commander and nothing heavy', () => {
    expect(packagesLoadedBy('--help')).toEqual(['commander']);
  });

  it('`apikit jwt decode` loads neither undici, conf nor the whole of jose', () => {
    const loaded = packagesLoadedBy('jwt', 'decode', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln');
    expect(loaded.filter((p) => /^(undici|conf|open|chalk|cli-table3|proper-lockfile)$/.test(p))).toEqual([]);
  });
});
