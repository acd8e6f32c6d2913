import type { AuditFacts, AuditResponse, TlsFacts } from '../../../src/lib/audit/types.js';

/** Facts for pure tests of C's rules, the pipeline and the Observatory score: an https GET, nothing else. */
export const URL_HTTPS = 'https://api.example.test/v1/items';
export const FOREIGN_ORIGIN = 'https://apikit-audit.invalid';
export const NOW = Date.parse('2026-06-01T12:00:00Z');
export const DAY = 86_400_000;

export function response(
  headers: Record<string, string | string[]>,
  over: Partial<AuditResponse> = {},
): AuditResponse {
  const lines: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(headers)) lines[k.toLowerCase()] = Array.isArray(v) ? v : [v];
  return { url: URL_HTTPS, method: 'GET', status: 200, headers: lines, ...over };
}

export function facts(over: Partial<AuditFacts> = {}): AuditFacts {
  return {
    url: URL_HTTPS,
    source: 'live',
    authenticated: false,
    assumeHttps: false,
    response: response({ 'content-type': 'application/json' }),
    requests: 1,
    ...over,
  };
}

/** A live https run's extra facts: a preflight without CORS headers, the http twin's 301, TLS 1.2+1.3 and a year of validity. */
export function liveExtras(over: Partial<AuditFacts> = {}): Partial<AuditFacts> {
  return {
    cors: { origin: FOREIGN_ORIGIN, preflight: response({}, { method: 'OPTIONS', status: 204 }) },
    redirect: { url: 'http://api.example.test/v1/items', status: 301, location: URL_HTTPS },
    tls: tlsFacts(),
    requests: 3,
    ...over,
  };
}

export function tlsFacts(over: Partial<TlsFacts> = {}, validTo = NOW + 365 * DAY): TlsFacts {
  return {
    host: 'api.example.test',
    port: 443,
    protocols: [
      { version: 'TLSv1', accepted: false, error: 'alert protocol version' },
      { version: 'TLSv1.1', accepted: false, error: 'alert protocol version' },
      { version: 'TLSv1.2', accepted: true, cipher: 'ECDHE-RSA-AES128-GCM-SHA256' },
      { version: 'TLSv1.3', accepted: true, cipher: 'TLS_AES_256_GCM_SHA384' },
    ],
    authorized: true,
    chain: [
      {
        subject: 'CN=api.example.test',
        issuer: 'CN=apikit test CA',
        validFrom: new Date(NOW - 30 * DAY).toISOString(),
        validTo: new Date(validTo).toISOString(),
        subjectAltNames: ['DNS:api.example.test'],
        fingerprint256: 'AB:CD',
        selfSigned: false,
      },
    ],
    ...over,
  };
}

/** express + helmet 8 defaults, as helmet sends them (checked against a live server). */
export const HELMET_HEADERS = {
  'content-security-policy':
    "default-src 'self';base-uri 'self';font-src 'self' https: data:;form-action 'self';frame-ancestors 'self';img-src 'self' data:;object-src 'none';script-src 'self';script-src-attr 'none';style-src 'self' https: 'unsafe-inline';upgrade-insecure-requests",
  'content-type': 'application/json; charset=utf-8',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'origin-agent-cluster': '?1',
  'referrer-policy': 'no-referrer',
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'x-dns-prefetch-control': 'off',
  'x-download-options': 'noopen',
  'x-frame-options': 'SAMEORIGIN',
  'x-permitted-cross-domain-policies': 'none',
  'x-xss-protection': '0',
};

/** The OWASP Secure Headers Project's REST set (response side). */
export const OWASP_REST_HEADERS = {
  'cache-control': 'no-store',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'content-type': 'application/json',
  'cross-origin-embedder-policy': 'require-corp',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'geolocation=(), camera=(), microphone=()',
  'referrer-policy': 'no-referrer',
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
};
