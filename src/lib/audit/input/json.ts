import { httpUrl, InputProblem, isStatus, LinesBuilder, quoted, TOKEN, type ParsedInput } from './common.js';

/**
 * A JSON object of headers: `{"strict-transport-security": "max-age=63072000", "set-cookie": ["a=1", "b=2"]}` —
 * a string or a number is one field line, a list of strings is several — or that object wrapped with what else is
 * known: `{"url": "https://…", "status": 200, "method": "GET", "headers": {…}, "body": "…"}` (`headers` may also
 * be a HAR-style list of `{name, value}`). Status defaults to 200.
 */

type Json = unknown;

function isObject(v: Json): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A wrapper is an object whose `headers` is an object or a list; anything else is itself the headers. */
export function parseJsonHeaders(doc: Json): ParsedInput {
  if (!isObject(doc)) {
    throw new InputProblem(
      'JSON',
      `expected an object of headers, not ${Array.isArray(doc) ? 'a list' : typeof doc}`,
    );
  }
  const wrapped = typeof doc['headers'] === 'object' && doc['headers'] !== null;
  if (!wrapped)
    return { method: 'GET', status: 200, headers: headerObject(doc, 'JSON'), authenticated: false };

  const headersJson = doc['headers'];
  const headers = Array.isArray(headersJson)
    ? headerPairs(headersJson, 'JSON headers')
    : headerObject(headersJson as Record<string, Json>, 'JSON headers');
  const out: ParsedInput = { method: 'GET', status: 200, headers, authenticated: false };
  const { url, status, method, body } = doc;
  if (url !== undefined) {
    const u = typeof url === 'string' ? httpUrl(url) : undefined;
    if (u === undefined) throw new InputProblem('JSON url', `${quoted(String(url))} is not an http(s) URL`);
    out.url = u;
  }
  if (status !== undefined) {
    if (!isStatus(status))
      throw new InputProblem('JSON status', `${quoted(String(status))} is not an HTTP status (100…599)`);
    out.status = status;
  }
  if (method !== undefined) {
    if (typeof method !== 'string' || !TOKEN.test(method)) {
      throw new InputProblem('JSON method', `${quoted(String(method))} is not a method`);
    }
    out.method = method.toUpperCase();
  }
  if (body !== undefined && body !== null) {
    if (typeof body !== 'string') throw new InputProblem('JSON body', 'not a string');
    if (body.length > 0) out.body = Buffer.from(body, 'utf8');
  }
  return out;
}

function headerObject(obj: Record<string, Json>, where: string): ParsedInput['headers'] {
  const lines = new LinesBuilder();
  for (const name of Object.keys(obj)) {
    const value = obj[name];
    const at = `${where} ${quoted(name)}`;
    if (!TOKEN.test(name)) throw new InputProblem(at, 'not a header name');
    const values = Array.isArray(value) ? value : [value];
    for (const v of values) lines.add(name, fieldValue(v, at));
  }
  return lines.build();
}

function headerPairs(list: readonly Json[], where: string): ParsedInput['headers'] {
  const lines = new LinesBuilder();
  list.forEach((h, i) => {
    const at = `${where}[${i}]`;
    if (!isObject(h) || typeof h['name'] !== 'string')
      throw new InputProblem(at, 'not an object {name, value}');
    const name = h['name'];
    if (!TOKEN.test(name)) throw new InputProblem(`${at}.name`, `${quoted(name)} is not a header name`);
    lines.add(name, fieldValue(h['value'], `${at}.value`));
  });
  return lines.build();
}

function fieldValue(v: Json, at: string): string {
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v !== 'string') throw new InputProblem(at, 'not a string, a number or a list of strings');
  // RFC 9110 §5.5: a field value holds no CR, LF or NUL; a list of strings is how several lines are written.
  if (/[\r\n\0]/.test(v))
    throw new InputProblem(at, 'holds a line break or NUL (write several lines as a list)');
  return v.trim();
}
