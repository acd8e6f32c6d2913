import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';

/**
 * Writing a whole answer: the headers set so far on `res` (security, CORS, rate limit) stay, these are added.
 * JSON is always UTF-8 (RFC 8259 §8.1), so `application/json` carries no charset (§11 defines none).
 */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: OutgoingHttpHeaders = {},
  contentType = 'application/json',
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': contentType,
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/** An answer without content (204, a preflight). */
export function sendEmpty(res: ServerResponse, status: number, headers: OutgoingHttpHeaders = {}): void {
  res.writeHead(status, headers);
  res.end();
}
