import { describe, expect, it } from 'vitest';
import { GRADE_BANDS, auditScore, gradeOf } from '../../../src/lib/audit/score.js';
import { observatoryGrade } from '../../../src/lib/audit/observatory.js';
import { GRADES } from '../../../src/lib/findings.js';

describe('apikit score', () => {
  it('starts at 100 and adds every finding’s points', () => {
    expect(auditScore([])).toBe(100);
    expect(auditScore([{ points: -20 }, { points: -5 }, { points: 0 }])).toBe(100 - 20 - 5);
  });

  it('is clamped to 0…100, and a positive points value never adds', () => {
    expect(auditScore([{ points: -60 }, { points: -60 }])).toBe(0);
    expect(auditScore([{ points: 10 }])).toBe(100);
  });
});

describe('grade bands (the Observatory’s)', () => {
  it.each([
    [100, 'A+'],
    [95, 'A'],
    [90, 'A'],
    [89, 'A-'],
    [85, 'A-'],
    [84, 'B+'],
    [80, 'B+'],
    [79, 'B'],
    [70, 'B'],
    [69, 'B-'],
    [65, 'B-'],
    [64, 'C+'],
    [60, 'C+'],
    [59, 'C'],
    [50, 'C'],
    [49, 'C-'],
    [45, 'C-'],
    [44, 'D+'],
    [40, 'D+'],
    [39, 'D'],
    [30, 'D'],
    [29, 'D-'],
    [25, 'D-'],
    [24, 'F'],
    [0, 'F'],
    [-10, 'F'],
  ])('%i → %s', (score, grade) => expect(gradeOf(score)).toBe(grade));

  it('agree with the Observatory’s chart for every score 0…100', () => {
    for (let s = 0; s <= 100; s++) expect(gradeOf(s)).toBe(observatoryGrade(s));
  });

  it('are best first, every grade once, down to 0', () => {
    expect(GRADE_BANDS.map((b) => b.grade)).toEqual([...GRADES].reverse());
    expect(GRADE_BANDS.at(-1)!.min).toBe(0);
    for (let i = 1; i < GRADE_BANDS.length; i++)
      expect(GRADE_BANDS[i]!.min).toBeLessThan(GRADE_BANDS[i - 1]!.min);
  });
});
