import { readFile, stat } from 'node:fs/promises';
import type { Context } from '../context.js';
import { describeCause, UsageError } from '../errors.js';
import { readStream } from '../files/read-input.js';

/**
 * Secrets come from an environment variable, a file, or stdin — never from argv, where any user of the
 * machine can read them (ps, /proc/PID/cmdline) and shell history keeps them. Every value read is registered
 * with the redactor, so no log or trace line can show it.
 */
export interface SecretSource {
  env?: string;
  file?: string;
  stdin?: boolean;
}

/** Reads a secret from the one source given. `what` names it in messages ("client secret"). */
export async function readSecret(ctx: Context, source: SecretSource, what: string): Promise<string> {
  const given = [source.env, source.file, source.stdin ? '-' : undefined].filter((v) => v !== undefined);
  if (given.length !== 1) {
    throw new UsageError(
      `give the ${what} exactly one way: an env var, a file or stdin`,
      'ERR_SECRET_SOURCE',
    );
  }
  if (source.env !== undefined) return readEnvSecret(ctx, source.env, what);
  if (source.file !== undefined) return readFileSecret(ctx, source.file, what);
  return readStdinSecret(ctx, what);
}

export function readEnvSecret(ctx: Context, name: string, what: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    throw new UsageError(
      `${what}: "${name.slice(0, 40)}" is not an environment variable name`,
      'ERR_SECRET_ENV_NAME',
      {
        hint: 'pass the NAME of a variable that holds the secret, never the secret itself',
      },
    );
  }
  const value = ctx.env[name];
  if (value === undefined || value === '') {
    throw new UsageError(
      `${what}: environment variable ${name} is not set or empty`,
      'ERR_SECRET_ENV_MISSING',
    );
  }
  ctx.redactor.add(value);
  return value;
}

export async function readFileSecret(ctx: Context, path: string, what: string): Promise<string> {
  let text: string;
  try {
    const info = await stat(path);
    if (info.isDirectory()) throw new UsageError(`${what}: "${path}" is a directory`, 'ERR_SECRET_FILE');
    text = await readFile(path, 'utf8');
  } catch (err) {
    if (err instanceof UsageError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(
      `${what}: cannot read "${path}": ${code === 'ENOENT' ? 'no such file' : describeCause(err)}`,
      'ERR_SECRET_FILE',
    );
  }
  const value = stripLineEnd(text);
  if (value === '') throw new UsageError(`${what}: "${path}" is empty`, 'ERR_SECRET_FILE');
  ctx.redactor.add(value);
  return value;
}

export async function readStdinSecret(ctx: Context, what: string): Promise<string> {
  if (ctx.io.stdinIsTTY) {
    throw new UsageError(`${what}: stdin is a terminal`, 'ERR_SECRET_STDIN_TTY', {
      hint: 'pipe the secret in (e.g. from a password manager), or use the env/file option',
    });
  }
  const value = stripLineEnd((await readStream(ctx.io.stdin, 64 * 1024)).toString('utf8'));
  if (value === '') throw new UsageError(`${what}: nothing on stdin`, 'ERR_SECRET_STDIN');
  ctx.redactor.add(value);
  return value;
}

/** One trailing newline (what `echo` and editors add) is not part of the secret. */
function stripLineEnd(text: string): string {
  return text.replace(/\r?\n$/, '');
}
