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
 * A HAR 1.2 file (http://www.softwareishard.com/blog/har-12-spec/, as browsers' developer tools export it). The
 * entry read is the FIRST whose response is not a redirect (3xx) and not a failed request (status 0, what
 * Chromium records for a blocked or aborted one): for a page load that is the page itself, before its
 * subresources; for a saved redirect chain, its end. When every entry is a redirect, the last one.
 *
 * Headers: HTTP/2 and /3 pseudo-headers (`:status`) are left out; a value holding line breaks is several lines
 * (some exporters join repeated Set-Cookie fields with "\n"). The body is `content.text` (base64-decoded when
 * `content.encoding` says so), its size `content.size`.
 */

type Json = unknown;

function isObject(v: Json): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function looksHar(doc: Json): boolean {
  return isObject(doc) && isObject(doc['log']);
}

export function parseHar(doc: Record<string, Json>): ParsedInput {
  const log = doc['log'] as Record<string, Json>;
  const entries = log['entries'];
  if (!Array.isArray(entries)) throw new InputProblem('HAR log.entries', 'missing or not a list');
  if (entries.length === 0) throw new InputProblem('HAR log.entries', 'empty: the HAR holds no request');
  let chosen: number | undefined;
  let lastRedirect: number | undefined;
  for (let i = 0; i < entries.length; i++) {
    const status = statusOf(entries[i], i);
    if (status === 0) continue;
    if (status >= 300 && status < 400) {
      lastRedirect = i;
      continue;
    }
    chosen = i;
    break;
  }
  chosen ??= lastRedirect;
  if (chosen === undefined) {
    throw new InputProblem('HAR log.entries', 'no entry has a response (every status is 0: failed requests)');
  }
  return readEntry(entries[chosen] as Record<string, Json>, `HAR log.entries[${chosen}]`);
}

function statusOf(entry: Json, i: number): number {
  const where = `HAR log.entries[${i}]`;
  if (!isObject(entry)) throw new InputProblem(where, 'not an object');
  const response = entry['response'];
  if (!isObject(response)) throw new InputProblem(`${where}.response`, 'missing or not an object');
  const status = response['status'];
  if (status === 0) return 0;
  if (!isStatus(status)) {
    throw new InputProblem(
      `${where}.response.status`,
      `${quoted(String(status))} is not an HTTP status (100…599)`,
    );
  }
  return status;
}

function readEntry(entry: Record<string, Json>, where: string): ParsedInput {
  const response = entry['response'] as Record<string, Json>;
  const status = response['status'] as number;
  const headers = headerList(response['headers'], `${where}.response.headers`);
  const request = entry['request'];
  let method = 'GET';
  let url: string | undefined;
  let authenticated = false;
  if (request !== undefined) {
    if (!isObject(request)) throw new InputProblem(`${where}.request`, 'not an object');
    const m = request['method'];
    if (m !== undefined) {
      if (typeof m !== 'string' || !TOKEN.test(m)) {
        throw new InputProblem(`${where}.request.method`, `${quoted(String(m))} is not a method`);
      }
      method = m.toUpperCase();
    }
    const u = request['url'];
    if (u !== undefined) {
      if (typeof u !== 'string') throw new InputProblem(`${where}.request.url`, 'not a string');
      url = httpUrl(u);
      if (url === undefined)
        throw new InputProblem(`${where}.request.url`, `${quoted(u)} is not an http(s) URL`);
    }
    if (request['headers'] !== undefined) {
      const sent = headerList(request['headers'], `${where}.request.headers`);
      authenticated = Object.keys(sent).some(isCredentialHeader);
    }
  }
  const { body, size } = content(response['content'], `${where}.response.content`);
  return {
    ...(url ? { url } : {}),
    method,
    status,
    headers,
    ...(body ? { body } : {}),
    ...(size !== undefined ? { bodyBytes: size } : {}),
    authenticated,
  };
}

function headerList(list: Json, where: string): ParsedInput['headers'] {
  if (!Array.isArray(list)) throw new InputProblem(where, 'missing or not a list');
  const lines = new LinesBuilder();
  list.forEach((h: Json, i) => {
    const at = `${where}[${i}]`;
    if (!isObject(h)) throw new InputProblem(at, 'not an object {name, value}');
    const name = h['name'];
    const value = h['value'];
    if (typeof name !== 'string') throw new InputProblem(`${at}.name`, 'not a string');
    if (typeof value !== 'string') throw new InputProblem(`${at}.value`, 'not a string');
    if (name.startsWith(':')) return;
    if (!TOKEN.test(name)) throw new InputProblem(`${at}.name`, `${quoted(name)} is not a header name`);
    if (value.includes('\0')) throw new InputProblem(`${at}.value`, 'holds a NUL');
    for (const line of value.split(/\r\n|\r|\n/)) {
      const v = line.trim();
      if (v !== '' || value.trim() === '') lines.add(name, v);
    }
  });
  return lines.build();
}

function content(c: Json, where: string): { body?: Buffer; size?: number } {
  if (c === undefined) return {};
  if (!isObject(c)) throw new InputProblem(where, 'not an object');
  const size = c['size'];
  const text = c['text'];
  const out: { body?: Buffer; size?: number } = {};
  if (typeof size === 'number' && Number.isSafeInteger(size) && size >= 0) out.size = size;
  if (text !== undefined && text !== null) {
    if (typeof text !== 'string') throw new InputProblem(`${where}.text`, 'not a string');
    const base64 = c['encoding'] === 'base64';
    if (base64 && !/^[A-Za-z0-9+/\s]*={0,2}\s*$/.test(text)) {
      throw new InputProblem(`${where}.text`, 'encoding is base64 but the text is not base64');
    }
    if (text.length > 0) out.body = Buffer.from(text, base64 ? 'base64' : 'utf8');
  }
  return out;
}
