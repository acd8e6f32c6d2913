import { fieldLines } from '../../headers.js';
import type { AuditFinding, AuditRule, CheckSpec, RuleContext } from '../types.js';
import { findingOf, lineEvidence } from './header-common.js';

/**
 * Headers browsers have dropped. Two can still do harm and cost points: X-XSS-Protection other than `0` (the XSS
 * auditors it switched on were removed because they could be abused to blank out or leak parts of a page —
 * OWASP now says send `0` or nothing) and Public-Key-Pins (HPKP could lock users out of a site for max-age;
 * no current browser honours it, but old clients may). The rest are dead weight and only inform.
 */

const REF = 'OWASP Secure Headers Project (deprecated headers)';

export const DEPRECATED_CHECKS = {
  xss: {
    id: 'audit.deprecated.x-xss-protection',
    category: 'headers',
    severity: 'low',
    points: -5,
    kinds: ['api', 'html'],
    title: 'X-XSS-Protection turns on a removed, abusable XSS filter',
    advice:
      'Send `X-XSS-Protection: 0` or nothing, and rely on CSP. Points: -5: where the filter still exists it can ' +
      'be abused to disable scripts selectively or leak page content.',
    reference: `${REF}; OWASP HTTP Headers Cheat Sheet (X-XSS-Protection)`,
  },
  hpkp: {
    id: 'audit.deprecated.public-key-pins',
    category: 'headers',
    severity: 'low',
    points: -5,
    kinds: ['api', 'html'],
    title: 'Public-Key-Pins (HPKP) is obsolete and dangerous',
    advice:
      'Remove Public-Key-Pins; rely on Certificate Transparency. Points: -5: a wrong or lost pin locked users ' +
      'out for max-age, which is why browsers removed it.',
    reference: `${REF}; RFC 7469 (historic in practice)`,
  },
  hpkpReportOnly: {
    id: 'audit.deprecated.public-key-pins-report-only',
    category: 'headers',
    severity: 'info',
    points: 0,
    kinds: ['api', 'html'],
    title: 'Public-Key-Pins-Report-Only is obsolete',
    advice: 'Remove it. Points: 0 — ignored by browsers, harmless.',
    reference: `${REF}; RFC 7469 §2.1.5`,
  },
  expectCt: {
    id: 'audit.deprecated.expect-ct',
    category: 'headers',
    severity: 'info',
    points: 0,
    kinds: ['api', 'html'],
    title: 'Expect-CT is obsolete',
    advice:
      'Remove it: Certificate Transparency is enforced by browsers without it. Points: 0 — ignored, harmless.',
    reference: `${REF}; RFC 9163 (obsoleted by browsers' CT enforcement)`,
  },
  featurePolicy: {
    id: 'audit.deprecated.feature-policy',
    category: 'headers',
    severity: 'info',
    points: 0,
    kinds: ['api', 'html'],
    title: 'Feature-Policy was replaced by Permissions-Policy',
    advice:
      'Send the same rules as Permissions-Policy (structured-field syntax: `camera=()`). Points: 0 — its ' +
      'replacement is judged by the Permissions-Policy checks.',
    reference: `${REF}; W3C Permissions Policy (Feature-Policy is its former name)`,
  },
  prefixedCsp: {
    id: 'audit.deprecated.prefixed-csp',
    category: 'headers',
    severity: 'info',
    points: 0,
    kinds: ['api', 'html'],
    title: 'X-Content-Security-Policy / X-WebKit-CSP are obsolete prefixed CSP headers',
    advice: 'Remove them; send Content-Security-Policy. Points: 0 — ignored by current browsers.',
    reference: `${REF}; W3C Content Security Policy Level 3`,
  },
} as const satisfies Record<string, CheckSpec>;

/** X-XSS-Protection that switches the filter off: `0`, optionally with parameters (`0; mode=block` is still 0). */
export function xssProtectionOff(lines: readonly string[]): boolean {
  return lines.every((l) => /^[\t ]*0[\t ]*(?:;|$)/.test(l));
}

function simple(spec: CheckSpec, header: string, lines: readonly string[], message: string): AuditFinding[] {
  return lines.length === 0
    ? []
    : [
        findingOf(
          spec,
          message,
          lines.map((l) => lineEvidence(header, l)),
          { header },
        ),
      ];
}

function run(ctx: RuleContext): AuditFinding[] {
  const h = ctx.facts.response.headers;
  const C = DEPRECATED_CHECKS;
  const findings: AuditFinding[] = [];
  const xss = fieldLines(h, 'x-xss-protection');
  if (xss.length > 0 && !xssProtectionOff(xss)) {
    findings.push(
      ...simple(
        C.xss,
        'x-xss-protection',
        xss,
        'X-XSS-Protection is not 0: it asks for the legacy XSS filter',
      ),
    );
  }
  findings.push(
    ...simple(C.hpkp, 'public-key-pins', fieldLines(h, 'public-key-pins'), 'Public-Key-Pins (HPKP) is sent'),
    ...simple(
      C.hpkpReportOnly,
      'public-key-pins-report-only',
      fieldLines(h, 'public-key-pins-report-only'),
      'Public-Key-Pins-Report-Only is sent',
    ),
    ...simple(C.expectCt, 'expect-ct', fieldLines(h, 'expect-ct'), 'Expect-CT is sent'),
    ...simple(C.featurePolicy, 'feature-policy', fieldLines(h, 'feature-policy'), 'Feature-Policy is sent'),
  );
  for (const name of ['x-content-security-policy', 'x-webkit-csp']) {
    findings.push(...simple(C.prefixedCsp, name, fieldLines(h, name), `${name} is sent`));
  }
  return findings;
}

export const deprecatedRule: AuditRule = {
  name: 'deprecated',
  checks: Object.values(DEPRECATED_CHECKS),
  run,
};
