import type { ChalkInstance } from 'chalk';
import type { Readable, Writable } from 'node:stream';

/** The process environment as a command sees it (injected: tests pass their own). */
export type Env = Record<string, string | undefined>;

/**
 * The streams a command talks through, with the facts about them that decide how output looks.
 * Built once by the entry point (systemIO) or by a test (runCli in test/helpers/cli.ts); nothing under src/
 * outside src/io/ touches process.stdout & co.
 */
export interface IO {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
  stdinIsTTY: boolean;
  stdoutIsTTY: boolean;
  stderrIsTTY: boolean;
  /** Terminal width for tables (80 when unknown). */
  columns: number;
  /** Chalk per stream: colour only where that stream is a terminal, unless forced (see prepareColors). */
  color: { out: ChalkInstance; err: ChalkInstance };
  /** The colour level decided for each stream. */
  colorLevel: { out: ColorLevel; err: ColorLevel };
}

export interface StreamFacts {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
  stdinIsTTY?: boolean;
  stdoutIsTTY?: boolean;
  stderrIsTTY?: boolean;
  columns?: number;
}

export type ColorLevel = 0 | 1 | 2 | 3;

/**
 * --no-color switches colour off; FORCE_COLOR follows the common convention (supports-color, Node): `0` switches
 * it off and `1`–`3` force that level, even when piped and over NO_COLOR; any other value is ignored. NO_COLOR
 * (any non-empty value, no-color.org) switches colour off; otherwise a terminal gets colour unless TERM is "dumb".
 */
export function colorLevel(
  isTTY: boolean,
  env: Record<string, string | undefined>,
  noColorFlag: boolean,
): ColorLevel {
  if (noColorFlag) return 0;
  const force = env.FORCE_COLOR;
  if (force === '0' || force === '1' || force === '2' || force === '3') return Number(force) as ColorLevel;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return 0;
  if (!isTTY || env.TERM === 'dumb') return 0;
  if (env.COLORTERM === 'truecolor' || env.COLORTERM === '24bit') return 3;
  if (env.TERM?.includes('256')) return 2;
  return 1;
}

export function createIO(
  facts: StreamFacts,
  env: Record<string, string | undefined>,
  options: { noColor?: boolean } = {},
): IO {
  const stdoutIsTTY = facts.stdoutIsTTY ?? false;
  const stderrIsTTY = facts.stderrIsTTY ?? false;
  const noColor = options.noColor ?? false;
  return {
    // A getter: touching process.stdin sets up a stream, which commands that never read it need not pay for.
    get stdin() {
      return facts.stdin;
    },
    stdout: facts.stdout,
    stderr: facts.stderr,
    stdinIsTTY: facts.stdinIsTTY ?? false,
    stdoutIsTTY,
    stderrIsTTY,
    columns: facts.columns ?? 80,
    color: { out: PLAIN, err: PLAIN },
    colorLevel: { out: colorLevel(stdoutIsTTY, env, noColor), err: colorLevel(stderrIsTTY, env, noColor) },
  };
}

/**
 * A stand-in with chalk's call shape that adds no colour. Piped output (the common case for scripts and
 * benchmarks) never pays for loading chalk; prepareColors swaps in real chalk where a stream gets colour.
 */
const PLAIN: ChalkInstance = new Proxy(
  function plain(...text: unknown[]) {
    return text.join(' ');
  },
  {
    get: (_target, prop) => (prop === 'level' ? 0 : PLAIN),
    set: () => true,
  },
) as unknown as ChalkInstance;

/** Loads chalk only if some stream is to be coloured. Called by main before any command runs. */
export async function prepareColors(io: IO): Promise<void> {
  if (io.colorLevel.out === 0 && io.colorLevel.err === 0) return;
  const { Chalk } = await import('chalk');
  io.color = {
    out: io.colorLevel.out === 0 ? PLAIN : new Chalk({ level: io.colorLevel.out }),
    err: io.colorLevel.err === 0 ? PLAIN : new Chalk({ level: io.colorLevel.err }),
  };
}
