import { describe, expect, it } from 'vitest';
import { ALL_CHECKS, RULES, auditReport, decideKind, runAudit } from '../../../src/lib/audit/index.js';
import { AUDIT_CATEGORIES, type AuditFacts, type AuditRule } from '../../../src/lib/audit/types.js';
import { compareGrade, compareSeverity } from '../../../src/lib/findings.js';
import { cookiesRule } from '../../../src/lib/audit/rules/cookies.js';
import { transportRule } from '../../../src/lib/audit/rules/transport.js';
import { redactSetCookie } from '../../../src/lib/audit/redact.js';
import {
  HELMET_HEADERS,
  NOW,
  OWASP_REST_HEADERS,
  facts,
  liveExtras,
  response,
  tlsFacts,
} from './make-facts.js';

const opts = { target: 'auto' as const, now: NOW };

describe('the catalogue of checks', () => {
  it('has one rule per module, sixteen in all, in the fixed order', () => {
    expect(RULES.map((r) => r.name)).toHaveLength(16);
    expect(RULES[0]!.name).toBe('transport');
    expect(new Set(RULES.map((r) => r.name)).size).toBe(RULES.length);
  });

  it('has unique, dotted ids with a category, a kind, zero or negative points and the texts', () => {
    const ids = ALL_CHECKS.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const c of ALL_CHECKS) {
      expect(c.id).toMatch(/^audit\.[a-z0-9-]+\.[a-z0-9-]+$/);
      expect(AUDIT_CATEGORIES).toContain(c.category);
      expect(c.kinds.length).toBeGreaterThan(0);
      expect(c.points).toBeLessThanOrEqual(0);
      for (const text of [c.title, c.advice, c.reference]) expect(text.trim().length).toBeGreaterThan(0);
    }
  });
});

describe('kind', () => {
  it.each([
    ['text/html; charset=utf-8', 'html'],
    ['Application/XHTML+XML', 'html'],
    ['application/json', 'api'],
    ['application/problem+json', 'api'],
    [undefined, 'api'],
  ])('Content-Type %s → %s', (ct, kind) => {
    const f = facts({ response: response(ct === undefined ? {} : { 'content-type': ct }) });
    expect(decideKind(f, 'auto')).toBe(kind);
  });

  it('--target wins over the Content-Type', () => {
    expect(decideKind(facts({ response: response({ 'content-type': 'text/html' }) }), 'api')).toBe('api');
  });
});

describe('the pipeline', () => {
  const mine: readonly AuditRule[] = [transportRule, cookiesRule];

  it('scores, grades, counts and sorts worst first', () => {
    const r = runAudit(
      mine,
      facts({
        response: response({ 'set-cookie': 'sid=abc' }),
        tls: tlsFacts({}, NOW + 3 * 86_400_000),
      }),
      opts,
    );
    // -20 (cert expiring within 7 days) -15 (secure) -10 (httponly) -5 (samesite)
    expect(r.score).toBe(100 - 20 - 15 - 10 - 5);
    expect(r.grade).toBe('C');
    expect(r.counts).toEqual({ info: 0, low: 1, medium: 1, high: 2, critical: 0 });
    for (let i = 1; i < r.findings.length; i++) {
      expect(compareSeverity(r.findings[i - 1]!.severity, r.findings[i]!.severity)).toBeGreaterThanOrEqual(0);
    }
  });

  it('holds findings to their checks: never more points off, never outside the check’s kinds', () => {
    const greedy: AuditRule = {
      name: 'greedy',
      checks: [
        {
          id: 'audit.test.api-only',
          category: 'headers',
          severity: 'low',
          points: -5,
          kinds: ['api'],
          title: 't',
          advice: 'a',
          reference: 'r',
        },
      ],
      run: () => [
        {
          id: 'audit.test.api-only',
          severity: 'low',
          points: -50,
          category: 'headers',
          message: 'm',
          evidence: [],
        },
      ],
    };
    expect(runAudit([greedy], facts(), opts).findings.map((f) => f.points)).toEqual([-5]);
    expect(runAudit([greedy], facts(), { ...opts, target: 'html' }).findings).toEqual([]);
  });

  it('redacts cookie values from the headers and the evidence, keeping names and attributes', () => {
    const line = 'sid=s3cr3t-session-value; Path=/; HttpOnly';
    const r = runAudit(
      mine,
      facts({ response: response({ 'set-cookie': [line, 'theme=; Max-Age=0'] }) }),
      opts,
    );
    expect(r.headers['set-cookie']).toEqual(['sid=<redacted>; Path=/; HttpOnly', 'theme=; Max-Age=0']);
    expect(JSON.stringify(r)).not.toContain('s3cr3t');
    expect(r.findings.find((f) => f.id === 'audit.cookies.secure-missing')!.evidence[0]!.value).toBe(
      'sid=<redacted>; Path=/; HttpOnly',
    );
  });

  it('redacts a cookie value even where another rule quotes it', () => {
    const leaky: AuditRule = {
      name: 'leaky',
      checks: [],
      run: () => [
        {
          id: 'audit.test.leak',
          severity: 'info',
          points: 0,
          category: 'headers',
          message: 'saw s3cr3t-session-value',
          evidence: [{ header: 'x-echo', value: 'x s3cr3t-session-value' }],
        },
      ],
    };
    const r = runAudit(
      [leaky],
      facts({
        response: response({ 'set-cookie': 'sid=s3cr3t-session-value', 'x-echo': 'x s3cr3t-session-value' }),
      }),
      opts,
    );
    expect(JSON.stringify(r)).not.toContain('s3cr3t');
  });

  it.each([
    ['a=b; Path=/', 'a=<redacted>; Path=/'],
    ['a=', 'a='],
    ['nameless', '<redacted>'],
    ['a = b ;Secure', 'a =<redacted>;Secure'],
  ])('redactSetCookie(%j) → %j', (line, want) => expect(redactSetCookie(line)).toBe(want));
});

