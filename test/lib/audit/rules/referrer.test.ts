import { describe, expect, it } from 'vitest';
import { effectiveReferrerPolicy, referrerRule } from '../../../../src/lib/audit/rules/referrer.js';
import { conformsToChecks, ctxFor, ids } from './header-facts.js';

describe('effectiveReferrerPolicy (Referrer Policy §8.1: the last known value wins)', () => {
  it.each<[string[], string | undefined]>([
    [['no-referrer'], 'no-referrer'],
    [['unsafe-url, strict-origin'], 'strict-origin'],
    [['no-referrer, foo'], 'no-referrer'], // unknown values are skipped
    [['strict-origin', 'unsafe-url'], 'unsafe-url'], // several lines: the last known one
    [['No-Referrer'], 'no-referrer'],
    [['foo, bar'], undefined],
    [[''], undefined],
  ])('%j → %s', (lines, want) => {
    expect(effectiveReferrerPolicy(lines)).toBe(want);
  });
});

describe('referrerRule', () => {
  it.each<[string | string[] | undefined, 'api' | 'html', string[]]>([
    ['no-referrer', 'api', []],
    ['strict-origin-when-cross-origin', 'html', []],
    ['unsafe-url', 'api', ['audit.referrer.unsafe']],
    ['no-referrer-when-downgrade', 'html', ['audit.referrer.unsafe']],
    [['no-referrer', 'unsafe-url'], 'html', ['audit.referrer.unsafe']],
    [['unsafe-url', 'no-referrer'], 'html', []],
    ['origin', 'html', ['audit.referrer.origin-downgrade']],
    ['nope', 'api', ['audit.referrer.invalid']],
    [undefined, 'api', []],
    [undefined, 'html', ['audit.referrer.missing']],
  ])('%j (%s)', (value, kind, want) => {
    const fs = referrerRule.run(ctxFor(value === undefined ? {} : { 'referrer-policy': value }, { kind }));
    conformsToChecks(referrerRule, fs);
    expect(ids(fs)).toEqual(want);
  });
});
