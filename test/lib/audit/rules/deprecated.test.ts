import { describe, expect, it } from 'vitest';
import { deprecatedRule, xssProtectionOff } from '../../../../src/lib/audit/rules/deprecated.js';
import { conformsToChecks, ctxFor, ids } from './header-facts.js';

const run = (h: Record<string, string | string[]>) => {
  const fs = deprecatedRule.run(ctxFor(h));
  conformsToChecks(deprecatedRule, fs);
  return fs;
};

describe('deprecatedRule', () => {
  it.each<[Record<string, string | string[]>, string[]]>([
    [{ 'x-xss-protection': '0' }, []],
    [{ 'x-xss-protection': '0; mode=block' }, []],
    [{ 'x-xss-protection': '1; mode=block' }, ['audit.deprecated.x-xss-protection']],
    [{ 'x-xss-protection': '1' }, ['audit.deprecated.x-xss-protection']],
    [{ 'x-xss-protection': ['0', '1'] }, ['audit.deprecated.x-xss-protection']],
    [{ 'x-xss-protection': 'yes' }, ['audit.deprecated.x-xss-protection']],
    [{ 'x-xss-protection': '01' }, ['audit.deprecated.x-xss-protection']],
    [{ 'expect-ct': 'max-age=86400, enforce' }, ['audit.deprecated.expect-ct']],
    [{ 'public-key-pins': 'pin-sha256="x"; max-age=5184000' }, ['audit.deprecated.public-key-pins']],
    [{ 'public-key-pins-report-only': 'pin-sha256="x"' }, ['audit.deprecated.public-key-pins-report-only']],
    [{ 'feature-policy': "camera 'none'" }, ['audit.deprecated.feature-policy']],
    [{ 'x-webkit-csp': "default-src 'self'" }, ['audit.deprecated.prefixed-csp']],
    [{}, []],
  ])('%j', (h, want) => {
    expect(ids(run(h))).toEqual(want);
  });

  it('only the harmful ones cost points', () => {
    const costly = deprecatedRule.checks.filter((c) => c.points < 0).map((c) => c.id);
    expect(costly.sort()).toEqual(['audit.deprecated.public-key-pins', 'audit.deprecated.x-xss-protection']);
    expect(xssProtectionOff([' 0 '])).toBe(true);
  });
});
