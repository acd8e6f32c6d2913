import { createContext, type Context, type ContextOverrides, type Env } from './context.js';
import { describeCause, ExitCode, isApikitError } from './errors.js';
import type { Outcome } from './lib/outcome.js';
import { prepareColors, type IO } from './io/io.js';
import { runProgram } from './program.js';
import { isVersionRequest, version } from './version.js';

/**
 * main(argv, io, env, overrides) → exit code. Builds the program, runs the command, and maps whatever it throws
 * to an exit code and one message on stderr. Never exits the process: bin/apikit.js does that.
 */
export async function main(
  argv: string[],
  io: IO,
  env: Env,
  overrides: ContextOverrides = {},
): Promise<number> {
  // `apikit --version` builds no program. (bin/apikit.js answers it before even loading the bundle; this serves
  // in-process callers such as the tests, with the same answer.)
  if (isVersionRequest(argv)) {
    io.stdout.write(version() + '\n');
    return ExitCode.OK;
  }
  await prepareColors(io);
  const ctx = createContext(io, env, overrides);
  try {
    await runProgram(argv, ctx);
    if (ctx.signal.aborted) return ExitCode.INTERRUPTED;
    return exitCodeForOutcome(ctx.outcome);
  } catch (err) {
    return reportError(err, ctx);
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

function reportError(err: unknown, ctx: Context): number {
  const exit = exitCodeFor(err);
  const c = ctx.io.color.err;
  const write = (line: string): void => {
    ctx.io.stderr.write(ctx.redactor.redact(line) + '\n');
  };
  const code = (err as { code?: unknown })?.code;
  if (typeof code === 'string' && code.startsWith('commander.')) {
    // commander has already printed its message (and suggestion) through the configured output.
    return exit;
  }
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
  write(
    'This is a bug in apikit. Please report it with the command you ran (re-run with --debug for details).',
  );
  if (ctx.flags.debug && err instanceof Error && err.stack) write(err.stack);
  return exit;
}
