// bin/apikit.js keeps two caches of compiled code in the per-user cache directory: Node's module compile cache
// (Node >= 22.1) and, on every Node, its own for the bundle files (bin/code-cache.js, tested in code-cache.test.ts).
// These run the built binary on the Node running the tests (CI runs them on 20, 22 and 24): the caches go where
// they should, are private, and a directory that cannot be made never fails or hangs a command.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN, tempDir } from '../helpers/cli.js';

const TOKEN = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln';
const hasCompileCache =
  Number(process.versions.node.split('.')[0]) >= 23 || /^22\.([1-9]|\d\d)/.test(process.versions.node);

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

function decodeWith(env: Record<string, string>) {
  const r = spawnSync(process.execPath, [BIN, 'jwt', 'decode', TOKEN, '--json'], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH, ...env },
    // A hang (Node's own mkdir -p loops for ever under /proc) fails here instead of at the test timeout.
    timeout: 20_000,
  });
  expect(r.error).toBeUndefined();
  expect(r.status).toBe(0);
  expect(JSON.parse(r.stdout)).toMatchObject({ payload: { sub: 'x' } });
  return r;
}

describe('the module compile cache', () => {
  it('lives in XDG_CACHE_HOME/apikit/compile-cache, private to the user', () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    decodeWith({ XDG_CACHE_HOME: dir, HOME: dir });
    const cache = join(dir, 'apikit', 'compile-cache');
    expect(statSync(join(dir, 'apikit')).mode & 0o777).toBe(0o700);
    expect(statSync(cache).mode & 0o777).toBe(0o700);
    expect(statSync(join(cache, 'apikit-code')).mode & 0o777).toBe(0o700);
    // Node's own entries beside apikit's, where Node has the module compile cache.
    expect(readdirSync(cache).filter((n) => n !== 'apikit-code').length > 0).toBe(hasCompileCache);
  });

  it.runIf(process.platform === 'linux')(
    'falls back to ~/.cache when XDG_CACHE_HOME is unset or relative',
    () => {
      const { dir, cleanup } = tempDir();
      cleanups.push(cleanup);
      decodeWith({ HOME: dir, XDG_CACHE_HOME: 'relative/dir' });
      expect(existsSync(join(dir, '.cache', 'apikit', 'compile-cache', 'apikit-code'))).toBe(true);
    },
  );

  it('NODE_DISABLE_COMPILE_CACHE=1 keeps it off', () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    decodeWith({ XDG_CACHE_HOME: dir, HOME: dir, NODE_DISABLE_COMPILE_CACHE: '1' });
    const cache = join(dir, 'apikit', 'compile-cache');
    expect(existsSync(cache) ? readdirSync(cache) : []).toEqual([]);
  });

  it.each([
    ['a path through a file', (dir: string) => join(dir, 'file', 'sub')],
    ['a directory where mkdir answers ENOENT (/proc)', () => '/proc'],
  ])('a cache directory that cannot be made (%s) changes nothing', (_what, cacheHome) => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    writeFileSync(join(dir, 'file'), '');
    const r = decodeWith({ XDG_CACHE_HOME: cacheHome(dir), HOME: dir });
    expect(r.stderr).not.toMatch(/cache|warning: (?!no "exp")/i);
  });

  it('`--version` does not touch the cache (answered before the program loads)', () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const r = spawnSync(process.execPath, [BIN, '--version'], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH, XDG_CACHE_HOME: dir, HOME: dir },
    });
    expect(r.status).toBe(0);
    expect(existsSync(join(dir, 'apikit'))).toBe(false);
  });
});