describe('auditReport with every rule', () => {
  const live = (headers: Record<string, string | string[]>, over: Partial<AuditFacts> = {}) =>
    facts(liveExtras({ response: response(headers), authenticated: true, ...over }));

  it('reports the --json document with the Observatory score beside apikit’s', () => {
    const r = auditReport(live(OWASP_REST_HEADERS), opts);
    expect(r).toMatchObject({
      url: 'https://api.example.test/v1/items',
      method: 'GET',
      status: 200,
      source: 'live',
      target: 'auto',
      kind: 'api',
      observatory: { score: 150, grade: 'A+' },
      redirect: { status: 301 },
      cors: { origin: 'https://apikit-audit.invalid', preflightStatus: 204, error: null },
      requests: 3,
      assumeHttps: false,
      authenticated: true,
    });
    expect(r.tls?.authorized).toBe(true);
  });

  it('grade order: full OWASP REST set > helmet defaults > bare node', () => {
    const owasp = auditReport(live(OWASP_REST_HEADERS), opts);
    const helmet = auditReport(live(HELMET_HEADERS), opts);
    const bare = auditReport(live({ 'content-type': 'application/json', 'x-powered-by': 'Express' }), opts);
    expect(owasp.score).toBeGreaterThan(helmet.score);
    expect(helmet.score).toBeGreaterThan(bare.score);
    expect(compareGrade(owasp.grade, bare.grade)).toBeGreaterThan(0);
  });

  it('every finding is a catalogued check, and a 401 is audited like a 200', () => {
    const ids = new Set(ALL_CHECKS.map((c) => c.id));
    const r = auditReport(
      live({
        'content-type': 'application/json',
        'set-cookie': ['sid=abc; SameSite=Bogus', '__Host-x=1'],
        'access-control-allow-origin': 'null',
        'strict-transport-security': 'max-age=abc',
        'x-frame-options': 'ALLOWALL',
        'content-security-policy': ["default-src 'self'", "script-src 'unsafe-inline'"],
      }),
      opts,
    );
    expect(r.findings.length).toBeGreaterThan(0);
    for (const f of r.findings) expect(ids.has(f.id), f.id).toBe(true);

    const unauthorized = facts(
      liveExtras({ response: response({ 'content-type': 'application/json' }, { status: 401 }) }),
    );
    const r401 = auditReport(unauthorized, opts);
    expect(r401.status).toBe(401);
    expect(r401.findings.map((f) => f.id)).toContain('audit.hsts.missing');
  });
});
