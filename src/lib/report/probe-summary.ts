import { formatSpan } from './numbers.js';

/**
 * The summary lines every probe's report has, as plain text: what was sent against the budget, and why the probe
 * stopped. Each probe words its own reasons to stop; a partial result is worded the same in all.
 */

/** How a probe that did not finish says so. */
export const PARTIAL_STOPS = {
  interrupted: 'interrupted (Ctrl-C): a partial result',
  error: 'a request failed: a partial result',
} as const;

/** `a request failed: a partial result (GET 127.0.0.1:4000: timed out after 300 ms)`. */
export function stoppedText<S extends string>(
  words: Readonly<Record<S, string>>,
  report: { stopped: S; error: { message: string } | null },
): string {
  const text = words[report.stopped] ?? report.stopped;
  return report.error === null ? text : `${text} (${report.error.message})`;
}

/** `12 of at most 150, in 1.2 s of 60 s`; without a budget, `12 in 1.2 s`. */
export function sentText(
  sent: number,
  durationMs: number,
  budget?: { max_requests: number; duration_ms: number },
): string {
  return budget === undefined
    ? `${sent} in ${formatSpan(durationMs)}`
    : `${sent} of at most ${budget.max_requests}, in ${formatSpan(durationMs)} of ${formatSpan(budget.duration_ms)}`;
}
