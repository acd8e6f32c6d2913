import { closeSync, constants, fstatSync, openSync, readFileSync } from 'node:fs';
import { adoptCompanionKids, companionJwksPath, wantsCompanionKid, type KeySet } from '../lib/keys/load.js';
import { DEFAULT_INPUT_LIMIT, type InputSource } from './read-input.js';

/**
 * The kid a PEM key file's companion JWKS gives its key (src/lib/keys/companion.ts): `keys/api.key.pem` takes the
 * kid of the same key in `keys/api.jwks.json`, as `apikit keys generate --kid` wrote it. The companion is looked
 * for only when it can matter — a PEM with a kid-less key, read from a file named like generate's output — so
 * other reads cost nothing, and these one open(2). Callers import this module lazily, only for such a read.
 */
export function withCompanionKids(set: KeySet, keyPath: string): KeySet {
  if (keyPath === '-' || !wantsCompanionKid(set)) return set;
  const companion = readCompanionJwks(keyPath);
  return companion === undefined ? set : adoptCompanionKids(set, companion);
}

/**
 * The companion JWKS of a key file, or undefined: none by that name, unreadable, not a regular file or too large.
 * It is a hint, never an input the user named, so nothing about it is an error.
 */
export function readCompanionJwks(keyPath: string): InputSource | undefined {
  const path = companionJwksPath(keyPath);
  if (path === undefined) return undefined;
  // Synchronous, like every small input apikit reads (src/files/read-input.ts): node:fs/promises would cost more
  // to load (1-2 ms) than this one read takes.
  let fd: number;
  try {
    // O_NONBLOCK: a FIFO by that name must not hang the command (it is then refused as not a regular file).
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch {
    return undefined;
  }
  try {
    const info = fstatSync(fd);
    if (!info.isFile() || info.size > DEFAULT_INPUT_LIMIT) return undefined;
    return { name: path, data: readFileSync(fd) };
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}
