import type { CandidateResult, CorsExchange, CorsFinding } from './types.js';
import { exchangeEvidence } from './evidence.js';
import { corsCheck } from './judge.js';
import { parseTokenList, varyCoversOrigin } from './headers.js';

/**
 * Findings about the response headers themselves, server-wide: one finding per distinct problem (per distinct
 * bad value), naming the first candidate origin that showed it (trusted ones first, in candidate order) with
 * that response as evidence. Severities: these are broken configurations browsers refuse (low) or facts (info);
 * what an attacker can do is findings-bypass.ts's job.
 */

const exchangesOf = (r: CandidateResult): CorsExchange[] =>
  [r.actual, ...r.preflights].filter((e): e is CorsExchange => e !== null && e.status !== null);

/** `*` on the actual response: with ACAC true a broken configuration, without it a public API (info). */
export function wildcardFindings(url: string, results: readonly CandidateResult[]): CorsFinding[] {
  const ordered = [
    ...results.filter((r) => r.class !== 'trusted'),
    ...results.filter((r) => r.class === 'trusted'),
  ];
  const hit = ordered.find((r) => r.actual?.status != null && r.actual.headers.acao === '*');
  if (hit === undefined || hit.actual === null) return [];
  const ex = hit.actual;
  if (ex.headers.acac === 'true') {
    return [
      {
        id: 'cors.wildcard-with-credentials',
        severity: 'low',
        origin: hit.origin,
        message:
          'Access-Control-Allow-Origin: * with Access-Control-Allow-Credentials: true — browsers refuse every credentialed read, so credentialed clients break; not readable by other sites',
        evidence: exchangeEvidence(url, hit.origin, ex, ['acao', 'acac']),
        advice:
          'Drop credentials and keep *, or echo allow-listed origins exactly with credentials: * never works with them (Fetch #cors-protocol-and-credentials).',
      },
    ];
  }
  return [
    {
      id: 'cors.wildcard-origin',
      severity: 'info',
      origin: hit.origin,
      message:
        'Access-Control-Allow-Origin: * — any site can read responses sent without credentials (fine for a public API)',
      evidence: exchangeEvidence(url, hit.origin, ex, ['acao', 'acac']),
      advice:
        'Keep * only for public data; anything user-specific needs an allow-list and credentials (Fetch #cors-protocol-and-credentials).',
    },
  ];
}

/**
 * Why an ACAO value can never match a browser's origin, or null when it is well formed (`*`, `null`, or exactly
 * a serialised origin: https://fetch.spec.whatwg.org/#http-access-control-allow-origin).
 */
export function invalidAllowOriginReason(value: string): string | null {
  if (value === '*' || value === 'null') return null;
  if (/[ ,]/.test(value)) return 'several values: only one origin is allowed';
  if (value.includes('*')) return 'a wildcard pattern: only a bare * is a wildcard';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'not an origin';
  }
  if (url.origin === value) return null;
  if (url.origin === 'null') return 'not an http(s) origin';
  if (`${url.origin}/` === value) return 'a trailing slash: an origin has no path';
  if (url.origin === value.toLowerCase()) return 'not lower-case: browsers compare byte for byte';
  return 'not a serialised origin (a path, default port or user info)';
}

export function invalidAllowOriginFindings(url: string, results: readonly CandidateResult[]): CorsFinding[] {
  const seen = new Map<string, CorsFinding>();
  for (const r of results) {
    for (const ex of exchangesOf(r)) {
      const v = ex.headers.acao;
      // An echo of the candidate itself is the bypass findings' business (or, for the non-origins, harmless).
      if (v === null || v === r.origin || seen.has(v)) continue;
      const reason = invalidAllowOriginReason(v);
      if (reason === null) continue;
      seen.set(v, {
        id: 'cors.invalid-allow-origin',
        severity: 'low',
        origin: r.origin,
        message: `Access-Control-Allow-Origin is not a valid value (${reason}): browsers refuse the response`,
        evidence: exchangeEvidence(url, r.origin, ex, ['acao']),
        advice:
          'Send exactly one origin as scheme://host[:port] (no path, no slash), *, or no header (Fetch #http-access-control-allow-origin).',
      });
    }
  }
  return [...seen.values()];
}

