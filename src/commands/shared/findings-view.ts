import type { ChalkInstance } from 'chalk';
import type { Rendered, View } from '../../io/render.js';
import { SEVERITIES, sortFindings, type Finding, type Severity } from '../../lib/findings.js';
import { evidenceText } from '../../lib/report/evidence.js';
import { terminalSafe } from '../../lib/text/terminal-safe.js';

/**
 * Findings for people, the same in every verb that has them (probe ratelimit now; CORS and audit later): worst
 * first, one line each (`high    ratelimit.no-retry-after  429 without Retry-After`), its evidence and advice
 * indented below. On a terminal the severity is coloured; piped it is the same text without colour (each finding's
 * first line starts with its severity). Messages, evidence and advice may quote a server: all through terminalSafe.
 */
export interface FindingsViewOptions {
  /** The heading line (default "Findings"); the count is added. */
  title?: string;
  /** The line shown when there are none (default "no findings"). */
  none?: string;
}

const WIDTH = Math.max(...SEVERITIES.map((s) => s.length));

export function renderFindings(
  findings: readonly Finding[],
  view: View,
  options: FindingsViewOptions = {},
): Rendered {
  const doc = view.doc();
  const c = view.color.out;
  const title = options.title ?? 'Findings';
  if (findings.length === 0) {
    return doc.result(`${c.bold(title)}: ${options.none ?? 'no findings'}`).blocks;
  }
  const sorted = sortFindings(findings);
  const idWidth = Math.min(40, Math.max(...sorted.map((f) => terminalSafe(f.id, 80).length)));
  const lines = [c.bold(`${title} (${findings.length})`)];
  // Evidence and advice under the id: the lines stay short however long the ids are.
  const indent = ' '.repeat(2 + WIDTH + 2);
  for (const f of sorted) {
    const id = terminalSafe(f.id, 80).padEnd(idWidth);
    lines.push(`  ${severityLabel(f.severity, c)}  ${c.bold(id)}  ${terminalSafe(f.message)}`);
    for (const e of f.evidence) lines.push(`${indent}${c.dim('evidence:')} ${terminalSafe(evidenceText(e))}`);
    if (f.advice !== undefined) lines.push(`${indent}${c.dim('advice:')} ${terminalSafe(f.advice)}`);
  }
  return doc.result(lines.join('\n')).blocks;
}

/** The severity, padded to the longest, in its colour (none when the chalk instance has colour off). */
export function severityLabel(severity: Severity, c: ChalkInstance): string {
  const text = severity.padEnd(WIDTH);
  switch (severity) {
    case 'critical':
      return c.bold.magenta(text);
    case 'high':
      return c.red(text);
    case 'medium':
      return c.yellow(text);
    case 'low':
      return c.cyan(text);
    case 'info':
      return c.dim(text);
  }
}
