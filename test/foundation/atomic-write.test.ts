import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { writeFileAtomic, writeFilesAtomic } from '../../src/files/atomic-write.js';
import { tempDir } from '../helpers/cli.js';

/**
 * A seam for making races and failures deterministic: node:fs/promises is the real module, except that `open`
 * calls `hooks.beforeOpen(path)` (which may throw, as open(2) can: ENOSPC, EMFILE) and, once it has opened the
 * file, `hooks.afterOpen(path)`. The writer opens each temporary file after its existence checks and before the
 * final move, so an afterOpen hook that creates the destination is another process winning the race at the worst
 * moment. Everything else (stat, mkdir, link, rename) is the real system call.
 */
const hooks = vi.hoisted(() => ({
  beforeOpen: undefined as ((path: string) => void) | undefined,
  afterOpen: undefined as ((path: string) => void) | undefined,
}));
vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs/promises')>();
  const open: typeof real.open = async (...args) => {
    hooks.beforeOpen?.(String(args[0]));
    const handle = await real.open(...args);
    hooks.afterOpen?.(String(args[0]));
    return handle;
  };
  return { ...real, open };
});

let dir: string;
let cleanup: () => void;
beforeEach(() => ({ dir, cleanup } = tempDir()));
afterEach(() => {
  hooks.beforeOpen = undefined;
  hooks.afterOpen = undefined;
  cleanup();
});

/** Whether `path` is the temporary file the writer made for `destination` (".NAME.<random>.tmp" beside it). */
const isTempFor = (path: string, destination: string): boolean =>
  basename(path).startsWith(`.${basename(destination)}.`) && path.endsWith('.tmp');

/** Everything under `root`, recursively, relative to it, sorted. */
const tree = (root: string): string[] =>
  (readdirSync(root, { recursive: true }) as string[]).map(String).sort();

const mode = (p: string) => statSync(p).mode & 0o777;

describe('writeFilesAtomic', () => {
  it('creates private files 0600 and public ones 0644 whatever the umask', async () => {
    const old = process.umask(0o000);
    try {
      await writeFilesAtomic([
        { path: join(dir, 'a.key'), data: 'secret', mode: 0o600 },
        { path: join(dir, 'a.pub'), data: 'public', mode: 0o644 },
      ]);
    } finally {
      process.umask(old);
    }
    expect(mode(join(dir, 'a.key'))).toBe(0o600);
    expect(mode(join(dir, 'a.pub'))).toBe(0o644);
    expect(readFileSync(join(dir, 'a.key'), 'utf8')).toBe('secret');
    expect(readdirSync(dir).sort()).toEqual(['a.key', 'a.pub']);
  });

  it('refuses to overwrite without force, and writes none of the set', async () => {
    writeFileSync(join(dir, 'b.pub'), 'old');
    await expect(
      writeFilesAtomic([
        { path: join(dir, 'b.key'), data: 'new', mode: 0o600 },
        { path: join(dir, 'b.pub'), data: 'new', mode: 0o644 },
      ]),
    ).rejects.toMatchObject({
      code: 'ERR_FILE_EXISTS',
      exitCode: 2,
      hint: expect.stringContaining('--force'),
    });
    expect(readdirSync(dir)).toEqual(['b.pub']);
    expect(readFileSync(join(dir, 'b.pub'), 'utf8')).toBe('old');
  });

  it('overwrites with force and still sets the mode', async () => {
    writeFileSync(join(dir, 'c.key'), 'old', { mode: 0o644 });
    await writeFileAtomic(join(dir, 'c.key'), 'new', 0o600, { force: true });
    expect(readFileSync(join(dir, 'c.key'), 'utf8')).toBe('new');
    expect(mode(join(dir, 'c.key'))).toBe(0o600);
  });

  // Item 14 changed this row's trigger: a missing directory is now created, so the later file that cannot be
  // written is one whose parent is a regular file.
  it('leaves nothing behind when a later file cannot be written', async () => {
    writeFileSync(join(dir, 'plain'), 'a file');
    await expect(
      writeFilesAtomic([
        { path: join(dir, 'd.key'), data: 'x', mode: 0o600 },
        { path: join(dir, 'plain', 'd.pub'), data: 'x', mode: 0o644 },
      ]),
    ).rejects.toMatchObject({
      code: 'ERR_FILE_WRITE',
      message: expect.stringContaining('is not a directory'),
    });
    expect(readdirSync(dir)).toEqual(['plain']);
  });

  it('refuses a directory as destination', async () => {
    mkdirSync(join(dir, 'e.key'));
    await expect(writeFileAtomic(join(dir, 'e.key'), 'x', 0o600, { force: true })).rejects.toMatchObject({
      message: expect.stringContaining('is a directory'),
    });
  });
});

