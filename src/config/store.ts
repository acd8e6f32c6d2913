import { chmodSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Conf from 'conf';
import { describeCause, InputError } from '../errors.js';
import { withFileLock } from './lock.js';

/**
 * The config store: one JSON file (config.json, mode 0600) in a 0700 directory, written atomically by conf.
 * Every change goes through `update`, which holds a cross-process lock and re-reads the file inside it, so
 * concurrent apikit processes (twenty `apikit token` in a Makefile) never lose each other's writes.
 */
export type ConfigData = Record<string, unknown>;

export interface ConfigStore {
  readonly dir: string;
  readonly path: string;
  /** A snapshot of the whole file (read now). */
  read(): ConfigData;
  /** Read-modify-write under the lock. `fn` mutates (or replaces) the data; its return value is passed on. */
  update<T>(fn: (data: ConfigData) => T | Promise<T>): Promise<T>;
  /** Runs `fn` under a named lock in the config dir (e.g. one per profile for token refresh). */
  withLock<T>(name: string, fn: () => Promise<T>): Promise<T>;
  /** The file's permission bits, or undefined if it does not exist yet. */
  fileMode(): number | undefined;
}

export function openConfigStore(dir: string): ConfigStore {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    // mkdir's mode is narrowed by the umask but never widened; an existing directory keeps its mode — fix both.
    if ((statSync(dir).mode & 0o077) !== 0) chmodSync(dir, 0o700);
  } catch (err) {
    throw new InputError(`cannot use config directory "${dir}": ${describeCause(err)}`, 'ERR_CONFIG_DIR');
  }
  const conf = new Conf<ConfigData>({
    cwd: dir,
    configName: 'config',
    projectName: 'apikit',
    projectSuffix: '',
    configFileMode: 0o600,
    clearInvalidConfig: false,
  });
  const path = conf.path;

  function read(): ConfigData {
    try {
      return structuredClone(conf.store);
    } catch (err) {
      throw new InputError(
        `config file "${path}" is not valid JSON: ${describeCause(err)}`,
        'ERR_CONFIG_INVALID',
        {
          hint: `fix or remove ${path}`,
        },
      );
    }
  }

  return {
    dir,
    path,
    read,
    update(fn) {
      return withFileLock(join(dir, 'config'), async () => {
        const data = read();
        const result = await fn(data);
        conf.store = data;
        return result;
      });
    },
    withLock(name, fn) {
      return withFileLock(join(dir, name), fn);
    },
    fileMode() {
      try {
        return statSync(path).mode & 0o777;
      } catch {
        return undefined;
      }
    },
  };
}
