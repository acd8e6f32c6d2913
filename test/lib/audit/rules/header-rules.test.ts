import { describe, expect, it } from 'vitest';
import { cspRule } from '../../../../src/lib/audit/rules/csp.js';
import { crossOriginRule } from '../../../../src/lib/audit/rules/cross-origin.js';
import { deprecatedRule } from '../../../../src/lib/audit/rules/deprecated.js';
import { framingRule } from '../../../../src/lib/audit/rules/framing.js';
import { hstsRule } from '../../../../src/lib/audit/rules/hsts.js';
import { leaksRule } from '../../../../src/lib/audit/rules/leaks.js';
import { nosniffRule } from '../../../../src/lib/audit/rules/nosniff.js';
import { permissionsRule } from '../../../../src/lib/audit/rules/permissions.js';
import { referrerRule } from '../../../../src/lib/audit/rules/referrer.js';
import type { AuditKind } from '../../../../src/lib/audit/types.js';
import type { HeaderMap } from '../../../../src/lib/headers.js';
import { fuzzSeed, prng } from '../../../helpers/seeded-random.js';
import { BARE_NODE, conformsToChecks, ctxFor, HELMET_DEFAULTS, OWASP_REST } from './header-facts.js';

/**
 * The header rules together: the point values are chosen so that the reference header sets land where the brief
 * wants them (full OWASP REST set A/A+, helmet's defaults on a JSON API B or better, a bare server with
 * X-Powered-By D/F). Only these rules' points are summed here — cookies, cache, content type and transport add
 * their own in the full audit — and the bands are the Observatory's (A+ 100, A 90, B- 65, C- 45, D+ 40).
 */
const HEADER_RULES = [
  hstsRule,
  cspRule,
  framingRule,
  nosniffRule,
  referrerRule,
  permissionsRule,
  crossOriginRule,
  deprecatedRule,
  leaksRule,
];

function score(headers: HeaderMap, kind: AuditKind): { score: number; ids: string[] } {
  const ctx = ctxFor(headers, { kind, url: 'http://127.0.0.1:8080/', assumeHttps: true });
  const findings = HEADER_RULES.flatMap((r) => r.run(ctx));
  const sum = findings.reduce((s, f) => s + f.points, 0);
  return {
    score: Math.max(0, Math.min(100, 100 + sum)),
    ids: findings.filter((f) => f.points < 0).map((f) => f.id),
  };
}

describe('the header rules on the reference header sets', () => {
  it('the full OWASP REST set scores A+ as an API', () => {
    expect(score(OWASP_REST, 'api')).toEqual({ score: 100, ids: [] });
  });

  it("OWASP's set with frame-ancestors only (its table's exact CSP) and a versioned Server is still an A", () => {
    const h = { ...OWASP_REST, 'content-security-policy': "frame-ancestors 'none'", server: 'nginx/1.22.1' };
    const s = score(h, 'api');
    expect(s.ids.sort()).toEqual(['audit.csp.api-not-none', 'audit.leaks.server-version']);
    expect(s.score).toBe(90); // A band starts at 90
  });

  it("helmet's defaults on a JSON API: A range (-5 for a page-style CSP)", () => {
    expect(score(HELMET_DEFAULTS, 'api')).toEqual({ score: 95, ids: ['audit.csp.api-not-none'] });
  });

  it("helmet's defaults on a page lose only for Permissions-Policy", () => {
    expect(score(HELMET_DEFAULTS, 'html')).toEqual({ score: 95, ids: ['audit.permissions.missing'] });
  });

  it('a bare server with X-Powered-By is in the D band as an API, F as a page', () => {
    const api = score(BARE_NODE, 'api');
    expect(api.ids.sort()).toEqual([
      'audit.csp.api-missing',
      'audit.framing.api-missing',
      'audit.hsts.missing',
      'audit.leaks.x-powered-by',
      'audit.nosniff.missing',
    ]);
    expect(api.score).toBe(100 - 25 - 10 - 10 - 15 - 5); // 35: D
    expect(score(BARE_NODE, 'html').score).toBeLessThan(25);
  });

  it('the malformed fixture (HSTS max-age=abc, two CSP lines, X-Frame-Options ALLOWALL) is never a pass', () => {
    const h = {
      ...OWASP_REST,
      'strict-transport-security': 'max-age=abc',
      'content-security-policy': ["default-src 'self'", "script-src 'unsafe-inline'"],
      'x-frame-options': 'ALLOWALL',
    };
    expect(score(h, 'api').ids.sort()).toEqual([
      'audit.csp.api-not-none',
      'audit.framing.api-missing',
      'audit.framing.xfo-invalid',
      'audit.hsts.malformed',
    ]);
  });

  it('check ids are unique across the rules and every check explains its points', () => {
    const all = HEADER_RULES.flatMap((r) => r.checks);
    expect(new Set(all.map((c) => c.id)).size).toBe(all.length);
    for (const c of all) {
      expect(c.id).toMatch(/^audit\.[a-z-]+\.[a-z-]+$/);
      expect(c.advice).toContain(`Points: `);
      expect(c.points).toBeLessThanOrEqual(0);
      expect(c.severity === 'info').toBe(c.points === 0);
      expect(c.kinds.length).toBeGreaterThan(0);
    }
  });
});

describe('fuzz: hostile header values never throw and never pass silently as malformed', () => {
  const NAMES = [
    'strict-transport-security',
    'content-security-policy',
    'content-security-policy-report-only',
    'x-frame-options',
    'x-content-type-options',
    'referrer-policy',
    'permissions-policy',
    'cross-origin-opener-policy',
    'cross-origin-embedder-policy',
    'cross-origin-resource-policy',
    'x-xss-protection',
    'server',
    'x-powered-by',
    'x-aspnet-version',
  ];
  const PIECES = [
    'max-age=',
    '31536000',
    ';',
    ',',
    '"',
    "'",
    'includeSubDomains',
    'preload',
    ' ',
    '\t',
    '=',
    '(',
    ')',
    '*',
    'default-src',
    "'none'",
    "'self'",
    'script-src',
    "'unsafe-inline'",
    'frame-ancestors',
    'DENY',
    'ALLOWALL',
    'nosniff',
    'unsafe-url',
    'self',
    'same-origin',
    '\\',
    'é',
    '☃',
    '\u202e',
    '1.2.3',
    '/',
    ':',
    '?1',
    '@1',
    '%',
    'x'.repeat(3000),
  ];
  const seed = fuzzSeed(1213);

  it(`seed ${seed}: 3000 random responses through every header rule, both kinds`, () => {
    const rng = prng(seed);
    for (let n = 0; n < 3000; n++) {
      const headers: Record<string, string[]> = {};
      for (let k = rng.int(5); k >= 0; k--) {
        const lines = Array.from({ length: 1 + rng.int(3) }, () =>
          Array.from({ length: rng.int(12) }, () => rng.pick(PIECES)).join(''),
        );
        headers[rng.pick(NAMES)] = lines;
      }
      for (const kind of ['api', 'html'] as const) {
        const ctx = ctxFor(headers, { kind, authenticated: rng.int(2) === 1 });
        for (const rule of HEADER_RULES) {
          const fs = rule.run(ctx);
          conformsToChecks(rule, fs);
          for (const f of fs) expect(f.message.length).toBeLessThan(2000);
        }
      }
    }
  });
});
