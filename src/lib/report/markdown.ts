import { sortFindings, type Finding } from '../findings.js';
import { terminalSafe } from '../text/terminal-safe.js';
import { evidenceText } from './evidence.js';

/**
 * Markdown reports for a CI job summary (`>> $GITHUB_STEP_SUMMARY`), shared by the probes and the audit: a
 * report is a list of blocks (headings, paragraphs, key/value tables, tables, findings, lists, code) and
 * `renderMarkdown` writes GitHub-flavoured Markdown. Pure.
 *
 * Most of what goes into a report came from a server (header values, policy names, evidence). It must neither
 * break the layout (a `|` ends a table cell, a newline ends a table row) nor become markup (`[x](https://evil)`
 * is a link, `<img src=…>` is HTML, a backtick opens code) nor carry terminal escapes or bidi overrides to the
 * terminal the markdown may be printed on: every text goes through `inline` (or `code`), which does all of it.
 */
export type MarkdownBlock =
  | { kind: 'heading'; level: 1 | 2 | 3 | 4; text: string }
  | { kind: 'paragraph'; text: string }
  /** Two columns: a summary ("limited | yes"); an empty header unless `head`. Values as code when `code`. */
  | {
      kind: 'key-value';
      rows: readonly (readonly [string, string])[];
      head?: readonly [string, string];
      code?: boolean;
    }
  | { kind: 'table'; head: readonly string[]; rows: readonly (readonly string[])[] }
  /** Severity, id, message, evidence and advice, worst first; a sentence when there are none. */
  | { kind: 'findings'; findings: readonly Finding[]; none?: string }
  | { kind: 'list'; items: readonly string[] }
  /** A fenced block, shown as it is (terminal-safe); for pictures and raw values. */
  | { kind: 'code'; text: string; lang?: string };

/** The longest text one cell or line keeps (a hostile server can send megabytes). */
export const MAX_CELL_CHARS = 500;

/** Blocks → Markdown: one blank line between blocks, a trailing newline. */
export function renderMarkdown(blocks: readonly MarkdownBlock[]): string {
  return blocks.map(renderBlock).join('\n\n') + '\n';
}

function renderBlock(block: MarkdownBlock): string {
  switch (block.kind) {
    case 'heading':
      return `${'#'.repeat(block.level)} ${inline(block.text)}`;
    case 'paragraph':
      return lineStart(inline(block.text));
    case 'key-value':
      return table(
        (block.head ?? ['', '']).map(cell),
        block.rows.map(([k, v]) => [cell(k), block.code ? code(v) : cell(v)]),
      );
    case 'table':
      return table(
        block.head.map(cell),
        block.rows.map((r) => r.map(cell)),
      );
    case 'findings':
      return findingsTable(block.findings, block.none ?? 'No findings.');
    case 'list':
      return block.items.map((item) => `- ${lineStart(inline(item))}`).join('\n');
    case 'code':
      return fenced(block.text, block.lang ?? '');
  }
}

function findingsTable(findings: readonly Finding[], none: string): string {
  if (findings.length === 0) return inline(none);
  return table(
    ['severity', 'id', 'finding', 'evidence'].map(cell),
    sortFindings(findings).map((f) => [
      `**${cell(f.severity)}**`,
      code(f.id),
      cell(f.advice === undefined ? f.message : `${f.message} (${f.advice})`),
      f.evidence.length === 0 ? '' : f.evidence.map((e) => cell(evidenceText(e))).join('<br>'),
    ]),
  );
}

/** A GFM table of already-escaped cells. */
function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}

/** ASCII punctuation that can start markup inside a line (emphasis, links, images, HTML, code, tables). */
const MARKUP = /[\\`*_[\]<>|~&!#]/g;

/**
 * Text for one line of Markdown (a paragraph, a heading, a list item): newlines become spaces, control and bidi
 * characters `?`, markup characters are backslash-escaped (GFM lets any ASCII punctuation be escaped), long
 * text is cut.
 */
export function inline(text: string): string {
  return terminalSafe(text.replace(/\r\n|[\r\n]/g, ' '), MAX_CELL_CHARS).replace(MARKUP, '\\$&');
}

/**
 * Inline text that starts a block (a paragraph, a list item's content), where a leading `-`, `+`, `=` or `1.`
 * would make a list or a heading underline and leading spaces a code block: those are escaped or dropped.
 */
function lineStart(escaped: string): string {
  return escaped
    .trimStart()
    .replace(/^([-+=])|^(\d+)([.)])/, (_m, mark?: string, digits?: string, dot?: string) =>
      mark !== undefined ? `\\${mark}` : `${digits}\\${dot}`,
    );
}

/**
 * Text for a table cell: as `inline`, with newlines kept as `<br>` (the one HTML GitHub renders in a cell;
 * written by us, after escaping, so a server's `<br>` stays text).
 */
export function cell(text: string): string {
  return text
    .split(/\r\n|[\r\n]/)
    .map(inline)
    .join('<br>');
}

/**
 * A code span for a table cell: a fence longer than any run of backticks inside (CommonMark §6.1), padded when
 * the value starts or ends with one; `|` escaped, which GFM honours even inside a code span in a table.
 * Newlines become spaces (a code span cannot hold one).
 */
export function code(text: string): string {
  const value = terminalSafe(text.replace(/\r\n|[\r\n]/g, ' '), MAX_CELL_CHARS).replace(/\|/g, '\\|');
  if (value === '') return '';
  const longest = Math.max(0, ...[...value.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  // CommonMark strips one space from each end of a code span that starts and ends with one: pad to keep them.
  const pad = /^[` ]|[` ]$/.test(value) ? ' ' : '';
  return `${fence}${pad}${value}${pad}${fence}`;
}

/** A fenced block: a fence longer than any run of backticks inside, lines kept, each terminal-safe. */
function fenced(text: string, lang: string): string {
  const lines = text.replace(/\n$/, '').split(/\r\n|[\r\n]/);
  const safe = lines.map((l) => terminalSafe(l, MAX_CELL_CHARS * 4));
  const longest = Math.max(
    2,
    ...safe.map((l) => Math.max(0, ...[...l.matchAll(/`+/g)].map((m) => m[0].length))),
  );
  const fence = '`'.repeat(longest + 1);
  return [`${fence}${terminalSafe(lang, 20).replace(/[`\s]/g, '')}`, ...safe, fence].join('\n');
}
