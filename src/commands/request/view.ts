import type { Context } from '../../context.js';
import type { Rendered, View } from '../../io/render.js';
import { terminalSafe } from '../../lib/text/terminal-safe.js';
import type { RequestResult } from './result.js';

/** A header value on the terminal: long enough for any real one, cut before a hostile megabyte. */
const MAX_HEADER_CHARS = 4000;

/**
 * stderr: the redirects followed, the status line, the header lines (redacted in run), the problem of an error
 * answer; colour only on a terminal. stdout: the body — as received when piped (text here; bytes that are not
 * UTF-8 are written by writeBareBody, a Rendered document being text), pretty JSON and sanitised text on a
 * terminal. --json: the one document, and the problem line on stderr for people.
 */
export function renderRequest(result: RequestResult, view: View): Rendered {
  const doc = view.doc();
  const c = view.color.err;
  const problem =
    result.shown.problem === null ? null : `${c.red('problem:')} ${terminalSafe(result.shown.problem, 1000)}`;
  if (view.json) {
    doc.json(requestJson(result));
    if (problem !== null) doc.notice(problem);
    return doc.blocks;
  }
  for (const from of result.shown.redirects) {
    doc.notice(c.dim(`redirected from ${terminalSafe(from, 2000)}`));
  }
  const paint = result.ok ? c.green : result.status < 400 ? c.yellow : c.red;
  doc.notice(c.bold(paint(`HTTP ${result.status}${result.statusText ? ` ${result.statusText}` : ''}`)));
  for (const [name, value] of result.shown.headers) {
    doc.notice(`${c.cyan(terminalSafe(name, 200))}: ${terminalSafe(value, MAX_HEADER_CHARS)}`);
  }
  if (problem !== null) doc.notice(problem);
  return renderBody(result, view, doc.blocks);
}

/** The --json document: stable names (README); the body as received. */
export function requestJson(result: RequestResult): Record<string, unknown> {
  return {
    method: result.method,
    url: result.url,
    status: result.status,
    status_text: result.statusText,
    ok: result.ok,
    redirects: result.redirects,
    headers: result.headers,
    body: result.body.value,
    body_encoding: result.body.encoding,
  };
}

function renderBody(result: RequestResult, view: View, blocks: Rendered): Rendered {
  const { body } = result;
  if (body.encoding === 'empty') return blocks;
  if (!view.stdoutIsTTY) {
    // The bytes as received: no newline added, nothing pretty-printed (`> file` keeps them exact).
    if (body.text !== null) blocks.push({ to: 'out', text: body.text });
    return blocks;
  }
  if (body.text === null) {
    const type = result.headers['content-type'];
    const what = typeof type === 'string' ? `, ${terminalSafe(type, 100)}` : '';
    blocks.push({
      to: 'err',
      text: `(a body of ${result.bytes.length} bytes${what} that is not text: not shown on a terminal; redirect stdout to a file)\n`,
    });
    return blocks;
  }
  const text = body.encoding === 'json' ? JSON.stringify(body.value, null, 2) : body.text;
  const safe = forTerminal(text);
  blocks.push({ to: 'out', text: safe.endsWith('\n') ? safe : safe + '\n' });
  return blocks;
}

/**
 * A server's text on a terminal: line by line and tab by tab through the one sanitiser (escape sequences, other
 * control characters and bidi overrides become "?"), the line breaks and tabs kept, a CR before LF dropped.
 */
export function forTerminal(text: string): string {
  return text
    .split('\n')
    .map((line) =>
      line
        .replace(/\r$/, '')
        .split('\t')
        .map((part) => terminalSafe(part, Infinity))
        .join('\t'),
    )
    .join('\n');
}

/**
 * A body that is not UTF-8, piped: its bytes, exactly, after the rendered document (a Rendered block is text, and
 * text would not keep them). Nothing on a terminal or with --json (base64 in the document).
 */
export async function writeBareBody(
  result: RequestResult,
  ctx: Pick<Context, 'io' | 'flags'>,
): Promise<void> {
  if (ctx.flags.json || ctx.io.stdoutIsTTY || result.body.encoding !== 'base64') return;
  const stdout = ctx.io.stdout;
  if (!stdout.write(result.bytes)) await new Promise<void>((resolve) => stdout.once('drain', resolve));
}
