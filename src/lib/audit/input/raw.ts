import {
  httpUrl,
  InputProblem,
  isCredentialHeader,
  isStatus,
  LinesBuilder,
  quoted,
  TOKEN,
  type ParsedInput,
} from './common.js';

/**
 * A raw HTTP/1.x response as `curl -i` or `nc` saves it (RFC 9112 §4, §5): the status line, header lines, an
 * empty line, the body (optional). Also read:
 * - a request before it (`GET /path HTTP/1.1`, its headers, an empty line): its method, its URL (absolute-form,
 *   or origin-form with Host, taken as https) and whether it carried a credential;
 * - several responses in a row (`curl -i -L`, or a `100 Continue` first): a 1xx or 3xx followed by another
 *   status line is passed over, and the last one is read;
 * - curl's `HTTP/2 200` status line; CRLF or LF line ends; obs-fold continuation lines (RFC 9112 §5.2: replaced by
 *   a space).
 * The body is kept as given (a chunked body is not decoded).
 */

const STATUS_LINE = /^HTTP\/(\d)(?:\.(\d))? (\d{3})(?: (.*))?$/;
const REQUEST_LINE = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+) (\S+) HTTP\/\d(?:\.\d)?$/;

export function looksRaw(text: string): boolean {
  return /^HTTP\/\d/.test(text) || REQUEST_LINE.test(firstLine(text));
}

function firstLine(text: string): string {
  const end = text.indexOf('\n');
  return (end < 0 ? text : text.slice(0, end)).replace(/\r$/, '');
}

/** A cursor over the lines of the text, keeping the offset where the body would start. */
class Lines {
  pos = 0;
  no = 0;
  constructor(readonly text: string) {}
  get done(): boolean {
    return this.pos >= this.text.length;
  }
  peek(): string | undefined {
    if (this.done) return undefined;
    const end = this.text.indexOf('\n', this.pos);
    return (end < 0 ? this.text.slice(this.pos) : this.text.slice(this.pos, end)).replace(/\r$/, '');
  }
  next(): string | undefined {
    const line = this.peek();
    if (line === undefined) return undefined;
    const end = this.text.indexOf('\n', this.pos);
    this.pos = end < 0 ? this.text.length : end + 1;
    this.no++;
    return line;
  }
  skipBlank(): void {
    while (this.peek() === '') this.next();
  }
}

interface Block {
  lines: LinesBuilder;
  /** Whether an empty line ended the block (else the text did). */
  ended: boolean;
}

/** Header lines up to the empty line (or the end). */
function headerBlock(cur: Lines): Block {
  const lines = new LinesBuilder();
  let last: { name: string; value: string } | undefined;
  const flush = (): void => {
    if (last) lines.add(last.name, last.value);
    last = undefined;
  };
  for (;;) {
    const line = cur.next();
    if (line === undefined) {
      flush();
      return { lines, ended: false };
    }
    if (line === '') {
      flush();
      return { lines, ended: true };
    }
    if (/^[ \t]/.test(line)) {
      if (!last)
        throw new InputProblem(`line ${cur.no}`, 'a continuation line with no header line before it');
      last.value = `${last.value} ${line.trim()}`.trim();
      continue;
    }
    const colon = line.indexOf(':');
    const name = colon < 0 ? '' : line.slice(0, colon);
    if (!TOKEN.test(name)) {
      throw new InputProblem(`line ${cur.no}`, `not a header line (name: value): ${quoted(line)}`);
    }
    if (line.includes('\0')) throw new InputProblem(`line ${cur.no}`, 'a header value holds a NUL');
    // RFC 9112 §2.2: a bare CR makes the element invalid (lines end in LF or CRLF; the CR is taken off by peek()).
    if (line.includes('\r')) throw new InputProblem(`line ${cur.no}`, 'a bare CR inside a header line');
    flush();
    last = { name, value: line.slice(colon + 1).trim() };
  }
}

export function parseRaw(text: string): ParsedInput {
  const cur = new Lines(text);
  cur.skipBlank();
  let method = 'GET';
  let url: string | undefined;
  let authenticated = false;

  const request = REQUEST_LINE.exec(cur.peek() ?? '');
  if (request) {
    cur.next();
    method = request[1]!.toUpperCase();
    const target = request[2]!;
    const block = headerBlock(cur);
    const headers = block.lines.build();
    authenticated = Object.keys(headers).some(isCredentialHeader);
    const host = headers['host']?.[0] ?? headers[':authority']?.[0];
    url =
      httpUrl(target) ?? (target.startsWith('/') && host ? httpUrl(`https://${host}${target}`) : undefined);
    cur.skipBlank();
    if (cur.done) throw new InputProblem(`line ${cur.no + 1}`, 'a request but no response after it');
  }

  for (;;) {
    const line = cur.next() ?? '';
    const status = STATUS_LINE.exec(line);
    if (!status) {
      throw new InputProblem(`line ${cur.no}`, `not a status line (HTTP/1.1 200 OK): ${quoted(line)}`);
    }
    const code = Number(status[3]);
    if (!isStatus(code))
      throw new InputProblem(`line ${cur.no}`, `${status[3]} is not an HTTP status (100…599)`);
    const block = headerBlock(cur);
    const rest = cur.text.slice(cur.pos);
    // Another response follows a 1xx (100 Continue) or a redirect (curl -i -L): the last one is the answer.
    if (block.ended && (code < 200 || (code >= 300 && code < 400)) && /^(\r?\n)*HTTP\/\d/.test(rest)) {
      cur.skipBlank();
      continue;
    }
    const body = block.ended && rest.length > 0 ? Buffer.from(rest, 'utf8') : undefined;
    return {
      ...(url ? { url } : {}),
      method,
      status: code,
      headers: block.lines.build(),
      ...(body ? { body } : {}),
      authenticated,
    };
  }
}
