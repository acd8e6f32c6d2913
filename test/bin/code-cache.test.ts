// bin/code-cache.js: apikit's bundle files run from V8 code a previous run of the same command saved after it ran.
// Through the built binary on the Node running the tests (CI: 20, 22 and 24). What must hold: the output is the
// same with and without the cache; a cache is saved once per command path and then only read; a cache is used only
// for the exact bytes it was made from (V8 itself checks the length only); anything damaged is no cache.
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { VERSION } from '../../src/version.js';
import { ensureBuilt } from '../commands/jwt/fixtures.js';
import { BIN, tempDir } from '../helpers/cli.js';

const ROOT = join(import.meta.dirname, '..', '..');
const TOKEN = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln';
const MAGIC = Buffer.from('apikit code cache 1\n');
const SUBDIR = `${process.version}-${process.arch}-${VERSION}`;
const { commandDirName, MAX_COMMANDS, UNUSED_DAYS } = createRequire(import.meta.url)(
  '../../bin/code-cache.js',
) as {
  commandDirName: (command: string) => string;
  MAX_COMMANDS: number;
  UNUSED_DAYS: number;
};

beforeAll(() => ensureBuilt());
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

function home(): string {
  const { dir, cleanup } = tempDir();
  cleanups.push(cleanup);
  return dir;
}

function run(bin: string, argv: string[], cacheHome: string, extra: Record<string, string> = {}, input = '') {
  const r = spawnSync(process.execPath, [bin, ...argv], {
    encoding: 'utf8',
    input,
    env: { PATH: process.env.PATH, HOME: cacheHome, XDG_CACHE_HOME: cacheHome, ...extra },
    timeout: 20_000,
  });
  expect(r.error).toBeUndefined();
  return r;
}

/** Where this Node's caches are: the runs' marks, and one directory per command. */
const codeDir = (cacheHome: string) => join(cacheHome, 'apikit', 'compile-cache', 'apikit-code', SUBDIR);
const commandDir = (cacheHome: string, command = 'jwt decode') =>
  join(codeDir(cacheHome), commandDirName(command));

/** A command's cache files by bundle file (`chunks/x.js`), each read as the loader writes it. */
function caches(
  cacheHome: string,
  command = 'jwt decode',
): Map<string, { list: string[]; source: Buffer; data: Buffer; ino: number }> {
  const out = new Map<string, { list: string[]; source: Buffer; data: Buffer; ino: number }>();
  const dir = commandDir(cacheHome, command);
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    if (!name.endsWith('.js')) continue;
    const bytes = readFileSync(join(dir, name));
    expect(bytes.subarray(0, MAGIC.length).equals(MAGIC)).toBe(true);
    const sourceLength = bytes.readUInt32LE(MAGIC.length);
    const listLength = bytes.readUInt32LE(MAGIC.length + 4);
    const dataLength = bytes.readUInt32LE(MAGIC.length + 8);
    const listEnd = MAGIC.length + 12 + listLength;
    expect(listEnd + sourceLength + dataLength).toBe(bytes.length);
    out.set(name.replaceAll('_', '/'), {
      list: JSON.parse(bytes.subarray(MAGIC.length + 12, listEnd).toString('utf8')) as string[],
      source: bytes.subarray(listEnd, listEnd + sourceLength),
      data: bytes.subarray(listEnd + sourceLength),
      ino: statSync(join(dir, name)).ino,
    });
  }
  return out;
}

