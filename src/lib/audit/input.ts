import { AuditInputError, isAuditInputError, isInputProblem, type ParsedInput } from './input/common.js';
import { looksHar, parseHar } from './input/har.js';
import { parseJsonHeaders } from './input/json.js';
import { looksRaw, parseRaw } from './input/raw.js';
import { BODY_SAMPLE_BYTES, type AuditFacts } from './types.js';

export { AuditInputError, isAuditInputError } from './input/common.js';

/**
 * `apikit audit --headers FILE|-`: a saved response read into AuditFacts (source 'offline', no network, no
 * requests). The format is told from the text: `{` → JSON, and then a HAR file when it has a `log` object, else a
 * JSON object of headers (./input/json.ts); `HTTP/…` or a request line → a raw response (./input/raw.ts); anything
 * else is refused. Every malformation is one AuditInputError (exit 2) naming the source, where (`line 3`,
 * `HAR log.entries[0].response.headers[2].name`) and what is wrong; nothing else escapes (test/lib/audit/
 * input-fuzz.test.ts).
 *
 * The URL judged: the URL given on the command line, else the file's own (a request line with Host, the HAR
 * entry's, a JSON `url`), else `file:` + the source's name. Judged as https unless that URL is http: a `file:` URL
 * is audited as if served over https (assumeHttps), so HSTS and the rest count and no transport fact is missing.
 */

export interface AuditInputSource {
  /** How messages name it: the path, or `stdin`. */
  name: string;
  data: Buffer | string;
}

export interface AuditInputOptions {
  /** The URL argument, when one was given with --headers. */
  url?: string;
  /** --assume-https. */
  assumeHttps?: boolean;
  /** The command's credential flags were given (besides what a saved request shows). */
  authenticated?: boolean;
}

export type AuditInputFormat = 'raw' | 'har' | 'json';

export function readAuditInput(source: AuditInputSource, options: AuditInputOptions = {}): AuditFacts {
  const { parsed } = parseAuditInput(source);
  const url = options.url ?? parsed.url ?? `file:${source.name}`;
  const protocol = protocolOf(url);
  const body = parsed.body;
  return {
    url,
    source: 'offline',
    authenticated: Boolean(options.authenticated) || parsed.authenticated,
    assumeHttps: Boolean(options.assumeHttps) || (protocol !== 'http:' && protocol !== 'https:'),
    response: {
      url,
      method: parsed.method,
      status: parsed.status,
      headers: parsed.headers,
      ...(body && body.length > 0
        ? {
            body: body.subarray(0, BODY_SAMPLE_BYTES).toString('utf8'),
            bodyBytes: parsed.bodyBytes ?? body.length,
          }
        : parsed.bodyBytes !== undefined
          ? { bodyBytes: parsed.bodyBytes }
          : {}),
    },
    requests: 0,
  };
}

/** The parsed input and the format it was read as; throws AuditInputError only. */
export function parseAuditInput(source: AuditInputSource): { format: AuditInputFormat; parsed: ParsedInput } {
  try {
    return parse(source);
  } catch (err) {
    if (isAuditInputError(err)) throw err;
    if (isInputProblem(err)) throw new AuditInputError(source.name, err.where, err.problem);
    // A reader's slip must still come out as the one input error, never as a stack trace.
    throw new AuditInputError(
      source.name,
      'input',
      `unreadable (${err instanceof Error ? err.message : String(err)})`,
    );
  }
}

function parse(source: AuditInputSource): { format: AuditInputFormat; parsed: ParsedInput } {
  const raw = typeof source.data === 'string' ? source.data : source.data.toString('utf8');
  const text = raw.replace(/^\uFEFF/, '');
  const start = text.trimStart();
  if (start === '') throw new AuditInputError(source.name, 'input', 'empty');
  if (start.startsWith('{') || start.startsWith('[')) {
    let doc: unknown;
    try {
      doc = JSON.parse(start);
    } catch (err) {
      throw new AuditInputError(source.name, 'JSON', `not valid JSON (${(err as Error).message})`);
    }
    if (looksHar(doc)) return { format: 'har', parsed: parseHar(doc as Record<string, unknown>) };
    return { format: 'json', parsed: parseJsonHeaders(doc) };
  }
  const lead = text.replace(/^(\r?\n)+/, '');
  // The raw reader skips leading empty lines itself, so that its line numbers are the file's.
  if (looksRaw(lead)) return { format: 'raw', parsed: parseRaw(text) };
  throw new AuditInputError(
    source.name,
    'line 1',
    'not a raw HTTP response (HTTP/1.1 200 OK …), a HAR file or a JSON object of headers',
  );
}

function protocolOf(url: string): string | undefined {
  try {
    return new URL(url).protocol;
  } catch {
    return undefined;
  }
}
