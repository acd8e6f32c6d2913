import { createIO, type IO } from './io.js';

/** The real process's streams. The only module under src/ that reads process.std*. */
export function systemIO(options: { noColor?: boolean } = {}): IO {
  return createIO(
    {
      stdin: process.stdin,
      stdout: process.stdout,
      stderr: process.stderr,
      stdinIsTTY: process.stdin.isTTY === true,
      stdoutIsTTY: process.stdout.isTTY === true,
      stderrIsTTY: process.stderr.isTTY === true,
      columns: process.stdout.columns ?? process.stderr.columns ?? 80,
    },
    process.env,
    options,
  );
}

export function systemEnv(): Record<string, string | undefined> {
  return process.env;
}
