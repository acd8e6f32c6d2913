import { describe, expect, it } from 'vitest';
import {
  judgeDoctor,
  readAuthorizeAnswer,
  type Answer,
  type DoctorFacts,
} from '../../../src/lib/oauth/doctor.js';
import { skewSeconds } from '../../../src/lib/oauth/doctor/clock.js';

/** The pure judgement: facts in, checklist out — no network, no clock but the facts'. */
const ISSUER = 'https://as.example.test';
const AT = Date.UTC(2026, 0, 1, 12, 0, 0);
const doc = (extra: Record<string, unknown> = {}): string =>
  JSON.stringify({
    issuer: ISSUER,
    authorization_endpoint: `${ISSUER}/authorize`,
    token_endpoint: `${ISSUER}/token`,
    code_challenge_methods_supported: ['S256'],
    ...extra,
  });
const ok = (body: string, date = new Date(AT).toUTCString()): Answer => ({
  url: `${ISSUER}/.well-known/oauth-authorization-server`,
  status: 200,
  body,
  date,
  receivedAt: AT,
});
const facts = (answer: Answer, more: Partial<DoctorFacts> = {}): DoctorFacts => ({
  issuer: ISSUER,
  discovery: [answer, { url: `${ISSUER}/.well-known/openid-configuration`, status: 404 }],
  ...more,
});
const status = (f: DoctorFacts, id: string): string => judgeDoctor(f).checks.find((c) => c.id === id)!.status;

describe('judgeDoctor', () => {
  it.each([
    [{ code_challenge_methods_supported: ['S256'] }, 'pass'],
    [{ code_challenge_methods_supported: ['S256', 'plain'] }, 'warn'],
    [{ code_challenge_methods_supported: ['plain'] }, 'fail'],
    [{ code_challenge_methods_supported: [] }, 'fail'],
    [{ code_challenge_methods_supported: 'S256' }, 'fail'],
    [{ code_challenge_methods_supported: undefined }, 'warn'],
  ])('pkce %j → %s', (extra, want) => {
    expect(status(facts(ok(doc(extra))), 'pkce')).toBe(want);
  });

  it.each([
    [{ authorization_response_iss_parameter_supported: true }, 'pass'],
    [{ authorization_response_iss_parameter_supported: false }, 'warn'],
    [{}, 'warn'],
  ])('iss-parameter %j → %s', (extra, want) => {
    expect(status(facts(ok(doc(extra))), 'iss-parameter')).toBe(want);
  });

  it.each([
    [{ token_endpoint_auth_methods_supported: ['none'] }, 'pass'],
    [{ token_endpoint_auth_methods_supported: ['client_secret_basic'] }, 'warn'],
    [{}, 'warn'],
  ])('token-auth-methods %j → %s', (extra, want) => {
    expect(status(facts(ok(doc(extra))), 'token-auth-methods')).toBe(want);
  });

  it.each([
    [{ grant_types_supported: ['authorization_code', 'refresh_token'] }, 'pass'],
    [{ grant_types_supported: ['authorization_code'] }, 'warn'],
    [{}, 'warn'],
  ])('refresh-tokens %j → %s', (extra, want) => {
    expect(status(facts(ok(doc(extra))), 'refresh-tokens')).toBe(want);
  });

  it.each([
    [0, 'pass'],
    [30, 'pass'],
    [31, 'warn'],
    // Date is truncated to the second: 31 s behind may be 30.001 s behind, so it is judged as 30.
    [-31, 'pass'],
    [-32, 'warn'],
    [300, 'warn'],
    [301, 'fail'],
    [-301, 'warn'],
    [-302, 'fail'],
    [-3600, 'fail'],
  ])('clock skew of %d s → %s', (seconds, want) => {
    const answer = ok(doc(), new Date(AT + seconds * 1000).toUTCString());
    expect(status(facts(answer), 'clock-skew')).toBe(want);
  });

  it('a missing token_endpoint and an http endpoint fail endpoints; the outcome is negative', () => {
    const f = facts(ok(doc({ token_endpoint: undefined, jwks_uri: 'http://keys.example.test/jwks' })));
    const list = judgeDoctor(f);
    const endpoints = list.checks.find((c) => c.id === 'endpoints')!;
    expect(endpoints.status).toBe('fail');
    expect(endpoints.evidence).toEqual([
      'no "token_endpoint" (apikit login needs it)',
      '"jwks_uri" "http://keys.example.test/jwks" is plain http (not loopback)',
    ]);
    expect(list.outcome).toBe('negative');
  });

  it('a document with __proto__ and constructor members reads only its own members', () => {
    const body = `{"issuer":"${ISSUER}","__proto__":{"code_challenge_methods_supported":["S256"]},"constructor":1}`;
    expect(status(facts(ok(body)), 'pkce')).toBe('warn');
    expect(status(facts(ok(body)), 'issuer')).toBe('pass');
  });

  it('a huge list is shown cut short', () => {
    const many = Array.from({ length: 5000 }, (_, i) => `m${i}`);
    const pkce = judgeDoctor(facts(ok(doc({ code_challenge_methods_supported: ['S256', ...many] }))))
      .checks[3]!;
    expect(pkce.evidence[0]!.length).toBeLessThan(300);
    expect(pkce.evidence[0]).toMatch(/… 4989 more$/);
  });
});

describe('readAuthorizeAnswer', () => {
  const redirectUri = 'http://127.0.0.1:50000/callback';
  const answer = (status: number, extra: Partial<Answer> = {}): Answer => ({
    url: `${ISSUER}/authorize?x=1`,
    status,
    ...extra,
  });
  it.each([
    [answer(302, { location: `${redirectUri}?code=c&state=s&iss=x` }), 'callback'],
    [answer(303, { location: `${redirectUri}#error=login_required&state=s` }), 'callback'],
    [answer(302, { location: 'http://127.0.0.1:50000/other?code=c' }), 'onward'],
    [answer(302, { location: '/login' }), 'onward'],
    [answer(302, { location: '/oops?error=invalid_request' }), 'refused'],
    [answer(400, { body: '<p>invalid_redirect_uri</p>' }), 'refused'],
    [answer(500), 'refused'],
    [answer(200, { body: '<form>' }), 'onward'],
    [{ url: ISSUER, error: { code: 'ERR_HTTP_TRANSPORT', message: 'connection refused' } }, 'no-answer'],
  ])('%j → %s', (a, kind) => {
    expect(readAuthorizeAnswer(a, redirectUri, 's').kind).toBe(kind);
  });

  it('reads the error a page names, JSON first', () => {
    const r = readAuthorizeAnswer(
      answer(400, { body: '{"error":"invalid_client","error_description":"no such client \\u001b[31m"}' }),
      redirectUri,
      's',
    );
    expect(r).toMatchObject({ kind: 'refused', error: 'invalid_client' });
  });
});

describe('skewSeconds', () => {
  it.each([
    ['Thu, 01 Jan 2026 12:00:00 GMT', AT, 0],
    ['Thu, 01 Jan 2026 12:00:00 GMT', AT + 900, 0],
    ['Thu, 01 Jan 2026 12:01:00 GMT', AT, 60],
    ['Thu, 01 Jan 2026 11:55:00 GMT', AT, -299],
    ['Thu, 01 Jan 2026 11:59:58 GMT', AT + 500, -1],
    ['not a date', AT, undefined],
  ])('%s at %d → %s', (date, at, want) => {
    expect(skewSeconds(date, at)).toBe(want);
  });
});
