import type { Context } from '../../context.js';
import { InputError, UsageError } from '../../errors.js';
import { readStream } from '../../files/read-input.js';

/**
 * The token argument of decode/verify/crack: the word on the command line, or stdin for "-" or nothing.
 * stdin is read with a cap a little above the token limit, so a huge paste fails fast with one line.
 */
export async function readTokenText(
  ctx: Context,
  token: string | undefined,
  maxBytes: number,
): Promise<string> {
  if (token !== undefined && token !== '-') return token;
  if (ctx.io.stdinIsTTY) {
    throw new UsageError('no token: give it as an argument or pipe it on stdin', 'ERR_JWT_NO_TOKEN', {
      hint: 'apikit jwt decode "$TOKEN"   or   pbpaste | apikit jwt decode',
    });
  }
  try {
    return (await readStream(ctx.io.stdin, maxBytes + 4096)).toString('utf8');
  } catch (err) {
    if ((err as { code?: string }).code === 'ERR_INPUT_TOO_LARGE') {
      throw new InputError(`the token on stdin is over the ${maxBytes}-byte limit`, 'ERR_JWT_TOO_LARGE', {
        hint: 'raise it with --max-size BYTES if the token is really that large',
      });
    }
    throw err;
  }
}

/** --max-size: a positive whole number of bytes. */
export function parseMaxSize(value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < 1) {
    throw new UsageError(`--max-size "${value}" is not a positive number of bytes`, 'ERR_JWT_MAX_SIZE');
  }
  return Number(value);
}

/**
 * Registers a token with the redactor so no message can echo it. Only token-shaped text is registered: other
 * input (e.g. a lone UTF-16 surrogate pasted in-process) is not a credential and would break URL-encoding.
 */
export function redactToken(ctx: Context, token: string | undefined): void {
  if (token !== undefined && /^[A-Za-z0-9._~+/=-]+$/.test(token)) ctx.redactor.add(token);
}

/**
 * Over-size input is bad input, like in `jwt decode`: exit 2 with the limit, whether the token came as an
 * argument or on a line of stdin (the limit is --max-size, one number for both verbs).
 */
export function tooLarge(what: string, size: number | undefined, maxBytes: number): InputError {
  const is = size === undefined ? 'is over' : `is ${size} bytes, over`;
  return new InputError(`${what} ${is} the ${maxBytes}-byte limit`, 'ERR_JWT_TOO_LARGE', {
    hint: 'raise it with --max-size BYTES if the token is really that large',
  });
}
