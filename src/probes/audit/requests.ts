import type { HttpResponse } from '../../http/client.js';
import { isSecretHeader } from '../../io/redact.js';
import type { AuditResponse } from '../../lib/audit/types.js';
import { LinesBuilder } from '../../lib/audit/input/common.js';
import type { HeaderLines } from '../../lib/headers.js';

/**
 * The requests of a live audit besides the main one, and how a response becomes an AuditResponse. Pure helpers:
 * the sending is src/probes/audit.ts's, through the budget.
 */

/** The foreign origin of the preflight: `.invalid` (RFC 2606 §2) is no one's, so no allow-list can hold it. */
export const AUDIT_ORIGIN = 'https://apikit-audit.invalid';

/** How much of a preflight's or the http twin's body is read: neither is evidence. */
export const SIDE_BODY_BYTES = 4096;

/** The URL without user:password (never evidence, never output). */
export function withoutUserinfo(url: string): string {
  const u = new URL(url);
  u.username = '';
  u.password = '';
  return u.href;
}

/** The credential headers among `headers`: the redactor's list (Authorization, Cookie, X-API-Key, …) plus `extra`. */
export function credentialNames(headers: Record<string, string>, extra: readonly string[] = []): string[] {
  const more = new Set(extra.map((h) => h.toLowerCase()));
  return Object.keys(headers)
    .map((h) => h.toLowerCase())
    .filter((h) => isSecretHeader(h) || more.has(h));
}

/** `headers` without the credential headers and without Origin (a side request never carries the user's). */
export function withoutCredentials(
  headers: Record<string, string>,
  extra: readonly string[] = [],
): Record<string, string> {
  const drop = new Set([...credentialNames(headers, extra), 'origin']);
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !drop.has(name.toLowerCase())));
}

/**
 * What a browser sends before a cross-origin request like the audited one (Fetch standard, "CORS-preflight
 * request"): OPTIONS with Origin, Access-Control-Request-Method, and Access-Control-Request-Headers naming the
 * credential headers the request carries (lower-case, sorted, comma-joined; Cookie is not a request header a page
 * sets, so it is not named) — and no credential itself.
 */
export function preflightHeaders(
  headers: Record<string, string>,
  method: string,
  extra: readonly string[] = [],
): Record<string, string> {
  const acrh = [...new Set(credentialNames(headers, extra).filter((h) => h !== 'cookie'))].sort();
  return {
    ...withoutCredentials(headers, extra),
    Origin: AUDIT_ORIGIN,
    'Access-Control-Request-Method': method,
    ...(acrh.length > 0 ? { 'Access-Control-Request-Headers': acrh.join(',') } : {}),
  };
}

/**
 * The plain-http twin of an https URL: same host, path and query, port 80 (RFC 9110 §4.2.1's default), or the
 * URL given by --http-url.
 */
export function twinUrl(url: string, httpUrl?: string): string {
  if (httpUrl !== undefined) return withoutUserinfo(httpUrl);
  const u = new URL(withoutUserinfo(url));
  u.protocol = 'http:';
  u.port = '';
  return u.href;
}

/** A response as the rules see it; the body as text when `withBody`. */
export function auditResponse(res: HttpResponse, withBody: boolean): AuditResponse {
  const response: AuditResponse = {
    url: withoutUserinfo(res.url),
    method: res.method,
    status: res.status,
    headers: linesOf(res.headers),
  };
  if (withBody && res.body.length > 0) {
    response.body = res.body.toString('utf8');
    response.bodyBytes = bodyBytes(res);
  } else if (withBody) {
    response.bodyBytes = 0;
  }
  return response;
}

/** The body's length as received: Content-Length when the sample was cut and the server said how long it was. */
function bodyBytes(res: HttpResponse): number {
  if (!res.truncated) return res.body.length;
  const declared = Number(res.header('content-length'));
  return Number.isSafeInteger(declared) && declared > res.body.length ? declared : res.body.length;
}

/**
 * The client's headers as lines. Not lib/headers.ts `headerLines`: its plain-object result breaks on a field named
 * `constructor` or `__proto__` (a hostile server's choice); LinesBuilder's null-prototype object does not.
 */
function linesOf(headers: HttpResponse['headers']): HeaderLines {
  const lines = new LinesBuilder();
  for (const name of Object.keys(headers)) {
    const value = headers[name];
    if (value === undefined) continue;
    for (const one of Array.isArray(value) ? value : [value]) lines.add(name, one);
  }
  return lines.build();
}
