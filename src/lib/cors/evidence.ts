import type { FindingEvidence } from '../findings.js';
import type { CorsExchange, CorsHeaders } from './types.js';

/** The response header names as evidence spells them (lower-case, as HeaderMap does). */
export const HEADER_NAMES: Readonly<Record<keyof Omit<CorsHeaders, 'rate_limit_headers'>, string>> = {
  acao: 'access-control-allow-origin',
  acac: 'access-control-allow-credentials',
  acam: 'access-control-allow-methods',
  acah: 'access-control-allow-headers',
  aceh: 'access-control-expose-headers',
  max_age: 'access-control-max-age',
  vary: 'vary',
};
export type CorsHeaderKey = keyof typeof HEADER_NAMES;

/** `OPTIONS https://api.example/ (Origin: https://evil.example, Access-Control-Request-Method: DELETE)`. */
export function requestLine(url: string, origin: string, ex: CorsExchange): string {
  const extra = ex.request_method === null ? '' : `, Access-Control-Request-Method: ${ex.request_method}`;
  return `${ex.method} ${url} (Origin: ${origin}${extra})`;
}

/**
 * One exchange as evidence: the first entry carries the request line and status with the first header, one
 * entry per further header; an absent header is evidence too (`value` left out). Values stay exactly as
 * received: the renderers sanitise them.
 */
export function exchangeEvidence(
  url: string,
  origin: string,
  ex: CorsExchange,
  keys: readonly CorsHeaderKey[],
  note?: string,
): FindingEvidence[] {
  const out: FindingEvidence[] = keys.map((k, i) => {
    const e: FindingEvidence = { header: HEADER_NAMES[k] };
    const value = ex.headers[k];
    if (value !== null) e.value = value;
    if (i === 0) {
      e.request = requestLine(url, origin, ex);
      if (ex.status !== null) e.status = ex.status;
    }
    return e;
  });
  if (out.length === 0) {
    const e: FindingEvidence = { request: requestLine(url, origin, ex) };
    if (ex.status !== null) e.status = ex.status;
    out.push(e);
  }
  if (note !== undefined) out[out.length - 1]!.note = note;
  return out;
}
