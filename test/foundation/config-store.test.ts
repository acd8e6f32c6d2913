import { spawn } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { configDir } from '../../src/config/paths.js';
import { openConfigStore } from '../../src/config/store.js';
import { tempDir } from '../helpers/cli.js';

let dir: string;
let cleanup: () => void;
beforeEach(() => ({ dir, cleanup } = tempDir()));
afterEach(() => cleanup());

describe('configDir', () => {
  it.each([
    [{ APIKIT_CONFIG_DIR: '/x/apikit' }, 'linux', '/x/apikit'],
    [{ HOME: '/home/u' }, 'linux', '/home/u/.config/apikit'],
    [{ HOME: '/home/u', XDG_CONFIG_HOME: '/cfg' }, 'linux', '/cfg/apikit'],
    [{ HOME: '/Users/u' }, 'darwin', '/Users/u/Library/Preferences/apikit'],
  ] as const)('%j on %s → %s', (env, platform, want) => {
    expect(configDir(env, platform)).toBe(want);
  });
});

describe('config store', () => {
  it('creates a 0700 directory and a 0600 file', async () => {
    const store = openConfigStore(join(dir, 'cfg'));
    await store.update((data) => {
      data.hello = 'world';
    });
    expect(statSync(join(dir, 'cfg')).mode & 0o777).toBe(0o700);
    expect(store.fileMode()).toBe(0o600);
    expect(store.read()).toEqual({ hello: 'world' });
    expect(JSON.parse(readFileSync(store.path, 'utf8'))).toEqual({ hello: 'world' });
  });

  it('reports a corrupt file as bad input naming it', async () => {
    const store = openConfigStore(dir);
    await store.update((d) => void (d.a = 1));
    const { writeFileSync } = await import('node:fs');
    writeFileSync(store.path, '{not json');
    expect(() => store.read()).toThrow(expect.objectContaining({ code: 'ERR_CONFIG_INVALID', exitCode: 2 }));
  });

  it('loses no update when eight processes write at once', async () => {
    const storeUrl = pathToFileURL(join(import.meta.dirname, '..', '..', 'dist', 'config', 'store.js')).href;
    const script = `
      const { openConfigStore } = await import(${JSON.stringify(storeUrl)});
      const store = openConfigStore(process.argv[1]);
      for (let i = 0; i < 10; i++) {
        await store.update((d) => { d.count = (d.count ?? 0) + 1; d['w' + process.pid] = i; });
      }`;
    const runs = Array.from(
      { length: 8 },
      () =>
        new Promise<number>((resolve, reject) => {
          const child = spawn(process.execPath, ['--input-type=module', '-e', script, dir], {
            stdio: ['ignore', 'ignore', 'inherit'],
            timeout: 60_000,
          });
          child.on('error', reject);
          child.on('close', (code) => resolve(code ?? -1));
        }),
    );
    expect(await Promise.all(runs)).toEqual(Array(8).fill(0));
    const data = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    expect(data.count).toBe(80);
    expect(Object.keys(data).filter((k) => k.startsWith('w'))).toHaveLength(8);
  });
});
