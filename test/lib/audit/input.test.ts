import { describe, expect, it } from 'vitest';
import { isAuditInputError, parseAuditInput, readAuditInput } from '../../../src/lib/audit/input.js';
import { BODY_SAMPLE_BYTES } from '../../../src/lib/audit/types.js';

/** src/lib/audit/input.ts: the --headers reader (raw HTTP, HAR 1.2, JSON headers) → AuditFacts. */

const read = (data: string | Buffer, options = {}, name = 'saved.txt') =>
  readAuditInput({ name, data }, options);

function failure(data: string, name = 'saved.txt'): { code?: string; message: string; where?: string } {
  try {
    readAuditInput({ name, data });
  } catch (err) {
    expect(isAuditInputError(err)).toBe(true);
    return err as { code: string; message: string; where: string };
  }
  throw new Error('expected an AuditInputError');
}

const RAW = [
  'HTTP/1.1 401 Unauthorized',
  'Content-Type: application/problem+json',
  'Strict-Transport-Security: max-age=63072000',
  'Set-Cookie: sid=abc; Secure; HttpOnly',
  'Set-Cookie: theme=dark',
  "Content-Security-Policy: default-src 'none'",
  "Content-Security-Policy: frame-ancestors 'none'",
  '',
  '{"type":"about:blank","status":401}',
].join('\r\n');

describe('raw HTTP responses', () => {
  it('reads the status, every field line in order (names lower-case) and the body', () => {
    const facts = read(RAW);
    expect(facts).toMatchObject({
      url: 'file:saved.txt',
      source: 'offline',
      authenticated: false,
      assumeHttps: true,
      requests: 0,
      response: { method: 'GET', status: 401, body: '{"type":"about:blank","status":401}', bodyBytes: 35 },
    });
    expect({ ...facts.response.headers }).toEqual({
      'content-type': ['application/problem+json'],
      'strict-transport-security': ['max-age=63072000'],
      'set-cookie': ['sid=abc; Secure; HttpOnly', 'theme=dark'],
      'content-security-policy': ["default-src 'none'", "frame-ancestors 'none'"],
    });
    expect(parseAuditInput({ name: 'x', data: RAW }).format).toBe('raw');
  });

  it('LF line ends, no body, no reason phrase, curl`s HTTP/2 line, leading blank lines', () => {
    const facts = read('\n\nHTTP/2 204\nx-content-type-options: nosniff\n');
    expect(facts.response.status).toBe(204);
    expect(facts.response.body).toBeUndefined();
    expect(facts.response.headers['x-content-type-options']).toEqual(['nosniff']);
  });

  it('obs-fold continuation lines are joined with a space (RFC 9112 §5.2)', () => {
    const facts = read(
      "HTTP/1.1 200 OK\r\nContent-Security-Policy: default-src 'none';\r\n  frame-ancestors 'none'\r\n\r\n",
    );
    expect(facts.response.headers['content-security-policy']).toEqual([
      "default-src 'none'; frame-ancestors 'none'",
    ]);
  });

  it('curl -i -L and 100 Continue: the last response is read', () => {
    const text =
      'HTTP/1.1 301 Moved Permanently\r\nLocation: https://a.example/\r\n\r\n' +
      'HTTP/1.1 100 Continue\r\n\r\n' +
      'HTTP/1.1 200 OK\r\nX-Frame-Options: DENY\r\n\r\nok';
    const facts = read(text);
    expect(facts.response.status).toBe(200);
    expect(facts.response.headers['x-frame-options']).toEqual(['DENY']);
    expect(facts.response.headers['location']).toBeUndefined();
    expect(facts.response.body).toBe('ok');
  });

  it('a saved request before the response gives the method, the URL (https with Host) and the credential', () => {
    const text =
      'POST /v1/items?x=1 HTTP/1.1\r\nHost: api.example.com\r\nAuthorization: Bearer t\r\n\r\nHTTP/1.1 201 Created\r\nContent-Type: application/json\r\n\r\n{}';
    const facts = read(text);
    expect(facts).toMatchObject({
      url: 'https://api.example.com/v1/items?x=1',
      authenticated: true,
      assumeHttps: false,
      response: { method: 'POST', status: 201, url: 'https://api.example.com/v1/items?x=1' },
    });
  });

  it('the URL argument wins; an http one is judged as plain http unless --assume-https', () => {
    expect(read(RAW, { url: 'http://api.example.com/' })).toMatchObject({
      url: 'http://api.example.com/',
      assumeHttps: false,
    });
    expect(read(RAW, { url: 'http://127.0.0.1:8080/', assumeHttps: true }).assumeHttps).toBe(true);
    expect(read(RAW, { url: 'https://api.example.com/' }).assumeHttps).toBe(false);
    expect(read(RAW, { authenticated: true }).authenticated).toBe(true);
  });

  it('the body is sampled to BODY_SAMPLE_BYTES; bodyBytes is the whole', () => {
    const body = 'x'.repeat(BODY_SAMPLE_BYTES + 10);
    const facts = read(`HTTP/1.1 200 OK\r\n\r\n${body}`);
    expect(facts.response.body).toHaveLength(BODY_SAMPLE_BYTES);
    expect(facts.response.bodyBytes).toBe(BODY_SAMPLE_BYTES + 10);
  });

  it('a field named __proto__ or constructor is a header like any other', () => {
    const facts = read('HTTP/1.1 200 OK\r\n__proto__: a\r\nConstructor: b\r\n\r\n');
    expect(Object.keys(facts.response.headers)).toEqual(['__proto__', 'constructor']);
    expect(facts.response.headers['constructor']).toEqual(['b']);
    expect(({} as Record<string, unknown>)['a']).toBeUndefined();
  });

  it.each([
    [
      'HTTP/1.1 200 OK\r\nX-A: 1\r\nnot a header\r\n\r\n',
      'line 3: not a header line (name: value): "not a header"',
    ],
    ['HTTP/1.1 200 OK\r\nX A: 1\r\n', 'line 2: not a header line'],
    ['HTTP/1.1 200 OK\r\n folded: first\r\n', 'line 2: a continuation line with no header line before it'],
    ['HTTP/1.1 999 Nope\r\n', 'line 1: 999 is not an HTTP status (100…599)'],
    ['HTTP/1.1 20 OK\r\n', 'line 1: not a status line (HTTP/1.1 200 OK): "HTTP/1.1 20 OK"'],
    ['GET / HTTP/1.1\r\nHost: a\r\n\r\n', 'line 4: a request but no response after it'],
    ['GET / HTTP/1.1\r\nHost: a\r\n\r\nnonsense\r\n', 'line 4: not a status line'],
    ['hello world', 'line 1: not a raw HTTP response'],
    ['   \n ', 'input: empty'],
  ])('malformed: %j → %s', (text, want) => {
    const err = failure(text);
    expect(err.code).toBe('ERR_AUDIT_INPUT');
    expect(err.message).toContain(`cannot read "saved.txt" as a response: ${want}`);
    expect(err.message).not.toMatch(/\n/);
  });
});

