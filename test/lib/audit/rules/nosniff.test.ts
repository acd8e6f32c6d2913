import { describe, expect, it } from 'vitest';
import { isNosniff, nosniffRule } from '../../../../src/lib/audit/rules/nosniff.js';
import { conformsToChecks, ctxFor, ids } from './header-facts.js';

describe('nosniffRule (Fetch: determine nosniff)', () => {
  it.each<[string | string[] | undefined, string[]]>([
    ['nosniff', []],
    ['NoSniff', []],
    [' nosniff ', []],
    ['nosniff, nosniff', []],
    [['nosniff', 'nosniff'], []],
    ['nosniff, foo', []], // only the first value counts
    ['foo, nosniff', ['audit.nosniff.invalid']],
    [['sniff', 'nosniff'], ['audit.nosniff.invalid']],
    ['no-sniff', ['audit.nosniff.invalid']],
    ['', ['audit.nosniff.invalid']],
    [undefined, ['audit.nosniff.missing']],
  ])('%j', (value, want) => {
    const h = value === undefined ? {} : { 'x-content-type-options': value };
    const fs = nosniffRule.run(ctxFor(h));
    conformsToChecks(nosniffRule, fs);
    expect(ids(fs)).toEqual(want);
  });

  it('invalid costs what missing costs', () => {
    const [m] = nosniffRule.run(ctxFor({}));
    const [i] = nosniffRule.run(ctxFor({ 'x-content-type-options': 'yes' }));
    expect(i!.points).toBe(m!.points);
    expect(isNosniff(['yes'])).toBe(false);
  });
});
