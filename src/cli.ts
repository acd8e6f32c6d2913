import { createContext, type Context, type ContextOverrides, type Env } from './context.js';
import { describeCause, ExitCode, isApikitError } from './errors.js';
import type { Outcome } from './lib/outcome.js';
import { prepareColors, type IO } from './io/io.js';
import { jsonRequested, runProgram } from './program.js';
import { versionOutput } from './version.js';

/**
 * main(argv, io, env, overrides) → exit code. Builds the program, runs the command, and maps whatever it throws
 * to an exit code and one message on stderr (and, with --json, one error document on stdout). Never exits the
 * process: bin/apikit.js does that.
 */
export async function main(
  argv: string[],
  io: IO,
  env: Env,
  overrides: ContextOverrides = {},
): Promise<number> {
  // `apikit --version [--json]` builds no program. (bin/apikit.js answers it before even loading the bundle; this
  // serves in-process callers such as the tests, with the same answer.)
  const versionText = versionOutput(argv);
  if (versionText !== undefined) {
    io.stdout.write(versionText);
    return ExitCode.OK;
  }
  await prepareColors(io);
  const ctx = createContext(io, env, { invoke: main, ...overrides });
  try {
    await runProgram(argv, ctx);
    if (ctx.signal.aborted) {
      writeErrorDocument(ctx, argv, { code: 'ERR_INTERRUPTED', message: 'interrupted', hint: null }, 130);
      return ExitCode.INTERRUPTED;
    }
    return exitCodeForOutcome(ctx.outcome);
  } catch (err) {
    return reportError(err, ctx, argv);
  } finally {
    await ctx.dispose();
  }
}

/** The one place a result's verdict becomes an exit code: 1 for a negative verdict (README, exit codes). */
export function exitCodeForOutcome(outcome: Outcome): number {
  return outcome === 'negative' ? ExitCode.VERDICT : ExitCode.OK;
}

/** The one place errors become exit codes and messages. */
export function exitCodeFor(err: unknown): number {
  if (isApikitError(err)) return err.exitCode;
  const code = (err as { code?: unknown })?.code;
  if (typeof code === 'string' && code.startsWith('commander.')) {
    return code === 'commander.helpDisplayed' || code === 'commander.version' || code === 'commander.help'
      ? ExitCode.OK
      : ExitCode.USAGE;
  }
  if ((err as { name?: string })?.name === 'AbortError') return ExitCode.INTERRUPTED;
  return ExitCode.INTERNAL;
}

/** What the --json error document says: a stable code, the message and the hint as stderr shows them. */
export interface ErrorDescription {
  code: string;
  message: string;
  hint: string | null;
}

const BUG_HINT =
  'This is a bug in apikit. Please report it with the command you ran (re-run with --debug for details).';

/** The code, message and hint of anything thrown, for stderr and the --json error document alike. */
export function describeError(err: unknown): ErrorDescription {
  const code = (err as { code?: unknown })?.code;
  if (typeof code === 'string' && code.startsWith('commander.')) {
    // "error: unknown command 'kyes'\n(Did you mean keys?)": the first line is the message, a suggestion the hint.
    const [first = '', ...rest] = String((err as Error).message).split('\n');
    const suggestion = rest
      .join(' ')
      .replace(/^\((.*)\)$/, '$1')
      .trim();
    return {
      code: commanderCode(code),
      message: first.replace(/^error: /, ''),
      hint: suggestion || 'run with --help for usage',
    };
  }
  if (exitCodeFor(err) === ExitCode.INTERRUPTED) {
    return { code: 'ERR_INTERRUPTED', message: 'interrupted', hint: null };
  }
  if (isApikitError(err)) return { code: err.code, message: err.message, hint: err.hint ?? null };
  return { code: 'ERR_INTERNAL', message: `internal error: ${describeCause(err)}`, hint: BUG_HINT };
}

/** commander.unknownOption → ERR_USAGE_UNKNOWN_OPTION. */
function commanderCode(code: string): string {
  const what = code.slice('commander.'.length).replace(/([a-z0-9])([A-Z])/g, '$1_$2');
  return what === 'error' ? 'ERR_USAGE' : `ERR_USAGE_${what.toUpperCase()}`;
}

function reportError(err: unknown, ctx: Context, argv: readonly string[]): number {
  const exit = exitCodeFor(err);
  const c = ctx.io.color.err;
  const write = (line: string): void => {
    ctx.io.stderr.write(ctx.redactor.message(line) + '\n');
  };
  const code = (err as { code?: unknown })?.code;
  const described = describeError(err);
  if (typeof code === 'string' && code.startsWith('commander.')) {
    // commander has already printed its message (and suggestion) through the configured output.
    if (exit !== ExitCode.OK) writeErrorDocument(ctx, argv, described, exit);
    return exit;
  }
  // An answer that is the exit code alone (`token --check`) says why only with --verbose.
  if (isApikitError(err) && err.quiet && !ctx.flags.verbose) return exit;
  writeErrorDocument(ctx, argv, described, exit);
  if (exit === ExitCode.INTERRUPTED) {
    write('interrupted');
    return exit;
  }
  if (isApikitError(err)) {
    write(`${c.red('error:')} ${err.message}`);
    if (err.hint) write(`${c.dim('hint:')} ${err.hint}`);
    if (ctx.flags.debug) {
      write(err.stack ?? '');
      if (err.cause) write(`cause: ${describeCause(err.cause)}`);
    }
    return exit;
  }
  write(`${c.red('internal error:')} ${describeCause(err)}`);
  write(BUG_HINT);
  if (ctx.flags.debug && err instanceof Error && err.stack) write(err.stack);
  return exit;
}

/**
 * With --json, a failing command still prints exactly one JSON document on stdout: `{"error": {code, message,
 * hint, exit_code}}` (README, the --json contract), redacted like the stderr lines. Not when the command already
 * wrote its result there.
 */
function writeErrorDocument(
  ctx: Context,
  argv: readonly string[],
  error: ErrorDescription,
  exitCode: number,
): void {
  if (!(ctx.flags.json || jsonRequested(argv)) || ctx.out.wroteStdout) return;
  const doc = {
    error: {
      code: error.code,
      message: ctx.redactor.message(error.message),
      hint: error.hint === null ? null : ctx.redactor.message(error.hint),
      exit_code: exitCode,
    },
  };
  ctx.io.stdout.write(JSON.stringify(doc, null, 2) + '\n');
}