export function credentialsFindings(url: string, results: readonly CandidateResult[]): CorsFinding[] {
  const seen = new Map<string, CorsFinding>();
  for (const r of results) {
    for (const ex of exchangesOf(r)) {
      const v = ex.headers.acac;
      if (v === null || v === 'true' || v.toLowerCase() === 'false' || seen.has(v)) continue;
      seen.set(v, {
        id: 'cors.credentials-not-exactly-true',
        severity: 'low',
        origin: r.origin,
        message:
          'Access-Control-Allow-Credentials is present but not exactly "true": browsers refuse credentialed reads',
        evidence: exchangeEvidence(url, r.origin, ex, ['acac']),
        advice:
          'Send Access-Control-Allow-Credentials: true exactly (lower-case, once) or not at all (Fetch #http-access-control-allow-credentials).',
      });
    }
  }
  return [...seen.values()];
}

/**
 * ACAO that depends on the request's Origin (not the same value for every candidate) needs `Vary: Origin`, or
 * a cache hands one origin's answer to another (https://fetch.spec.whatwg.org/#cors-protocol-and-http-caches).
 */
export function varyFindings(url: string, results: readonly CandidateResult[]): CorsFinding[] {
  const actuals = results.filter((r) => r.actual?.status != null);
  const values = new Set(actuals.map((r) => r.actual!.headers.acao));
  if (values.size <= 1) return [];
  const hit = actuals.find(
    (r) => r.actual!.headers.acao === r.origin && !varyCoversOrigin(r.actual!.headers.vary),
  );
  if (hit === undefined) return [];
  return [
    {
      id: 'cors.missing-vary-origin',
      severity: 'low',
      origin: hit.origin,
      message:
        "Access-Control-Allow-Origin depends on the request's Origin but the response has no Vary: Origin: caches can serve one origin's answer to another",
      evidence: exchangeEvidence(url, hit.origin, hit.actual!, ['acao', 'vary']),
      advice:
        'Send Vary: Origin on every response whose Access-Control-Allow-Origin depends on Origin (Fetch #cors-protocol-and-http-caches).',
    },
  ];
}

/**
 * Rate-limit headers on a response a trusted page can read but not in Access-Control-Expose-Headers: they are
 * not CORS-safelisted response headers, so the browser client cannot see them (and cannot pace itself).
 * `*` exposes every header only to requests without credentials (#http-access-control-expose-headers).
 */
export function exposeFindings(url: string, results: readonly CandidateResult[]): CorsFinding[] {
  for (const r of results) {
    if (r.class !== 'trusted' || r.actual === null || r.actual.status === null) continue;
    const h = r.actual.headers;
    const names = h.rate_limit_headers ?? [];
    if (names.length === 0) continue;
    const credentialed = h.acac === 'true';
    if (!corsCheck(r.origin, h, credentialed).ok) continue;
    const exposed = parseTokenList(h.aceh, true) ?? [];
    const star = exposed.includes('*') && !credentialed;
    const missing = names.filter((n) => !star && !exposed.includes(n));
    if (missing.length === 0) continue;
    const note =
      exposed.includes('*') && credentialed
        ? `not exposed: ${missing.join(', ')} (* does not expose headers to credentialed requests)`
        : `not exposed: ${missing.join(', ')}`;
    return [
      {
        id: 'cors.rate-limit-headers-not-exposed',
        severity: 'low',
        origin: r.origin,
        message: `rate-limit headers are sent but not exposed to browser clients (${missing.length} header${missing.length === 1 ? '' : 's'})`,
        evidence: exchangeEvidence(url, r.origin, r.actual, ['aceh'], note),
        advice:
          'List the rate-limit headers by name in Access-Control-Expose-Headers (Fetch #http-access-control-expose-headers).',
      },
    ];
  }
  return [];
}
