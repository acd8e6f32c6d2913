import type { CandidateClass, CandidateResult } from './types.js';
import { parseOrigin, registrableDomain } from './origin.js';

/**
 * Which passing candidates a broader pass of the same check already explains, so that the rule names one
 * check and the findings report one mistake once: a check that passes a suffix look-alike also passes every
 * subdomain and the unescaped-dot variants that still end with the trusted domain (`appxexample.com` ends with
 * `example.com`); one that passes the prefix look-alike also passes the special-character variants.
 */
export function impliedByBroaderPass(
  r: CandidateResult,
  passes: (cls: CandidateClass) => boolean,
  trusted: readonly string[],
): boolean {
  if (r.class === 'subdomain') return passes('suffix');
  if (r.class === 'special-char') return passes('prefix');
  if (r.class === 'unescaped-dot' && passes('suffix')) {
    const host = parseOrigin(r.origin)?.host ?? '';
    return trusted.some((t) => {
      const th = parseOrigin(t);
      return th !== null && th.kind === 'domain' && host.endsWith(registrableDomain(th.host));
    });
  }
  return false;
}
