import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeFileAtomic, writeFilesAtomic } from '../../src/files/atomic-write.js';
import { tempDir } from '../helpers/cli.js';

let dir: string;
let cleanup: () => void;
beforeEach(() => ({ dir, cleanup } = tempDir()));
afterEach(() => cleanup());

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

  it('leaves nothing behind when a later file cannot be written', async () => {
    await expect(
      writeFilesAtomic([
        { path: join(dir, 'd.key'), data: 'x', mode: 0o600 },
        { path: join(dir, 'missing', 'd.pub'), data: 'x', mode: 0o644 },
      ]),
    ).rejects.toMatchObject({ code: 'ERR_FILE_WRITE', message: expect.stringContaining('does not exist') });
    expect(readdirSync(dir)).toEqual([]);
  });

  it('refuses a directory as destination', async () => {
    mkdirSync(join(dir, 'e.key'));
    await expect(writeFileAtomic(join(dir, 'e.key'), 'x', 0o600, { force: true })).rejects.toMatchObject({
      message: expect.stringContaining('is a directory'),
    });
  });
});
