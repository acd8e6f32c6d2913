import { resolve } from 'node:path';
import type { Context } from '../../context.js';
import { withFileLock } from '../../config/lock.js';
import { describeCause, isApikitError, UsageError } from '../../errors.js';
import { writeFileAtomic } from '../../files/atomic-write.js';
import { readInput } from '../../files/read-input.js';
import { readJwksSet, serializeJwksSet, type JwksSet } from '../../lib/keys/jwks-set.js';

/** A published JWKS is public: 0644, as `keys generate` and `keys jwks --out` write it. */
export const JWKS_FILE_MODE = 0o644;

/**
 * Runs a read-check-change-write cycle on a JWKS file under a cross-process lock (FILE.lock beside it, for the
 * duration of the edit), so that two rotations at once cannot lose a key: the second reads what the first wrote.
 * The file is written atomically (a temporary file renamed over it): a reader sees the old set or the new one.
 */
export async function editJwksFile<T>(
  path: string,
  ctx: Context,
  edit: (set: JwksSet) => Promise<T>,
): Promise<T> {
  if (path === '-' || path === '') {
    throw new UsageError('--jwks must name a file: the JWKS is read and written back', 'ERR_USAGE');
  }
  // Read once before locking too: a missing file or directory is then named as such, not as a lock failure.
  await readInput(path, ctx.io);
  let locked = false;
  try {
    return await withFileLock(resolve(path), async () => {
      locked = true;
      const input = await readInput(path, ctx.io);
      return edit(await readJwksSet(input.data, input.name));
    });
  } catch (err) {
    // Only the lock's own failures (a directory apikit cannot write in) are named here; the rest is as thrown.
    if (locked || isApikitError(err)) throw err;
    throw new UsageError(`cannot lock "${path}" for editing: ${describeCause(err)}`, 'ERR_KEYS_JWKS_LOCK');
  }
}

export async function writeJwksSet(path: string, set: JwksSet): Promise<void> {
  await writeFileAtomic(path, serializeJwksSet(set), JWKS_FILE_MODE, { force: true });
}
