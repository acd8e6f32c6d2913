import type { Rendered, View } from '../../io/render.js';
import type { Outcome } from '../../lib/outcome.js';
import type { CommandOutcome } from './tour.js';

/** Lines of a command's output shown in the tour; the rest is counted, not shown (`--json` has every verdict). */
export const SHOWN_LINES = 24;

export interface DemoStepResult {
  name: string;
  title: string;
  ok: boolean;
  /** The command that did not behave as expected, and why; null when the step passed. */
  failed: { command: string; problem: string } | null;
  commands: Array<{
    command: string;
    exit_code: number;
    expected_exit_code: number;
    ok: boolean;
    shows: string;
  }>;
  seconds: number;
}

export interface DemoResult {
  ok: boolean;
  steps: DemoStepResult[];
  seconds: number;
  /** Where the demo's keys, tokens and sandbox state are, with --keep; null when they were removed. */
  kept_dir: string | null;
  outcome: Outcome;
}

/** A step's heading, as the tour reaches it. */
export function renderStepHeading(index: number, total: number, title: string, view: View): Rendered {
  const c = view.color.out;
  return view.doc().result(`\n${c.bold(`${index}/${total}  ${title}`)}`).blocks;
}

/** One command of the tour: the command line, its real output (indented, at most SHOWN_LINES), what it showed. */
export function renderCommand(outcome: CommandOutcome, view: View): Rendered {
  const c = view.color.out;
  const lines = [`${c.cyan('$')} ${outcome.display}`];
  const output =
    outcome.kept !== null
      ? outcome.kept
      : // stderr first: a request's status line and headers, a probe's budget line, come before the result.
        [outcome.stderr, outcome.stdout]
          .filter((s) => s.trim() !== '')
          .map((s) => (s.endsWith('\n') ? s : `${s}\n`))
          .join('');
  const outLines = output.replace(/\n$/, '').split('\n');
  for (const l of outLines.slice(0, SHOWN_LINES)) lines.push(c.dim(`  ${l}`));
  if (outLines.length > SHOWN_LINES) lines.push(c.dim(`  … ${outLines.length - SHOWN_LINES} more lines`));
  lines.push(
    outcome.ok
      ? `${c.green('✓')} ${outcome.shows}`
      : `${c.red('✗')} ${outcome.shows} — ${c.red(outcome.problem ?? 'failed')}`,
  );
  return view.doc().result(lines.join('\n')).blocks;
}

/** The end: one line per step, then the verdict; `--json`: the whole document. */
export function renderDemo(result: DemoResult, view: View): Rendered {
  const { outcome: _outcome, ...json } = result;
  const doc = view.doc();
  if (view.json) return doc.json(json).blocks;
  const c = view.color.out;
  const lines = ['', c.bold('apikit demo')];
  for (const step of result.steps) {
    const mark = step.ok ? c.green('✓') : c.red('✗');
    const why = step.failed ? ` — ${step.failed.command}: ${step.failed.problem}` : '';
    lines.push(`  ${mark} ${step.name.padEnd(18)} ${step.seconds.toFixed(1)} s${why}`);
  }
  const failed = result.steps.filter((s) => !s.ok).map((s) => s.name);
  lines.push(
    failed.length === 0
      ? c.green(`every step behaved as expected (${result.seconds.toFixed(1)} s)`)
      : c.red(`${failed.length} step${failed.length === 1 ? '' : 's'} did not: ${failed.join(', ')}`),
  );
  if (result.kept_dir !== null) lines.push(`kept: ${result.kept_dir}`);
  return doc.result(lines.join('\n')).blocks;
}
