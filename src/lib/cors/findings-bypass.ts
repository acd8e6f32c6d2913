import type { Severity } from '../findings.js';
import type {
  AllowRule,
  AttackerControl,
  CandidateClass,
  CandidateResult,
  CorsExchange,
  CorsFinding,
  Readability,
} from './types.js';
import { exchangeEvidence } from './evidence.js';
import { impliedByBroaderPass } from './implied.js';
import { splitPreflights } from './result.js';

/**
 * The allow-list bypasses: a candidate origin the server echoes back whose page a browser lets read something.
 * One finding per origin (so `origin` names the page that gets in), with the severity from who can be at that
 * origin and what the browser then allows (severityFor). Implied ones are left out so one mistake is one
 * finding: under "reflects anything" only `origin-reflected`; otherwise what implied.ts says a broader pass of
 * the same check explains.
 */

/**
 * The issue's ids per class. Deliberately none for `other-port` (the trusted host on another port: the same
 * operator's host, only the rule description mentions it), `case-variant` and `trailing-slash` (no browser
 * sends them: echoing them is harmless), nor for `trusted`.
 */
const BYPASS_IDS: Partial<Record<CandidateClass, string>> = {
  arbitrary: 'cors.origin-reflected',
  null: 'cors.null-origin-allowed',
  prefix: 'cors.prefix-match-bypass',
  suffix: 'cors.suffix-match-bypass',
  'dev-hosting': 'cors.suffix-match-bypass',
  'unescaped-dot': 'cors.unescaped-dot-bypass',
  'special-char': 'cors.special-char-bypass',
  'insecure-twin': 'cors.insecure-origin-trusted',
  subdomain: 'cors.any-subdomain-trusted',
};

const WHAT: Record<string, string> = {
  'cors.origin-reflected': 'reflects any Origin',
  'cors.null-origin-allowed': 'allows the origin "null"',
  'cors.prefix-match-bypass': 'allows a look-alike that starts with a trusted origin',
  'cors.suffix-match-bypass': 'allows a look-alike that ends with a trusted name',
  'cors.unescaped-dot-bypass': 'allows a look-alike where a dot of a trusted host is another letter',
  'cors.special-char-bypass': 'allows a trusted host followed by a special character and another domain',
  'cors.insecure-origin-trusted': 'allows the plain-http twin of a trusted origin',
  'cors.any-subdomain-trusted': 'allows an arbitrary subdomain of a trusted host',
};

export const BYPASS_ADVICE: Record<string, string> = {
  'cors.origin-reflected':
    'Echo Origin only when it exactly equals an entry of an explicit allow-list; never reflect it (OWASP WSTG-CLNT-07).',
  'cors.null-origin-allowed':
    'Remove "null" from the allow-list: sandboxed iframes, data: URLs and local files all send it (OWASP WSTG-CLNT-07).',
  'cors.prefix-match-bypass':
    'Compare the whole origin for equality with the allow-list, not with startsWith or an unanchored regex.',
  'cors.suffix-match-bypass':
    'Compare whole origins, or match subdomains only after a dot under a domain you own (".example.com").',
  'cors.unescaped-dot-bypass':
    'Escape the dots and anchor the regex (^https://app\\.example\\.com$), or compare strings exactly.',
  'cors.special-char-bypass':
    'Match the whole origin exactly (anchor regexes with $): nothing may follow the host.',
  'cors.insecure-origin-trusted':
    "Allow only https:// origins: anyone on the victim's network can serve a page on the http twin.",
  'cors.any-subdomain-trusted':
    'List the subdomains that need access instead of all: a taken-over or user-content subdomain reads responses.',
};

/**
 * The issue's rule. High only when a page anyone can put up (any site, a sandboxed `null` page, a look-alike
 * domain, developer hosting) can read a credentialed response or get a credentialed state-changing request sent.
 * Medium when it takes a network position or a name under the trusted domain to do that, or when any site can
 * read uncredentialed responses of a host only reachable from inside a network (where the page's network
 * position is the credential). Otherwise low. Nothing a browser allows: no finding.
 */
