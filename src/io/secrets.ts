import { readFileSync, statSync } from 'node:fs';
import { describeCause, UsageError } from '../errors.js';
import { readStream } from '../files/read-input.js';
import type { Env, IO } from './io.js';
import type { Redactor } from './redact.js';

/**
 * The one secret reader. Secrets come from an environment variable, a file, or stdin — never from argv, where
 * any user of the machine can read them (ps, /proc/PID/cmdline) and shell history keeps them. Every value read
 * is registered with the redactor, so no log or trace line can show it.
 */
export interface SecretSource {
  env?: string | undefined;
  file?: string | undefined;
  stdin?: boolean | undefined;
}

/** What reading a secret touches: the environment, stdin and the redactor (a Context satisfies it). */
export interface SecretIO {
  env: Env;
  redactor: Redactor;
  io: Pick<IO, 'stdin' | 'stdinIsTTY'>;
}

/** The flags a source came from, for messages: `{ env: '--secret-env', file: '--secret-file' }`. */
export type SecretFlagNames = Partial<Record<keyof SecretSource, string>>;

/** Whether any source was given at all. */
export function hasSecretSource(source: SecretSource | undefined): boolean {
  return source !== undefined && countSources(source) > 0;
}

/**
 * Reads the secret from the one source given. `what` names it in messages ("client secret"); `flags` names the
 * flags for the "exactly one way" message. Zero sources is an error too, unless `optional` (then undefined).
 */
export async function readSecret(
  deps: SecretIO,
  source: SecretSource,
  what: string,
  options: { flags?: SecretFlagNames; optional: true },
): Promise<string | undefined>;
export async function readSecret(
  deps: SecretIO,
  source: SecretSource,
  what: string,
  options?: { flags?: SecretFlagNames; optional?: false },
): Promise<string>;
export async function readSecret(
  deps: SecretIO,
  source: SecretSource,
  what: string,
  options: { flags?: SecretFlagNames; optional?: boolean } = {},
): Promise<string | undefined> {
  const count = countSources(source);
  if (count === 0 && options.optional) return undefined;
  if (count !== 1) {
    const flags = options.flags;
    const ways = flags
      ? Object.values(flags)
          .join(', ')
          .replace(/, ([^,]*)$/, ' or $1')
      : 'an env var, a file or stdin';
    throw new UsageError(`give the ${what} exactly one way: ${ways}`, 'ERR_SECRET_SOURCE');
  }
  if (source.env !== undefined) return readEnvSecret(deps, source.env, what);
  if (source.file !== undefined) return readFileSecret(deps, source.file, what);
  return readStdinSecret(deps, what);
}

function countSources(source: SecretSource): number {
  return [source.env, source.file, source.stdin ? '-' : undefined].filter((v) => v !== undefined).length;
}

export function readEnvSecret(deps: SecretIO, name: string, what: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    throw new UsageError(
      // The value is not echoed: a user who pasted the secret itself here must not see it printed (or logged).
      `${what}: what was given is not an environment variable name (letters, digits and _, not starting with a digit)`,
      'ERR_SECRET_ENV_NAME',
      {
        hint: 'pass the NAME of a variable that holds the secret, never the secret itself',
      },
    );
  }
  const value = deps.env[name];
  if (value === undefined || value === '') {
    throw new UsageError(
      `${what}: environment variable ${name} is not set or empty`,
      'ERR_SECRET_ENV_MISSING',
    );
  }
  deps.redactor.add(value);
  return value;
}

// Synchronous reads: one small file, and node:fs/promises would cost every command that loads this module 1-2 ms.
export async function readFileSecret(deps: SecretIO, path: string, what: string): Promise<string> {
  let text: string;
  let info;
  try {
    info = statSync(path);
  } catch (err) {
    throw unreadable(what, path, err);
  }
  if (info.isDirectory()) throw new UsageError(`${what}: "${path}" is a directory`, 'ERR_SECRET_FILE');
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw unreadable(what, path, err);
  }
  const value = stripLineEnd(text);
  if (value === '') throw new UsageError(`${what}: "${path}" is empty`, 'ERR_SECRET_FILE');
  deps.redactor.add(value);
  return value;
}

function unreadable(what: string, path: string, err: unknown): UsageError {
  const code = (err as NodeJS.ErrnoException).code;
  return new UsageError(
    `${what}: cannot read "${path}": ${code === 'ENOENT' ? 'no such file' : describeCause(err)}`,
    'ERR_SECRET_FILE',
  );
}

export async function readStdinSecret(deps: SecretIO, what: string): Promise<string> {
  if (deps.io.stdinIsTTY) {
    throw new UsageError(`${what}: stdin is a terminal`, 'ERR_SECRET_STDIN_TTY', {
      hint: 'pipe the secret in (e.g. from a password manager), or use the env/file option',
    });
  }
  const value = stripLineEnd((await readStream(deps.io.stdin, 64 * 1024)).toString('utf8'));
  if (value === '') throw new UsageError(`${what}: nothing on stdin`, 'ERR_SECRET_STDIN');
  deps.redactor.add(value);
  return value;
}

/** One trailing newline (what `echo` and editors add) is not part of the secret. */
function stripLineEnd(text: string): string {
  return text.replace(/\r?\n$/, '');
}