describe('writeFilesAtomic: missing parent directories are created (issue 9, item 14)', () => {
  const withUmask = async <T>(umask: number, fn: () => Promise<T>): Promise<T> => {
    const old = process.umask(umask);
    try {
      return await fn();
    } finally {
      process.umask(old);
    }
  };

  it.each([
    { umask: 0o000, label: '000' },
    { umask: 0o022, label: '022' },
  ])('0700 when they hold a private file (umask $label)', async ({ umask }) => {
    const key = join(dir, 'keys', 'deeper', 'api.key.pem');
    await withUmask(umask, () => writeFileAtomic(key, 'secret', 0o600));
    expect(mode(join(dir, 'keys'))).toBe(0o700);
    expect(mode(join(dir, 'keys', 'deeper'))).toBe(0o700);
    expect(mode(key)).toBe(0o600);
    expect(readFileSync(key, 'utf8')).toBe('secret');
  });

  it.each([
    { umask: 0o022, want: 0o755, label: 'umask 022 → 0755' },
    { umask: 0o027, want: 0o750, label: 'umask 027 → 0750' },
  ])('the default mode for public files only ($label)', async ({ umask, want }) => {
    const jwks = join(dir, 'public', '.well-known', 'jwks.json');
    await withUmask(umask, () => writeFileAtomic(jwks, '{}', 0o644));
    expect(mode(join(dir, 'public'))).toBe(want);
    expect(mode(join(dir, 'public', '.well-known'))).toBe(want);
    expect(mode(jwks)).toBe(0o644);
  });

  it('each directory by what it will hold: a parent of a private file is 0700, a public-only one is not', async () => {
    await withUmask(0o022, () =>
      writeFilesAtomic([
        { path: join(dir, 'both', 'private', 'k.key'), data: 'k', mode: 0o600 },
        { path: join(dir, 'both', 'public', 'k.pub'), data: 'p', mode: 0o644 },
      ]),
    );
    expect(mode(join(dir, 'both'))).toBe(0o700);
    expect(mode(join(dir, 'both', 'private'))).toBe(0o700);
    expect(mode(join(dir, 'both', 'public'))).toBe(0o755);
  });

  it('still no clobber: an existing file refuses the whole set before any directory is made', async () => {
    writeFileSync(join(dir, 'exists.pub'), 'old');
    await expect(
      writeFilesAtomic([
        { path: join(dir, 'new', 'dir', 'a.key'), data: 'x', mode: 0o600 },
        { path: join(dir, 'exists.pub'), data: 'x', mode: 0o644 },
      ]),
    ).rejects.toMatchObject({ code: 'ERR_FILE_EXISTS' });
    expect(tree(dir)).toEqual(['exists.pub']);
    expect(readFileSync(join(dir, 'exists.pub'), 'utf8')).toBe('old');
  });

  it('all or nothing: a failure after the directories were made removes them again', async () => {
    const second = join(dir, 'new', 'b.pub');
    hooks.beforeOpen = (path) => {
      if (isTempFor(path, second))
        throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
    };
    await expect(
      writeFilesAtomic([
        { path: join(dir, 'new', 'deeper', 'a.key'), data: 'x', mode: 0o600 },
        { path: second, data: 'x', mode: 0o644 },
      ]),
    ).rejects.toMatchObject({ code: 'ERR_FILE_WRITE', message: expect.stringContaining('no space left') });
    expect(tree(dir)).toEqual([]);
  });

  it('a directory that already exists is used as it is, and is not removed on failure', async () => {
    mkdirSync(join(dir, 'kept'), { mode: 0o755 });
    hooks.beforeOpen = () => {
      throw Object.assign(new Error('too many open files'), { code: 'EMFILE' });
    };
    await expect(writeFileAtomic(join(dir, 'kept', 'sub', 'a.key'), 'x', 0o600)).rejects.toMatchObject({
      code: 'ERR_FILE_WRITE',
    });
    expect(tree(dir)).toEqual(['kept']);
    expect(mode(join(dir, 'kept'))).toBe(0o755);
  });
});

