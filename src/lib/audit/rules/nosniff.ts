import { fieldLines, splitFieldValues } from '../../headers.js';
import type { AuditFinding, AuditRule, CheckSpec, RuleContext } from '../types.js';
import { absentEvidence, clip, findingOf, lineEvidence } from './header-common.js';

/**
 * `X-Content-Type-Options: nosniff`, read as Fetch reads it ("determine nosniff", WHATWG Fetch): the field is got,
 * decoded and split, and only the FIRST value counts, compared case-insensitively with `nosniff`. So
 * `nosniff, foo` protects and `foo, nosniff` (say a second line added by a proxy after a bad first one) does not.
 */

const HEADER = 'x-content-type-options';

export const NOSNIFF_CHECKS = {
  missing: {
    id: 'audit.nosniff.missing',
    category: 'headers',
    severity: 'medium',
    points: -15,
    kinds: ['api', 'html'],
    title: 'No X-Content-Type-Options: nosniff',
    advice:
      "Send `X-Content-Type-Options: nosniff`. Points: -15 (the Observatory's -5 is for pages): for an API it " +
      'is what keeps a JSON body that echoes input from being sniffed as HTML or script — the usual XSS path ' +
      'through an API.',
    reference: 'WHATWG Fetch (X-Content-Type-Options, determine nosniff); OWASP REST Security Cheat Sheet',
  },
  invalid: {
    id: 'audit.nosniff.invalid',
    category: 'headers',
    severity: 'medium',
    points: -15,
    kinds: ['api', 'html'],
    title: 'X-Content-Type-Options is not nosniff, so browsers still sniff',
    advice:
      'The only value is `nosniff`, sent once. Points: as missing (-15): browsers act on the first value only.',
    reference: 'WHATWG Fetch (determine nosniff: values[0] must be "nosniff")',
  },
} as const satisfies Record<string, CheckSpec>;

/** Whether a browser would see nosniff (Fetch: the first of the split values, case-insensitive). */
export function isNosniff(lines: readonly string[]): boolean {
  const [first] = splitFieldValues(lines);
  return first !== undefined && first.toLowerCase() === 'nosniff';
}

function run(ctx: RuleContext): AuditFinding[] {
  const lines = fieldLines(ctx.facts.response.headers, HEADER);
  if (lines.length === 0) {
    return [
      findingOf(NOSNIFF_CHECKS.missing, 'No X-Content-Type-Options header', [absentEvidence(HEADER)], {
        header: HEADER,
      }),
    ];
  }
  if (isNosniff(lines)) return [];
  const [first = ''] = splitFieldValues(lines);
  return [
    findingOf(
      NOSNIFF_CHECKS.invalid,
      `X-Content-Type-Options starts with "${clip(first, 60)}", not nosniff: browsers still sniff`,
      lines.map((l) => lineEvidence(HEADER, l)),
      { header: HEADER },
    ),
  ];
}

export const nosniffRule: AuditRule = {
  name: 'nosniff',
  checks: Object.values(NOSNIFF_CHECKS),
  run,
};
