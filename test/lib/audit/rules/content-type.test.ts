import { describe, expect, it } from 'vitest';
import { headerLines, type HeaderMap } from '../../../../src/lib/headers.js';
import type { AuditFacts, AuditKind, AuditResponse, RuleContext } from '../../../../src/lib/audit/types.js';
import { CONTENT_TYPE_CHECKS, contentTypeRule } from '../../../../src/lib/audit/rules/content-type.js';
import { isJsonType, readMediaType } from '../../../../src/lib/media-type.js';

const URL = 'https://api.example.test/v1/orders';
const JSON_BODY = '{"orders":[{"id":1,"note":"<img src=x onerror=alert(1)>"}]}';

function ctx(headers: HeaderMap, over: Partial<AuditResponse> = {}, kind: AuditKind = 'api'): RuleContext {
  const response: AuditResponse = {
    url: URL,
    method: 'GET',
    status: 200,
    headers: headerLines(headers),
    body: JSON_BODY,
    bodyBytes: JSON_BODY.length,
    ...over,
  };
  const facts: AuditFacts = {
    url: URL,
    source: 'offline',
    authenticated: false,
    assumeHttps: false,
    response,
    requests: 0,
  };
  return { facts, kind, now: 0 };
}
const ids = (headers: HeaderMap, over: Partial<AuditResponse> = {}, kind: AuditKind = 'api') =>
  contentTypeRule.run(ctx(headers, over, kind)).map((f) => f.id);

describe('readMediaType (RFC 9110 §8.3.1)', () => {
  it.each([
    ['application/json', 'application/json', {}],
    ['Application/JSON; Charset=UTF-8', 'application/json', { charset: 'UTF-8' }],
    ['text/html;charset=utf-8', 'text/html', { charset: 'utf-8' }],
    ['text/html; charset="utf-8"', 'text/html', { charset: 'utf-8' }],
    [
      'application/vnd.acme.v2+json; version=2 ; charset=utf-8',
      'application/vnd.acme.v2+json',
      { version: '2', charset: 'utf-8' },
    ],
    ['text/plain; title="a \\"quoted\\"; value"', 'text/plain', { title: 'a "quoted"; value' }],
    ['text/plain; charset=utf-8; charset=latin1', 'text/plain', { charset: 'utf-8' }],
    ['text/plain;', 'text/plain', {}],
  ])('%j → %s %j', (value, essence, params) => {
    const m = readMediaType(value);
    expect(m).toEqual({ essence, params: new Map(Object.entries(params)) });
  });

  it.each([
    'json',
    'application/',
    '/json',
    'text/html charset=utf-8',
    'text/html; charset=',
    'text/html; =utf-8',
    'text/html; charset="utf-8',
    'téxt/html',
    '',
  ])('rejects %j', (value) => {
    expect(readMediaType(value)).toEqual({ error: expect.any(String) });
  });

  it('knows JSON types (RFC 6839 §3.1 +json)', () => {
    expect(
      ['application/json', 'application/problem+json', 'application/vnd.acme.v2+json'].map(isJsonType),
    ).toEqual([true, true, true]);
    expect(
      ['text/json+html', 'text/html', 'application/jsonp', 'application/json-seq'].map(isJsonType),
    ).toEqual([false, false, false, false]);
  });
});

