import { describe, expect, it } from 'vitest';
import { headerLines, type HeaderMap } from '../../../../src/lib/headers.js';
import type { AuditFacts, AuditKind, AuditResponse, RuleContext } from '../../../../src/lib/audit/types.js';
import { problemDocumentFaults, problemRule } from '../../../../src/lib/audit/rules/problem.js';

const URL = 'https://api.example.test/v1/orders/9';
// RFC 9457 §3's example, status changed to the response's own.
const RFC_EXAMPLE = JSON.stringify({
  type: 'https://example.com/probs/out-of-credit',
  title: 'You do not have enough credit.',
  detail: 'Your current balance is 30, but that costs 50.',
  instance: '/account/12345/msgs/abc',
  balance: 30,
  accounts: ['/account/12345', '/account/67890'],
  status: 403,
});

function ctx(
  status: number,
  headers: HeaderMap,
  body?: string,
  kind: AuditKind = 'api',
  over: Partial<AuditResponse> = {},
): RuleContext {
  const response: AuditResponse = { url: URL, method: 'GET', status, headers: headerLines(headers), ...over };
  if (body !== undefined) {
    response.body = body;
    response.bodyBytes ??= new TextEncoder().encode(body).length;
  }
  const facts: AuditFacts = {
    url: URL,
    source: 'live',
    authenticated: true,
    assumeHttps: false,
    response,
    requests: 1,
  };
  return { facts, kind, now: 0 };
}
const PJ = { 'content-type': 'application/problem+json' };

describe('problem rule', () => {
  it('accepts RFC 9457 §3’s example', () => {
    expect(problemRule.run(ctx(403, PJ, RFC_EXAMPLE))).toEqual([]);
  });

  it('says nothing about success responses, HEAD, or the html kind (whose checks do not include it)', () => {
    expect(problemRule.run(ctx(200, { 'content-type': 'application/json' }, '{}'))).toEqual([]);
    expect(problemRule.run(ctx(404, {}, undefined, 'api', { method: 'HEAD' }))).toEqual([]);
    expect(problemRule.checks.every((c) => c.kinds.length === 1 && c.kinds[0] === 'api')).toBe(true);
  });

  it('accepts the XML form (RFC 9457 Appendix B) and a sample too large to judge', () => {
    expect(problemRule.run(ctx(500, { 'content-type': 'application/problem+xml' }, '<problem/>'))).toEqual(
      [],
    );
    expect(problemRule.run(ctx(500, PJ, '{"type":"about:bl', 'api', { bodyBytes: 100_000 }))).toEqual([]);
  });

  it.each<[number, HeaderMap, string | undefined, string]>([
    [
      404,
      { 'content-type': 'application/json; charset=utf-8' },
      '{"error":"not found"}',
      'The 404 error is answered as application/json, not application/problem+json',
    ],
    [
      500,
      { 'content-type': 'text/html' },
      '<h1>Internal Server Error</h1>',
      'The 500 error is answered as text/html, not application/problem+json',
    ],
    [401, {}, '', 'The 401 error is answered with no Content-Type, not application/problem+json'],
    [
      400,
      { 'content-type': '???' },
      'x',
      'The 400 error is answered with an unreadable Content-Type, not application/problem+json',
    ],
  ])('%d answered otherwise → info', (status, headers, body, message) => {
    expect(problemRule.run(ctx(status, headers, body))).toEqual([
      expect.objectContaining({ id: 'audit.problem.not-problem-json', severity: 'info', points: 0, message }),
    ]);
  });

  it.each([
    ['not JSON', 'oops', ['the body is not JSON']],
    ['an array', '[]', ['the body is not a JSON object']],
    ['null', 'null', ['the body is not a JSON object']],
    [
      'wrong member types',
      '{"type":5,"title":[],"detail":{},"instance":"a b","status":"403"}',
      [
        '"type" is not a URI reference',
        '"instance" is not a URI reference',
        '"title" is not a string',
        '"detail" is not a string',
        '"status" is not an integer',
      ],
    ],
    [
      'a status that is not the response’s',
      '{"title":"x","status":500}',
      ['"status" is 500 but the response is 403'],
    ],
  ])('an invalid problem document: %s', (_what, body, faults) => {
    expect(problemDocumentFaults(body, 403, URL)).toEqual(faults);
    expect(problemRule.run(ctx(403, PJ, body))).toEqual([
      expect.objectContaining({
        id: 'audit.problem.invalid',
        severity: 'info',
        points: 0,
        header: 'content-type',
        message: `The 403 problem document is not valid: ${faults.join('; ')}`,
      }),
    ]);
  });

  it('an empty problem+json body is invalid; members are optional (`{}` is valid, type defaults to about:blank)', () => {
    expect(problemRule.run(ctx(422, PJ, '')).map((f) => f.id)).toEqual(['audit.problem.invalid']);
    expect(problemRule.run(ctx(422, PJ, '{}'))).toEqual([]);
    expect(problemDocumentFaults('{"type":"about:blank","instance":"/x#1"}', 422, URL)).toEqual([]);
  });
});
