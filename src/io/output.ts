import type { IO } from './io.js';
import type { Redactor } from './redact.js';

/**
 * What commands write. stdout: the result (`result`, `json`, `table`); stderr: messages for people
 * (`notice`, `warn`, `progress`), each redacted and decorated only on a terminal.
 */
export interface Output {
  /** Writes a result line to stdout as it is (artifacts print bare so `$(apikit ...)` works). */
  result(text: string): void;
  /** Prints exactly one JSON document on stdout. */
  json(value: unknown): void;
  /** A table: boxed through cli-table3 on a terminal, tab-separated with a header row when piped. */
  table(head: string[], rows: (string | number)[][]): Promise<void>;
  /** A message for people on stderr. */
  notice(message: string): void;
  /** A warning on stderr, prefixed "warning:". */
  warn(message: string): void;
  /** Progress on stderr, only on a terminal. */
  progress(message: string): void;
}

export function createOutput(io: IO, redactor: Redactor): Output {
  const err = (line: string): void => {
    io.stderr.write(redactor.redact(line) + '\n');
  };
  return {
    result(text) {
      io.stdout.write(text.endsWith('\n') ? text : text + '\n');
    },
    json(value) {
      io.stdout.write(JSON.stringify(value, null, 2) + '\n');
    },
    async table(head, rows) {
      if (!io.stdoutIsTTY) {
        const clean = (cell: string | number): string => String(cell).replace(/[\t\n]/g, ' ');
        const lines = [head, ...rows].map((row) => row.map(clean).join('\t'));
        io.stdout.write(lines.join('\n') + '\n');
        return;
      }
      const { default: Table } = await import('cli-table3');
      const c = io.color.out;
      const table = new Table({
        head: head.map((h) => c.bold(h)),
        style: { head: [], border: [] },
        wordWrap: true,
      });
      for (const row of rows) table.push(row.map(String));
      io.stdout.write(table.toString() + '\n');
    },
    notice(message) {
      err(message);
    },
    warn(message) {
      err(`${io.color.err.yellow('warning:')} ${message}`);
    },
    progress(message) {
      if (io.stderrIsTTY) err(io.color.err.dim(message));
    },
  };
}
