import type { AuditFacts } from './types.js';

/**
 * Small readings of AuditFacts that several of C's pieces share (transport rules, cookie rules, the Observatory
 * score). Pure.
 */

/** The URL's protocol, or '' when it does not parse (offline `file:` paths parse; junk does not). */
export function urlProtocol(url: string): string {
  try {
    return new URL(url).protocol;
  } catch {
    return '';
  }
}

/**
 * Whether the response is judged as served over https: anything but an explicit http: URL (an https URL, an
 * offline `file:` source), or --assume-https. The same rule as rules/header-common.ts judgedAsHttps, so the
 * header rules, the cookie rules and the Observatory score agree.
 */
export function judgedHttps(facts: AuditFacts): boolean {
  if (facts.assumeHttps) return true;
  return urlProtocol(facts.response.url || facts.url) !== 'http:';
}

/** The URL really is plain http (not https, no --assume-https): a live request went over plain text. */
export function plainHttp(facts: AuditFacts): boolean {
  return !judgedHttps(facts);
}

/** The host name of the URL, lower-case, without IPv6 brackets; '' when there is none. */
export function urlHost(url: string): string {
  try {
    return new URL(url).hostname.replace(/^\[|\]$/g, '').toLowerCase();
  } catch {
    return '';
  }
}

/** The path of the URL ('/' when there is none). */
export function urlPath(url: string): string {
  try {
    return new URL(url).pathname || '/';
  } catch {
    return '/';
  }
}
