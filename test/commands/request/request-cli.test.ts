import { stripVTControlCharacters } from 'node:util';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { hasStackTrace, runCli, tempDir, type RunResult } from '../../helpers/cli.js';
import { hasAnsi } from '../../helpers/view.js';
import { runRaw, sendJson, startRecordingServer, type RecordingServer } from './harness.js';

/**
 * Issue 14, `apikit request <METHOD> <URL>` against a node:http server on 127.0.0.1 that records what it got:
 * the credential flags, the body flags and Content-Type, what goes to stdout and stderr (TTY on and off), the
 * exit codes (0 2xx, 1 any other status, 2 usage, 3 no answer), redirects, and no secret in any output.
 */
const TOKEN = 'tok-0123456789abcdef-SECRET';
const API_KEY = 'ak_live_0123456789abcdefghijklmnopqrstuvwxyz';
const BASIC = 'alice:wonder-land-pass';
const ENV = { TOKEN, API_KEY, BASIC };
const JSON_BODY = '{"posts":[{"id":1,"title":"hello"}],"next":null}';
const BINARY = Buffer.from([0xff, 0xfe, 0x00, 0x01, 0x80, 0x9f, 0x0a, 0xc3]);

let api: RecordingServer;
let other: RecordingServer;
const tmp = tempDir('apikit-request-');