describe('the code cache of the bundle files', () => {
  it('the first run saves one private file per bundle file it ran, holding that file’s bytes; later runs only read', () => {
    const dir = home();
    const first = run(BIN, ['jwt', 'decode', TOKEN, '--json'], dir);
    expect(first.status).toBe(0);
    const saved = caches(dir);
    expect([...saved.keys()]).toContain('apikit.js');
    expect(saved.size).toBeGreaterThanOrEqual(2);
    expect(statSync(codeDir(dir)).mode & 0o777).toBe(0o700);
    expect(statSync(commandDir(dir)).mode & 0o777).toBe(0o700);
    for (const [rel, c] of saved) {
      expect(c.source.equals(readFileSync(join(ROOT, 'dist', 'bundle', rel)))).toBe(true);
      expect(c.data.length).toBeGreaterThan(1000);
      expect([...c.list].sort()).toEqual([...saved.keys()].sort());
      expect(statSync(join(commandDir(dir), rel.replaceAll('/', '_'))).mode & 0o777).toBe(0o600);
    }
    const second = run(BIN, ['jwt', 'decode', TOKEN, '--json'], dir);
    expect(second.stdout).toBe(first.stdout);
    expect(second.stderr).toBe(first.stderr);
    const again = caches(dir);
    for (const [rel, c] of saved) expect(again.get(rel)!.ino).toBe(c.ino);
    // No temporary files left behind.
    expect(readdirSync(commandDir(dir)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('each command has caches of its own: running one leaves the other’s as they are', () => {
    const dir = home();
    expect(run(BIN, ['keys', 'generate', '--alg', 'ES256', '--out', join(dir, 'k')], dir).status).toBe(0);
    expect(run(BIN, ['jwt', 'decode', TOKEN], dir).status).toBe(0);
    const decode = caches(dir);
    expect(run(BIN, ['keys', 'inspect', join(dir, 'k.key.pem')], dir).status).toBe(0);
    const inspect = caches(dir, 'keys inspect');
    expect([...inspect.keys()].some((rel) => rel.startsWith('chunks/inspect-'))).toBe(true);
    expect([...decode.keys()].some((rel) => rel.startsWith('chunks/inspect-'))).toBe(false);
    for (const [rel, c] of decode) expect(caches(dir).get(rel)!.ino).toBe(c.ino);
    // Words that are not names (a token, a path) are not part of the command.
    expect(existsSync(commandDir(dir, `jwt decode ${TOKEN}`))).toBe(false);
  });

  it('the same command on another path saves its files once more, for the union; after that neither path saves', () => {
    const dir = home();
    const env = { S: 'a-long-enough-hmac-secret-for-these-tests-0123456789' };
    const single = ['jwt', 'verify', TOKEN, '--secret-env', 'S'];
    const batch = ['jwt', 'verify', '-', '--secret-env', 'S'];
    expect(run(BIN, single, dir, env).status).toBe(1);
    const first = caches(dir, 'jwt verify');
    expect(run(BIN, batch, dir, env, `${TOKEN}\n${TOKEN}\n`).status).toBe(1);
    const both = caches(dir, 'jwt verify');
    const entry = both.get('apikit.js')!;
    expect(entry.ino).not.toBe(first.get('apikit.js')!.ino);
    for (const rel of first.get('apikit.js')!.list) expect(entry.list).toContain(rel);
    expect(entry.list.some((rel) => rel.startsWith('chunks/verify-batch-'))).toBe(true);
    expect(run(BIN, single, dir, env).status).toBe(1);
    expect(run(BIN, batch, dir, env, `${TOKEN}\n`).status).toBe(1);
    const settled = caches(dir, 'jwt verify');
    for (const [rel, c] of both) expect(settled.get(rel)!.ino).toBe(c.ino);
  });

  it(`past ${MAX_COMMANDS} commands with caches, a new one runs without (and as well)`, () => {
    const dir = home();
    run(BIN, ['--help'], dir);
    for (let i = 0; i < MAX_COMMANDS; i++)
      mkdirSync(join(codeDir(dir), `c${i.toString(16)}`), { recursive: true });
    const r = run(BIN, ['jwt', 'decode', TOKEN, '--json'], dir);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ payload: { sub: 'x' } });
    expect(existsSync(commandDir(dir))).toBe(false);
  });

  it('a bundle file changed in place (same length) runs its new code, not the cached code of the old bytes', () => {
    // A copy of the built package: bin/, dist/bundle/, and node_modules for the packages left outside the bundle.
    const pkg = home();
    cpSync(join(ROOT, 'bin'), join(pkg, 'bin'), { recursive: true });
    cpSync(join(ROOT, 'dist', 'bundle'), join(pkg, 'dist', 'bundle'), { recursive: true });
    cpSync(join(ROOT, 'package.json'), join(pkg, 'package.json'));
    symlinkSync(join(ROOT, 'node_modules'), join(pkg, 'node_modules'));
    const bin = join(pkg, 'bin', 'apikit.js');
    const dir = home();
    const before = run(bin, ['jwt', 'decode', TOKEN], dir);
    expect(before.stderr).toMatch(/note: signature not verified/);
    const chunks = join(pkg, 'dist', 'bundle', 'chunks');
    const file = readdirSync(chunks)
      .map((n) => join(chunks, n))
      .find((p) => readFileSync(p, 'utf8').includes('note: signature not verified'))!;
    const text = readFileSync(file, 'utf8');
    writeFileSync(file, text.replace('note: signature not verified', 'note: signature NOT verified'));
    expect(readFileSync(file).length).toBe(Buffer.byteLength(text));
    const after = run(bin, ['jwt', 'decode', TOKEN], dir);
    expect(after.status).toBe(0);
    expect(after.stderr).toMatch(/note: signature NOT verified/);
    // …and the cache was made again from the new bytes.
    const rel = `chunks/${file.split('/').pop()}`;
    expect(caches(dir).get(rel)!.source.equals(readFileSync(file))).toBe(true);
  });

  it.each([
    ['random bytes', (b: Buffer) => Buffer.from(b.subarray(0, 64).map((x) => x ^ 0x5a))],
    ['a cut-off file', (b: Buffer) => b.subarray(0, Math.floor(b.length / 2))],
    ['one byte more', (b: Buffer) => Buffer.concat([b, Buffer.from([0])])],
  ])('a damaged cache (%s): the same output as without a cache, and a sound cache again', (_what, damage) => {
    const dir = home();
    const plain = run(BIN, ['jwt', 'decode', TOKEN, '--json'], dir, { NODE_DISABLE_COMPILE_CACHE: '1' });
    expect(plain.status).toBe(0);
    expect(existsSync(codeDir(dir))).toBe(false);
    run(BIN, ['jwt', 'decode', TOKEN, '--json'], dir);
    const file = join(commandDir(dir), 'apikit.js');
    writeFileSync(file, damage(readFileSync(file)));
    const r = run(BIN, ['jwt', 'decode', TOKEN, '--json'], dir);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(plain.stdout);
    expect(r.stderr).toBe(plain.stderr);
    const rebuilt = caches(dir).get('apikit.js')!;
    expect(rebuilt.source.equals(readFileSync(join(ROOT, 'dist', 'bundle', 'apikit.js')))).toBe(true);
    // Sound again: the next run reads it and leaves it as it is.
    run(BIN, ['jwt', 'decode', TOKEN, '--json'], dir);
    expect(caches(dir).get('apikit.js')!.ino).toBe(rebuilt.ino);
  });

  it('damaged V8 data (which V8 does not check, and may crash on): the run after a crash starts without any cache', () => {
    const dir = home();
    const plain = run(BIN, ['jwt', 'decode', TOKEN, '--json'], dir, { NODE_DISABLE_COMPILE_CACHE: '1' });
    run(BIN, ['jwt', 'decode', TOKEN, '--json'], dir);
    const file = join(commandDir(dir), 'apikit.js');
    const bytes = readFileSync(file);
    bytes.fill(7, bytes.length - 2000);
    writeFileSync(file, bytes);
    const damaged = run(BIN, ['jwt', 'decode', TOKEN, '--json'], dir);
    // V8 may run the damaged code or die of it; either way the next run is sound.
    if (damaged.status !== 0) {
      expect(damaged.signal).not.toBeNull();
      expect(readdirSync(codeDir(dir)).filter((n) => n.startsWith('running-'))).toHaveLength(1);
    }
    const next = run(BIN, ['jwt', 'decode', TOKEN, '--json'], dir);
    expect(next.status).toBe(0);
    expect(next.stdout).toBe(plain.stdout);
    // Saved again, whole: not the damaged bytes.
    expect(readFileSync(file).equals(bytes)).toBe(false);
    const bundle = readFileSync(join(ROOT, 'dist', 'bundle', 'apikit.js'));
    expect(caches(dir).get('apikit.js')!.source.equals(bundle)).toBe(true);
    expect(readdirSync(codeDir(dir)).filter((n) => n.startsWith('running-'))).toEqual([]);
  });

  it('the mark of a run that died wipes every cache; the marks of live runs are left alone', () => {
    const dir = home();
    run(BIN, ['jwt', 'decode', TOKEN], dir);
    const before = caches(dir);
    // Beside the caches: a file in this command's directory and another command's directory, to see them go.
    const own = join(commandDir(dir), 'sentinel.txt');
    const other = join(commandDir(dir, 'keys inspect'), 'sentinel.txt');
    mkdirSync(commandDir(dir, 'keys inspect'));
    writeFileSync(own, '');
    writeFileSync(other, '');
    // A live process's mark (this test runner) is not a crash.
    writeFileSync(join(codeDir(dir), `running-${process.pid}`), '');
    run(BIN, ['jwt', 'decode', TOKEN], dir);
    const kept = caches(dir);
    for (const [rel, c] of before) expect(kept.get(rel)!.ino).toBe(c.ino);
    expect(existsSync(own) && existsSync(other)).toBe(true);
    // A process that has ended without removing its mark.
    const gone = spawnSync(process.execPath, ['-e', '0']).pid!;
    writeFileSync(join(codeDir(dir), `running-${gone}`), '');
    const r = run(BIN, ['jwt', 'decode', TOKEN], dir);
    expect(r.status).toBe(0);
    expect(existsSync(own) || existsSync(other)).toBe(false);
    // …and the run saved its caches again, whole.
    const after = caches(dir);
    expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
    for (const [rel, c] of after) {
      expect(c.source.equals(readFileSync(join(ROOT, 'dist', 'bundle', rel)))).toBe(true);
    }
    expect(readdirSync(codeDir(dir)).filter((n) => n.startsWith('running-'))).toEqual([
      `running-${process.pid}`,
    ]);
  });

  it('stack traces give the columns require() gives, on line 1 too, with and without a cache', () => {
    const dir = home();
    mkdirSync(join(dir, 'bundle'));
    mkdirSync(join(dir, 'cache'));
    const file = join(dir, 'bundle', 'x.js');
    writeFileSync(
      file,
      'exports.one = () => { throw new Error("one") };\nexports.two = () =>   { throw new Error("two") };\n',
    );
    // Each run loads the file through the loader and through require(), and prints where each error was made.
    const script = `
      const { createBundleLoader } = require(${JSON.stringify(join(ROOT, 'bin', 'code-cache.js'))});
      const [bundle, cache, file] = process.argv.slice(1);
      const loaded = createBundleLoader(bundle, cache, 'x')(file);
      const required = require(file);
      const where = (f) => { try { f(); } catch (e) { return e.stack.split('\\n')[1].trim(); } };
      console.log(JSON.stringify([where(loaded.one), where(required.one), where(loaded.two), where(required.two)]));
    `;
    const args = ['-e', script, join(dir, 'bundle'), join(dir, 'cache'), file];
    for (const pass of ['compiled', 'from the cache']) {
      const r = spawnSync(process.execPath, args, { encoding: 'utf8', timeout: 20_000 });
      expect(r.stderr, pass).toBe('');
      const [loadedOne, requiredOne, loadedTwo, requiredTwo] = JSON.parse(r.stdout) as string[];
      expect(requiredOne).toBe(`at exports.one (${file}:1:29)`);
      expect(loadedOne, pass).toBe(requiredOne);
      expect(requiredTwo).toBe(`at exports.two (${file}:2:31)`);
      expect(loadedTwo, pass).toBe(requiredTwo);
    }
    expect(readdirSync(join(dir, 'cache', commandDirName('x')))).toEqual(['x.js']);
  });

  it(`a new version’s first run removes the caches of other versions unused for ${UNUSED_DAYS} days, and only those`, () => {
    const dir = home();
    const root = join(dir, 'apikit', 'compile-cache', 'apikit-code');
    const day = 86_400;
    const now = Date.now() / 1000;
    const version = (name: string, daysAgo: number) => {
      mkdirSync(join(root, name, 'c1234'), { recursive: true });
      writeFileSync(join(root, name, 'c1234', 'apikit.js'), 'cache');
      utimesSync(join(root, name), now - daysAgo * day, now - daysAgo * day);
      return join(root, name);
    };
    const stale = version('v20.11.0-x64-0.0.9', UNUSED_DAYS + 1);
    const recent = version('v22.1.0-x64-0.0.9', UNUSED_DAYS - 1);
    // Not a version's directory: left alone whatever its age.
    const other = join(root, 'not-a-version');
    mkdirSync(other);
    utimesSync(other, now - 400 * day, now - 400 * day);
    expect(run(BIN, ['jwt', 'decode', TOKEN], dir).status).toBe(0);
    expect(existsSync(stale)).toBe(false);
    expect(existsSync(join(recent, 'c1234', 'apikit.js'))).toBe(true);
    expect(existsSync(other)).toBe(true);
    expect(caches(dir).size).toBeGreaterThanOrEqual(2);
    // Later runs of a version whose directory exists remove nothing: only an upgrade leaves old caches behind.
    utimesSync(recent, now - 400 * day, now - 400 * day);
    expect(run(BIN, ['jwt', 'decode', TOKEN], dir).status).toBe(0);
    expect(existsSync(recent)).toBe(true);
    // Each run marks its own version's directory as used.
    const own = codeDir(dir);
    utimesSync(own, now - 400 * day, now - 400 * day);
    expect(run(BIN, ['jwt', 'decode', TOKEN], dir).status).toBe(0);
    expect(statSync(own).mtimeMs / 1000).toBeGreaterThan(now - day);
  });

  it('a cache directory that cannot be made (a file is in the way) changes nothing', () => {
    const blocked = home();
    writeFileSync(join(blocked, 'apikit'), 'not a directory');
    const r = run(BIN, ['jwt', 'decode', TOKEN, '--json'], blocked);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ payload: { sub: 'x' } });
    expect(r.stderr).not.toMatch(/cache/i);
  });
});
