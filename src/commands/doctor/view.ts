import type { Rendered, View } from '../../io/render.js';
import type { CheckStatus } from '../../lib/oauth/doctor.js';
import { terminalSafe } from '../../lib/text/terminal-safe.js';
import type { DoctorResult } from './result.js';

/**
 * The checklist: one line per item (status, id, what it checks), its evidence and advice indented under it, then
 * the count. Colour only on a terminal (the view's chalk). `--json`: the result without its outcome.
 */
export function renderDoctor(result: DoctorResult, view: View): Rendered {
  const doc = view.doc();
  if (view.json) {
    const { outcome: _outcome, ...json } = result;
    return doc.json(json).blocks;
  }
  const c = view.color.out;
  const paint: Record<CheckStatus, (s: string) => string> = {
    pass: c.green,
    warn: c.yellow,
    fail: c.red,
    skip: c.dim,
  };
  const idWidth = Math.max(...result.checks.map((check) => check.id.length));
  const indent = ' '.repeat(2 + 4 + 2 + idWidth + 2);
  const client = result.clientId === null ? '' : ` (client ${terminalSafe(result.clientId, 100)})`;
  const lines = [c.bold(`apikit doctor: ${terminalSafe(result.issuer, 200)}${client}`)];
  for (const check of result.checks) {
    lines.push(
      `  ${paint[check.status](check.status.padEnd(4))}  ${c.bold(check.id.padEnd(idWidth))}  ${check.title}`,
    );
    for (const e of check.evidence) lines.push(`${indent}${terminalSafe(e)}`);
    if (check.advice !== null) lines.push(`${indent}${c.dim('advice:')} ${terminalSafe(check.advice)}`);
  }
  const s = result.summary;
  const counts = [
    `${s.fail} failed`,
    `${s.warn} warning${s.warn === 1 ? '' : 's'}`,
    `${s.pass} passed`,
    ...(s.skip > 0 ? [`${s.skip} skipped`] : []),
  ].join(', ');
  lines.push('', `${paint[result.verdict](result.verdict.toUpperCase())}: ${counts}`);
  return doc.result(lines.join('\n')).blocks;
}