export function severityFor(
  attacker: AttackerControl,
  readable: Readability,
  privateTarget: boolean,
): Severity | null {
  const withCredentials = readable.credentialed || readable.preflighted || readable.state_changing_sent;
  if (!withCredentials && !readable.simple) return null;
  switch (attacker) {
    case 'any-site':
    case 'sandboxed-page':
      if (withCredentials) return 'high';
      return privateTarget ? 'medium' : 'low';
    case 'network':
    case 'sibling-name':
      return withCredentials ? 'medium' : 'low';
    default:
      return null;
  }
}

export function bypassFindings(
  url: string,
  rule: AllowRule,
  trusted: readonly string[],
  results: readonly CandidateResult[],
  privateTarget: boolean,
): CorsFinding[] {
  const echoing = results.filter((r) => echoOf(r) !== null);
  const passes = (cls: CandidateClass) => echoing.some((r) => r.class === cls);
  const suppressed = (r: CandidateResult): boolean =>
    rule.kinds.includes('reflect-any') ? r.class !== 'arbitrary' : impliedByBroaderPass(r, passes, trusted);
  const out: CorsFinding[] = [];
  for (const r of echoing) {
    const id = BYPASS_IDS[r.class];
    if (id === undefined || suppressed(r)) continue;
    const severity = severityFor(r.attacker, r.readable, privateTarget);
    if (severity === null) continue;
    const finding: CorsFinding = {
      id,
      severity,
      origin: r.origin,
      message: `${WHAT[id]}: ${r.origin === 'null' ? 'a sandboxed page (Origin: null)' : `a page at ${r.origin}`} ${abilities(r.readable)}`,
      evidence: bypassEvidence(url, r),
      advice: BYPASS_ADVICE[id]!,
    };
    const others = echoing.filter((o) => o.class !== 'trusted' && o !== r).length;
    if (id === 'cors.origin-reflected' && others > 0) {
      finding.message += ` (${others} other candidate origin${others === 1 ? '' : 's'} pass too)`;
    }
    out.push(finding);
  }
  return out;
}

/** The exchange whose ACAO echoed the candidate: the actual response first, then the preflights. */
export function echoOf(r: CandidateResult): CorsExchange | null {
  for (const ex of [r.actual, ...r.preflights]) {
    if (ex !== null && ex.status !== null && ex.headers.acao === r.origin) return ex;
  }
  return null;
}

function abilities(r: Readability): string {
  const can: string[] = [];
  if (r.credentialed || r.preflighted) {
    can.push(
      r.preflighted && !r.credentialed
        ? 'can read credentialed responses to preflighted requests'
        : "can read responses sent with the victim's credentials",
    );
  }
  if (r.state_changing_sent) can.push('can get a credentialed DELETE sent');
  if (can.length === 0) return 'can read responses, but only without credentials';
  return can.join(' and ');
}

function bypassEvidence(url: string, r: CandidateResult): CorsFinding['evidence'] {
  const out: CorsFinding['evidence'] = [];
  if (r.actual !== null && r.actual.status !== null) {
    out.push(...exchangeEvidence(url, r.origin, r.actual, ['acao', 'acac']));
  }
  const { preflight, stateChanging } = splitPreflights(r.preflights);
  if (r.readable.state_changing_sent && stateChanging !== null) {
    out.push(...exchangeEvidence(url, r.origin, stateChanging, ['acao', 'acac', 'acam', 'acah']));
  } else if (r.readable.preflighted && preflight !== null) {
    out.push(...exchangeEvidence(url, r.origin, preflight, ['acao', 'acac', 'acam', 'acah']));
  } else if (out.length === 0) {
    const ex = echoOf(r);
    if (ex !== null) out.push(...exchangeEvidence(url, r.origin, ex, ['acao', 'acac']));
  }
  return out;
}
