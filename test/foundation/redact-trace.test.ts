import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpClient, DEFAULT_HTTP_OPTIONS } from '../../src/http/client.js';
import { traceForm, traceJson, traceUrl } from '../../src/http/trace.js';
import { Redactor } from '../../src/io/redact.js';

/**
 * Issue 9, item 7: the --verbose trace is redacted by exact values — credential headers by name, secret form,
 * query and JSON fields by name, registered secrets as whole values — not by substring over whole lines, so a
 * short secret that is also a word of the trace ("POST", "application") rewrites nothing of apikit's.
 */
let server: Server;
let base: string;

function handler(req: IncomingMessage, res: ServerResponse): void {
  req.resume();
  req.on('end', () => {
    res.setHeader('content-type', 'application/json');
    res.setHeader('set-cookie', 'sid=cookie-value-1');
    res.setHeader('location', '/next?code=auth-code-1&page=2');
    res.setHeader('x-request-id', 'application');
    res.end(
      '{\n  "access_token": "tok-1",\n  "nested": {"refresh_token": "rt-1", "ok": "application ok"},\n' +
        '  "list": ["application"],\n  "error_description": "bad secret sh0rt here",\n  "n": 5\n}',
    );
  });
}

beforeAll(async () => {
  server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

async function traced(redactor: Redactor): Promise<string[]> {
  const lines: string[] = [];
  const c = createHttpClient({
    ...DEFAULT_HTTP_OPTIONS,
    userAgent: 'apikit/test',
    headers: {},
    redactor,
    clock: { now: () => 0 },
    trace: (l) => lines.push(l),
  });
  try {
    await c.request({
      method: 'POST',
      url: `${base}/token?code=q-code-1&page=application`,
      headers: {
        authorization: 'Bearer bearer-credential-1',
        'x-api-key': 'key-1',
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=client_credentials&client_secret=cs-1&client_id=application&scope=read',
    });
  } finally {
    await c.close();
  }
  return lines;
}

describe('the --verbose trace, redacted by exact values', () => {
  it('short secrets that are words of the trace rewrite nothing; secret values go by name or as whole values', async () => {
    const r = new Redactor();
    for (const word of ['POST', 'application', 'sh0rt']) r.add(word);
    const lines = await traced(r);
    // The request: method, URL layout, header names and non-secret values as sent.
    expect(lines[0]).toBe(`> POST ${base}/token?code=[REDACTED]&page=[REDACTED]`);
    expect(lines).toContain('> authorization: Bearer [REDACTED]');
    expect(lines).toContain('> x-api-key: [REDACTED]');
    expect(lines).toContain('> content-type: application/x-www-form-urlencoded');
    expect(lines).toContain(
      '> grant_type=client_credentials&client_secret=[REDACTED]&client_id=[REDACTED]&scope=read',
    );
    // The response: credential headers by name, a registered secret as a whole value, the JSON layout kept.
    expect(lines).toContain('< content-type: application/json');
    expect(lines).toContain('< set-cookie: [REDACTED]');
    expect(lines).toContain('< location: /next?code=[REDACTED]&page=2');
    expect(lines).toContain('< x-request-id: [REDACTED]');
    const body = lines.filter((l) => l.startsWith('< ') && !/^< [a-z-]+: /.test(l) && !/^< \d{3} /.test(l));
    expect(body).toEqual([
      '< {',
      '<   "access_token": "[REDACTED]",',
      '<   "nested": {"refresh_token": "[REDACTED]", "ok": "[REDACTED] ok"},',
      '<   "list": ["[REDACTED]"],',
      '<   "error_description": "bad secret [REDACTED] here",',
      '<   "n": 5',
      '< }',
    ]);
    const all = lines.join('\n');
    for (const secret of [
      'bearer-credential-1',
      'key-1',
      'cs-1',
      'tok-1',
      'rt-1',
      'cookie-value-1',
      'auth-code-1',
    ])
      expect(all).not.toContain(secret);
  });

  it('traceJson: secret fields at any depth and in lists, escapes and invalid JSON kept as they came', () => {
    const r = new Redactor();
    r.add('whole-value');
    expect(
      traceJson(r, '{"token":["a","b"],"x":{"password":"p\\"q"},"y":"whole-value","z":"a\\u00e9"}', 'apikit'),
    ).toBe(
      '{"token":["[REDACTED]","[REDACTED]"],"x":{"password":"[REDACTED]"},"y":"[REDACTED]","z":"a\\u00e9"}',
    );
    expect(traceJson(r, '{"code": 42, "state": "abc', 'server')).toBe('{"code": 42, "state": "[REDACTED]"');
    expect(traceJson(r, '{"Authorization": "Basic abc"}', 'apikit')).toBe('{"Authorization": "[REDACTED]"}');
  });

  it('traceForm and traceUrl: encoded names and values, passwords in URLs, fragments', () => {
    const r = new Redactor();
    r.add('s p@ce');
    expect(traceForm(r, 'a=s+p%40ce&b=s%20p%40ce&refresh%5Ftoken=x&c=1', 'apikit')).toBe(
      'a=[REDACTED]&b=[REDACTED]&refresh%5Ftoken=[REDACTED]&c=1',
    );
    expect(traceUrl(r, 'https://user:pw@example.com/cb?x=1#access_token=t&state=s')).toBe(
      'https://user:[REDACTED]@example.com/cb?x=1#access_token=[REDACTED]&state=[REDACTED]',
    );
  });

  it('a long registered secret inside a value of apikit goes; a short one inside a value of apikit stays', () => {
    const r = new Redactor();
    r.add('a-long-registered-secret-0123');
    r.add('read');
    expect(traceForm(r, 'scope=read+write&note=x-a-long-registered-secret-0123-y', 'apikit')).toBe(
      'scope=read+write&note=x-[REDACTED]-y',
    );
  });
});
