import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { link, mkdir, open, rename, rmdir, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join, relative, sep } from 'node:path';
import { describeCause, isApikitError, UsageError } from '../errors.js';

export interface FileToWrite {
  path: string;
  data: string | Uint8Array;
  /** 0o600 for anything private; 0o644 for public material. */
  mode: number;
}

export interface WriteOptions {
  /** Overwrite existing files (the user said --force). */
  force?: boolean;
}

/**
 * Writes a set of files all-or-nothing: each goes to a temporary file beside its destination (created with its
 * final mode, so private material is never readable by others, not even briefly), is flushed, and only when
 * every one is ready are they moved into place. Without `force`, an existing destination is never replaced —
 * checked first, and again at the move, which uses link(2): it fails with EEXIST when the name exists, so a file
 * another process created after the check is not clobbered. Missing parent directories are created (0700 when
 * they will hold a private file, the default mode otherwise — README: "directories 0700"). On failure every
 * temporary file, every destination this call already created and every directory it made are removed.
 */
export async function writeFilesAtomic(files: FileToWrite[], options: WriteOptions = {}): Promise<void> {
  const force = options.force ?? false;
  const missing = new Set<string>();
  for (const file of files) {
    for (const dir of await checkDestination(file.path, force)) missing.add(dir);
  }

  const dirs: string[] = [];
  const temps: string[] = [];
  const created: string[] = [];
  try {
    await makeDirectories([...missing], files, dirs);
    for (const file of files) {
      const temp = join(dirname(file.path), `.${basename(file.path)}.${randomBytes(6).toString('hex')}.tmp`);
      const handle = await open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, file.mode);
      temps.push(temp);
      try {
        await handle.chmod(file.mode); // the umask may have narrowed or (0o644) reduced the mode
        await handle.writeFile(file.data);
        await handle.sync();
      } finally {
        await handle.close();
      }
    }
    for (const [i, file] of files.entries()) {
      const temp = temps[i]!;
      if (force) {
        await rename(temp, file.path);
      } else {
        await link(temp, file.path);
        await unlink(temp);
      }
      created.push(file.path);
    }
  } catch (err) {
    await Promise.all([...temps, ...(force ? [] : created)].map((p) => unlink(p).catch(() => undefined)));
    // Deepest first; a directory someone else has put a file into meanwhile is not empty and stays.
    for (const dir of dirs.reverse()) await rmdir(dir).catch(() => undefined);
    if (isApikitError(err)) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    const path = (err as NodeJS.ErrnoException).path ?? files[0]?.path ?? '';
    if (code === 'EEXIST') {
      throw new UsageError(`"${destinationFor(path, files)}" already exists`, 'ERR_FILE_EXISTS', {
        hint: 'use --force to overwrite it',
      });
    }
    throw new UsageError(
      `cannot write "${destinationFor(path, files)}": ${describeCause(err)}`,
      'ERR_FILE_WRITE',
    );
  }
}

export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  mode: number,
  options: WriteOptions = {},
): Promise<void> {
  await writeFilesAtomic([{ path, data, mode }], options);
}

function destinationFor(path: string, files: FileToWrite[]): string {
  const hit = files.find((f) => path.includes(basename(f.path)));
  return hit?.path ?? path;
}

/**
 * Checks that `path` may be written and returns the parent directories that do not exist yet, outermost first.
 * An ancestor that exists but is not a directory is an error.
 */
async function checkDestination(path: string, force: boolean): Promise<string[]> {
  let info;
  try {
    info = await stat(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return missingParents(path);
    throw new UsageError(`cannot write "${path}": ${describeCause(err)}`, 'ERR_FILE_WRITE');
  }
  if (info.isDirectory()) throw new UsageError(`cannot write "${path}": it is a directory`, 'ERR_FILE_WRITE');
  if (!force) {
    throw new UsageError(`"${path}" already exists`, 'ERR_FILE_EXISTS', {
      hint: 'use --force to overwrite it',
    });
  }
  return [];
}

async function missingParents(path: string): Promise<string[]> {
  const missing: string[] = [];
  for (let dir = dirname(path); ; dir = dirname(dir)) {
    let info;
    try {
      info = await stat(dir);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if ((code === 'ENOENT' || code === 'ENOTDIR') && dirname(dir) !== dir) {
        missing.unshift(dir);
        continue;
      }
      throw new UsageError(`cannot write "${path}": ${describeCause(err)}`, 'ERR_FILE_WRITE');
    }
    if (!info.isDirectory()) {
      throw new UsageError(`cannot write "${path}": "${dir}" is not a directory`, 'ERR_FILE_WRITE');
    }
    return missing;
  }
}

/**
 * Creates the missing directories, outermost first, recording each one this call made in `made`. A directory
 * that will hold a private file (a mode with no group or other bits) is made 0700, so the file's name and
 * neighbours are not listed to others either; one for public files only gets the default mode (0777 less the
 * umask), like `mkdir`. A directory another process creates meanwhile is used as it is, and not removed later.
 */
async function makeDirectories(dirs: string[], files: FileToWrite[], made: string[]): Promise<void> {
  for (const dir of [...dirs].sort((a, b) => depth(a) - depth(b))) {
    const holdsPrivate = files.some((f) => (f.mode & 0o077) === 0 && isInside(f.path, dir));
    try {
      await mkdir(dir, { mode: holdsPrivate ? 0o700 : 0o777 });
      made.push(dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST' && (await isDirectory(dir))) continue;
      throw new UsageError(`cannot create directory "${dir}": ${describeCause(err)}`, 'ERR_FILE_WRITE');
    }
  }
}

function depth(dir: string): number {
  return dir.split(sep).length;
}

function isInside(path: string, dir: string): boolean {
  const rel = relative(dir, path);
  return rel !== '' && !rel.startsWith('..') && !rel.startsWith(sep);
}

async function isDirectory(path: string): Promise<boolean> {
  return stat(path).then(
    (info) => info.isDirectory(),
    () => false,
  );
}
