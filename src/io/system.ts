import { fstatSync } from 'node:fs';
import { createIO, type IO } from './io.js';

/** The real process's streams. The only module under src/ that reads process.std*. */
export function systemIO(options: { noColor?: boolean } = {}): IO {
  return createIO(
    {
      get stdin() {
        return process.stdin;
      },
      stdout: process.stdout,
      stderr: process.stderr,
      stdinIsTTY: stdinIsTerminal(),
      // Node made each of these a tty.WriteStream exactly when isatty(fd) holds.
      stdoutIsTTY: process.stdout.isTTY === true,
      stderrIsTTY: process.stderr.isTTY === true,
      columns: process.stdout.columns ?? process.stderr.columns ?? 80,
    },
    process.env,
    options,
  );
}

/**
 * isatty(0) without loading node:tty, which loads node:net (~2 ms), when stdin is no character device (a pipe,
 * a file, closed): then it cannot be a terminal. /dev/null is one, so it still asks.
 */
function stdinIsTerminal(): boolean {
  try {
    if (!fstatSync(0).isCharacterDevice()) return false;
  } catch {
    return false;
  }
  return process.getBuiltinModule('node:tty').isatty(0);
}

export function systemEnv(): Record<string, string | undefined> {
  return process.env;
}

/** The wall clock (src/io/clock.ts, where the library takes it from). Everything else asks ctx.clock. */
export { systemClock } from './clock.js';

/** The platform the process runs on (injected through the Context like the rest). */
export function systemPlatform(): NodeJS.Platform {
  return process.platform;
}
