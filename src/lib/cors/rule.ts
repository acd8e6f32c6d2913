import { impliedByBroaderPass } from './implied.js';
import type { AllowRule, CandidateClass, CandidateResult, CorsExchange, RuleKind } from './types.js';

// The probe imports both from here; the summary has its own file.
export { summarizePreflight } from './preflight-summary.js';

/**
 * The allow-list rule the server most likely applies, from which candidates it echoes back in
 * Access-Control-Allow-Origin: the unrelated origin → it reflects anything; `<trusted>.evil.example` and
 * `evilexample.com` both → a substring check; only the former → startsWith; only the latter (or
 * `notapp.example.com`) → endsWith; `appxexample.com` → a regex with an unescaped dot; `evil.app.example.com`
 * without the look-alikes → any subdomain; `*` → a wildcard; `null` → null on the list. Several kinds can apply
 * (`kinds`); `kind` is the most dangerous. The description says whether credentials are allowed.
 */
export function reconstructRule(trusted: readonly string[], results: readonly CandidateResult[]): AllowRule {
  const exchanges = (r: CandidateResult): CorsExchange[] =>
    [r.actual, ...r.preflights].filter((e): e is CorsExchange => e !== null && e.status !== null);
  const anyCors = results.some((r) =>
    exchanges(r).some((e) => e.headers.acao !== null || e.headers.acam !== null || e.headers.acah !== null),
  );
  if (!anyCors) {
    return {
      kind: 'no-cors',
      kinds: ['no-cors'],
      description: 'sends no CORS headers to any origin: browsers let no other origin read its responses',
    };
  }

  const echoed = (r: CandidateResult) => exchanges(r).some((e) => e.headers.acao === r.origin);
  const passing = (cls: CandidateClass) => results.filter((r) => r.class === cls && echoed(r));
  const passes = (cls: CandidateClass) => passing(cls).length > 0;
  const attackers = results.filter((r) => r.attacker !== 'none' && r.attacker !== 'not-a-browser-origin');
  const wildcard = results.some(
    (r) => r.class !== 'trusted' && exchanges(r).some((e) => e.headers.acao === '*'),
  );
  const tested = (cls: CandidateClass) => results.some((r) => r.class === cls);
  const reflectAny =
    passes('arbitrary') || (!tested('arbitrary') && attackers.length >= 3 && attackers.every(echoed));

  const kinds: RuleKind[] = [];
  const parts: string[] = [];
  if (reflectAny) {
    kinds.push('reflect-any');
    parts.push('reflects any Origin it is sent');
  } else {
    const prefix = passes('prefix');
    const suffix = passes('suffix');
    const devHosting = passing('dev-hosting');
    if (prefix && suffix) {
      kinds.push('substring');
      parts.push('allows any origin that contains a trusted host (an includes/substring check)');
    } else if (prefix) {
      kinds.push('prefix');
      parts.push(
        `allows any origin that starts with a trusted one (a startsWith check: ${example('prefix')})`,
      );
    } else if (suffix) {
      kinds.push('suffix');
      parts.push(`allows any origin that ends with a trusted name (an endsWith check: ${example('suffix')})`);
    }
    if (!prefix && passes('special-char')) {
      kinds.push('prefix');
      parts.push(
        `allows a trusted origin followed by special characters (a prefix-style match: ${example('special-char')})`,
      );
    }
    if (devHosting.length > 0 && !kinds.includes('suffix') && !kinds.includes('substring')) {
      kinds.push('suffix');
      parts.push(
        `allows names on public hosting anyone can get (${devHosting.map((r) => r.origin).join(', ')})`,
      );
    }
    if (passing('unescaped-dot').some((r) => !impliedByBroaderPass(r, passes, trusted))) {
      kinds.push('unescaped-dot-regex');
      parts.push(`matches with a regex whose "." is not escaped (${example('unescaped-dot')} passes)`);
    }
    if (passes('subdomain') && !suffix && !(prefix && suffix)) {
      kinds.push('any-subdomain');
      parts.push(`allows every subdomain of a trusted host (${example('subdomain')})`);
    }
    if (wildcard) {
      kinds.push('wildcard');
      parts.push('allows every origin with Access-Control-Allow-Origin: *');
    }
    if (passes('null')) {
      kinds.push('null-allowed');
      parts.push('allows the origin "null" (sandboxed iframes, data: URLs, local files)');
    }
    const patterns: RuleKind[] = ['substring', 'prefix', 'suffix', 'unescaped-dot-regex', 'any-subdomain'];
    if (passes('trusted') && !kinds.some((k) => patterns.includes(k))) {
      kinds.unshift('exact');
      parts.unshift(`allows only the trusted origin${trusted.length === 1 ? '' : 's'}, compared exactly`);
    }
    const extras = (
      [
        ['insecure-twin', 'the plain-http twin of a trusted origin'],
        ['other-port', 'a trusted host on other ports'],
        ['case-variant', 'upper-case spellings (it compares case-insensitively)'],
        ['trailing-slash', 'a trailing slash after a trusted origin'],
      ] as const
    ).filter(([cls]) => passes(cls));
    if (extras.length > 0) parts.push(`also echoes ${extras.map(([, words]) => words).join(', ')}`);
    if (kinds.length === 0) {
      kinds.push('unknown');
      parts.unshift(
        passes('trusted')
          ? 'allows the trusted origins and some others by a rule that fits no known pattern'
          : 'sends CORS headers but allows none of the trusted origins',
      );
    }
  }

  return {
    kind: mostDangerous(kinds),
    kinds: [...new Set(kinds)],
    description: `${parts.join('; ')}${credentialWords(results, echoed)}`,
  };

  function example(cls: CandidateClass): string {
    return passing(cls)[0]?.origin ?? '';
  }
}

/** Worst first: what an attacker gets, the broadest match first. */
const DANGER: readonly RuleKind[] = [
  'reflect-any',
  'substring',
  'suffix',
  'prefix',
  'unescaped-dot-regex',
  'null-allowed',
  'any-subdomain',
  'wildcard',
  'exact',
  'unknown',
  'no-cors',
];

function mostDangerous(kinds: readonly RuleKind[]): RuleKind {
  for (const k of DANGER) if (kinds.includes(k)) return k;
  return 'unknown';
}

/** ", with credentials (…)" / ", without credentials": from the responses that echoed a candidate, or `*`. */
function credentialWords(
  results: readonly CandidateResult[],
  echoed: (r: CandidateResult) => boolean,
): string {
  const allowing = results.filter((r) => echoed(r) || r.actual?.headers.acao === '*');
  const acac = allowing
    .flatMap((r) => [r.actual, ...r.preflights])
    .map((e) => e?.headers.acac ?? null)
    .filter((v): v is string => v !== null);
  const star = allowing.some((r) => r.actual?.headers.acao === '*');
  if (acac.includes('true')) {
    return star && !results.some((r) => r.class !== 'trusted' && echoed(r))
      ? ', with Access-Control-Allow-Credentials: true — which browsers refuse with *'
      : ', with credentials (Access-Control-Allow-Credentials: true)';
  }
  if (acac.length > 0) {
    return ', with an Access-Control-Allow-Credentials that is not exactly "true" (browsers refuse credentialed reads)';
  }
  return allowing.length > 0 ? ', without credentials' : '';
}
