import { expect } from 'vitest';
import type { ProbeFormat } from '../../../src/commands/shared/probe-flags.js';
import type { Rendered } from '../../../src/io/render.js';
import { hasAnsi, stderrOf, stdoutOf } from '../../helpers/view.js';

/**
 * What the render tests of every probe verb check alike (ratelimit-render, cors-render): the --json document is
 * the report exactly, a hostile server's bytes stay data, and Markdown keeps its structure whatever a value holds.
 */

/** A verb's result for its renderer: the report, the format, a positive verdict (the renderer ignores it). */
export function resultOf<R>(
  report: R,
  format: ProbeFormat,
): { report: R; format: ProbeFormat; outcome: 'ok' } {
  return { report, format, outcome: 'ok' };
}

// eslint-disable-next-line no-control-regex -- strips the renderer's own colour codes
export const stripSgr = (s: string): string => s.replace(/\u001b\[[0-9;]*m/g, '');

/** The escape, BEL and bidi characters of the hostile fixtures that are in `text`. */
export const controls = (text: string): string[] =>
  ['\u001b', '\u0007', '\u202e'].filter((c) => text.includes(c));

/** --json: the report exactly (no `outcome`, no `format`, nothing added), no colour, one document. */
export function expectTheReportAsJson(rendered: Rendered, report: object): void {
  const out = stdoutOf(rendered);
  expect(JSON.parse(out)).toEqual(report);
  expect(Object.keys(JSON.parse(out) as object)).not.toContain('outcome');
  expect(hasAnsi(out)).toBe(false);
  expect(rendered.filter((b) => b.to === 'out')).toHaveLength(1);
}

/** A hostile report as JSON: the values exactly (a script gets what the server sent), C0 escaped as JSON does. */
export function expectHostileValuesAsJson(out: string, report: object): void {
  expect(JSON.parse(out)).toEqual(report);
  expect(controls(out).filter((c) => c !== '\u202e')).toEqual([]);
}

/** --format markdown on a terminal or not: the same Markdown (`want`), no colour, nothing on stderr. */
export function expectPlainMarkdown(rendered: Rendered, want: string): void {
  const out = stdoutOf(rendered);
  expect(hasAnsi(out)).toBe(false);
  expect(out).toBe(want);
  expect(stderrOf(rendered)).toBe('');
}

/**
 * Markdown that a hostile value broke neither a table row nor the document structure: `tables` tables with rows,
 * every row with as many cell separators (unescaped pipes) as its header, and no heading but the renderer's own
 * (a newline inside a value did not start one).
 */
export function expectMarkdownStructure(out: string, tables: number): void {
  const pipes = (line: string): number => line.replace(/\\\\/g, '').match(/(?<!\\)\|/g)?.length ?? 0;
  const chunks = out.split(/\n(?!\|)/).map((chunk) => chunk.split('\n').filter((l) => l.startsWith('|')));
  const withRows = chunks.filter((t) => t.length > 2);
  expect(withRows.length).toBe(tables);
  for (const table of withRows) for (const row of table) expect(pipes(row), row).toBe(pipes(table[0]!));
  expect(
    out
      .split('\n')
      .filter((l) => l.startsWith('#'))
      .every((l) => /^#{2,3} [A-Z]/.test(l)),
  ).toBe(true);
}
