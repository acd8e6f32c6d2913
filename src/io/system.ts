import { isatty } from 'node:tty';
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
      stdinIsTTY: isatty(0),
      stdoutIsTTY: isatty(1),
      stderrIsTTY: isatty(2),
      columns: process.stdout.columns ?? process.stderr.columns ?? 80,
    },
    process.env,
    options,
  );
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
