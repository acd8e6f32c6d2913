/**
 * The verdict a command's result carries, apart from errors: 'ok', or 'negative' when the command's answer is
 * "no" (an invalid token, findings at or above the threshold, a grade below --fail-under). Results carry it as
 * data so that render always runs first; src/cli.ts alone turns 'negative' into exit 1 (ExitCode.VERDICT).
 */
export type Outcome = 'ok' | 'negative';

/** The combined verdict of several checks: negative if any is. No checks at all is 'ok'. */
export function worst(...outcomes: Outcome[]): Outcome {
  return outcomes.includes('negative') ? 'negative' : 'ok';
}

/** A command's result; one that can be a negative answer (invalid token, weak secret) carries its verdict. */
export interface Verdicted {
  outcome?: Outcome;
}
