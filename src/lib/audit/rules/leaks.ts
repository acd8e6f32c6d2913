import type { FindingEvidence } from '../../findings.js';
import type { AuditFinding, AuditRule, CheckSpec, RuleContext } from '../types.js';
import { clip, findingOf, lineEvidence } from './header-common.js';
import { OWASP_HEADERS_TO_REMOVE, OWASP_HEADERS_TO_REMOVE_SOURCE } from './leaks-list.js';

/**
 * Information leaks: headers that tell an attacker which software (and which version, hence which CVEs) answers.
 * The list is the OWASP Secure Headers Project's "headers to remove" (./leaks-list.ts, source and commit named
 * there). A version costs more than a name: `nginx` narrows little, `nginx/1.18.0` picks the exploit.
 */

const REF = `OWASP Secure Headers Project (headers to remove: ${OWASP_HEADERS_TO_REMOVE_SOURCE})`;

export const LEAKS_CHECKS = {
  serverVersion: {
    id: 'audit.leaks.server-version',
    category: 'disclosure',
    severity: 'low',
    points: -5,
    kinds: ['api', 'html'],
    title: 'Server names its software and version',
    advice:
      'Drop the version (nginx `server_tokens off`, Apache `ServerTokens Prod`) or the header. Points: -5: a ' +
      'version maps straight to known vulnerabilities.',
    reference: `${REF}; RFC 9110 §10.2.4 (Server: overly long and detailed values are a security risk)`,
  },
  server: {
    id: 'audit.leaks.server',
    category: 'disclosure',
    severity: 'info',
    points: 0,
    kinds: ['api', 'html'],
    title: 'Server names its software',
    advice: 'Consider removing the header. Points: 0 — a product name without version narrows little.',
    reference: `${REF}; RFC 9110 §10.2.4`,
  },
  poweredBy: {
    id: 'audit.leaks.x-powered-by',
    category: 'disclosure',
    severity: 'low',
    points: -5,
    kinds: ['api', 'html'],
    title: 'X-Powered-By names the framework',
    advice:
      "Remove it (Express: `app.disable('x-powered-by')` or helmet; PHP: `expose_php = Off`). Points: -5: it " +
      'serves no client and tells an attacker which framework bugs to try.',
    reference: REF,
  },
  versionHeader: {
    id: 'audit.leaks.version-header',
    category: 'disclosure',
    severity: 'low',
    points: -5,
    kinds: ['api', 'html'],
    title: 'A header discloses a framework or platform version',
    advice:
      'Remove it (ASP.NET: `<httpRuntime enableVersionHeader="false" />`, `MvcHandler.DisableMvcResponseHeader`). ' +
      'Points: -5 per header, as for Server with a version.',
    reference: REF,
  },
  header: {
    id: 'audit.leaks.header',
    category: 'disclosure',
    severity: 'low',
    points: -2,
    kinds: ['api', 'html'],
    title: 'Headers on the OWASP "remove" list disclose internals',
    advice:
      'Strip them at the edge (tracing ids, cache and proxy internals, source maps). Points: -2 once for all of ' +
      'them: each tells little, together they map the stack.',
    reference: REF,
  },
} as const satisfies Record<string, CheckSpec>;

/** A version number in a product string: `nginx/1.18.0`, `Jetty(9.4.51)`, `PHP/8`, `v2`. */
const VERSION = /\/[\t ]*v?\d|\b\d+\.\d+/i;

export function hasVersion(value: string): boolean {
  return VERSION.test(value);
}

const REMOVE = new Map(OWASP_HEADERS_TO_REMOVE.map((n) => [n.toLowerCase(), n]));

function run(ctx: RuleContext): AuditFinding[] {
  const headers = ctx.facts.response.headers;
  const C = LEAKS_CHECKS;
  const findings: AuditFinding[] = [];
  const others: FindingEvidence[] = [];
  const otherNames: string[] = [];
  for (const [name, lines] of Object.entries(headers)) {
    if (lines.length === 0) continue;
    const display = REMOVE.get(name);
    if (display === undefined) continue;
    const ev = lines.map((l) => lineEvidence(name, l));
    const value = lines.join(', ');
    if (name === 'server') {
      findings.push(
        hasVersion(value)
          ? findingOf(C.serverVersion, `Server: ${clip(value, 80)} discloses a version`, ev, { header: name })
          : findingOf(C.server, `Server: ${clip(value, 80)} names the software`, ev, { header: name }),
      );
    } else if (name === 'x-powered-by') {
      findings.push(findingOf(C.poweredBy, `X-Powered-By: ${clip(value, 80)}`, ev, { header: name }));
    } else if (name.includes('version') || hasVersion(value)) {
      findings.push(
        findingOf(C.versionHeader, `${display}: ${clip(value, 80)} discloses a version`, ev, {
          header: name,
        }),
      );
    } else {
      others.push(...ev);
      otherNames.push(display);
    }
  }
  if (otherNames.length > 0) {
    findings.push(findingOf(C.header, `Headers to remove: ${otherNames.join(', ')}`, others));
  }
  return findings;
}

export const leaksRule: AuditRule = {
  name: 'leaks',
  checks: Object.values(LEAKS_CHECKS),
  run,
};
