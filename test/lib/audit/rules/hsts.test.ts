import { describe, expect, it } from 'vitest';
import { hstsRule, readHsts } from '../../../../src/lib/audit/rules/hsts.js';
import { conformsToChecks, ctxFor, ids } from './header-facts.js';

const run = (h: Record<string, string | string[]>, opts: Parameters<typeof ctxFor>[1] = {}) => {
  const findings = hstsRule.run(ctxFor(h, opts));
  conformsToChecks(hstsRule, findings);
  return findings;
};
const sts = (v: string | string[]) => ({ 'strict-transport-security': v });

describe('readHsts (RFC 6797 §6.1 as browsers read it)', () => {
  it.each([
    ['max-age=31536000', { maxAge: 31536000, includeSubDomains: false, preload: false }],
    [
      'max-age=31536000; includeSubDomains; preload',
      { maxAge: 31536000, includeSubDomains: true, preload: true },
    ],
    // RFC 6797 §6.2 examples: quoted value, directive names case-insensitive, any order.
    ['max-age="31536000"', { maxAge: 31536000, includeSubDomains: false, preload: false }],
    ['INCLUDESUBDOMAINS ; MAX-AGE=15768000', { maxAge: 15768000, includeSubDomains: true, preload: false }],
    [' max-age=0 ;', { maxAge: 0, includeSubDomains: false, preload: false }],
    ['max-age=100; foo=bar', { maxAge: 100, includeSubDomains: false, preload: false }],
  ])('%s', (value, policy) => {
    expect(readHsts(value).policy).toEqual(policy);
  });

  it.each([
    ['max-age=abc', /not a number/],
    ['max-age=-1', /not a number/],
    ['max-age=1.5', /unexpected|not a number/],
    ['includeSubDomains', /max-age is missing/],
    ['', /max-age is missing/],
    ['max-age=1; max-age=2', /more than once/],
    ['max-age=1; includeSubDomains; includesubdomains', /more than once/],
    ['max-age=1; includeSubDomains=yes', /takes no value/],
    ['max-age=31536000, max-age=31536000', /unexpected ","/],
    ['max-age="31536000', /unterminated/],
    ['max-age=', /has no value/],
    ['"max-age=1"', /unexpected/],
  ])('%s → ignored (%s)', (value, why) => {
    const r = readHsts(value);
    expect(r.policy).toBeUndefined();
    expect(r.problems.join(' ')).toMatch(why);
  });
});

describe('hstsRule', () => {
  it.each([
    ['one year + subdomains', 'max-age=31536000; includeSubDomains', []],
    ['two years + preload', 'max-age=63072000; includeSubDomains; preload', []],
    ['six months', 'max-age=15552000; includeSubDomains', ['audit.hsts.max-age-under-year']],
    ['one day', 'max-age=86400; includeSubDomains', ['audit.hsts.max-age-short']],
    ['no subdomains', 'max-age=31536000', ['audit.hsts.no-include-subdomains']],
    ['max-age=0', 'max-age=0; includeSubDomains', ['audit.hsts.disabled']],
    ['max-age=abc', 'max-age=abc', ['audit.hsts.malformed']],
    ['duplicate directive', 'max-age=31536000; max-age=31536000', ['audit.hsts.malformed']],
    [
      'preload without its requirements',
      'max-age=86400; preload',
      ['audit.hsts.max-age-short', 'audit.hsts.no-include-subdomains', 'audit.hsts.preload-not-eligible'],
    ],
  ])('%s', (_name, value, want) => {
    expect(ids(run(sts(value)))).toEqual([...want].sort());
  });

  it('missing on https costs the most', () => {
    const [f, ...rest] = run({});
    expect(rest).toEqual([]);
    expect(f).toMatchObject({
      id: 'audit.hsts.missing',
      severity: 'high',
      points: -25,
      header: 'strict-transport-security',
    });
  });

  it('two lines are one finding, never a pass, even when both are good', () => {
    const fs = run(sts(['max-age=31536000; includeSubDomains', 'max-age=31536000; includeSubDomains']));
    expect(ids(fs)).toEqual(['audit.hsts.multiple']);
    expect(fs[0]!.evidence).toHaveLength(2);
  });

  it('malformed costs what missing costs', () => {
    const [missing] = run({});
    const [malformed] = run(sts('max-age=abc'));
    expect(malformed!.points).toBe(missing!.points);
    expect(malformed!.message).toContain('max-age=abc');
  });

  it('over plain http: no missing finding, an info note when the header is sent', () => {
    expect(run({}, { url: 'http://127.0.0.1:8080/' })).toEqual([]);
    const fs = run(sts('max-age=31536000'), { url: 'http://127.0.0.1:8080/' });
    expect(fs.map((f) => [f.id, f.points])).toEqual([['audit.hsts.over-http', 0]]);
  });

  it('--assume-https judges a loopback http target as https', () => {
    expect(ids(run({}, { url: 'http://127.0.0.1:8080/', assumeHttps: true }))).toEqual([
      'audit.hsts.missing',
    ]);
  });

  it('offline input without a URL is judged as https', () => {
    expect(ids(run({}, { url: 'file:/tmp/saved.http' }))).toEqual(['audit.hsts.missing']);
  });

  it('every check is documented with its points', () => {
    for (const c of hstsRule.checks) {
      expect(c.id).toMatch(/^audit\.hsts\./);
      expect(c.advice).toMatch(/Points: /);
      expect(c.reference).not.toBe('');
    }
  });
});
