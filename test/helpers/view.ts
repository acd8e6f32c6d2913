import { Chalk } from 'chalk';
import { makeView, type Rendered, type View } from '../../src/io/render.js';

/**
 * A View for calling render* functions directly: a terminal (colour, tables, progress) or a pipe, with or
 * without --json, at a fixed time.
 */
export function viewFor(options: { tty: boolean; json?: boolean; now?: number; columns?: number }): View {
  const color = new Chalk({ level: options.tty ? 1 : 0 });
  return makeView({
    json: options.json ?? false,
    stdoutIsTTY: options.tty,
    stderrIsTTY: options.tty,
    columns: options.columns ?? 100,
    color: { out: color, err: color },
    now: options.now ?? Date.UTC(2026, 0, 1),
  });
}

/** What a rendered document writes to stdout (tables as their head and rows, tab-separated). */
export function stdoutOf(rendered: Rendered): string {
  return rendered
    .filter((b) => b.to === 'out')
    .map((b) =>
      'text' in b ? b.text : [b.table.head, ...b.table.rows].map((r) => r.join('\t')).join('\n') + '\n',
    )
    .join('');
}

/** What a rendered document writes to stderr. */
export function stderrOf(rendered: Rendered): string {
  return rendered
    .filter((b) => b.to === 'err')
    .map((b) => ('text' in b ? b.text : ''))
    .join('');
}

/** Whether any block carries an ANSI escape. */
export function hasAnsi(text: string): boolean {
  return text.includes('\u001b[');
}

/** The four ways a renderer is seen: a terminal or a pipe, each with and without --json. */
export const VIEW_MODES: readonly { tty: boolean; json: boolean }[] = [
  { tty: true, json: false },
  { tty: false, json: false },
  { tty: true, json: true },
  { tty: false, json: true },
];

/** Every case in every view mode: the rows of a table-driven render test with the TTY as a column. */
export function inEveryMode<T extends object>(cases: readonly T[]): (T & { tty: boolean; json: boolean })[] {
  return cases.flatMap((c) => VIEW_MODES.map((mode) => ({ ...c, ...mode })));
}
