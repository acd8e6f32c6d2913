import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Command } from 'commander';
import type { Context, Env } from '../../context.js';
import { UsageError } from '../../errors.js';
import { STEPS, type DemoStep } from './steps.js';
import { StepFailed, Tour, type CommandOutcome } from './tour.js';
import {
  renderCommand,
  renderDemo,
  renderStepHeading,
  type DemoResult,
  type DemoStepResult,
} from './view.js';

/**
 * `apikit demo`: the sandbox in-process on free ports, and a narrated tour of every command against it — each
 * step the exact command lines a user would type, run through the whole program (ctx.invoke), their real output,
 * and a line saying what each showed. Exit 0 when every step behaved as expected, 1 naming the ones that did
 * not: the demo doubles as an end-to-end self-test of an installation. Everything happens in a temporary
 * config directory (removed at the end unless --keep), so the user's profiles are never touched.
 */
interface DemoFlags {
  step?: string;
  keep?: boolean;
}

export function registerDemo(program: Command, ctx: Context): Command {
  return program
    .command('demo')
    .description(
      'a narrated tour of every apikit command against a local sandbox (issuer + API) started on free ports: ' +
        'keys, JWTs, client credentials, request, API keys, rate-limit, CORS and version probes, audit, login',
    )
    .usage('[--step <name>] [--keep] [--json]')
    .option('--step <name>', `run one step: ${STEPS.map((s) => s.name).join(', ')}`)
    .option('--keep', 'keep the temporary directory (keys, tokens, the sandbox state) and print where it is')
    .addHelpText(
      'after',
      `
Steps: ${STEPS.map((s) => `\n  ${s.name.padEnd(19)} ${s.title}`).join('')}

--json prints one document: {ok, seconds, kept_dir, steps: [{name, title, ok, seconds, failed: {command,
problem} | null, commands: [{command, exit_code, expected_exit_code, ok, shows}]}]}.

Exit codes: 0 every step behaved as expected, 1 a step did not (named on stderr), 2 an unknown --step.

Examples:
  $ apikit demo
  $ apikit demo --step ratelimit
  $ apikit demo --json | jq '.steps[] | {name, ok}'
`,
    )
    .action(async (flags: DemoFlags) => {
      const steps = pickSteps(flags.step);
      await ctx.finish(await runDemo(steps, flags.keep ?? false, ctx), renderDemo);
    });
}

function pickSteps(name: string | undefined): readonly DemoStep[] {
  if (name === undefined) return STEPS;
  const step = STEPS.find((s) => s.name === name);
  if (!step) {
    throw new UsageError(`--step "${name}" is not a step of the demo`, 'ERR_USAGE', {
      hint: `steps: ${STEPS.map((s) => s.name).join(', ')}`,
    });
  }
  return [step];
}

export async function runDemo(steps: readonly DemoStep[], keep: boolean, ctx: Context): Promise<DemoResult> {
  const started = performance.now();
  const dir = await mkdtemp(join(tmpdir(), 'apikit-demo-'));
  const env: Env = { PATH: ctx.env.PATH, HOME: ctx.env.HOME, APIKIT_CONFIG_DIR: join(dir, 'config') };
  const { startSandbox } = await import('../../sandbox/index.js');
  const results: DemoStepResult[] = [];
  try {
    ctx.out.progress('starting the sandbox (an OpenID provider and the reference API) on free ports…');
    const sandbox = await startSandbox({
      port: 0,
      issuerPort: 0,
      stateDir: join(dir, 'config', 'sandbox'),
      clock: ctx.clock,
      signal: ctx.signal,
    });
    try {
      const view = ctx.view();
      const show = async (outcome: CommandOutcome): Promise<void> => {
        if (!view.json) await ctx.out.emit(renderCommand(outcome, view));
      };
      const tour = new Tour(ctx, env, dir, sandbox, show);
      for (const [i, step] of steps.entries()) {
        if (ctx.signal.aborted) break;
        if (!view.json) await ctx.out.emit(renderStepHeading(i + 1, steps.length, step.title, view));
        ctx.out.progress(`step ${i + 1}/${steps.length}: ${step.name}…`);
        results.push(await runStep(step, tour, ctx));
      }
    } finally {
      await sandbox.close();
    }
  } finally {
    if (!keep) await rm(dir, { recursive: true, force: true });
  }
  for (const step of results.filter((s) => !s.ok)) {
    ctx.out.warn(
      `step ${step.name} did not behave as expected: ${step.failed?.command}: ${step.failed?.problem}`,
    );
  }
  const ok = results.length === steps.length && results.every((s) => s.ok);
  return {
    ok,
    steps: results,
    seconds: round((performance.now() - started) / 1000),
    kept_dir: keep ? dir : null,
    outcome: ok ? 'ok' : 'negative',
  };
}

async function runStep(step: DemoStep, tour: Tour, ctx: Context): Promise<DemoStepResult> {
  const started = performance.now();
  const commands: CommandOutcome[] = [];
  const record = tour.recordInto(commands);
  let failed: DemoStepResult['failed'] = null;
  try {
    await step.run(tour);
  } catch (err) {
    if (err instanceof StepFailed)
      failed = { command: err.command.display, problem: err.command.problem ?? '' };
    else if (ctx.signal.aborted) failed = { command: '', problem: 'interrupted' };
    else failed = { command: '', problem: (err as Error)?.message ?? String(err) };
  } finally {
    record.stop();
  }
  return {
    name: step.name,
    title: step.title,
    ok: failed === null,
    failed,
    commands: commands.map((c) => ({
      command: c.display,
      exit_code: c.code,
      expected_exit_code: c.expected,
      ok: c.ok,
      shows: c.shows,
    })),
    seconds: round((performance.now() - started) / 1000),
  };
}

const round = (n: number): number => Math.round(n * 10) / 10;
