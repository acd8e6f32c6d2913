import { describe, expect, it } from 'vitest';
import { cspRule, parseCspPolicies } from '../../../../src/lib/audit/rules/csp.js';
import { conformsToChecks, ctxFor, HELMET_DEFAULTS, ids } from './header-facts.js';

type Kind = 'api' | 'html';
const run = (h: Record<string, string | string[]>, kind: Kind) => {
  const findings = cspRule.run(ctxFor(h, { kind }));
  conformsToChecks(cspRule, findings);
  return findings;
};
const csp = (v: string | string[]) => ({ 'content-security-policy': v });
const total = (fs: { points: number }[]) => fs.reduce((s, f) => s + f.points, 0);

describe('parseCspPolicies (CSP3 §2.2)', () => {
  it('every line and every comma-separated part is a policy; empty ones are dropped', () => {
    const ps = parseCspPolicies(["default-src 'none'", "script-src 'self', img-src *", ' , ']);
    expect(ps.map((p) => [...p.directives.keys()])).toEqual([['default-src'], ['script-src'], ['img-src']]);
  });

  it('names are case-insensitive, the first of a repeated directive wins and the repeat is noted', () => {
    const [p] = parseCspPolicies(["Script-Src 'self'; script-src *"]);
    expect(p!.directives.get('script-src')).toEqual(["'self'"]);
    expect(p!.problems).toEqual(['script-src appears twice: the second is ignored']);
  });

  it.each([
    ['script-src self', /without quotes is a host name/],
    ["script-src 'unsafe-inlin'", /not a CSP keyword/],
    ["default-src: 'self'", /not a directive name/],
    ["defualt-src 'self'", /not a CSP directive/],
    ["script-src 'none' https://a.example", /'none' is ignored/],
    ["frame-ancestors 'unsafe-inline'", /no meaning here/],
    ['script-src https://exa mple.com/ ht^tp://x', /not a valid source/],
    ["default-src 'none'; script-src 'self' ☃", /non-ASCII/],
  ])('%s → %s', (value, why) => {
    expect(
      parseCspPolicies([value])
        .flatMap((p) => p.problems)
        .join(' | '),
    ).toMatch(why);
  });

  it.each([
    "default-src 'none'; frame-ancestors 'none'",
    "script-src 'self' 'nonce-r4nd0m+/=' 'sha256-abc123=' 'strict-dynamic' https: *.cdn.example:443/js/",
    'img-src data: blob: https://a.example:* wss://b.example',
    'sandbox allow-scripts; upgrade-insecure-requests; report-to main',
  ])('%s parses without problems', (value) => {
    expect(parseCspPolicies([value]).flatMap((p) => p.problems)).toEqual([]);
  });
});

describe('cspRule — API kind', () => {
  it.each<[string, Record<string, string | string[]>, string[]]>([
    ["default-src 'none'; frame-ancestors 'none'", csp("default-src 'none'; frame-ancestors 'none'"), []],
    ['empty default-src is none', csp("default-src; frame-ancestors 'none'"), []],
    ['frame-ancestors only', csp("frame-ancestors 'none'"), ['audit.csp.api-not-none']],
    ['none at all', {}, ['audit.csp.api-missing']],
    [
      'helmet defaults',
      { 'content-security-policy': HELMET_DEFAULTS['content-security-policy'] },
      ['audit.csp.api-not-none'],
    ],
    ['default-src none in a second policy counts', csp(["frame-ancestors 'none'", "default-src 'none'"]), []],
    [
      'report-only is noted, never protection',
      { 'content-security-policy-report-only': "default-src 'none'" },
      ['audit.csp.api-missing', 'audit.csp.report-only'],
    ],
    ['an empty line keeps nothing', csp(''), ['audit.csp.api-missing']],
  ])('%s', (_n, headers, want) => {
    expect(ids(run(headers, 'api'))).toEqual([...want].sort());
  });

  it('a malformed policy never costs more than none (cap -10)', () => {
    const fs = run(csp("default-src self; default-src 'none'"), 'api');
    expect(ids(fs)).toEqual(['audit.csp.api-not-none', 'audit.csp.malformed']);
    expect(total(fs)).toBe(-10);
  });
});

describe('cspRule — HTML kind', () => {
  it.each<[string, string | string[], string[]]>([
    ['strict', "default-src 'self'; object-src 'none'; frame-ancestors 'none'", []],
    ['unsafe-inline', "script-src 'self' 'unsafe-inline'; object-src 'none'", ['audit.csp.unsafe-inline']],
    [
      'unsafe-inline beside a nonce is ignored (CSP3 §6.7.3.3)',
      "script-src 'nonce-abc' 'unsafe-inline'; object-src 'none'",
      [],
    ],
    [
      'strict-dynamic ignores hosts and schemes',
      "script-src 'strict-dynamic' 'nonce-abc' https: 'unsafe-inline'; object-src 'none'",
      [],
    ],
    ['unsafe-eval', "default-src 'self' 'unsafe-eval'", ['audit.csp.unsafe-eval']],
    ['data: in script-src', "script-src 'self' data:; object-src 'none'", ['audit.csp.script-data']],
    ['wildcard script host', "script-src *; object-src 'none'", ['audit.csp.script-wildcard']],
    ['https: as script source', "default-src https:; object-src 'none'", ['audit.csp.script-wildcard']],
    ['object-src open', "script-src 'self'", ['audit.csp.object-src']],
    [
      'style unsafe-inline only (the Observatory gives 0 too)',
      HELMET_DEFAULTS['content-security-policy'],
      [],
    ],
    // Each policy is enforced on its own: another policy's restriction is not undone, its weakness is covered.
    [
      'a second policy blocks what the first allows',
      ["script-src 'unsafe-inline' 'unsafe-eval' *", "default-src 'self'"],
      [],
    ],
    [
      'a directive missing from one policy is not weakened by the other',
      ["default-src 'self'", 'img-src *'],
      [],
    ],
    [
      'both policies weak: the weakness stands',
      ["script-src 'unsafe-inline' 'self'; object-src 'none'", "script-src 'unsafe-inline' https:"],
      ['audit.csp.unsafe-inline'],
    ],
  ])('%s', (_n, value, want) => {
    expect(ids(run(csp(value), 'html'))).toEqual([...want].sort());
  });

  it('missing on a page: -25', () => {
    const fs = run({}, 'html');
    expect(fs.map((f) => [f.id, f.points])).toEqual([['audit.csp.missing', -25]]);
  });

  it('no script restriction at all says so, and everything bad together costs no more than none', () => {
    const fs = run(csp("img-src 'self'"), 'html');
    expect(ids(fs)).toEqual([
      'audit.csp.object-src',
      'audit.csp.script-data',
      'audit.csp.script-wildcard',
      'audit.csp.unsafe-eval',
      'audit.csp.unsafe-inline',
    ]);
    expect(fs.find((f) => f.id === 'audit.csp.script-wildcard')!.message).toMatch(
      /Neither script-src nor default-src/,
    );
    expect(total(fs)).toBe(-25);
  });

  it('two CSP lines are judged as two policies (the malformed fixture)', () => {
    const fs = run(csp(["default-src 'self'", "script-src 'unsafe-inline'"]), 'html');
    expect(ids(fs)).toEqual([]);
    expect(ids(run(csp(["script-src 'unsafe-inline'", "img-src 'self'"]), 'html'))).toContain(
      'audit.csp.unsafe-inline',
    );
  });
});
