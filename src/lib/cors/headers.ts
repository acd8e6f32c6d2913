import type { HeaderMap } from '../ratelimit/types.js';
import type { CorsHeaders } from './types.js';

/**
 * The CORS response headers of one response, the way a browser reads them: a repeated field is the values joined
 * by ", " (RFC 9110 §5.3, and what Chromium's HttpResponseHeaders::GetNormalizedHeader hands the CORS check), so
 * `Access-Control-Allow-Origin` sent twice becomes "a, b" — which the CORS check then rejects, as browsers do.
 * Values are trimmed of surrounding spaces and tabs, as the HTTP parser does; nothing else is changed.
 */
export function parseCorsHeaders(headers: HeaderMap): CorsHeaders {
  const get = (name: string) => field(headers, name);
  const parsed: CorsHeaders = {
    acao: get('access-control-allow-origin'),
    acac: get('access-control-allow-credentials'),
    acam: get('access-control-allow-methods'),
    acah: get('access-control-allow-headers'),
    aceh: get('access-control-expose-headers'),
    max_age: get('access-control-max-age'),
    vary: get('vary'),
  };
  const rateLimit = rateLimitHeaderNames(headers);
  if (rateLimit.length > 0) parsed.rate_limit_headers = rateLimit;
  return parsed;
}

/** One field's value: absent → null; repeats joined by ", ". Names are looked up case-insensitively. */
function field(headers: HeaderMap, name: string): string | null {
  let value = headers[name];
  if (value === undefined) {
    const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
    value = key === undefined ? undefined : headers[key];
  }
  if (value === undefined) return null;
  const parts = (Array.isArray(value) ? value : [value]).map((v) =>
    String(v).replace(/^[ \t]+|[ \t]+$/g, ''),
  );
  if (parts.length === 0) return null;
  return parts.join(', ');
}

/**
 * The rate-limit headers a client would want to read (the draft's RateLimit fields, the legacy X-RateLimit and
 * X-Rate-Limit families, Retry-After): none is a CORS-safelisted response header
 * (https://fetch.spec.whatwg.org/#cors-safelisted-response-header-name), so a page sees them only if
 * Access-Control-Expose-Headers names them.
 */
export function rateLimitHeaderNames(headers: HeaderMap): string[] {
  return Object.keys(headers)
    .filter((k) => headers[k] !== undefined)
    .map((k) => k.toLowerCase())
    .filter((k) => /^(x-)?rate-?limit(-|$)/.test(k) || k === 'retry-after')
    .filter((k, i, all) => all.indexOf(k) === i)
    .sort();
}

/**
 * A `#token` list as the CORS protocol defines it (https://fetch.spec.whatwg.org/#http-new-header-syntax) and
 * Chromium parses it (preflight_result.cc ParseAccessControlAllowList): split on ",", trim spaces and tabs, skip
 * empty elements; any element that is not an RFC 9110 token makes the whole value invalid (null). An absent
 * header is the empty list.
 */
export function parseTokenList(value: string | null, lowerCase: boolean): string[] | null {
  if (value === null) return [];
  const out: string[] = [];
  for (const raw of value.split(',')) {
    const item = raw.replace(/^[ \t]+|[ \t]+$/g, '');
    if (item === '') continue;
    if (!isToken(item)) return null;
    out.push(lowerCase ? item.toLowerCase() : item);
  }
  return out;
}

/** RFC 9110 §5.6.2: 1*tchar. */
export function isToken(value: string): boolean {
  return /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(value);
}

/**
 * Access-Control-Max-Age as delta-seconds (https://fetch.spec.whatwg.org/#http-access-control-max-age): digits
 * only; anything else is null (Chromium then uses its 5 s default). Huge values are clamped so the number stays
 * finite.
 */
export function parseMaxAge(value: string | null): number | null {
  if (value === null || !/^\d+$/.test(value)) return null;
  const n = Number(value);
  return Number.isFinite(n) ? Math.min(n, Number.MAX_SAFE_INTEGER) : Number.MAX_SAFE_INTEGER;
}

/** Whether a Vary value makes a cache key on Origin: it names `origin` or is `*`. */
export function varyCoversOrigin(vary: string | null): boolean {
  if (vary === null) return false;
  return vary
    .split(',')
    .map((v) => v.trim().toLowerCase())
    .some((v) => v === 'origin' || v === '*');
}
