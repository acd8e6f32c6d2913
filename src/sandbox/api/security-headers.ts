import type { ServerResponse } from 'node:http';

/**
 * The OWASP REST Security Cheat Sheet's response headers ("Security Headers"), on every /v0, /v1 answer —
 * errors included, since a 401 or a 404 is as renderable as a 200:
 * - Cache-Control: no-store — responses to credentialed requests stay out of every cache (RFC 9111 §5.2.2.5);
 * - Content-Security-Policy: default-src 'none'; frame-ancestors 'none' — a JSON body rendered as a page loads
 *   and runs nothing, and no site can frame it;
 * - Strict-Transport-Security — meaningless over the sandbox's plain http (browsers ignore it there, RFC 6797
 *   §8.1) but harmless, and the header a real deployment behind TLS must send: kept so the set is complete;
 * - X-Content-Type-Options: nosniff — a JSON body is never sniffed as HTML or script;
 * - X-Frame-Options: DENY — frame-ancestors for browsers that predate CSP 2;
 * - Referrer-Policy: no-referrer — a link followed from a rendered response leaks no URL;
 * - Cross-Origin-Opener-Policy / -Embedder-Policy / -Resource-Policy — no window handles, no embedding of
 *   cross-origin resources, and no other site may pull a response in no-cors mode (CORS requests, which the
 *   allow-list governs, are not subject to CORP).
 * Node adds no Server or X-Powered-By header, and none is added here (OWASP Secure Headers: headers to remove).
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'cache-control': 'no-store',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-embedder-policy': 'require-corp',
  'cross-origin-resource-policy': 'same-origin',
};

export function setSecurityHeaders(res: ServerResponse): void {
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
}
