import { describe, expect, it } from 'vitest';
import {
  compareGrade,
  compareSeverity,
  countBySeverity,
  DEFAULT_FAIL_ON,
  findingsOutcome,
  GRADES,
  gradeOutcome,
  parseGrade,
  parseSeverity,
  SEVERITIES,
  sortFindings,
  type Finding,
  type Grade,
  type Severity,
} from '../../src/lib/findings.js';
import { worst, type Outcome } from '../../src/lib/outcome.js';

/**
 * The one finding type and threshold: what --fail-on and --fail-under accept, where the boundaries are
 * (exactly at the threshold fails, one step below passes), and the order a renderer shows findings in.
 */
const f = (severity: Severity, id = `test.${severity}`): Finding => ({
  id,
  severity,
  message: `a ${severity} finding`,
  evidence: [],
});

describe('worst', () => {
  it.each<{ outcomes: Outcome[]; want: Outcome }>([
    { outcomes: [], want: 'ok' },
    { outcomes: ['ok'], want: 'ok' },
    { outcomes: ['ok', 'ok'], want: 'ok' },
    { outcomes: ['negative'], want: 'negative' },
    { outcomes: ['ok', 'negative', 'ok'], want: 'negative' },
  ])('$outcomes → $want', ({ outcomes, want }) => expect(worst(...outcomes)).toBe(want));
});

describe('severities', () => {
  it('ascend from info to critical', () => {
    expect(SEVERITIES).toEqual(['info', 'low', 'medium', 'high', 'critical']);
    for (let i = 1; i < SEVERITIES.length; i++) {
      expect(compareSeverity(SEVERITIES[i]!, SEVERITIES[i - 1]!)).toBeGreaterThan(0);
      expect(compareSeverity(SEVERITIES[i - 1]!, SEVERITIES[i]!)).toBeLessThan(0);
    }
    expect(compareSeverity('medium', 'medium')).toBe(0);
  });

  it.each([
    ['low', 'low'],
    ['medium', 'medium'],
    ['high', 'high'],
    ['critical', 'critical'],
    ['HIGH', 'high'],
    [' Critical ', 'critical'],
  ])('--fail-on %j → %s', (input, want) => expect(parseSeverity('--fail-on', input)).toBe(want));

  it.each(['urgent', '', 'info', 'hi', 'severe', '3'])('--fail-on %j is a usage error', (input) => {
    expect(() => parseSeverity('--fail-on', input)).toThrow(
      expect.objectContaining({
        message: `--fail-on "${input}": expected one of low, medium, high, critical`,
        code: 'ERR_USAGE_SEVERITY',
        exitCode: 2,
      }),
    );
  });

  it('the message names whichever flag was given', () => {
    expect(() => parseSeverity('--min-severity', 'x')).toThrow(/^--min-severity "x": expected one of/);
  });
});

describe('findingsOutcome', () => {
  it.each<{ name: string; findings: Finding[]; failOn: Severity | undefined; want: Outcome }>([
    { name: 'no findings', findings: [], failOn: 'low', want: 'ok' },
    { name: 'exactly at the threshold', findings: [f('medium')], failOn: 'medium', want: 'negative' },
    { name: 'one step below the threshold', findings: [f('low')], failOn: 'medium', want: 'ok' },
    { name: 'above the threshold', findings: [f('critical')], failOn: 'medium', want: 'negative' },
    { name: 'info never reaches low', findings: [f('info'), f('info')], failOn: 'low', want: 'ok' },
    { name: 'low reaches low', findings: [f('info'), f('low')], failOn: 'low', want: 'negative' },
    { name: 'critical threshold, high finding', findings: [f('high')], failOn: 'critical', want: 'ok' },
    {
      name: 'one finding at it among many below',
      findings: [f('low'), f('high'), f('info')],
      failOn: 'high',
      want: 'negative',
    },
    { name: 'default: high fails', findings: [f('high')], failOn: undefined, want: 'negative' },
    { name: 'default: critical fails', findings: [f('critical')], failOn: undefined, want: 'negative' },
    { name: 'default: medium passes', findings: [f('medium'), f('low')], failOn: undefined, want: 'ok' },
  ])('$name → $want', ({ findings, failOn, want }) => expect(findingsOutcome(findings, failOn)).toBe(want));

  it('the default threshold is high', () => expect(DEFAULT_FAIL_ON).toBe('high'));
});

