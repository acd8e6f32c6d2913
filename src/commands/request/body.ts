/**
 * The bodies of `apikit request`: what Content-Type a request body gets by default, and what a response body is
 * (JSON, text, bytes) for --json and for the terminal.
 */

/** How the response body is given in --json: parsed JSON, UTF-8 text, base64 of bytes that are not UTF-8, none. */
export type BodyEncoding = 'json' | 'text' | 'base64' | 'empty';

export interface DecodedBody {
  encoding: BodyEncoding;
  /** The parsed JSON, the text, the base64 text, or null for an empty body. */
  value: unknown;
  /** The text as received (valid UTF-8), for the terminal; null for bytes that are not text, or none. */
  text: string | null;
}

/** `application/json`, `application/problem+json`, `application/vnd.api+json; charset=utf-8`… */
export function isJsonMediaType(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  return type === 'application/json' || /^[a-z0-9!#$&^_.-]+\/[a-z0-9!#$&^_.+-]*\+json$/.test(type);
}

/** Valid UTF-8 as text (a BOM kept: the bytes written back are the bytes received), else null. */
export function utf8Text(bytes: Uint8Array): string | null {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return null;
  }
}

/**
 * A response body: parsed when its media type says JSON and it parses (else text), text when it is UTF-8, base64
 * otherwise. The media type decides rather than a guess, so `"42"` served as text/plain stays the text "42".
 */
export function decodeBody(bytes: Uint8Array, contentType: string | undefined): DecodedBody {
  if (bytes.length === 0) return { encoding: 'empty', value: null, text: null };
  const text = utf8Text(bytes);
  if (text === null) return { encoding: 'base64', value: Buffer.from(bytes).toString('base64'), text: null };
  if (isJsonMediaType(contentType)) {
    try {
      return { encoding: 'json', value: JSON.parse(text) as unknown, text };
    } catch {
      // Served as JSON but is not: given as the text it is.
    }
  }
  return { encoding: 'text', value: text, text };
}

/** Whether a request body is JSON (then it is sent as application/json unless -H Content-Type says otherwise). */
export function isJsonBody(bytes: Uint8Array): boolean {
  const text = utf8Text(bytes);
  if (text === null || text.trim() === '') return false;
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * The title and detail of an error answer, when its body says: RFC 9457 problem details (`title`, `detail`),
 * an OAuth error (RFC 6749 §5.2, RFC 6750 §3: `error`, `error_description`), or a bare `message`. Null when the
 * body is no JSON object or has none of these as strings.
 */
export function problemOf(body: DecodedBody): { title: string | null; detail: string | null } | null {
  if (body.encoding !== 'json' || typeof body.value !== 'object' || body.value === null) return null;
  if (Array.isArray(body.value)) return null;
  const doc = body.value as Record<string, unknown>;
  const str = (...names: string[]): string | null => {
    for (const name of names) if (typeof doc[name] === 'string' && doc[name] !== '') return doc[name];
    return null;
  };
  const title = str('title', 'error');
  const detail = str('detail', 'error_description', 'message');
  return title === null && detail === null ? null : { title, detail };
}
