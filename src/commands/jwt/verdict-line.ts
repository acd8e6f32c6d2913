import type { ChalkInstance } from 'chalk';
import type { JwtWarning } from '../../lib/jwt/lint.js';
import type { Verdict } from '../../lib/jwt/verdict.js';
import { terminalSafe } from '../../lib/text/terminal-safe.js';

/**
 * One verdict of `jwt verify` as a line of output. Its own file because the batch worker threads
 * (verify-worker.ts) format their lines too, and they should load this and the verifier, not the whole verb.
 */
export interface NumberedVerdict extends Verdict {
  /** Input line (batch mode only). */
  line?: number;
}

/** What formatting a line needs from the View: a worker thread has no View, only these facts. */
export interface LineView {
  json: boolean;
  color: { out: ChalkInstance };
}

/**
 * One verdict as a line: JSON (with --json) or "valid: ..." / "invalid: ..." for people. The JSON carries the
 * setup warnings (a weak secret, a skipped key) in its `warnings` too: each line is a whole answer.
 */
export function formatVerdictLine(
  v: NumberedVerdict,
  view: LineView,
  setup: readonly JwtWarning[] = [],
): string {
  if (view.json) return JSON.stringify(verdictJson(v, setup)) + '\n';
  const c = view.color.out;
  // The reason quotes token members (JSON-escaped, which leaves C1 and bidi controls): sanitised for people.
  const reason = terminalSafe(v.reason);
  return (v.valid ? `${c.green('valid')}: ${reason}` : `${c.red('invalid')}: ${reason}`) + '\n';
}

export function verdictJson(v: NumberedVerdict, setup: readonly JwtWarning[]): Record<string, unknown> {
  const out: Record<string, unknown> = {
    valid: v.valid,
    code: v.code,
    reason: v.reason,
    header: v.header,
    payload: v.payload,
    key: v.key,
    warnings: setup.length > 0 ? [...setup, ...v.warnings] : v.warnings,
  };
  if (v.line !== undefined) out.line = v.line;
  return out;
}