function har(entries: unknown[]): string {
  return JSON.stringify({ log: { version: '1.2', creator: { name: 't', version: '1' }, entries } });
}
function entry(
  status: number,
  headers: { name: string; value: string }[],
  extra: Record<string, unknown> = {},
) {
  return {
    request: { method: 'GET', url: `https://app.example.com/${status}`, headers: [] },
    response: { status, headers, content: { size: 2, mimeType: 'application/json', text: '{}' } },
    ...extra,
  };
}

describe('HAR 1.2', () => {
  it('reads the first entry that is not a redirect nor a failed request', () => {
    const text = har([
      entry(301, [{ name: 'Location', value: 'https://app.example.com/' }]),
      entry(0, []),
      entry(200, [
        { name: ':status', value: '200' },
        { name: 'Strict-Transport-Security', value: 'max-age=31536000' },
        { name: 'set-cookie', value: 'a=1; Secure\nb=2' },
      ]),
      entry(404, [{ name: 'x-later', value: '1' }]),
    ]);
    const facts = read(text, {}, 'page.har');
    expect(parseAuditInput({ name: 'p', data: text }).format).toBe('har');
    expect(facts).toMatchObject({
      url: 'https://app.example.com/200',
      assumeHttps: false,
      response: { status: 200, body: '{}', bodyBytes: 2 },
    });
    expect({ ...facts.response.headers }).toEqual({
      'strict-transport-security': ['max-age=31536000'],
      'set-cookie': ['a=1; Secure', 'b=2'],
    });
  });

  it('every entry a redirect: the last one; a credential in the request; a base64 body', () => {
    const text = har([
      entry(302, []),
      {
        request: {
          method: 'post',
          url: 'http://app.example.com/x',
          headers: [{ name: 'Cookie', value: 's=1' }],
        },
        response: { status: 308, headers: [], content: { size: 5, text: 'aGVsbG8=', encoding: 'base64' } },
      },
    ]);
    expect(read(text)).toMatchObject({
      url: 'http://app.example.com/x',
      authenticated: true,
      assumeHttps: false,
      response: { method: 'POST', status: 308, body: 'hello', bodyBytes: 5 },
    });
  });

  it.each([
    [{ log: {} }, 'HAR log.entries: missing or not a list'],
    [{ log: { entries: [] } }, 'HAR log.entries: empty'],
    [{ log: { entries: [entry(0, [])] } }, 'HAR log.entries: no entry has a response'],
    [{ log: { entries: [5] } }, 'HAR log.entries[0]: not an object'],
    [{ log: { entries: [{ request: {} }] } }, 'HAR log.entries[0].response: missing or not an object'],
    [
      { log: { entries: [entry(200, [{ name: 'x y', value: '1' }])] } },
      'HAR log.entries[0].response.headers[0].name: "x y" is not a header name',
    ],
    [
      { log: { entries: [entry(200, [{ name: 'x', value: 1 } as never])] } },
      'HAR log.entries[0].response.headers[0].value: not a string',
    ],
    [
      { log: { entries: [{ ...entry(200, []), request: { url: 'ftp://x/' } }] } },
      'HAR log.entries[0].request.url: "ftp://x/" is not an http(s) URL',
    ],
    [
      { log: { entries: [{ response: { status: '200', headers: [] } }] } },
      'HAR log.entries[0].response.status: "200" is not an HTTP status',
    ],
  ])('malformed HAR %# → %s', (doc, want) => {
    expect(failure(JSON.stringify(doc), 'a.har').message).toContain(
      `cannot read "a.har" as a response: ${want}`,
    );
  });
});

