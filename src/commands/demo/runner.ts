import { PassThrough, Readable } from 'node:stream';
import type { Context, Env } from '../../context.js';
import { createIO } from '../../io/io.js';

/** One command line the demo ran: as shown, as run, and what it did. */
export interface RanCommand {
  /** What a user would type (secrets as "$VAR", `VAR=$(…)` for a value kept for later). */
  display: string;
  argv: string[];
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Environment variables for this command line (besides PATH, HOME and the demo's config directory). */
  vars?: Record<string, string>;
  /** Called with stderr as it grows (the login step reads the authorization URL from it). */
  onStderr?: (soFar: string) => void;
}

/**
 * Runs an apikit command line exactly as typed — through the whole program (ctx.invoke: argv parsing, the
 * command, error mapping), with its own streams (never a terminal: plain text) and an environment of its own:
 * PATH, HOME, the demo's config directory, and the variables given. Nothing of the user's environment (their
 * APIKIT_* settings, their profiles) reaches it.
 */
export async function runLine(
  ctx: Context,
  base: Env,
  display: string,
  argv: string[],
  options: RunOptions = {},
): Promise<RanCommand> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
  stderr.on('data', (c: Buffer) => {
    err += c.toString('utf8');
    options.onStderr?.(err);
  });
  const env: Env = { ...base, ...options.vars, NO_COLOR: '1' };
  const io = createIO(
    {
      stdin: Readable.from([]),
      stdout,
      stderr,
      stdinIsTTY: false,
      stdoutIsTTY: false,
      stderrIsTTY: false,
      columns: ctx.io.columns,
    },
    env,
  );
  const code = await ctx.invoke(argv, io, env, { signal: ctx.signal, clock: ctx.clock });
  return { display, argv, code, stdout: out, stderr: err };
}
