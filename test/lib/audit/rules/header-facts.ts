import { headerLines, type HeaderMap } from '../../../../src/lib/headers.js';
import type { AuditFinding, AuditKind, AuditRule, RuleContext } from '../../../../src/lib/audit/types.js';

/** A RuleContext for the header rules: one response with these headers, judged as https unless told otherwise. */
export function ctxFor(
  headers: HeaderMap,
  opts: { kind?: AuditKind; url?: string; assumeHttps?: boolean; authenticated?: boolean } = {},
): RuleContext {
  const url = opts.url ?? 'https://api.example.test/v1/things';
  return {
    kind: opts.kind ?? 'api',
    now: Date.UTC(2026, 0, 15),
    facts: {
      url,
      source: 'offline',
      authenticated: opts.authenticated ?? false,
      assumeHttps: opts.assumeHttps ?? false,
      requests: 0,
      response: { url, method: 'GET', status: 200, headers: headerLines(headers) },
    },
  };
}

export const ids = (fs: readonly AuditFinding[]): string[] => fs.map((f) => f.id).sort();

/** Every finding's id is one of the rule's checks, its severity and category are the spec's, its points no worse. */
export function conformsToChecks(rule: AuditRule, findings: readonly AuditFinding[]): void {
  for (const f of findings) {
    const spec = rule.checks.find((c) => c.id === f.id);
    if (!spec) throw new Error(`${f.id} is not a check of ${rule.name}`);
    if (f.severity !== spec.severity) throw new Error(`${f.id}: severity ${f.severity} ≠ ${spec.severity}`);
    if (f.category !== spec.category) throw new Error(`${f.id}: category ${f.category} ≠ ${spec.category}`);
    if (f.points < spec.points || f.points > 0)
      throw new Error(`${f.id}: points ${f.points} outside ${spec.points}…0`);
  }
}

/** Real header sets the tests share. helmet's are copied from helmet 8.3.0's defaults on an express JSON route. */
export const HELMET_DEFAULTS = {
  'content-security-policy':
    "default-src 'self';base-uri 'self';font-src 'self' https: data:;form-action 'self';frame-ancestors 'self';" +
    "img-src 'self' data:;object-src 'none';script-src 'self';script-src-attr 'none';style-src 'self' https: " +
    "'unsafe-inline';upgrade-insecure-requests",
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
} as const;

/** The OWASP REST Security Cheat Sheet's "should be included in all API responses" set. */
export const OWASP_REST = {
  'cache-control': 'no-store',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'content-type': 'application/json',
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
} as const;

/** A bare node:http server that sets X-Powered-By and nothing else of note. */
export const BARE_NODE = {
  'content-type': 'application/json',
  'x-powered-by': 'Express',
  date: 'Thu, 15 Jan 2026 00:00:00 GMT',
} as const;
