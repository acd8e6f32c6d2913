import type { ChalkInstance } from 'chalk';
import type { IO } from './io.js';

/**
 * What a renderer may know: the facts about the streams (terminal or not, colour, width), whether --json was
 * asked for, and the time for relative phrases ("expires in 4m"). `render*(result, view)` is a pure function of
 * these and returns a Rendered document; the output layer writes it (redacting stderr). Tests build a View
 * with `viewFor` and call renderers directly, TTY on and off.
 */
export interface View {
  json: boolean;
  stdoutIsTTY: boolean;
  stderrIsTTY: boolean;
  columns: number;
  color: { out: ChalkInstance; err: ChalkInstance };
  /** Epoch milliseconds, for relative times. */
  now: number;
  /**
   * A new document builder for this view. Renderers take the builder from the view rather than importing it, so
   * that this module stays in the core bundle chunk and no verb loads a chunk of its own for it (start-up).
   */
  doc(): Doc;
}

export type ViewFacts = Omit<View, 'doc'>;

export function viewOf(io: IO, json: boolean, now: number): View {
  return makeView({
    json,
    stdoutIsTTY: io.stdoutIsTTY,
    stderrIsTTY: io.stderrIsTTY,
    columns: io.columns,
    color: io.color,
    now,
  });
}

/** A View over the given facts (tests build theirs with this too). */
export function makeView(facts: ViewFacts): View {
  const view: View = { ...facts, doc: () => new Doc(view) };
  return view;
}

/** One piece of output, in order. A table on a terminal is laid out by the output layer (cli-table3). */
export type Block =
  | { to: 'out'; text: string }
  | { to: 'out'; table: { head: string[]; rows: string[][] } }
  | { to: 'err'; text: string };

export type Rendered = Block[];

/**
 * Builds a Rendered document with the house conventions: results on stdout (artifacts bare, one JSON document
 * with --json), messages on stderr ("warning:" in yellow on a terminal), progress only on a terminal.
 */
export class Doc {
  readonly blocks: Block[] = [];
  constructor(readonly view: View) {}

  /** A result line on stdout, as it is (a trailing newline is added when missing). */
  result(text: string): this {
    this.blocks.push({ to: 'out', text: text.endsWith('\n') ? text : text + '\n' });
    return this;
  }

  /** Exactly one JSON document on stdout. */
  json(value: unknown): this {
    this.blocks.push({ to: 'out', text: JSON.stringify(value, null, 2) + '\n' });
    return this;
  }

  /** A table: boxed on a terminal, tab-separated with a header row when piped. */
  table(head: string[], rows: (string | number)[][]): this {
    const cells = rows.map((row) => row.map(String));
    if (this.view.stdoutIsTTY) {
      this.blocks.push({ to: 'out', table: { head, rows: cells } });
    } else {
      const clean = (cell: string): string => cell.replace(/[\t\n]/g, ' ');
      const lines = [head, ...cells].map((row) => row.map(clean).join('\t'));
      this.blocks.push({ to: 'out', text: lines.join('\n') + '\n' });
    }
    return this;
  }

  /** A message for people on stderr. */
  notice(message: string): this {
    this.blocks.push({ to: 'err', text: message + '\n' });
    return this;
  }

  /** A warning on stderr, prefixed "warning:". */
  warn(message: string): this {
    return this.notice(`${this.view.color.err.yellow('warning:')} ${message}`);
  }

  /** Progress on stderr, only on a terminal. */
  progress(message: string): this {
    if (this.view.stderrIsTTY) this.notice(this.view.color.err.dim(message));
    return this;
  }

  /** Appends another document's blocks. */
  add(rendered: Rendered): this {
    this.blocks.push(...rendered);
    return this;
  }
}