/**
 * The race the existence check alone cannot win: another process creates the destination after the check and
 * before the move. Without --force the move is link(2), which fails with EEXIST when the name exists, so their
 * file survives and the write fails as if the check had seen it. (A move by rename(2) would silently replace it.)
 */
describe('writeFilesAtomic: a no-clobber write that loses a race', () => {
  /** Creates `destination` with their content the moment the writer has opened its temporary file. */
  const raceOn = (destination: string, theirs = 'theirs'): void => {
    hooks.afterOpen = (path) => {
      if (isTempFor(path, destination) && !existsSync(destination)) writeFileSync(destination, theirs);
    };
  };

  it('one file: ERR_FILE_EXISTS, their file intact, no temporary file left', async () => {
    const target = join(dir, 'api.key.pem');
    raceOn(target);
    await expect(writeFileAtomic(target, 'ours', 0o600)).rejects.toMatchObject({
      code: 'ERR_FILE_EXISTS',
      exitCode: 2,
      message: `"${target}" already exists`,
      hint: expect.stringContaining('--force'),
    });
    expect(readFileSync(target, 'utf8')).toBe('theirs');
    expect(tree(dir)).toEqual(['api.key.pem']);
  });

  it('a set: the file it lost the race for is theirs; the ones it had already moved are taken back', async () => {
    const files = ['k.key.pem', 'k.pub.pem', 'k.jwks.json'].map((name, i) => ({
      path: join(dir, name),
      data: `ours-${i}`,
      mode: i === 0 ? 0o600 : 0o644,
    }));
    raceOn(files[2]!.path);
    await expect(writeFilesAtomic(files)).rejects.toMatchObject({
      code: 'ERR_FILE_EXISTS',
      message: `"${files[2]!.path}" already exists`,
    });
    expect(tree(dir)).toEqual(['k.jwks.json']);
    expect(readFileSync(files[2]!.path, 'utf8')).toBe('theirs');
  });

  it('in a directory it created: their file stays, and so does the directory that holds it', async () => {
    const target = join(dir, 'fresh', 'api.key.pem');
    raceOn(target);
    await expect(writeFileAtomic(target, 'ours', 0o600)).rejects.toMatchObject({ code: 'ERR_FILE_EXISTS' });
    expect(tree(dir)).toEqual(['fresh', join('fresh', 'api.key.pem')]);
    expect(readFileSync(target, 'utf8')).toBe('theirs');
  });

  it('with force the same race ends with our file (the hook really fires before the move)', async () => {
    const target = join(dir, 'forced.key.pem');
    raceOn(target);
    await writeFileAtomic(target, 'ours', 0o600, { force: true });
    expect(readFileSync(target, 'utf8')).toBe('ours');
    expect(mode(target)).toBe(0o600);
    expect(tree(dir)).toEqual(['forced.key.pem']);
  });
});
