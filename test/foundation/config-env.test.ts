import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { configDir } from '../../src/config/paths.js';
import { colorLevel } from '../../src/io/io.js';
import { runBin, runCli, tempDir } from '../helpers/cli.js';

/**
 * Issue 9, item 23 (the config and environment part): reading commands create nothing; a relative
 * XDG_CONFIG_HOME is ignored (the XDG Base Directory spec: such a path is invalid); an empty APIKIT_PROFILE means
 * the default profile; FORCE_COLOR takes 0–3 and ignores anything else.
 */
const NOW = Date.parse('2026-01-15T12:00:00Z');
const clock = { now: () => NOW };

let root: string;
let cleanup: () => void;
beforeEach(() => ({ dir: root, cleanup } = tempDir('apikit-config-env-')));
afterEach(() => cleanup());

describe('reading commands do not create the config directory', () => {
  it.each([
    [['profiles', 'list']],
    [['profiles', 'list', '--json']],
    [['profiles', 'show', 'default']],
    [['token', '--check']],
    [['token']],
  ])('%j', async (argv) => {
    const dir = join(root, 'not-yet');
    const r = await runCli(argv, { env: { APIKIT_CONFIG_DIR: dir }, overrides: { clock } });
    expect(r.code, r.stderr).not.toBe(70);
    expect(existsSync(dir)).toBe(false);
  });

  it('the default location under HOME is not created either (the built binary)', async () => {
    const home = join(root, 'home');
    mkdirSync(home);
    const r = await runBin(['profiles', 'list'], { env: { HOME: home }, cwd: root });
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(join(home, '.config'))).toBe(false);
  });
});

describe('XDG_CONFIG_HOME', () => {
  it.each([
    [{ HOME: '/home/u', XDG_CONFIG_HOME: 'relative/cfg' }, '/home/u/.config/apikit'],
    [{ HOME: '/home/u', XDG_CONFIG_HOME: './cfg' }, '/home/u/.config/apikit'],
    [{ HOME: '/home/u', XDG_CONFIG_HOME: '' }, '/home/u/.config/apikit'],
    [{ HOME: '/home/u', XDG_CONFIG_HOME: '/abs/cfg' }, '/abs/cfg/apikit'],
  ])('%j → %s', (env, want) => {
    expect(configDir(env, 'linux')).toBe(want);
  });

  it('a relative one puts nothing in the working directory (the built binary)', async () => {
    const home = join(root, 'home');
    const cwd = join(root, 'cwd');
    mkdirSync(home);
    mkdirSync(cwd);
    // `profiles remove` writes the config file, so it shows where the directory goes.
    const r = await runBin(['profiles', 'remove', 'nope'], {
      env: { HOME: home, XDG_CONFIG_HOME: 'rel' },
      cwd,
    });
    expect(r.code).not.toBe(70);
    expect(existsSync(join(cwd, 'rel'))).toBe(false);
  });
});

describe('APIKIT_PROFILE', () => {
  const profile = {
    name: 'default',
    grant: 'authorization_code',
    tokenEndpoint: 'https://as.example/token',
    clientId: 'cli',
    tokens: { accessToken: 'at-default', tokenType: 'Bearer', obtainedAt: NOW, expiresAt: NOW + 3600_000 },
    createdAt: NOW,
    updatedAt: NOW,
  };

  it.each([[''], [undefined]])('%j means the default profile', async (value) => {
    const dir = join(root, 'cfg');
    mkdirSync(dir, { mode: 0o700 });
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ profiles: { default: profile } }), {
      mode: 0o600,
    });
    const r = await runCli(['token'], {
      env: { APIKIT_CONFIG_DIR: dir, APIKIT_PROFILE: value },
      overrides: { clock },
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('at-default\n');
  });
});

describe('FORCE_COLOR: 0–3, anything else ignored', () => {
  it.each([
    { value: '0', tty: true, level: 0 },
    { value: '1', tty: false, level: 1 },
    { value: '2', tty: false, level: 2 },
    { value: '3', tty: false, level: 3 },
    // Ignored: the stream decides, as if FORCE_COLOR were unset.
    { value: 'true', tty: false, level: 0 },
    { value: 'true', tty: true, level: 1 },
    { value: 'false', tty: true, level: 1 },
    { value: '', tty: false, level: 0 },
    { value: '4', tty: false, level: 0 },
    { value: 'yes', tty: false, level: 0 },
    { value: '1.5', tty: false, level: 0 },
  ])('FORCE_COLOR=$value, tty=$tty → level $level', ({ value, tty, level }) => {
    expect(colorLevel(tty, { FORCE_COLOR: value }, false)).toBe(level);
  });

  it('an ignored value leaves NO_COLOR in charge', () => {
    expect(colorLevel(true, { FORCE_COLOR: 'true', NO_COLOR: '1' }, false)).toBe(0);
  });

  it('through the CLI: FORCE_COLOR=true does not colour piped output', async () => {
    const r = await runCli(['--bogus'], { env: { FORCE_COLOR: 'true' } });
    expect(r.stderr).not.toContain('\u001b[');
  });
});
