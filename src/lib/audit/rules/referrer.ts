import { fieldLines, splitFieldValues } from '../../headers.js';
import type { AuditFinding, AuditRule, CheckSpec, RuleContext } from '../types.js';
import { absentEvidence, findingOf, lineEvidence } from './header-common.js';

/**
 * Referrer-Policy, read as the Referrer Policy spec says (§8.1 "parse a referrer policy from a Referrer-Policy
 * header"): the values of every line, in order; the LAST one that is a known policy wins, unknown ones are skipped
 * — which lets a site list a fallback first (`no-referrer, strict-origin-when-cross-origin`). Browsers compare
 * case-insensitively (Chromium, Firefox), the Observatory too. With no known value the browser default applies:
 * `strict-origin-when-cross-origin` in current browsers, which is why a missing header costs nothing.
 */

const HEADER = 'referrer-policy';
const REF = 'W3C Referrer Policy';

export const REFERRER_POLICIES = [
  'no-referrer',
  'no-referrer-when-downgrade',
  'same-origin',
  'origin',
  'strict-origin',
  'origin-when-cross-origin',
  'strict-origin-when-cross-origin',
  'unsafe-url',
] as const;
export type ReferrerPolicy = (typeof REFERRER_POLICIES)[number];

export const REFERRER_CHECKS = {
  unsafe: {
    id: 'audit.referrer.unsafe',
    category: 'headers',
    severity: 'medium',
    points: -5,
    kinds: ['api', 'html'],
    title: 'Referrer-Policy sends full URLs to other origins',
    advice:
      "Use `no-referrer` (APIs) or `strict-origin-when-cross-origin`. Points: -5, the Observatory's value: " +
      'unsafe-url and no-referrer-when-downgrade hand paths and query strings — tokens included — to other sites.',
    reference: `${REF} §3 (unsafe-url, no-referrer-when-downgrade); OWASP Secure Headers Project`,
  },
  originLeak: {
    id: 'audit.referrer.origin-downgrade',
    category: 'headers',
    severity: 'low',
    points: -2,
    kinds: ['api', 'html'],
    title: 'Referrer-Policy sends the origin even to plain-http sites',
    advice:
      'Prefer `strict-origin` or `strict-origin-when-cross-origin`. Points: -2: only the origin leaks, but also ' +
      'over unencrypted requests (the Observatory counts origin and origin-when-cross-origin as unsafe).',
    reference: `${REF} §3 (origin, origin-when-cross-origin)`,
  },
  invalid: {
    id: 'audit.referrer.invalid',
    category: 'headers',
    severity: 'low',
    points: -5,
    kinds: ['api', 'html'],
    title: 'Referrer-Policy has no value browsers know, so it is ignored',
    advice:
      "Use one of the policies the spec defines (e.g. `no-referrer`). Points: -5, the Observatory's value for " +
      'an invalid header: the intended policy is not applied.',
    reference: `${REF} §8.1`,
  },
  missing: {
    id: 'audit.referrer.missing',
    category: 'headers',
    severity: 'info',
    points: 0,
    kinds: ['html'],
    title: 'No Referrer-Policy: the browser default applies',
    advice:
      'Browsers default to strict-origin-when-cross-origin; set it (or no-referrer) explicitly. Points: 0, as in ' +
      'the Observatory.',
    reference: `${REF} §3 (default policy); OWASP REST Security Cheat Sheet`,
  },
} as const satisfies Record<string, CheckSpec>;

/** The policy a browser applies from these lines, or undefined when none of the values is a known policy. */
export function effectiveReferrerPolicy(lines: readonly string[]): ReferrerPolicy | undefined {
  let policy: ReferrerPolicy | undefined;
  for (const v of splitFieldValues(lines)) {
    const known = REFERRER_POLICIES.find((p) => p === v.toLowerCase());
    if (known) policy = known;
  }
  return policy;
}

function run(ctx: RuleContext): AuditFinding[] {
  const lines = fieldLines(ctx.facts.response.headers, HEADER);
  const C = REFERRER_CHECKS;
  const on = { header: HEADER };
  if (lines.length === 0) {
    return ctx.kind === 'html'
      ? [
          findingOf(
            C.missing,
            'No Referrer-Policy header (browser default applies)',
            [absentEvidence(HEADER)],
            on,
          ),
        ]
      : [];
  }
  const ev = lines.map((l) => lineEvidence(HEADER, l));
  const policy = effectiveReferrerPolicy(lines);
  if (policy === undefined) {
    return [findingOf(C.invalid, 'Referrer-Policy has no known policy value: browsers ignore it', ev, on)];
  }
  if (policy === 'unsafe-url' || policy === 'no-referrer-when-downgrade') {
    return [findingOf(C.unsafe, `Referrer-Policy ${policy} sends full URLs to other origins`, ev, on)];
  }
  if (policy === 'origin' || policy === 'origin-when-cross-origin') {
    return [
      findingOf(C.originLeak, `Referrer-Policy ${policy} sends the origin over plain http too`, ev, on),
    ];
  }
  return [];
}

export const referrerRule: AuditRule = {
  name: 'referrer',
  checks: Object.values(REFERRER_CHECKS),
  run,
};
