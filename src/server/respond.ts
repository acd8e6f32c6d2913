import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';

/**
 * Complete responses for apikit's own servers (the login callback pages, the sandbox API): one place that sets
 * the length and the headers that keep a page holding an authorization code out of caches, referrers and
 * frames. Callers' headers win, so a page can add `allow` or `connection: close`, or relax what it must.
 */

/**
 * For self-contained pages: the code is in the address bar, so nothing may be cached or sent as a referrer,
 * and nothing may be loaded from anywhere (inline style only) or frame the page.
 */
export const PAGE_HEADERS: Readonly<OutgoingHttpHeaders> = {
  'cache-control': 'no-store',
  pragma: 'no-cache',
  'referrer-policy': 'no-referrer',
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
};

/** For JSON: tokens must not be cached (RFC 6749 §5.1), and JSON must never be sniffed as HTML. */
export const JSON_HEADERS: Readonly<OutgoingHttpHeaders> = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
};

export function sendHtml(
  res: ServerResponse,
  status: number,
  html: string,
  headers: OutgoingHttpHeaders = {},
): void {
  send(res, status, 'text/html; charset=utf-8', html, { ...PAGE_HEADERS, ...headers });
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: OutgoingHttpHeaders = {},
): void {
  send(res, status, 'application/json', JSON.stringify(body), { ...JSON_HEADERS, ...headers });
}

/** Text for HTML content and attribute values: the five characters that can change meaning become entities. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function send(
  res: ServerResponse,
  status: number,
  contentType: string,
  body: string,
  headers: OutgoingHttpHeaders,
): void {
  res.writeHead(status, {
    'content-type': contentType,
    'content-length': Buffer.byteLength(body),
    ...headers,
  });
  res.end(body);
}
