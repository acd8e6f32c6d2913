import { describe, expect, it } from 'vitest';
import { parseCspPolicies } from '../../../../src/lib/audit/rules/csp.js';
import { framingRule, readFraming } from '../../../../src/lib/audit/rules/framing.js';
import { conformsToChecks, ctxFor, ids } from './header-facts.js';

type H = Record<string, string | string[]>;
const run = (h: H, kind: 'api' | 'html') => {
  const findings = framingRule.run(ctxFor(h, { kind }));
  conformsToChecks(framingRule, findings);
  return findings;
};
const xfo = (v: string | string[]): H => ({ 'x-frame-options': v });
const fa = (v: string): H => ({ 'content-security-policy': `frame-ancestors ${v}` });

describe('readFraming (HTML Standard X-Frame-Options processing + CSP frame-ancestors)', () => {
  it.each<[string[], string[], string, string]>([
    [['DENY'], [], 'deny', 'x-frame-options'],
    [['sameorigin'], [], 'same-origin', 'x-frame-options'],
    [['DENY', 'deny'], [], 'deny', 'x-frame-options'], // one value once lower-cased
    [['DENY, SAMEORIGIN'], [], 'deny', 'x-frame-options'], // conflicting values block
    [['ALLOWALL'], [], 'any', 'x-frame-options'],
    [['ALLOW-FROM https://a.example'], [], 'any', 'x-frame-options'],
    [['foo, bar'], [], 'any', 'x-frame-options'], // several unknown values allow
    [[], [], 'any', 'none'],
    // frame-ancestors in an enforced policy overrides X-Frame-Options entirely.
    [['DENY'], ['frame-ancestors *'], 'any', 'csp'],
    [['ALLOWALL'], ["frame-ancestors 'none'"], 'deny', 'csp'],
    [[], ["frame-ancestors 'self' https://a.example"], 'allow-list', 'csp'],
    [[], ['frame-ancestors'], 'deny', 'csp'],
    // Each policy must allow the ancestor: the strictest decides.
    [[], ['frame-ancestors *', "frame-ancestors 'self'"], 'same-origin', 'csp'],
    [['DENY'], ["default-src 'none'"], 'deny', 'x-frame-options'],
  ])('XFO %j, CSP %j → %s by %s', (x, c, level, by) => {
    const r = readFraming(x, parseCspPolicies(c));
    expect([r.level, r.by]).toEqual([level, by]);
  });
});

describe('framingRule', () => {
  it.each<[string, H, 'api' | 'html', string[]]>([
    ['DENY (api)', xfo('DENY'), 'api', []],
    ["frame-ancestors 'none' (api)", fa("'none'"), 'api', []],
    ['nothing (api)', {}, 'api', ['audit.framing.api-missing']],
    ['nothing (html)', {}, 'html', ['audit.framing.missing']],
    ['SAMEORIGIN (api): informs', xfo('SAMEORIGIN'), 'api', ['audit.framing.api-not-deny']],
    ['SAMEORIGIN (html): fine', xfo('SAMEORIGIN'), 'html', []],
    ['ALLOWALL (html)', xfo('ALLOWALL'), 'html', ['audit.framing.missing', 'audit.framing.xfo-invalid']],
    [
      'ALLOW-FROM (api)',
      xfo('ALLOW-FROM https://a.example'),
      'api',
      ['audit.framing.api-missing', 'audit.framing.xfo-invalid'],
    ],
    [
      'ALLOWALL beside frame-ancestors none: protected, the bad header still noted',
      { ...xfo('ALLOWALL'), ...fa("'none'") },
      'html',
      ['audit.framing.xfo-invalid'],
    ],
    ['DENY + SAMEORIGIN lines', xfo(['DENY', 'SAMEORIGIN']), 'html', ['audit.framing.xfo-conflicting']],
    ['frame-ancestors * overrides DENY', { ...xfo('DENY'), ...fa('*') }, 'html', ['audit.framing.missing']],
    [
      'report-only frame-ancestors protects nothing',
      { 'content-security-policy-report-only': "frame-ancestors 'none'" },
      'html',
      ['audit.framing.missing'],
    ],
  ])('%s', (_n, h, kind, want) => {
    expect(ids(run(h, kind))).toEqual([...want].sort());
  });

  it('messages say what the value does', () => {
    expect(run(xfo('ALLOWALL'), 'html').map((f) => f.message)).toContain(
      'X-Frame-Options: ALLOWALL is not a protection: it allows every site',
    );
    expect(
      run(xfo('ALLOW-FROM https://a.example'), 'html')
        .map((f) => f.message)
        .join(),
    ).toMatch(/obsolete/);
  });
});