describe('JSON headers', () => {
  it('a plain object: strings, numbers and lists of strings', () => {
    const text = JSON.stringify({
      'Strict-Transport-Security': 'max-age=1',
      'set-cookie': ['a=1', 'b=2'],
      'content-length': 12,
    });
    const facts = read(text, {}, 'h.json');
    expect(parseAuditInput({ name: 'h', data: text }).format).toBe('json');
    expect(facts).toMatchObject({
      url: 'file:h.json',
      assumeHttps: true,
      response: { status: 200, method: 'GET' },
    });
    expect({ ...facts.response.headers }).toEqual({
      'strict-transport-security': ['max-age=1'],
      'set-cookie': ['a=1', 'b=2'],
      'content-length': ['12'],
    });
  });

  it('wrapped with url, status, method and body; headers as {name, value} pairs too', () => {
    const facts = read(
      JSON.stringify({
        url: 'http://127.0.0.1:3000/',
        status: 403,
        method: 'delete',
        body: 'no',
        headers: [{ name: 'X-A', value: '1' }],
      }),
    );
    expect(facts).toMatchObject({
      url: 'http://127.0.0.1:3000/',
      assumeHttps: false,
      response: { status: 403, method: 'DELETE', body: 'no', bodyBytes: 2, headers: { 'x-a': ['1'] } },
    });
  });

  it.each([
    ['[1,2]', 'JSON: expected an object of headers, not a list'],
    ['{"a": ', 'JSON: not valid JSON'],
    ['{"x y": "1"}', 'JSON "x y": not a header name'],
    ['{"x": {"a": 1}}', 'JSON "x": not a string, a number or a list of strings'],
    ['{"x": [1, null]}', 'JSON "x": not a string, a number or a list of strings'],
    ['{"x": "a\\r\\nInjected: 1"}', 'JSON "x": holds a line break or NUL'],
    ['{"headers": {}, "status": 42}', 'JSON status: "42" is not an HTTP status'],
    ['{"headers": {}, "url": "not a url"}', 'JSON url: "not a url" is not an http(s) URL'],
    ['{"headers": [{"value": "1"}]}', 'JSON headers[0]: not an object {name, value}'],
  ])('malformed JSON %s → %s', (text, want) => {
    expect(failure(text, 'h.json').message).toContain(`cannot read "h.json" as a response: ${want}`);
  });
});

it('a BOM is ignored; the source named stdin for -', () => {
  expect(read('\uFEFF{"x-a": "1"}').response.headers['x-a']).toEqual(['1']);
  expect(failure('nope', 'stdin').message).toMatch(/^cannot read "stdin" as a response: line 1:/);
});
