import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { link, open, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
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
 * checked first, and again at the move, which uses link(2) so that a file created meanwhile is not clobbered.
 * On failure every temporary file, and every destination this call already created, is removed.
 */
export async function writeFilesAtomic(files: FileToWrite[], options: WriteOptions = {}): Promise<void> {
  const force = options.force ?? false;
  for (const file of files) await checkDestination(file.path, force);

  const temps: string[] = [];
  const created: string[] = [];
  try {
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

async function checkDestination(path: string, force: boolean): Promise<void> {
  let info;
  try {
    info = await stat(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      try {
        const parent = await stat(dirname(path));
        if (!parent.isDirectory()) throw new Error('not a directory');
      } catch {
        throw new UsageError(
          `cannot write "${path}": directory "${dirname(path)}" does not exist`,
          'ERR_FILE_WRITE',
        );
      }
      return;
    }
    throw new UsageError(`cannot write "${path}": ${describeCause(err)}`, 'ERR_FILE_WRITE');
  }
  if (info.isDirectory()) throw new UsageError(`cannot write "${path}": it is a directory`, 'ERR_FILE_WRITE');
  if (!force) {
    throw new UsageError(`"${path}" already exists`, 'ERR_FILE_EXISTS', {
      hint: 'use --force to overwrite it',
    });
  }
}