describe('content-type rule', () => {
  it.each<[string, HeaderMap, Partial<AuditResponse>, AuditKind, string[]]>([
    ['JSON with charset', { 'content-type': 'application/json; charset=utf-8' }, {}, 'api', []],
    ['a +json type', { 'content-type': 'application/vnd.acme.v2+json' }, {}, 'api', []],
    ['problem+json', { 'content-type': 'application/problem+json' }, {}, 'api', []],
    [
      'JSON without charset (correct, noted)',
      { 'content-type': 'application/json' },
      {},
      'api',
      ['audit.content-type.json-no-charset'],
    ],
    [
      'JSON labelled latin1',
      { 'content-type': 'application/json; charset=iso-8859-1' },
      {},
      'api',
      ['audit.content-type.json-not-utf8'],
    ],
    [
      'JSON as text/html',
      { 'content-type': 'text/html; charset=utf-8' },
      {},
      'api',
      ['audit.content-type.json-as-html'],
    ],
    [
      'JSON as text/plain without charset',
      { 'content-type': 'text/plain' },
      {},
      'api',
      ['audit.content-type.json-mislabelled', 'audit.content-type.no-charset'],
    ],
    [
      'JSON as octet-stream',
      { 'content-type': 'application/octet-stream' },
      {},
      'api',
      ['audit.content-type.json-mislabelled'],
    ],
    [
      'a truncated JSON sample as text/html',
      { 'content-type': 'text/html; charset=utf-8' },
      { body: '{"a":[1,2', bodyBytes: 70_000 },
      'api',
      ['audit.content-type.json-as-html'],
    ],
    [
      'plain text that is not JSON',
      { 'content-type': 'text/plain; charset=utf-8' },
      { body: 'ok', bodyBytes: 2 },
      'api',
      [],
    ],
    [
      'text/csv without charset',
      { 'content-type': 'text/csv' },
      { body: 'a,b', bodyBytes: 3 },
      'api',
      ['audit.content-type.no-charset'],
    ],
    ['no Content-Type on a body', {}, {}, 'api', ['audit.content-type.missing']],
    ['no Content-Type on a 204', {}, { status: 204, body: '', bodyBytes: 0 }, 'api', []],
    ['no Content-Type, empty body', {}, { body: '', bodyBytes: 0 }, 'api', []],
    ['no Content-Type on HEAD', {}, { method: 'HEAD' }, 'api', []],
    ['no Content-Type offline, body unknown', {}, { body: undefined, bodyBytes: undefined }, 'api', []],
    ['a malformed value', { 'content-type': 'json' }, {}, 'api', ['audit.content-type.malformed']],
    [
      'two different lines',
      { 'content-type': ['application/json', 'text/html'] },
      {},
      'api',
      ['audit.content-type.malformed'],
    ],
    [
      'the same line twice',
      { 'content-type': ['application/json; charset=utf-8', 'application/json; charset=utf-8'] },
      {},
      'api',
      [],
    ],
    [
      'html kind: text/html with charset',
      { 'content-type': 'text/html; charset=utf-8' },
      { body: '<!doctype html>' },
      'html',
      [],
    ],
    [
      'html kind: text/html without charset',
      { 'content-type': 'text/html' },
      { body: '<!doctype html><p>x', bodyBytes: 19 },
      'html',
      ['audit.content-type.no-charset'],
    ],
    [
      'html kind: charset in a <meta>',
      { 'content-type': 'text/html' },
      { body: '<!doctype html><meta charset="utf-8">', bodyBytes: 37 },
      'html',
      [],
    ],
    ['html kind: JSON rules do not apply', { 'content-type': 'application/json' }, {}, 'html', []],
  ])('%s', (_what, headers, over, kind, want) => {
    expect(ids(headers, over, kind)).toEqual(want);
  });

  it('reports with the check’s data and the value as evidence', () => {
    expect(contentTypeRule.run(ctx({ 'content-type': 'text/html; charset=utf-8' }))).toEqual([
      {
        id: 'audit.content-type.json-as-html',
        severity: 'high',
        points: -10,
        category: 'content',
        header: 'content-type',
        message: 'The JSON body is served as text/html: a browser renders it',
        evidence: [{ header: 'content-type', value: 'text/html; charset=utf-8' }],
        advice: CONTENT_TYPE_CHECKS.jsonAsHtml.advice,
      },
    ]);
  });

  it('every check is documented and dotted', () => {
    for (const c of contentTypeRule.checks) {
      expect(c.id).toMatch(/^audit\.content-type\.[a-z0-9-]+$/);
      expect(c.title && c.advice && c.reference).toBeTruthy();
    }
  });

  it('never throws on hostile values', () => {
    for (const value of [
      '\u0000',
      ';;;',
      'a/b; x="',
      'a/b; x="\\',
      '/'.repeat(5000),
      `text/plain; ${'a=b;'.repeat(2000)}`,
    ]) {
      expect(() => contentTypeRule.run(ctx({ 'content-type': value }))).not.toThrow();
    }
  });
});
