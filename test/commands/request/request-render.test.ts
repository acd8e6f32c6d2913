import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import { decodeBody, isJsonBody, isJsonMediaType, problemOf } from '../../../src/commands/request/body.js';
import type { RequestResult } from '../../../src/commands/request/result.js';
import { forTerminal, renderRequest } from '../../../src/commands/request/view.js';
import { hasAnsi, inEveryMode, stderrOf, stdoutOf, viewFor } from '../../helpers/view.js';

/** renderRequest with the TTY as a column (terminal or pipe, with or without --json), and the body helpers. */
const strip = (text: string): string => stripVTControlCharacters(text);

function result(
  status: number,
  bytes: Buffer,
  contentType: string | undefined,
  extra: Partial<RequestResult> = {},
): RequestResult {
  const headers: Record<string, string> = contentType ? { 'content-type': contentType } : {};
  const ok = status >= 200 && status < 300;
  return {
    method: 'GET',
    url: 'http://127.0.0.1:7300/v1/posts',
    status,
    statusText: { 200: 'OK', 403: 'Forbidden', 302: 'Found' }[status] ?? '',
    ok,
    redirects: [],
    headers,
    body: decodeBody(bytes, contentType),
    bytes,
    shown: { headers: Object.entries(headers), redirects: [], problem: null },
    outcome: ok ? 'ok' : 'negative',
    ...extra,
  };
}

// An escaped ESC stays escaped when re-serialised; a raw bidi override is neutralised on the terminal.
const json = Buffer.from('{"a":[1,2],"s":"x\\u001b[2Jy\u202ez"}');
const problem = Buffer.from('{"title":"Insufficient scope","detail":"needs read:posts"}');

const cases = [
  {
    name: '200 JSON',
    r: result(200, json, 'application/json'),
    err: 'HTTP 200 OK\ncontent-type: application/json\n',
    outPiped: json.toString(),
    outTty: '{\n  "a": [\n    1,\n    2\n  ],\n  "s": "x\\u001b[2Jy?z"\n}\n',
  },
  {
    name: '403 problem',
    r: result(403, problem, 'application/problem+json', {
      shown: {
        headers: [['content-type', 'application/problem+json']],
        redirects: [],
        problem: 'Insufficient scope: needs read:posts',
      },
    }),
    err: 'HTTP 403 Forbidden\ncontent-type: application/problem+json\nproblem: Insufficient scope: needs read:posts\n',
    outPiped: problem.toString(),
    outTty: JSON.stringify(JSON.parse(problem.toString()), null, 2) + '\n',
  },
  {
    name: 'hostile header, redirect followed',
    r: result(200, Buffer.from('ok'), 'text/plain', {
      redirects: ['http://127.0.0.1:7300/old'],
      shown: {
        headers: [['x-evil\u001b[2J', 'a\u001b]0;title\u0007b\u202ec']],
        redirects: ['http://127.0.0.1:7300/old'],
        problem: null,
      },
    }),
    err: 'redirected from http://127.0.0.1:7300/old\nHTTP 200 OK\nx-evil?[2J: a?]0;title?b?c\n',
    outPiped: 'ok',
    outTty: 'ok\n',
  },
];

describe('renderRequest', () => {
  it.each(inEveryMode(cases))(
    '$name, tty $tty, json $json',
    ({ r, err, outPiped, outTty, tty, json: asJson }) => {
      const out = renderRequest(r, viewFor({ tty, json: asJson }));
      if (asJson) {
        const doc = JSON.parse(stdoutOf(out));
        expect(doc).toMatchObject({
          status: r.status,
          ok: r.ok,
          body: r.body.value,
          body_encoding: r.body.encoding,
        });
        expect(strip(stderrOf(out))).toBe(r.shown.problem === null ? '' : `problem: ${r.shown.problem}\n`);
        return;
      }
      expect(strip(stderrOf(out))).toBe(err);
      expect(hasAnsi(stderrOf(out))).toBe(tty);
      expect(stdoutOf(out)).toBe(tty ? outTty : outPiped);
      expect(hasAnsi(stdoutOf(out))).toBe(false);
    },
  );

  it.each([true, false])('a body that is not text (tty %s): never a text block on stdout', (tty) => {
    const bytes = Buffer.from([0xff, 0x00, 0xfe]);
    const out = renderRequest(result(200, bytes, 'application/octet-stream'), viewFor({ tty }));
    expect(stdoutOf(out)).toBe('');
    expect(stderrOf(out).includes('3 bytes, application/octet-stream that is not text')).toBe(tty);
  });
});

describe('body helpers', () => {
  it.each([
    ['application/json', true],
    ['application/json; charset=utf-8', true],
    ['application/problem+json', true],
    ['application/vnd.api+json', true],
    ['Application/JSON', true],
    ['text/plain', false],
    ['application/jsonx', false],
    [undefined, false],
  ])('isJsonMediaType(%j) → %s', (type, want) => {
    expect(isJsonMediaType(type)).toBe(want);
  });

  it.each([
    ['{"a":1}', 'application/json', 'json'],
    ['not json', 'application/json', 'text'],
    ['42', 'text/plain', 'text'],
    ['', 'application/json', 'empty'],
  ])('decodeBody(%j, %j) → %s', (text, type, encoding) => {
    expect(decodeBody(Buffer.from(text), type).encoding).toBe(encoding);
  });

  it('keeps a BOM (the bytes written back are the bytes received)', () => {
    const bytes = Buffer.from('\ufeffhello');
    expect(Buffer.from(decodeBody(bytes, 'text/plain').text!).equals(bytes)).toBe(true);
  });

  it.each([
    ['{"a":1}', true],
    ['[1]', true],
    [' 42 ', true],
    ['a=1&b=2', false],
    ['', false],
    ['   ', false],
  ])('isJsonBody(%j) → %s', (text, want) => {
    expect(isJsonBody(Buffer.from(text))).toBe(want);
  });

  it.each([
    [
      { title: 'T', detail: 'D' },
      { title: 'T', detail: 'D' },
    ],
    [
      { error: 'invalid_token', error_description: 'expired' },
      { title: 'invalid_token', detail: 'expired' },
    ],
    [{ message: 'nope' }, { title: null, detail: 'nope' }],
    [{ title: 7 }, null],
    [[1, 2], null],
  ])('problemOf(%j) → %j', (doc, want) => {
    expect(problemOf(decodeBody(Buffer.from(JSON.stringify(doc)), 'application/json'))).toEqual(want);
  });

  it('forTerminal keeps lines and tabs, drops CR before LF, neutralises escapes and bidi overrides', () => {
    expect(forTerminal('a\tb\r\n\u001b[2Jc\u202e\n')).toBe('a\tb\n?[2Jc?\n');
  });
});
