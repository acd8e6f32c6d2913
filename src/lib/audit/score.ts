import type { Grade } from '../findings.js';
import type { AuditFinding } from './types.js';
import { OBSERVATORY_GRADE_BANDS } from './observatory/data.js';

/**
 * apikit's own score: 100 plus every finding's points (each zero or negative), clamped to 0…100. No bonuses:
 * a check that passes costs nothing, so the score only says how much is wrong, and every point is explained by
 * a finding in the same report.
 */
export const SCORE_START = 100;

export function auditScore(findings: readonly Pick<AuditFinding, 'points'>[]): number {
  const sum = findings.reduce((total, f) => total + Math.min(0, f.points), SCORE_START);
  return Math.max(0, Math.min(SCORE_START, sum));
}

/**
 * The grade bands, best first, the same as the Mozilla HTTP Observatory's (src/grader/charts.js GRADE_CHART), so
 * that apikit's grade and the Observatory-equivalent grade beside it read alike: a score earns the first grade
 * whose `min` it reaches. A+ is 100 (nothing wrong), A 90–99, A- 85–89, B+ 80–84, B 70–79, B- 65–69, C+ 60–64,
 * C 50–59, C- 45–49, D+ 40–44, D 30–39, D- 25–29, F below 25.
 */
export const GRADE_BANDS: readonly { grade: Grade; min: number }[] = OBSERVATORY_GRADE_BANDS;

/** The grade of a score; scores above 100 read as 100 and below 0 as 0 (Observatory's getGradeForScore). */
export function gradeOf(score: number): Grade {
  const s = Number.isFinite(score) ? Math.max(0, score) : 0;
  return GRADE_BANDS.find((b) => s >= b.min)?.grade ?? 'F';
}
