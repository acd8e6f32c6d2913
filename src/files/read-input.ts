import { readFileSync, statSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { describeCause, InputError, UsageError } from '../errors.js';

export interface InputSource {
  /** How messages name it: the path, or "stdin". */
  name: string;
  data: Buffer;
}

export const DEFAULT_INPUT_LIMIT = 1024 * 1024;

/** Reads a whole stream, refusing more than `limit` bytes. */
export async function readStream(
  stream: Readable,
  limit = DEFAULT_INPUT_LIMIT,
  name = 'stdin',
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += buf.length;
    if (size > limit) throw new InputError(`${name} is larger than ${limit} bytes`, 'ERR_INPUT_TOO_LARGE');
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

/**
 * Reads a file argument, or stdin for "-". Every failure is one line naming the file: missing, a directory,
 * unreadable, empty, too large. A file is read synchronously: it is one small input (a key, a token, a claims
 * file, at most `limit` bytes) read before anything else happens, and node:fs/promises costs 1-2 ms to load on
 * every command that reads one (npm run bench).
 */
export async function readInput(
  pathOrDash: string,
  // The holder of stdin (ctx.io), not the stream: a file argument must not set process.stdin up (node:fs streams
  // and node:fs/promises, 2-3 ms, npm run bench).
  from: { readonly stdin: Readable },
  options: { limit?: number; allowEmpty?: boolean; stdinIsTTY?: boolean } = {},
): Promise<InputSource> {
  const limit = options.limit ?? DEFAULT_INPUT_LIMIT;
  let source: InputSource;
  if (pathOrDash === '-') {
    if (options.stdinIsTTY) {
      throw new UsageError('expected input on stdin, but stdin is a terminal', 'ERR_INPUT_STDIN_TTY', {
        hint: 'pipe the input in, or name a file',
      });
    }
    source = { name: 'stdin', data: await readStream(from.stdin, limit) };
  } else {
    const name = pathOrDash;
    let info;
    try {
      info = statSync(name);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const why =
        code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : describeCause(err);
      throw new InputError(`cannot read "${name}": ${why}`, 'ERR_INPUT_UNREADABLE');
    }
    if (info.isDirectory())
      throw new InputError(`cannot read "${name}": it is a directory`, 'ERR_INPUT_DIRECTORY');
    if (info.size > limit) {
      throw new InputError(`cannot read "${name}": larger than ${limit} bytes`, 'ERR_INPUT_TOO_LARGE');
    }
    try {
      source = { name, data: readFileSync(name) };
    } catch (err) {
      throw new InputError(`cannot read "${name}": ${describeCause(err)}`, 'ERR_INPUT_UNREADABLE');
    }
    if (source.data.length > limit) {
      throw new InputError(`cannot read "${name}": larger than ${limit} bytes`, 'ERR_INPUT_TOO_LARGE');
    }
  }
  if (!options.allowEmpty && source.data.toString('utf8').trim() === '') {
    throw new InputError(`cannot read "${source.name}": it is empty`, 'ERR_INPUT_EMPTY');
  }
  return source;
}
