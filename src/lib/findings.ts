import { UsageError } from '../errors.js';
import type { Outcome } from './outcome.js';

/**
 * The one finding type and the one severity threshold shared by the probes (rate limit, CORS) and the
 * security-header audit, so that `--fail-on` and `--fail-under` mean the same thing in every command and a CI
 * job can gate on any of them the same way. Pure data and comparisons: rendering lives with the commands.
 */

/** Ascending: every later severity is worse than every earlier one. */
export const SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

/**
 * What `--fail-on` accepts. Not 'info': info findings are facts, not problems, and a threshold that every run
 * meets would make the flag meaningless.
 */
export const FAIL_ON_SEVERITIES = [
  'low',
  'medium',
  'high',
  'critical',
] as const satisfies readonly Severity[];

/**
 * The threshold when no --fail-on is given: a CI run fails on high (and critical) findings unless told
 * otherwise, so that a real problem is never a green build by default, while medium and low ones only inform.
 */
export const DEFAULT_FAIL_ON: Severity = 'high';

/** One thing that was seen; every field optional, all strings (JSON-friendly, and the renderer sanitises). */
export interface FindingEvidence {
  /** The request that showed it, one line: `OPTIONS https://api.example/ (Origin: https://evil.example)`. */
  request?: string;
  /** The response status, when it matters (a 429, a 200 where a 403 was expected). */
  status?: number;
  /** A response header name, lower-case. */
  header?: string;
  /** The value seen, as received (may be absent: "header missing" is evidence too). */
  value?: string;
  /** Anything else, one line for people. */
  note?: string;
}

export interface Finding {
  /** Stable and dotted (`cors.reflected-origin`): scripts and suppressions key on it. */
  id: string;
  severity: Severity;
  /** One line for people. */
  message: string;
  /** What was seen; may be empty when the message says it all. */
  evidence: FindingEvidence[];
  /** What to change, one line. */
  advice?: string;
}

/** Negative when a is less severe than b, 0 when equal, positive when worse: a sort comparator. */
export function compareSeverity(a: Severity, b: Severity): number {
  return SEVERITIES.indexOf(a) - SEVERITIES.indexOf(b);
}

/** The value of a --fail-on style flag; case and surrounding space do not matter. */
export function parseSeverity(flag: string, value: string): Severity {
  const wanted = value.trim().toLowerCase();
  const found = FAIL_ON_SEVERITIES.find((s) => s === wanted);
  if (!found) {
    throw new UsageError(
      `${flag} "${value}": expected one of ${FAIL_ON_SEVERITIES.join(', ')}`,
      'ERR_USAGE_SEVERITY',
    );
  }
  return found;
}

/**
 * Letter grades as the Mozilla HTTP Observatory gives them, ascending (worst first) like SEVERITIES, so that
 * compareGrade reads the same way as compareSeverity.
 */
export const GRADES = ['F', 'D-', 'D', 'D+', 'C-', 'C', 'C+', 'B-', 'B', 'B+', 'A-', 'A', 'A+'] as const;
export type Grade = (typeof GRADES)[number];

/** Negative when a is a worse grade than b, 0 when equal, positive when better. */
export function compareGrade(a: Grade, b: Grade): number {
  return GRADES.indexOf(a) - GRADES.indexOf(b);
}

/** The value of a --fail-under style flag: `b+` is `B+`. */
export function parseGrade(flag: string, value: string): Grade {
  const wanted = value.trim().toUpperCase();
  const found = GRADES.find((g) => g === wanted);
  if (!found) {
    // Best first in the message: that is how people read a grade scale.
    throw new UsageError(
      `${flag} "${value}": expected one of ${[...GRADES].reverse().join(', ')}`,
      'ERR_USAGE_GRADE',
    );
  }
  return found;
}

/**
 * Negative when any finding is at or above the threshold. `undefined` means no --fail-on was given and
 * DEFAULT_FAIL_ON ('high') applies.
 */
export function findingsOutcome(findings: readonly Finding[], failOn: Severity | undefined): Outcome {
  const threshold = failOn ?? DEFAULT_FAIL_ON;
  return findings.some((f) => compareSeverity(f.severity, threshold) >= 0) ? 'negative' : 'ok';
}

/** Negative when the grade is below the threshold (exactly at it passes); no --fail-under is always 'ok'. */
export function gradeOutcome(grade: Grade, failUnder: Grade | undefined): Outcome {
  if (failUnder === undefined) return 'ok';
  return compareGrade(grade, failUnder) < 0 ? 'negative' : 'ok';
}

/** Counts per severity; every severity is present (0 when none) so that JSON output has a fixed shape. */
export function countBySeverity(findings: readonly Pick<Finding, 'severity'>[]): Record<Severity, number> {
  const counts = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  for (const f of findings) counts[f.severity]++;
  return counts;
}

/**
 * A new array, worst first, then by id. Ids compare by code unit, not locale, so the order is the same on
 * every machine; equal ids keep their input order (the sort is stable).
 */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort(
    (a, b) => compareSeverity(b.severity, a.severity) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
}
