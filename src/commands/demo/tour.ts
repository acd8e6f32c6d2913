import type { Context, Env } from '../../context.js';
import type { RunningSandbox } from '../../sandbox/index.js';
import { runLine, type RanCommand, type RunOptions } from './runner.js';

/** What a command line must do for its step to count as shown: its exit code, and text its output must carry. */
export interface Expect {
  code: number;
  /** Each must match stdout + stderr. */
  output?: RegExp[];
}

export interface CommandOutcome extends RanCommand {
  expected: number;
  ok: boolean;
  /** Why it did not behave as expected; null when it did. */
  problem: string | null;
  /** The one line saying what it showed. */
  shows: string;
  /** Shown instead of stdout when stdout is a secret kept in a variable (a token): what it was. */
  kept: string | null;
}

/** A step stops at its first command that did not behave as expected (the ones after it build on it). */
export class StepFailed extends Error {
  constructor(readonly command: CommandOutcome) {
    super(command.problem ?? 'failed');
  }
}

export interface RunCommand {
  display: string;
  argv: string[];
  expect: Expect;
  shows: string;
  /** Keep stdout (trimmed) in this variable for later commands, instead of showing it. */
  keep?: string;
  options?: RunOptions;
}

/** The state a tour shares between its commands: the sandbox, the demo's directory, the variables kept so far. */
export class Tour {
  readonly vars: Record<string, string> = {};
  private sink: CommandOutcome[] | undefined;
  constructor(
    readonly ctx: Context,
    readonly env: Env,
    readonly dir: string,
    readonly sandbox: RunningSandbox,
    private readonly onCommand: (outcome: CommandOutcome) => Promise<void>,
  ) {}

  /** Collects every command run from now on into `list`, until stop(). */
  recordInto(list: CommandOutcome[]): { stop(): void } {
    this.sink = list;
    return { stop: () => (this.sink = undefined) };
  }

  /** Runs one command line, checks it, reports it, and throws StepFailed when it did not behave as expected. */
  async run(command: RunCommand): Promise<CommandOutcome> {
    const ran = await runLine(this.ctx, this.env, command.display, command.argv, {
      ...command.options,
      vars: { ...this.vars, ...command.options?.vars },
    });
    const problem = judge(ran, command.expect);
    let kept: string | null = null;
    if (command.keep !== undefined && problem === null) {
      this.vars[command.keep] = ran.stdout.trim();
      kept = `(kept in $${command.keep}: ${ran.stdout.trim().length} characters)`;
    }
    const outcome: CommandOutcome = {
      ...ran,
      expected: command.expect.code,
      ok: problem === null,
      problem,
      shows: command.shows,
      kept,
    };
    this.sink?.push(outcome);
    await this.onCommand(outcome);
    if (problem !== null) throw new StepFailed(outcome);
    return outcome;
  }
}

function judge(ran: RanCommand, expect: Expect): string | null {
  if (ran.code !== expect.code) return `exit ${ran.code}, expected ${expect.code}`;
  const text = ran.stdout + ran.stderr;
  for (const re of expect.output ?? []) {
    if (!re.test(text)) return `the output does not show ${re.source}`;
  }
  return null;
}
