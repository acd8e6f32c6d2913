import { chmodSync, mkdirSync, readFileSync, statSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import type Conf from 'conf';
import { describeCause, InputError } from '../errors.js';
import { withFileLock } from './lock.js';

/**
 * The config store: one JSON file (config.json, mode 0600) in a 0700 directory, written atomically by conf.
 * Every change goes through `update`, which holds a cross-process lock and re-reads the file inside it, so
 * concurrent apikit processes (twenty `apikit token` in a Makefile) never lose each other's writes.
 *
 * Reading creates nothing: a command that only reads (`profiles list`, `token --check`) leaves a missing
 * directory missing. A file apikit cannot read as a JSON object is an error naming it (exit 2) and is never
 * written over. A file or directory that others may read or change is tightened (0600 / 0700) with a warning,
 * or refused when it cannot be.
 */
export type ConfigData = Record<string, unknown>;

export interface ConfigStore {
  readonly dir: string;
  readonly path: string;
  /** A snapshot of the whole file (read now); `{}` when there is none yet. */
  read(): ConfigData;
  /** Read-modify-write under the lock. `fn` mutates (or replaces) the data; its return value is passed on. */
  update<T>(fn: (data: ConfigData) => T | Promise<T>): Promise<T>;
  /** Runs `fn` under a named lock in the config dir (e.g. one per profile for token refresh). */
  withLock<T>(name: string, fn: () => Promise<T>): Promise<T>;
  /** The file's permission bits, or undefined if it does not exist yet. */
  fileMode(): number | undefined;
  /**
   * The error for contents of the right syntax but the wrong shape, naming the file (exit 2, nothing written).
   * For the layers that know the shape of what they store (src/profiles/ checks its profiles with it).
   */
  invalid(problem: string): InputError;
}

export interface ConfigStoreOptions {
  /** Where a warning goes (a permission that was tightened). */
  warn?: (message: string) => void;
  /** Permission bits mean nothing on Windows: no checks there. */
  platform?: NodeJS.Platform;
}

const FILE_MODE = 0o600;
const DIR_MODE = 0o700;

export function openConfigStore(dir: string, options: ConfigStoreOptions = {}): ConfigStore {
  const path = join(dir, 'config.json');
  const checkModes = options.platform !== 'win32';
  let modesChecked = false;
  let conf: Conf<ConfigData> | undefined;

  function invalid(problem: string): InputError {
    return new InputError(`config file "${path}": ${problem}`, 'ERR_CONFIG_INVALID', {
      hint: `fix or remove ${path} (apikit leaves it as it is)`,
    });
  }

  /** Tightens the directory and the file once per process, before their contents are trusted. */
  function checkPermissions(): void {
    if (modesChecked) return;
    const dirInfo = statOrUndefined(dir);
    if (dirInfo && !dirInfo.isDirectory()) {
      throw new InputError(`config directory "${dir}" is not a directory`, 'ERR_CONFIG_DIR');
    }
    const fileInfo = dirInfo ? statOrUndefined(path) : undefined;
    if (fileInfo?.isDirectory()) throw invalid('it is a directory, not a file');
    if (fileInfo && !fileInfo.isFile()) throw invalid('it is not a regular file');
    if (checkModes) {
      if (dirInfo) tighten('directory', dir, dirInfo, DIR_MODE);
      if (fileInfo) tighten('file', path, fileInfo, FILE_MODE);
    }
    modesChecked = dirInfo !== undefined && fileInfo !== undefined;
  }

  function tighten(what: string, target: string, info: Stats, mode: number): void {
    const current = info.mode & 0o777;
    if ((current & 0o077) === 0) return;
    try {
      chmodSync(target, current & mode);
    } catch (err) {
      throw new InputError(
        `config ${what} "${target}" has mode ${octal(current)}: others can read or change it, and it cannot be tightened to ${octal(mode)} (${describeCause(err)})`,
        'ERR_CONFIG_MODE',
        { hint: `as its owner: chmod ${mode.toString(8)} ${target}` },
      );
    }
    options.warn?.(
      `config ${what} "${target}" had mode ${octal(current)} (others could read or change it); tightened to ${octal(current & mode)}`,
    );
  }

  function read(): ConfigData {
    checkPermissions();
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return {};
      if (code === 'EISDIR') throw invalid('it is a directory, not a file');
      throw new InputError(`cannot read config file "${path}": ${describeCause(err)}`, 'ERR_CONFIG_READ');
    }
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (err) {
      throw invalid(`not valid JSON (${describeCause(err)})`);
    }
    if (typeof data !== 'object' || data === null || Array.isArray(data)) {
      throw invalid(
        `not a JSON object (${data === null ? 'null' : Array.isArray(data) ? 'an array' : typeof data})`,
      );
    }
    return data as ConfigData;
  }

  /** Only what writes creates the directory. */
  function ensureDir(): void {
    try {
      mkdirSync(dir, { recursive: true, mode: DIR_MODE });
    } catch (err) {
      throw new InputError(`cannot use config directory "${dir}": ${describeCause(err)}`, 'ERR_CONFIG_DIR');
    }
    checkPermissions();
  }

  async function writer(): Promise<Conf<ConfigData>> {
    if (!conf) {
      const { default: ConfClass } = await import('conf');
      conf = new ConfClass<ConfigData>({
        cwd: dir,
        configName: 'config',
        projectName: 'apikit',
        projectSuffix: '',
        configFileMode: FILE_MODE,
        clearInvalidConfig: false,
      });
    }
    return conf;
  }

  return {
    dir,
    path,
    read,
    invalid,
    async update(fn) {
      ensureDir();
      return withFileLock(join(dir, 'config'), async () => {
        const data = read();
        const result = await fn(data);
        (await writer()).store = data;
        return result;
      });
    },
    async withLock(name, fn) {
      ensureDir();
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

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new InputError(`cannot use "${path}": ${describeCause(err)}`, 'ERR_CONFIG_DIR');
  }
}

function octal(mode: number): string {
  return `0${mode.toString(8).padStart(3, '0')}`;
}
