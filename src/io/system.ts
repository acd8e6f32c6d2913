import { fstatSync, writeSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { createIO, type IO } from './io.js';

/** The real process's streams. The only module under src/ that reads process.std*. */
export function systemIO(options: { noColor?: boolean } = {}): IO {
  const stdoutIsTTY = isTerminal(1);
  const stderrIsTTY = isTerminal(2);
  return createIO(
    {
      get stdin() {
        return process.stdin;
      },
      stdout: outputStream(1, stdoutIsTTY, () => process.stdout),
      stderr: outputStream(2, stderrIsTTY, () => process.stderr),
      stdinIsTTY: isTerminal(0),
      stdoutIsTTY,
      stderrIsTTY,
      // Only a terminal has a width; reading it from a piped stream would set that stream up for nothing.
      columns:
        (stdoutIsTTY ? process.stdout.columns : stderrIsTTY ? process.stderr.columns : undefined) ?? 80,
    },
    process.env,
    options,
  );
}

/**
 * isatty(fd) without loading node:tty, which loads node:net and node:stream (2–4 ms), when the descriptor cannot
 * be a terminal: no character device (a pipe, a file, closed), or on Linux one of the memory devices (major 1:
 * /dev/null, /dev/zero — what `</dev/null`, `>/dev/null` and a spawn's 'ignore' give). Any other character
 * device is asked about.
 */
function isTerminal(fd: 0 | 1 | 2): boolean {
  try {
    const stat = fstatSync(fd);
    if (!stat.isCharacterDevice()) return false;
    if (process.platform === 'linux' && linuxMajor(stat.rdev) === LINUX_MEM_MAJOR) return false;
  } catch {
    return false;
  }
  return process.getBuiltinModule('node:tty').isatty(fd);
}

/** Linux's "mem" character devices (Documentation/admin-guide/devices.txt): null, zero, full, random, ... */
const LINUX_MEM_MAJOR = 1;

/** The major number of a Linux dev_t (glibc's gnu_dev_major; rdev stays well inside a double's exact range). */
function linuxMajor(rdev: number): number {
  return (Math.floor(rdev / 256) & 0xfff) | (Math.floor(rdev / 2 ** 32) & ~0xfff);
}

/**
 * stdout or stderr. A terminal gets Node's stream (colours, width, resize). A pipe or a file is written with
 * fs.writeSync on the descriptor — what Node's own stdout does for files and, on Linux and macOS, for pipes
 * (synchronous there too) — without setting up node:stream, node:net and a socket for it: 3–5 ms of every
 * command's start-up on Node 22 and 24 (`npm run bench`). The stream still takes over, after what was written,
 * for anything beyond write() (a 'drain' listener, pipe(), end()), and when the descriptor is non-blocking and
 * full (EAGAIN), so nothing is lost or reordered. On Windows, where pipes are asynchronous, it is the stream.
 * A reader that went away (EPIPE: `apikit … | head`) ends the output quietly, as the stream did.
 */
function outputStream(fd: 1 | 2, isTTY: boolean, stream: () => NodeJS.WriteStream): Writable {
  if (isTTY || process.platform === 'win32') return quiet(stream());
  let real: NodeJS.WriteStream | undefined;
  let closed = false;
  const takeOver = () => (real ??= quiet(stream()));
  const write = (
    chunk: string | Uint8Array,
    encoding?: BufferEncoding | ((err?: Error | null) => void),
    callback?: (err?: Error | null) => void,
  ): boolean => {
    const done = typeof encoding === 'function' ? encoding : callback;
    if (real !== undefined)
      return typeof encoding === 'string' ? real.write(chunk, encoding, done) : real.write(chunk, done);
    const bytes =
      typeof chunk === 'string'
        ? Buffer.from(chunk, typeof encoding === 'string' ? encoding : 'utf8')
        : chunk;
    let at = 0;
    try {
      while (!closed && at < bytes.length) at += writeSync(fd, bytes, at);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EAGAIN') return takeOver().write(bytes.subarray(at), done);
      // EPIPE (the reader left) or a failing descriptor: the rest of the output has nowhere to go.
      closed = true;
    }
    if (done) process.nextTick(done);
    return true;
  };
  return new Proxy({} as Writable, {
    get(_target, key) {
      // write() hands over to the stream by itself once the stream has taken over.
      if (key === 'write') return write;
      const target = takeOver();
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/**
 * `apikit … | head` closes the pipe early (EPIPE); that is not an error worth a stack trace, and the rest of the
 * output has nowhere to go — as with the descriptor writes above.
 */
function quiet(stream: NodeJS.WriteStream): NodeJS.WriteStream {
  stream.on('error', () => {});
  return stream;
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
