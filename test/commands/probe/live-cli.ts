import { PassThrough, Readable } from 'node:stream';
import { main } from '../../../src/cli.js';
import type { ContextOverrides, Env } from '../../../src/context.js';
import { createIO } from '../../../src/io/io.js';
import type { RunResult } from '../../helpers/cli.js';

/**
 * runCli (test/helpers/cli.ts) with stderr readable while the command runs, so that a server can note what had
 * been printed when its first request arrived ("the budget on stderr before the first request").
 */
export interface LiveRun {
  stderrSoFar(): string;
  done: Promise<RunResult>;
}

export function runCliLive(
  argv: string[],
  options: { env?: Env; overrides?: ContextOverrides; tty?: boolean } = {},
): LiveRun {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
  stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
  const tty = options.tty ?? false;
  const env: Env = { PATH: process.env.PATH, HOME: process.env.HOME, ...options.env };
  const io = createIO(
    {
      stdin: Readable.from([]),
      stdout,
      stderr,
      stdinIsTTY: false,
      stdoutIsTTY: tty,
      stderrIsTTY: tty,
      columns: 100,
    },
    env,
  );
  const done = main(argv, io, env, options.overrides).then((code) => ({ code, stdout: out, stderr: err }));
  return { stderrSoFar: () => err, done };
}
