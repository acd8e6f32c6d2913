import { performance } from 'node:perf_hooks';
import lockfile from 'proper-lockfile';
import { ApikitError, ExitCode } from '../errors.js';

/**
 * A cross-process lock (proper-lockfile: an atomic mkdir, refreshed while held and taken over when stale),
 * so that read-modify-write cycles of the config file — and token refreshes — happen one process at a time.
 */
export async function withFileLock<T>(
  lockPath: string,
  fn: () => Promise<T>,
  options: { waitMs?: number; staleMs?: number } = {},
): Promise<T> {
  const waitMs = options.waitMs ?? 30_000;
  const staleMs = options.staleMs ?? 15_000;
  // How long we have waited is elapsed time, not wall-clock time: a monotonic clock (a clock step must not
  // make a waiter give up early or wait forever).
  const deadline = performance.now() + waitMs;
  let release: (() => Promise<void>) | undefined;
  for (let attempt = 0; !release; attempt++) {
    try {
      release = await lockfile.lock(lockPath, {
        lockfilePath: `${lockPath}.lock`,
        realpath: false,
        stale: staleMs,
        update: Math.floor(staleMs / 3),
        retries: 0,
      });
    } catch (err) {
      if ((err as { code?: string }).code !== 'ELOCKED' || performance.now() > deadline) {
        if ((err as { code?: string }).code === 'ELOCKED') {
          throw new ApikitError(
            `timed out after ${waitMs} ms waiting for the lock on ${lockPath}`,
            'ERR_CONFIG_LOCK_TIMEOUT',
            ExitCode.INTERNAL,
            { hint: `if no other apikit is running, remove ${lockPath}.lock` },
          );
        }
        throw err;
      }
      // Jittered back-off: twenty processes starting together must not retry in lock-step.
      await new Promise((r) => setTimeout(r, Math.min(200, 10 + attempt * 10) * (0.5 + Math.random())));
    }
  }
  try {
    return await fn();
  } finally {
    await release().catch(() => undefined);
  }
}
