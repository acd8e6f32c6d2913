import { describe, expect, it } from 'vitest';
import { observatoryGrade, observatoryScore, observatorySum } from '../../../src/lib/audit/observatory.js';
import { OBSERVATORY_MODIFIERS } from '../../../src/lib/audit/observatory/data.js';
import type { AuditFacts } from '../../../src/lib/audit/types.js';
import {
  FOREIGN_ORIGIN,
  HELMET_HEADERS,
  OWASP_REST_HEADERS,
  facts,
  liveExtras,
  response,
  tlsFacts,
} from './make-facts.js';

/**
 * Every expected score is written as a hand sum from Observatory's SCORE_TABLE (src/grader/charts.js at the
 * commit in src/lib/audit/observatory/data.ts), in Observatory's test order: csp, cookies, coep, coop, cors,
 * redirection, referrer-policy, hsts, sri, x-content-type-options, x-frame-options, corp. Bonuses count only when
 * 100 plus the penalties alone is at least 90.
 */

const results = (f: AuditFacts) =>
  Object.fromEntries(observatoryScore(f).tests.map((t) => [t.name, `${t.result} ${t.modifier}`]));

describe('observatory-equivalent score: whole header sets', () => {
  it('a bare JSON API over https: 100 - 25 (csp) - 20 (hsts) - 5 (xcto) - 20 (xfo) = 30, D', () => {
    const f = facts(liveExtras());
    const s = observatoryScore(f);
    expect(results(f)).toEqual({
      'content-security-policy': 'csp-not-implemented -25',
      cookies: 'cookies-not-found 0',
      'cross-origin-embedder-policy': 'coep-not-implemented 0',
      'cross-origin-opener-policy': 'coop-not-implemented 0',
      'cross-origin-resource-sharing': 'cross-origin-resource-sharing-not-implemented 0',
      redirection: 'redirection-to-https 0',
      'referrer-policy': 'referrer-policy-not-implemented 0',
      'strict-transport-security': 'hsts-not-implemented -20',
      'subresource-integrity': 'sri-not-implemented-response-not-html 0',
      'x-content-type-options': 'x-content-type-options-not-implemented -5',
      'x-frame-options': 'x-frame-options-not-implemented -20',
      'cross-origin-resource-policy': 'corp-not-implemented 0',
    });
    expect(s.score).toBe(100 - 25 - 20 - 5 - 20);
    expect(s.grade).toBe('D');
    expect(s.leftOut).toEqual([]);
  });

  it('helmet defaults: no penalty, so bonuses count: 100 + 10 (coop) + 5 (referrer) + 5 (xfo via csp) + 10 (corp) = 130, A+', () => {
    const f = facts(liveExtras({ response: response(HELMET_HEADERS) }));
    const r = results(f);
    expect(r['content-security-policy']).toBe('csp-implemented-with-unsafe-inline-in-style-src-only 0');
    expect(r['cross-origin-opener-policy']).toBe('coop-implemented-with-same-origin 10');
    expect(r['referrer-policy']).toBe('referrer-policy-private 5');
    expect(r['strict-transport-security']).toBe('hsts-implemented-max-age-at-least-six-months 0');
    expect(r['x-frame-options']).toBe('x-frame-options-implemented-via-csp 5');
    expect(r['cross-origin-resource-policy']).toBe('corp-implemented-with-same-origin 10');
    expect(observatoryScore(f)).toMatchObject({ score: 100 + 10 + 5 + 5 + 10, grade: 'A+' });
  });

  it("the OWASP REST set: 100 + 10 (csp default-src 'none') + 10 (coep) + 10 (coop) + 5 (referrer) + 5 (xfo via csp) + 10 (corp) = 150", () => {
    const f = facts(liveExtras({ response: response(OWASP_REST_HEADERS) }));
    const r = results(f);
    expect(r['content-security-policy']).toBe('csp-implemented-with-no-unsafe-default-src-none 10');
    expect(r['cross-origin-embedder-policy']).toBe('coep-implemented-with-require-corp 10');
    expect(observatoryScore(f)).toMatchObject({ score: 100 + 10 + 10 + 10 + 5 + 5 + 10, grade: 'A+' });
  });

  it('malformed headers offline: 100 - 20 (cookies samesite invalid) - 5 (xcto) - 20 (xfo ALLOWALL) = 55 uncurved < 90, so the +5 (csp) does not count: 55, C', () => {
    const f = facts({
      source: 'offline',
      requests: 0,
      response: response({
        'content-type': 'application/json',
        'strict-transport-security': 'max-age=abc',
        'content-security-policy': ["default-src 'self'", "script-src 'unsafe-inline'"],
        'x-frame-options': 'ALLOWALL',
        'set-cookie': 'sid=abc123; SameSite=Bogus',
      }),
    });
    const s = observatoryScore(f);
    const r = results(f);
    // Observatory keeps a source only when every policy allows it: script-src ends up 'none', default-src 'self'.
    expect(r['content-security-policy']).toBe('csp-implemented-with-no-unsafe 5');
    // Observatory quirk, kept: parseInt('abc') is NaN, and NaN < six months is false — a pass.
    expect(r['strict-transport-security']).toBe('hsts-implemented-max-age-at-least-six-months 0');
    expect(r.cookies).toBe('cookies-samesite-flag-invalid -20');
    expect(r['x-frame-options']).toBe('x-frame-options-header-invalid -20');
    // uncurved = 100 - 20 - 5 - 20 = 55 < 90: the +5 does not count.
    expect(s.score).toBe(100 - 20 - 5 - 20);
    expect(s.grade).toBe('C');
    expect(s.leftOut.map((l) => l.name)).toEqual(['cross-origin-resource-sharing', 'redirection']);
  });

  it('a bare node server on plain http: 100 - 25 (csp) - 20 (redirection missing) - 20 (hsts no https) - 5 (xcto) - 20 (xfo) = 10, F', () => {
    const f = facts({
      url: 'http://127.0.0.1:8080/',
      response: response(
        { 'content-type': 'application/json', 'x-powered-by': 'Express' },
        { url: 'http://127.0.0.1:8080/' },
      ),
      cors: { origin: FOREIGN_ORIGIN, preflight: response({}, { method: 'OPTIONS', status: 404 }) },
    });
    const r = results(f);
    expect(r.redirection).toBe('redirection-missing -20');
    expect(r['strict-transport-security']).toBe('hsts-not-implemented-no-https -20');
    expect(observatoryScore(f)).toMatchObject({ score: 100 - 25 - 20 - 20 - 5 - 20, grade: 'F' });
  });

  it('credentialed universal CORS and a session cookie without HttpOnly: 100 - 30 (cookies) - 50 (cors) = 20 uncurved, bonuses lost, F', () => {
    const f = facts(
      liveExtras({
        response: response({
          'content-type': 'application/json',
          'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
          'strict-transport-security': 'max-age=31536000',
          'x-content-type-options': 'nosniff',
          'set-cookie': 'sessionid=s3cr3t; Secure; SameSite=Lax',
        }),
        cors: {
          origin: FOREIGN_ORIGIN,
          preflight: response(
            { 'access-control-allow-origin': FOREIGN_ORIGIN, 'access-control-allow-credentials': 'true' },
            { method: 'OPTIONS', status: 204 },
          ),
        },
      }),
    );
    const r = results(f);
    expect(r.cookies).toBe('cookies-session-without-httponly-flag -30');
    expect(r['cross-origin-resource-sharing']).toBe(
      'cross-origin-resource-sharing-implemented-with-universal-access -50',
    );
    // withExtraCredit would be 100 + 10 (csp) - 30 - 50 + 5 (xfo via csp) = 35; uncurved 20 < 90 wins.
    expect(observatoryScore(f)).toMatchObject({ score: 100 - 30 - 50, grade: 'F' });
  });

  it('an uncurved score of exactly 90 keeps its bonuses: 100 - 5 (referrer unsafe) - 5 (xcto) + 10 (coop) + 5 (xfo via csp) + 10 (corp) = 115', () => {
    const headers: Record<string, string> = { ...HELMET_HEADERS, 'referrer-policy': 'unsafe-url' };
    delete headers['x-content-type-options'];
    const f = facts(liveExtras({ response: response(headers) }));
    expect(results(f)['referrer-policy']).toBe('referrer-policy-unsafe -5');
    expect(observatoryScore(f)).toMatchObject({ score: 100 - 5 - 5 + 10 + 5 + 10, grade: 'A+' });
  });

  it('an uncurved 85 loses them: 100 - 5 (referrer unsafe) - 5 (xcto) - 5 (coep invalid) = 85, A-', () => {
    const headers: Record<string, string> = {
      ...HELMET_HEADERS,
      'referrer-policy': 'unsafe-url',
      'cross-origin-embedder-policy': 'bogus',
    };
    delete headers['x-content-type-options'];
    const f = facts(liveExtras({ response: response(headers) }));
    expect(results(f)['cross-origin-embedder-policy']).toBe('coep-header-invalid -5');
    expect(observatoryScore(f)).toMatchObject({ score: 100 - 5 - 5 - 5, grade: 'A-' });
  });

  it('an untrusted certificate: 100 - 25 (csp) - 20 (redirection invalid cert) - 20 (hsts invalid cert) - 5 (xcto) - 20 (xfo) = 10', () => {
    const f = facts(
      liveExtras({
        response: response({
          'content-type': 'application/json',
          'strict-transport-security': 'max-age=31536000',
        }),
        tls: tlsFacts({ authorized: false, authorizationError: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' }),
      }),
    );
    const r = results(f);
    expect(r.redirection).toBe('redirection-invalid-cert -20');
    expect(r['strict-transport-security']).toBe('hsts-invalid-cert -20');
    expect(observatoryScore(f).score).toBe(100 - 25 - 20 - 20 - 5 - 20);
  });

  it('an HTML page leaves subresource-integrity out; --assume-https leaves redirection out', () => {
    const f = facts({
      assumeHttps: true,
      url: 'http://127.0.0.1:8080/',
      response: response(
        { ...HELMET_HEADERS, 'content-type': 'text/html; charset=utf-8' },
        { url: 'http://127.0.0.1:8080/' },
      ),
      cors: { origin: FOREIGN_ORIGIN, preflight: response({}, { method: 'OPTIONS', status: 204 }) },
    });
    const s = observatoryScore(f);
    expect(s.leftOut.map((l) => l.name)).toEqual(['redirection', 'subresource-integrity']);
    expect(s.tests.map((t) => t.name)).not.toContain('subresource-integrity');
    // judged as https: HSTS counts.
    expect(results(f)['strict-transport-security']).toBe('hsts-implemented-max-age-at-least-six-months 0');
    expect(s.score).toBe(100 + 10 + 5 + 5 + 10);
  });
});

describe('observatory-equivalent score: single tests', () => {
  const one = (headers: Record<string, string | string[]>, name: string, over: Partial<AuditFacts> = {}) =>
    results(facts({ response: response({ 'content-type': 'application/json', ...headers }), ...over }))[name];

  it.each([
    [
      { 'strict-transport-security': 'max-age=15551999' },
      'hsts-implemented-max-age-less-than-six-months -10',
    ],
    [{ 'strict-transport-security': 'max-age=15552000' }, 'hsts-implemented-max-age-at-least-six-months 0'],
    [{ 'strict-transport-security': ['max-age=31536000', 'max-age=31536000'] }, 'hsts-header-invalid -20'],
    [{ 'strict-transport-security': 'includeSubDomains' }, 'hsts-header-invalid -20'],
  ])('HSTS %j → %s', (h, want) => expect(one(h, 'strict-transport-security')).toBe(want));

  it.each([
    [
      { 'content-security-policy': "default-src 'none'; script-src 'self'; script-src 'none'" },
      'csp-header-invalid -25',
    ],
    [
      { 'content-security-policy-report-only': "default-src 'none'" },
      'csp-not-implemented-but-reporting-enabled -25',
    ],
    [
      { 'content-security-policy': "default-src 'self'; script-src 'self' 'unsafe-eval'" },
      'csp-implemented-with-unsafe-eval -10',
    ],
    [
      { 'content-security-policy': "default-src 'self'; script-src 'unsafe-inline'" },
      'csp-implemented-with-unsafe-inline -20',
    ],
    [
      { 'content-security-policy': "default-src 'self'; script-src 'nonce-abc' 'unsafe-inline'" },
      'csp-implemented-with-no-unsafe 5',
    ],
    [
      { 'content-security-policy': "default-src 'self'; script-src 'strict-dynamic'" },
      'csp-header-invalid -25',
    ],
    [
      { 'content-security-policy': "default-src 'self'; script-src http://cdn.example" },
      'csp-implemented-with-insecure-scheme -20',
    ],
    [
      { 'content-security-policy': "default-src 'self'; img-src http://img.example" },
      'csp-implemented-with-insecure-scheme-in-passive-content-only -10',
    ],
    [
      { 'content-security-policy': "default-src 'none'; report-uri /a; report-uri /b" },
      'csp-implemented-but-duplicate-directives 0',
    ],
    [{ 'content-security-policy': '' }, 'csp-header-invalid -25'],
  ])('CSP %j → %s', (h, want) => expect(one(h, 'content-security-policy')).toBe(want));

  it('CSP http: sources are only insecure on https', () => {
    const h = { 'content-security-policy': "default-src 'self'; script-src http://cdn.example" };
    const url = 'http://api.example.test/';
    expect(one(h, 'content-security-policy', { url, response: response(h, { url }) })).toBe(
      'csp-implemented-with-no-unsafe 5',
    );
  });

  it.each([
    [['a=1; Secure; HttpOnly; SameSite=Strict'], 'cookies-secure-with-httponly-sessions-and-samesite 5'],
    [['a=1; Secure'], 'cookies-secure-with-httponly-sessions 0'],
    [['a=1'], 'cookies-without-secure-flag -20'],
    [['sessionid=1; HttpOnly'], 'cookies-session-without-secure-flag -40'],
    [['csrftoken=1; Secure'], 'cookies-anticsrf-without-samesite-flag -20'],
    [['a=1; SameSite=None'], 'cookies-samesite-flag-invalid -20'],
    [['a=1; Secure; SameSite='], 'cookies-samesite-flag-invalid -20'],
    // tough-cookie drops a __Host- cookie without Secure (prefixSecurity "silent"): the jar is empty.
    [['__Host-a=1; Path=/'], 'cookies-not-found 0'],
    [['=novalue; Secure'], 'cookies-not-found 0'],
  ])('cookies %j → %s', (lines, want) => expect(one({ 'set-cookie': lines }, 'cookies')).toBe(want));

  it('a cookie without Secure is milder when HSTS passes: cookies-without-secure-flag-but-protected-by-hsts -5', () => {
    expect(one({ 'set-cookie': ['a=1'], 'strict-transport-security': 'max-age=31536000' }, 'cookies')).toBe(
      'cookies-without-secure-flag-but-protected-by-hsts -5',
    );
  });

  it.each([
    [{ 'referrer-policy': 'no-referrer, unsafe-url' }, 'referrer-policy-unsafe -5'],
    [{ 'referrer-policy': 'unsafe-url, bogus, strict-origin' }, 'referrer-policy-private 5'],
    [{ 'referrer-policy': 'bogus' }, 'referrer-policy-header-invalid -5'],
  ])('referrer %j → %s', (h, want) => expect(one(h, 'referrer-policy')).toBe(want));

  it.each([
    [{ 'x-frame-options': 'DENY' }, 'x-frame-options-sameorigin-or-deny 5'],
    [{ 'x-frame-options': 'ALLOW-FROM https://a.example' }, 'x-frame-options-allow-from-origin 0'],
    [{ 'x-frame-options': ['DENY', 'DENY'] }, 'x-frame-options-header-invalid -20'],
  ])('XFO %j → %s', (h, want) => expect(one(h, 'x-frame-options')).toBe(want));

  it.each([
    [
      { 'cross-origin-opener-policy': 'same-origin; report-to="a"' },
      'cross-origin-opener-policy',
      'coop-implemented-with-same-origin 10',
    ],
    [
      { 'cross-origin-opener-policy': '"same-origin"' },
      'cross-origin-opener-policy',
      'coop-header-invalid -5',
    ],
    [
      { 'cross-origin-embedder-policy': ['require-corp', 'require-corp'] },
      'cross-origin-embedder-policy',
      'coep-header-invalid -5',
    ],
    [
      { 'cross-origin-embedder-policy': 'credentialless' },
      'cross-origin-embedder-policy',
      'coep-implemented-with-credentialless 10',
    ],
    [
      { 'cross-origin-resource-policy': 'cross-origin' },
      'cross-origin-resource-policy',
      'corp-implemented-with-cross-origin 0',
    ],
    [
      { 'cross-origin-resource-policy': 'same-site, same-site' },
      'cross-origin-resource-policy',
      'corp-header-invalid -5',
    ],
    [
      { 'x-content-type-options': 'nosniff, nosniff' },
      'x-content-type-options',
      'x-content-type-options-header-invalid -5',
    ],
  ])('%j → %s %s', (h, name, want) => expect(one(h, name)).toBe(want));

  it.each([
    [{ url: 'http://api.example.test/v1/items' }, 'redirection-not-needed-no-http 0'],
    [{ url: 'http://api.example.test/v1/items', status: 200 }, 'redirection-missing -20'],
    [
      { url: 'http://api.example.test/v1/items', status: 301, location: 'http://api.example.test/x' },
      'redirection-not-to-https -20',
    ],
    [
      { url: 'http://api.example.test/v1/items', status: 308, location: 'https://www.example.test/' },
      'redirection-off-host-from-http -5',
    ],
    [
      { url: 'http://api.example.test/v1/items', status: 302, location: '/relative' },
      'redirection-not-to-https -20',
    ],
  ])('redirection %j → %s', (redirect, want) => {
    expect(results(facts(liveExtras({ redirect })))['redirection']).toBe(want);
  });

  it.each([
    [
      { 'access-control-allow-origin': '*' },
      'cross-origin-resource-sharing-implemented-with-public-access 0',
    ],
    [
      { 'access-control-allow-origin': 'https://trusted.example' },
      'cross-origin-resource-sharing-implemented-with-restricted-access 0',
    ],
    [
      { 'access-control-allow-origin': FOREIGN_ORIGIN },
      'cross-origin-resource-sharing-implemented-with-restricted-access 0',
    ],
  ])('cors preflight %j → %s', (h, want) => {
    const cors = { origin: FOREIGN_ORIGIN, preflight: response(h, { method: 'OPTIONS', status: 204 }) };
    expect(results(facts({ cors }))['cross-origin-resource-sharing']).toBe(want);
  });
});

describe('observatory sum and grades (src/scanner/index.js, src/grader/grader.js)', () => {
  it('counts bonuses only from an uncurved 90', () => {
    expect(observatorySum([-10, 10, 5])).toEqual({ withExtraCredit: 105, uncurved: 90, score: 105 });
    expect(observatorySum([-15, 10, 5])).toEqual({ withExtraCredit: 100, uncurved: 85, score: 85 });
    expect(observatorySum([-50, -50, -50]).score).toBe(0);
  });

  it.each([
    [150, 'A+'],
    [100, 'A+'],
    [99, 'A'],
    [90, 'A'],
    [89, 'A-'],
    [85, 'A-'],
    [80, 'B+'],
    [70, 'B'],
    [65, 'B-'],
    [60, 'C+'],
    [50, 'C'],
    [45, 'C-'],
    [40, 'D+'],
    [30, 'D'],
    [25, 'D-'],
    [24, 'F'],
    [0, 'F'],
  ])('%i → %s', (score, grade) => expect(observatoryGrade(score)).toBe(grade));

  it('every modifier used is in the table', () => {
    const s = observatoryScore(facts(liveExtras({ response: response(OWASP_REST_HEADERS) })));
    for (const t of s.tests)
      expect(OBSERVATORY_MODIFIERS[t.result as keyof typeof OBSERVATORY_MODIFIERS]).toBe(t.modifier);
  });
});
