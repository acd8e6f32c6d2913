import { stripVTControlCharacters } from 'node:util';
import type { IO } from './io.js';
import type { Redactor } from './redact.js';
import type { Doc, Rendered, View } from './render.js';

/**
 * What commands write. stdout: the result; stderr: messages for people, each redacted (`Redactor.message`: long
 * secrets and credential shapes only, never apikit's own wording) and decorated only on a terminal. Renderers
 * build a Rendered document (src/io/render.ts) and `emit` writes it; the one-line helpers are for messages that
 * arise while a command runs (warnings, progress).
 */
export interface Output {
  /** Writes a rendered document: stdout blocks as they are, stderr blocks redacted. */
  emit(rendered: Rendered): Promise<void>;
  /** A chunked, back-pressure-aware writer for stdout (batch output that streams). */
  stream(): ChunkedWriter;
  /** A message for people on stderr. */
  notice(message: string): void;
  /** A warning on stderr, prefixed "warning:". */
  warn(message: string): void;
  /** Progress on stderr, only on a terminal. */
  progress(message: string): void;
  /** Whether anything has been written to stdout (so an error need not add a second --json document). */
  readonly wroteStdout: boolean;
}

export interface ChunkedWriter {
  write(text: string): Promise<void>;
  flush(): Promise<void>;
}

export function createOutput(io: IO, redactor: Redactor, view: () => View): Output {
  let wroteStdout = false;
  const out = (text: string): void => {
    wroteStdout = true;
    io.stdout.write(text);
  };
  const err = (text: string): void => {
    io.stderr.write(redactor.message(text.replace(/\n$/, '')) + '\n');
  };
  const line = (build: (doc: Doc) => void): void => {
    const doc = view().doc();
    build(doc);
    for (const block of doc.blocks) if ('text' in block) err(block.text);
  };
  return {
    async emit(rendered) {
      for (const block of rendered) {
        if (block.to === 'err') err(block.text);
        else if ('text' in block) out(block.text);
        else out((await boxTable(io, block.table.head, block.table.rows)) + '\n');
      }
    },
    stream() {
      return chunkedWriter(io, () => (wroteStdout = true));
    },
    notice(message) {
      line((d) => d.notice(message));
    },
    warn(message) {
      line((d) => d.warn(message));
    },
    progress(message) {
      line((d) => d.progress(message));
    },
    get wroteStdout() {
      return wroteStdout;
    },
  };
}

/** cli-table3 loads only when a terminal shows a table. */
async function boxTable(io: IO, head: string[], rows: string[][]): Promise<string> {
  const { default: Table } = await import('cli-table3');
  const c = io.color.out;
  const colWidths = fitColumns(head, rows, io.columns);
  const table = new Table({
    head: head.map((h) => c.bold(h)),
    style: { head: [], border: [] },
    wordWrap: true,
    // Words longer than their column (a URL, a header value) are broken rather than cut off with "…": a table
    // never hides part of what the server said.
    wrapOnWordBoundary: !colWidths || !hasWordLongerThan(rows, colWidths),
    ...(colWidths ? { colWidths } : {}),
  });
  for (const row of rows) table.push(row);
  return table.toString();
}

/** Columns of text width plus cli-table3's padding (one space each side). */
const PADDING = 2;
/** No column is squeezed narrower than this, even on a very narrow terminal. */
const MIN_COLUMN = 8;

/**
 * Column widths that fit the table into the terminal's width, or undefined when it fits as it is: the widest
 * columns give up space first, so short columns (names, statuses) stay on one line while a long value wraps.
 */
export function fitColumns(head: string[], rows: string[][], columns: number): number[] | undefined {
  const widths = head.map(
    (h, i) => Math.max(textWidth(h), ...rows.map((row) => longestLine(row[i] ?? ''))) + PADDING,
  );
  const borders = head.length + 1;
  let excess = widths.reduce((a, b) => a + b, 0) + borders - columns;
  if (excess <= 0) return undefined;
  while (excess > 0) {
    const widest = widths.indexOf(Math.max(...widths));
    if (widths[widest]! <= MIN_COLUMN + PADDING) break;
    widths[widest]!--;
    excess--;
  }
  return widths;
}

function hasWordLongerThan(rows: string[][], widths: number[]): boolean {
  return rows.some((row) =>
    row.some((cell, i) =>
      stripVTControlCharacters(cell)
        .split(/\s+/)
        .some((word) => word.length > (widths[i] ?? Infinity) - PADDING),
    ),
  );
}

function textWidth(text: string): number {
  return stripVTControlCharacters(text).length;
}

function longestLine(cell: string): number {
  return Math.max(0, ...cell.split('\n').map(textWidth));
}

/** Batch output in 64 KiB chunks, honouring back-pressure, so 20,000 verdicts are a few dozen writes. */
function chunkedWriter(io: IO, onWrite: () => void): ChunkedWriter {
  let buf: string[] = [];
  let size = 0;
  const flush = async (): Promise<void> => {
    if (buf.length === 0) return;
    const text = buf.join('');
    buf = [];
    size = 0;
    onWrite();
    if (!io.stdout.write(text)) await new Promise<void>((resolve) => io.stdout.once('drain', resolve));
  };
  return {
    async write(text) {
      buf.push(text);
      size += text.length;
      if (size >= 64 * 1024) await flush();
    },
    flush,
  };
}