describe('grades', () => {
  it('are ordered F (worst) to A+ (best)', () => {
    expect(GRADES).toEqual(['F', 'D-', 'D', 'D+', 'C-', 'C', 'C+', 'B-', 'B', 'B+', 'A-', 'A', 'A+']);
    for (let i = 1; i < GRADES.length; i++) {
      expect(compareGrade(GRADES[i]!, GRADES[i - 1]!)).toBeGreaterThan(0);
    }
  });

  it.each<[Grade, Grade, number]>([
    ['A+', 'A', 1],
    ['A', 'A-', 1],
    ['A-', 'B+', 1],
    ['B', 'B', 0],
    ['C-', 'C', -1],
    ['F', 'D-', -1],
    ['F', 'A+', -1],
  ])('compareGrade(%s, %s) has sign %i', (a, b, sign) => expect(Math.sign(compareGrade(a, b))).toBe(sign));

  it.each([
    ['A+', 'A+'],
    ['a+', 'A+'],
    ['b-', 'B-'],
    ['C', 'C'],
    [' d ', 'D'],
    ['f', 'F'],
  ])('--fail-under %j → %s', (input, want) => expect(parseGrade('--fail-under', input)).toBe(want));

  it.each(['E', 'A++', 'B +', '', 'F+', '90', 'A-plus'])('--fail-under %j is a usage error', (input) => {
    expect(() => parseGrade('--fail-under', input)).toThrow(
      expect.objectContaining({
        message: `--fail-under "${input}": expected one of A+, A, A-, B+, B, B-, C+, C, C-, D+, D, D-, F`,
        code: 'ERR_USAGE_GRADE',
        exitCode: 2,
      }),
    );
  });

  it.each<{ grade: Grade; failUnder: Grade | undefined; want: Outcome }>([
    { grade: 'B', failUnder: 'B', want: 'ok' },
    { grade: 'B-', failUnder: 'B', want: 'negative' },
    { grade: 'B+', failUnder: 'B', want: 'ok' },
    { grade: 'A+', failUnder: 'A+', want: 'ok' },
    { grade: 'A', failUnder: 'A+', want: 'negative' },
    { grade: 'F', failUnder: 'F', want: 'ok' },
    { grade: 'F', failUnder: 'D-', want: 'negative' },
    { grade: 'F', failUnder: undefined, want: 'ok' },
  ])('grade $grade with --fail-under $failUnder → $want', ({ grade, failUnder, want }) =>
    expect(gradeOutcome(grade, failUnder)).toBe(want),
  );
});

describe('countBySeverity', () => {
  it('has every severity, zero when absent', () => {
    expect(countBySeverity([])).toEqual({ info: 0, low: 0, medium: 0, high: 0, critical: 0 });
    expect(countBySeverity([f('high'), f('info'), f('high', 'test.other')])).toEqual({
      info: 1,
      low: 0,
      medium: 0,
      high: 2,
      critical: 0,
    });
  });
});

describe('sortFindings', () => {
  it('orders worst first, then by id, and leaves the input alone', () => {
    const input = [
      f('low', 'b.low'),
      f('critical', 'z.crit'),
      f('high', 'cors.wildcard'),
      f('info', 'a.info'),
      f('high', 'cors.reflected-origin'),
      f('critical', 'a.crit'),
    ];
    const copy = [...input];
    expect(sortFindings(input).map((x) => x.id)).toEqual([
      'a.crit',
      'z.crit',
      'cors.reflected-origin',
      'cors.wildcard',
      'b.low',
      'a.info',
    ]);
    expect(input).toEqual(copy);
  });

  it('keeps the input order of findings with the same severity and id', () => {
    const one = { ...f('medium', 'same.id'), message: 'first' };
    const two = { ...f('medium', 'same.id'), message: 'second' };
    expect(sortFindings([one, two]).map((x) => x.message)).toEqual(['first', 'second']);
  });

  it('orders ids by code unit, not locale ("Z" before "a")', () => {
    expect(sortFindings([f('low', 'a.x'), f('low', 'Z.x')]).map((x) => x.id)).toEqual(['Z.x', 'a.x']);
  });
});