beforeAll(async () => {
  other = await startRecordingServer({
    '/landed': (_req, res) => sendJson(res, 200, { landed: true }),
  });
  api = await startRecordingServer({
    '/json': (_req, res) =>
      res
        .writeHead(200, {
          'content-type': 'application/json',
          'set-cookie': 'session=cookie-value-that-is-secret; HttpOnly',
          'x-request-id': 'req-42',
        })
        .end(JSON_BODY),
    '/echo': (req, res, body) =>
      sendJson(res, 201, {
        method: req.method,
        contentType: req.headers['content-type'] ?? null,
        body: body.toString(),
      }),
    '/echo-credential': (req, res) =>
      // A server that echoes the credential into a header: stderr must not show it.
      res.writeHead(200, { 'x-echo': `you sent ${req.headers.authorization ?? ''}` }).end(),
    '/text': (_req, res) =>
      res
        .writeHead(200, { 'content-type': 'text/plain' })
        .end('col1\tcol2\r\nred \u001b[31malert\u001b[0m\n'),
    '/no-newline': (_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('no newline'),
    '/binary': (_req, res) => res.writeHead(200, { 'content-type': 'image/png' }).end(BINARY),
    '/empty': (_req, res) => res.writeHead(204).end(),
    '/problem': (_req, res) =>
      res
        .writeHead(403, {
          'content-type': 'application/problem+json',
          'www-authenticate': 'Bearer realm="api", error="insufficient_scope", scope="read:posts"',
        })
        .end(
          JSON.stringify({
            type: 'https://example.com/problems/scope',
            title: 'Insufficient scope',
            status: 403,
            detail: 'This needs read:posts.',
          }),
        ),
    '/oauth-error': (_req, res) =>
      sendJson(
        res,
        401,
        { error: 'invalid_token', error_description: `the token ${TOKEN} expired \u001b[2J` },
        { 'www-authenticate': 'Bearer error="invalid_token"' },
      ),
    '/boom': (_req, res) => res.writeHead(500, { 'content-type': 'text/plain' }).end('internal'),
    '/redirect': (_req, res) => res.writeHead(302, { location: '/json' }).end(),
    '/away': (_req, res) => res.writeHead(307, { location: `${other.url}/landed` }).end(),
    '/big': (_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('x'.repeat(4096)),
    '/hang': () => undefined,
  });
});
afterAll(async () => {
  await Promise.all([api.close(), other.close()]);
  tmp.cleanup();
});
beforeEach(() => {
  api.seen.length = 0;
  other.seen.length = 0;
});

function expectNoSecret(r: { stdout: string | Buffer; stderr: string }): void {
  for (const secret of [
    TOKEN,
    API_KEY,
    BASIC,
    Buffer.from(BASIC).toString('base64'),
    'cookie-value-that-is-secret',
  ]) {
    expect(r.stderr).not.toContain(secret);
  }
  expect(hasStackTrace(r.stderr)).toBe(false);
}

function expectOneLineError(r: RunResult, code: number, message: RegExp): void {
  expect(r.code, r.stderr).toBe(code);
  expect(r.stderr).toMatch(message);
  expect(r.stderr.split('\n').filter((l) => l.startsWith('error:'))).toHaveLength(1);
  expect(hasStackTrace(r.stderr)).toBe(false);
}

describe('output', () => {
  it('piped: the body as received on stdout; status and headers on stderr, no colour, a cookie redacted', async () => {
    const r = await runCli(['request', 'GET', `${api.url}/json`]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(JSON_BODY);
    const lines = r.stderr.split('\n');
    expect(lines[0]).toBe('HTTP 200 OK');
    expect(lines).toContain('content-type: application/json');
    expect(lines).toContain('set-cookie: [REDACTED]');
    expect(lines).toContain('x-request-id: req-42');
    expect(hasAnsi(r.stderr)).toBe(false);
    expectNoSecret(r);
    expect(api.seen).toHaveLength(1);
  });

  it('on a terminal: JSON pretty-printed, a coloured status line', async () => {
    const r = await runCli(['request', 'get', `${api.url}/json`], { tty: true });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(JSON.stringify(JSON.parse(JSON_BODY), null, 2) + '\n');
    expect(hasAnsi(r.stderr)).toBe(true);
    expect(stripVTControlCharacters(r.stderr)).toMatch(/^HTTP 200 OK\n/);
    expect(api.seen[0]!.method).toBe('GET');
  });

  it('text: exact when piped; escape sequences shown as ? on a terminal, tabs and lines kept', async () => {
    const piped = await runCli(['request', 'GET', `${api.url}/text`]);
    expect(piped.stdout).toBe('col1\tcol2\r\nred \u001b[31malert\u001b[0m\n');
    const tty = await runCli(['request', 'GET', `${api.url}/text`], { tty: true });
    expect(tty.stdout).toBe('col1\tcol2\nred ?[31malert?[0m\n');
  });

  it('a body without a final newline: none added when piped, one added on a terminal', async () => {
    expect((await runCli(['request', 'GET', `${api.url}/no-newline`])).stdout).toBe('no newline');
    expect((await runCli(['request', 'GET', `${api.url}/no-newline`], { tty: true })).stdout).toBe(
      'no newline\n',
    );
  });

  it('bytes that are not text: exact when piped, not shown on a terminal, base64 in --json', async () => {
    const piped = await runRaw(['request', 'GET', `${api.url}/binary`]);
    expect(piped.code).toBe(0);
    expect(piped.stdout.equals(BINARY)).toBe(true);
    const tty = await runRaw(['request', 'GET', `${api.url}/binary`], { tty: true });
    expect(tty.stdout.length).toBe(0);
    expect(tty.stderr).toContain(`a body of ${BINARY.length} bytes, image/png that is not text: not shown`);
    const json = await runRaw(['request', 'GET', `${api.url}/binary`, '--json']);
    const doc = JSON.parse(json.stdout.toString());
    expect(doc).toMatchObject({ body: BINARY.toString('base64'), body_encoding: 'base64' });
  });

  it('--json: one document { method, url, status, status_text, ok, redirects, headers, body, body_encoding }', async () => {
    const r = await runCli(['request', 'GET', `${api.url}/json`, '--json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(Object.keys(doc)).toEqual([
      'method',
      'url',
      'status',
      'status_text',
      'ok',
      'redirects',
      'headers',
      'body',
      'body_encoding',
    ]);
    expect(doc).toMatchObject({
      method: 'GET',
      url: `${api.url}/json`,
      status: 200,
      status_text: 'OK',
      ok: true,
      redirects: [],
      body: JSON.parse(JSON_BODY),
      body_encoding: 'json',
    });
    expect(doc.headers['x-request-id']).toBe('req-42');
    expect(r.stderr).toBe('');
  });

  it('204: exit 0, nothing on stdout; --json body null, "empty"', async () => {
    const r = await runCli(['request', 'DELETE', `${api.url}/empty`]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^HTTP 204 No Content\n/);
    const json = JSON.parse((await runCli(['request', 'DELETE', `${api.url}/empty`, '--json'])).stdout);
    expect(json).toMatchObject({ status: 204, body: null, body_encoding: 'empty' });
  });
});

describe('credentials', () => {
  it.each([
    { argv: ['--bearer-env', 'TOKEN'], header: 'authorization', want: `Bearer ${TOKEN}` },
    { argv: ['--api-key-env', 'API_KEY'], header: 'x-api-key', want: API_KEY },
    { argv: ['--api-key-env', 'API_KEY', '--api-key-header', 'Api-Key'], header: 'api-key', want: API_KEY },
    {
      argv: ['--basic-env', 'BASIC'],
      header: 'authorization',
      want: `Basic ${Buffer.from(BASIC).toString('base64')}`,
    },
  ])('$argv reaches the server with the -H lines, and no output shows it', async ({ argv, header, want }) => {
    const r = await runCli(['request', 'GET', `${api.url}/json`, ...argv, '-H', 'X-Trace: 7'], { env: ENV });
    expect(r.code, r.stderr).toBe(0);
    expect(api.seen).toHaveLength(1);
    expect(api.seen[0]!.headers[header]).toBe(want);
    expect(api.seen[0]!.headers['x-trace']).toBe('7');
    expectNoSecret(r);
  });

  it('a credential the server echoes into a header is removed from stderr', async () => {
    const r = await runCli(['request', 'GET', `${api.url}/echo-credential`, '--bearer-env', 'TOKEN'], {
      env: ENV,
    });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^x-echo: you sent \[REDACTED\]$/m);
    expectNoSecret(r);
  });

  it('--verbose: the trace shows the request, the credential redacted', async () => {
    const r = await runCli(['request', 'GET', `${api.url}/json`, '--bearer-env', 'TOKEN', '--verbose'], {
      env: ENV,
    });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^> GET http:\/\/127\.0\.0\.1:\d+\/json$/m);
    expect(r.stderr).toMatch(/^> authorization: Bearer \[REDACTED\]$/m);
    expectNoSecret(r);
  });
});

describe('request body', () => {
  const file = join(tmp.dir, 'post.json');
  writeFileSync(file, '{"title":"from a file"}\n');
  const empty = join(tmp.dir, 'empty.txt');
  writeFileSync(empty, '');

  it.each([
    {
      name: '-d JSON',
      argv: ['-d', '{"title":"x"}'],
      stdin: undefined,
      body: '{"title":"x"}',
      type: 'application/json',
    },
    { name: '-d form text', argv: ['-d', 'a=1&b=2'], stdin: undefined, body: 'a=1&b=2', type: null },
    {
      name: '-d JSON with -H Content-Type',
      argv: ['-d', '{"a":1}', '-H', 'Content-Type: text/plain'],
      stdin: undefined,
      body: '{"a":1}',
      type: 'text/plain',
    },
    {
      name: '--data-file',
      argv: ['--data-file', file],
      stdin: undefined,
      body: '{"title":"from a file"}\n',
      type: 'application/json',
    },
    {
      name: '--data-stdin',
      argv: ['--data-stdin'],
      stdin: '{"n":2}',
      body: '{"n":2}',
      type: 'application/json',
    },
    { name: '--data-file -', argv: ['--data-file', '-'], stdin: 'plain', body: 'plain', type: null },
    { name: 'an empty file', argv: ['--data-file', empty], stdin: undefined, body: '', type: null },
  ])('$name', async ({ argv, stdin, body, type }) => {
    const r = await runCli(['request', 'POST', `${api.url}/echo`, ...argv, '--json'], { stdin });
    expect(r.code, r.stderr).toBe(0);
    expect(api.seen).toHaveLength(1);
    expect(api.seen[0]!.body.toString()).toBe(body);
    expect(api.seen[0]!.headers['content-type'] ?? null).toBe(type);
    expect(JSON.parse(r.stdout)).toMatchObject({ status: 201, body: { method: 'POST', body } });
  });
});

describe('exit codes', () => {
  it('403 problem+json: exit 1, the body on stdout, title and detail on stderr', async () => {
    const r = await runCli(['request', 'GET', `${api.url}/problem`]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ title: 'Insufficient scope' });
    expect(r.stderr).toMatch(/^HTTP 403 Forbidden$/m);
    expect(r.stderr).toMatch(
      /^www-authenticate: Bearer realm="api", error="insufficient_scope", scope="read:posts"$/m,
    );
    expect(r.stderr).toMatch(/^problem: Insufficient scope: This needs read:posts\.$/m);
    expect(r.stderr).not.toMatch(/^error:/m);
  });

  it('with --json: exit 1, the document on stdout, the problem line on stderr', async () => {
    const r = await runCli(['request', 'GET', `${api.url}/problem`, '--json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ status: 403, ok: false, body_encoding: 'json' });
    expect(r.stderr).toBe('problem: Insufficient scope: This needs read:posts.\n');
  });

  it('401 with an OAuth error: exit 1 (the API said no; not exit 4), server text redacted and sanitised', async () => {
    const r = await runCli(['request', 'GET', `${api.url}/oauth-error`, '--bearer-env', 'TOKEN'], {
      env: ENV,
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^problem: invalid_token: the token \[REDACTED\] expired \?\[2J$/m);
    expectNoSecret(r);
  });

  it('500: exit 1, the body printed', async () => {
    const r = await runCli(['request', 'GET', `${api.url}/boom`]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('internal');
    expect(r.stderr).toMatch(/^HTTP 500 Internal Server Error$/m);
  });

  it('a redirect is an answer (exit 1) unless --follow-redirects', async () => {
    const r = await runCli(['request', 'GET', `${api.url}/redirect`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^HTTP 302 Found\nlocation: \/json$/m);
    expect(api.seen).toHaveLength(1);
    const followed = await runCli(['request', 'GET', `${api.url}/redirect`, '--follow-redirects', '--json']);
    expect(followed.code).toBe(0);
    expect(JSON.parse(followed.stdout)).toMatchObject({
      status: 200,
      url: `${api.url}/json`,
      redirects: [`${api.url}/redirect`],
    });
  });

  it('--follow-redirects to another origin drops the credential', async () => {
    const r = await runCli(
      ['request', 'GET', `${api.url}/away`, '--follow-redirects', '--bearer-env', 'TOKEN'],
      {
        env: ENV,
      },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`^redirected from ${api.url}/away$`, 'm'));
    expect(api.seen[0]!.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(other.seen).toHaveLength(1);
    expect(other.seen[0]!.headers.authorization).toBeUndefined();
  });

  it('no answer: connection refused → exit 3, one line', async () => {
    const gone = await startRecordingServer({});
    const url = `${gone.url}/x`;
    await gone.close();
    const r = await runCli(['request', 'GET', url]);
    expectOneLineError(r, 3, /^error: GET 127\.0\.0\.1:\d+: connection refused$/m);
    expect(r.stdout).toBe('');
  });

  it('no answer in time: --timeout → exit 3', async () => {
    const r = await runCli(['request', 'GET', `${api.url}/hang`, '--timeout', '300ms']);
    expectOneLineError(r, 3, /timed out after 300 ms/);
    expect(api.seen).toHaveLength(1);
  });

  it('a body over --max-body → exit 3; --json gets the error document', async () => {
    const r = await runCli(['request', 'GET', `${api.url}/big`, '--max-body', '100', '--json']);
    expect(r.code).toBe(3);
    expect(JSON.parse(r.stdout).error).toMatchObject({ code: 'ERR_HTTP_BODY_TOO_LARGE', exit_code: 3 });
  });
});

describe('usage errors: exit 2, nothing sent', () => {
  it.each(
    [
      { argv: ['GE T', '/json'], message: /^error: "GE T" is not an HTTP method/m },
      { argv: ['CONNECT', '/json'], message: /CONNECT opens a tunnel/ },
      { argv: ['ftp://example.com/x'], message: /^error: give the method first, then the URL$/m },
      { argv: ['GET'], message: /missing the URL/ },
      { argv: ['GET', 'not a url'], message: /"not a url" is not a URL/ },
      { argv: ['GET', 'ftp://example.com/x'], message: /"ftp:" is not http or https/ },
      {
        argv: ['GET', '/json', '--bearer-env', 'TOKEN', '--api-key-env', 'API_KEY'],
        message: /choose one of/,
      },
      {
        argv: ['GET', '/json', '--bearer-env', 'TOKEN', '-H', 'Authorization: x'],
        message: /both set the credential/,
      },
      { argv: ['GET', '/json', '--bearer-env', 'UNSET'], message: /environment variable UNSET is not set/ },
      {
        argv: ['POST', '/json', '-d', 'x', '--data-stdin'],
        message: /-d and --data-stdin: give the body one way/,
      },
      {
        argv: ['POST', '/json', '-d', '@post.json'],
        message:
          /^error: -d "@post.json": apikit does not read a file named with @\nhint: use --data-file post.json$/m,
      },
      {
        argv: ['POST', '/json', '--data-file', '/nonexistent/body.json'],
        message: /cannot read "\/nonexistent\/body\.json": no such file/,
      },
      { argv: ['GET', '/json', '--timeout', 'soon'], message: /--timeout/ },
      { argv: ['GET', '/json', '--profile', 'nobody'], message: /there is no profile "nobody"/ },
    ].map((c) => ({ ...c, cmd: c.argv.join(' ') })),
  )('request $cmd', async ({ argv, message }) => {
    const dir = tempDir('apikit-request-cfg-');
    try {
      const args = argv.map((a) =>
        a.startsWith('/') && !a.startsWith('/nonexistent') ? `${api.url}${a}` : a,
      );
      const r = await runCli(['request', ...args], { env: { ...ENV, APIKIT_CONFIG_DIR: dir.dir } });
      expectOneLineError(r, 2, message);
      expect(r.stdout).toBe('');
      expect(api.seen).toHaveLength(0);
      expectNoSecret(r);
    } finally {
      dir.cleanup();
    }
  });

  it('a URL with user:password@ is refused without echoing the password', async () => {
    const r = await runCli(['request', 'GET', 'http://bob:hunter2-password@127.0.0.1:1/x']);
    expectOneLineError(r, 2, /the URL carries credentials/);
    expect(r.stderr).not.toContain('hunter2-password');
  });
});

describe('help', () => {
  it('names the arguments, the flags, the exit codes, the --json fields and real examples', async () => {
    const r = await runCli(['request', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^Usage: apikit request <METHOD> <URL> \[-d <body> \| --data-file <file> \| --data-stdin\]/,
    );
    for (const flag of [
      '--bearer-env',
      '--api-key-env',
      '--basic-env',
      '--profile',
      '--follow-redirects',
      '--timeout',
    ]) {
      expect(r.stdout).toContain(flag);
    }
    expect(r.stdout).toMatch(/Exit codes: 0 a 2xx answer; 1 any other status/);
    expect(r.stdout).toMatch(/"body_encoding"/);
    expect(r.stdout).toMatch(/Examples:\n {2}\$ apikit request GET https:\/\//);
  });
});
