import { readCacheControl } from '../../cache-control.js';
import { fieldLines } from '../../headers.js';
import type { AuditFinding, AuditRule, CheckSpec, RuleContext } from '../types.js';
import { absentEvidence, findingOf, lineEvidence } from './header-common.js';

/**
 * `Cache-Control: no-store` on the response to an authenticated request (OWASP REST Security Cheat Sheet,
 * "Security Headers"; RFC 9111 §5.2.2.5). Only `no-store` keeps the body out of every cache. `private` still lets
 * the browser's own cache write it to disk, where the next user of the machine, a backup or malware reads it
 * (RFC 9111 §5.2.2.7: private forbids only *shared* caches). `no-cache` lets every cache store it and asks only
 * that a stored copy be revalidated before reuse (§5.2.2.4) — the token, the personal data are stored all the
 * same. And `public`, `s-maxage` or `must-revalidate` are exactly what RFC 9111 §3.5 names as letting a *shared*
 * cache store and serve a response to a request with Authorization — one user's data to another. (§3.5 protects
 * Authorization only: a credential in a custom header or cookie gets no such default, which is one more reason
 * for no-store.) `Pragma: no-cache` is an HTTP/1.0 request directive with no meaning on a response (§5.4).
 */

const HEADER = 'cache-control';
const kinds = ['api', 'html'] as const;
const OWASP = 'OWASP REST Security Cheat Sheet (Security Headers: Cache-Control: no-store)';

export const CACHE_CHECKS = {
  missing: {
    id: 'audit.cache.missing',
    category: 'headers',
    severity: 'medium',
    points: -10,
    kinds,
    title: 'No Cache-Control on the response to an authenticated request',
    advice:
      'Send `Cache-Control: no-store`: without it a cache may store the response and even reuse it without ' +
      'asking (heuristic freshness, RFC 9111 §4.2.2).',
    reference: `RFC 9111 §5.2.2.5, §4.2.2; ${OWASP}`,
  },
  storable: {
    id: 'audit.cache.no-store-missing',
    category: 'headers',
    severity: 'medium',
    points: -5,
    kinds,
    title: 'Cache-Control on an authenticated response lacks no-store',
    advice:
      'Use `Cache-Control: no-store`. `private` still lets the browser store the body on disk and `no-cache` ' +
      'lets every cache store it (it only revalidates before reuse): for tokens and personal data only ' +
      'no-store keeps them out of caches.',
    reference: `RFC 9111 §5.2.2.5 (no-store), §5.2.2.7 (private), §5.2.2.4 (no-cache); ${OWASP}`,
  },
  shared: {
    id: 'audit.cache.shared-cacheable',
    category: 'headers',
    severity: 'high',
    points: -15,
    kinds,
    title: 'An authenticated response is marked cacheable by shared caches',
    advice:
      'Remove `public`, `s-maxage` and `must-revalidate` from authenticated responses and send `no-store`: ' +
      'with them a CDN or proxy may store the response and serve it to other users.',
    reference: 'RFC 9111 §3.5 (storing responses to authenticated requests)',
  },
  malformed: {
    id: 'audit.cache.malformed',
    category: 'headers',
    severity: 'low',
    points: -2,
    kinds,
    title: 'A Cache-Control directive cannot be read',
    advice: 'Write directives as `name` or `name=value` (`no-store`, `max-age=0`), separated by commas.',
    reference: 'RFC 9111 §5.2 (Cache-Control grammar)',
  },
} as const satisfies Record<string, CheckSpec>;

function run(ctx: RuleContext): AuditFinding[] {
  // Caching matters for what a credential unlocked; an anonymous response is anyone's to cache.
  if (!ctx.facts.authenticated) return [];
  const C = CACHE_CHECKS;
  const lines = fieldLines(ctx.facts.response.headers, HEADER);
  const opts = { header: HEADER };
  if (lines.length === 0) {
    const pragma = fieldLines(ctx.facts.response.headers, 'pragma');
    const evidence = [absentEvidence(HEADER)];
    if (pragma.length > 0) {
      evidence.push(
        lineEvidence('pragma', pragma.join(', '), 'HTTP/1.0 request directive: no effect on a response'),
      );
    }
    return [
      findingOf(C.missing, 'The response to an authenticated request has no Cache-Control', evidence, opts),
    ];
  }
  const ev = lines.map((l) => lineEvidence(HEADER, l));
  const { directives, invalid } = readCacheControl(lines);
  const findings: AuditFinding[] = [];
  if (invalid.length > 0) {
    const list = invalid.map((m) => JSON.stringify(m.slice(0, 60))).join(', ');
    findings.push(findingOf(C.malformed, `Cache-Control directives not read: ${list}`, ev, opts));
  }
  if (directives.has('no-store')) return findings;
  const sharedBy = ['public', 's-maxage', 'must-revalidate'].filter((d) => directives.has(d));
  // `private` overrides them for shared caches (RFC 9111 §5.2.2.7): then it is "only" storable.
  if (sharedBy.length > 0 && !directives.has('private')) {
    findings.push(
      findingOf(
        C.shared,
        `Cache-Control ${sharedBy.join(', ')} lets shared caches store an authenticated response (RFC 9111 §3.5)`,
        ev,
        opts,
      ),
    );
  } else {
    const named = ['private', 'no-cache', 'max-age'].filter((d) => directives.has(d));
    const why =
      named.length > 0
        ? ` (${named.join(', ')} still let${named.length === 1 ? 's' : ''} caches store it)`
        : '';
    findings.push(findingOf(C.storable, `Cache-Control has no no-store${why}`, ev, opts));
  }
  return findings;
}

export const cacheRule: AuditRule = {
  name: 'cache',
  checks: Object.values(CACHE_CHECKS),
  run,
};
