import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hasStackTrace, runCli, tempDir } from '../helpers/cli.js';

/**
 * Issue 9, item 8: a config file apikit cannot use is bad input, not a bug: exit 2 with one line naming the file
 * and what is wrong — and nothing is written over it, by a reading command or a writing one.
 */
const NOW = Date.parse('2026-01-15T12:00:00Z');
const clock = { now: () => NOW };

let dir: string;
let cleanup: () => void;
beforeEach(() => ({ dir, cleanup } = tempDir('apikit-config-state-')));
afterEach(() => cleanup());

function profile(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'default',
    grant: 'authorization_code',
    issuer: 'https://as.example',
    tokenEndpoint: 'https://as.example/token',
    clientId: 'cli',
    tokens: { accessToken: 'at-1', tokenType: 'Bearer', obtainedAt: NOW, expiresAt: NOW + 3600_000 },
    createdAt: NOW,
    updatedAt: NOW,
    ...overrides,
  };
}

const config = (profiles: unknown): string => JSON.stringify({ profiles }, null, 2);

const BAD: { label: string; content: string; want: RegExp }[] = [
  { label: 'not JSON', content: '{bad json', want: /not valid JSON/ },
  { label: 'a JSON array', content: '[]', want: /not a JSON object \(an array\)/ },
  { label: 'JSON null', content: 'null', want: /not a JSON object \(null\)/ },
  { label: '"profiles" a string', content: config('x'), want: /"profiles" is a string, not an object/ },
  {
    label: '"tokens" a string',
    content: config({ default: profile({ tokens: 'notanobject' }) }),
    want: /profile "default": "tokens" is a string, not an object/,
  },
  {
    label: 'obtainedAt not a time',
    content: config({
      default: profile({ tokens: { accessToken: 'a', tokenType: 'Bearer', obtainedAt: 'x' } }),
    }),
    want: /profile "default": "tokens.obtainedAt" is a string, not a time/,
  },
  {
    label: 'expiresAt out of range',
    content: config({ default: profile({ tokens: { ...(profile().tokens as object), expiresAt: 1e300 } }) }),
    want: /"tokens.expiresAt" is 1e\+300, not a time/,
  },
  {
    label: 'a profile that is a number',
    content: config({ default: 5 }),
    want: /profile "default" is a number, not an object/,
  },
  {
    label: 'no clientId',
    content: config({ default: profile({ clientId: undefined }) }),
    want: /profile "default": "clientId" is missing/,
  },
  {
    label: 'an unknown grant',
    content: config({ default: profile({ grant: 'password' }) }),
    want: /profile "default": "grant" is a string, not one of authorization_code/,
  },
  {
    label: 'a name that is not its key',
    content: config({ default: profile({ name: 'other' }) }),
    want: /profile "default": "name" is a string, not "default"/,
  },
];

const COMMANDS: string[][] = [
  ['profiles', 'list'],
  ['profiles', 'show', 'default'],
  ['token'],
  ['token', '--check'],
  ['profiles', 'remove', 'default'],
  ['logout'],
];

describe('a damaged config file: exit 2 naming it, and it stays byte for byte', () => {
  it.each(BAD.flatMap((b) => COMMANDS.map((argv) => ({ ...b, argv }))))(
    '$label: $argv',
    async ({ content, want, argv }) => {
      const file = join(dir, 'config.json');
      writeFileSync(file, content, { mode: 0o600 });
      const r = await runCli(argv, { env: { APIKIT_CONFIG_DIR: dir }, overrides: { clock } });
      expect(r.code, r.stderr).toBe(2);
      expect(r.stdout).toBe('');
      const lines = r.stderr.trimEnd().split('\n');
      expect(lines[0]).toMatch(/^error: config file ".*config\.json": /);
      expect(lines[0]).toContain(file);
      expect(lines[0]).toMatch(want);
      expect(lines[1]).toMatch(/^hint: fix or remove /);
      expect(lines).toHaveLength(2);
      expect(hasStackTrace(r.stderr)).toBe(false);
      expect(readFileSync(file, 'utf8')).toBe(content);
      expect(readdirSync(dir)).toEqual(['config.json']);
    },
  );

  it.each(COMMANDS.map((argv) => ({ argv })))('config.json is a directory: $argv', async ({ argv }) => {
    mkdirSync(join(dir, 'config.json'));
    const r = await runCli(argv, { env: { APIKIT_CONFIG_DIR: dir }, overrides: { clock } });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/^error: config file ".*config\.json": it is a directory, not a file$/m);
    expect(statSync(join(dir, 'config.json')).isDirectory()).toBe(true);
    expect(readdirSync(join(dir, 'config.json'))).toEqual([]);
  });

  it('--json: the error document names the file too', async () => {
    writeFileSync(join(dir, 'config.json'), '{bad json');
    const r = await runCli(['--json', 'profiles', 'list'], { env: { APIKIT_CONFIG_DIR: dir } });
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout).error).toMatchObject({ code: 'ERR_CONFIG_INVALID', exit_code: 2 });
  });

  it('a valid file with fields apikit does not know still works', async () => {
    writeFileSync(
      join(dir, 'config.json'),
      JSON.stringify({ other: 1, profiles: { default: profile({ extra: { a: 1 } }) } }),
      { mode: 0o600 },
    );
    const r = await runCli(['token'], { env: { APIKIT_CONFIG_DIR: dir }, overrides: { clock } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('at-1\n');
  });
});
