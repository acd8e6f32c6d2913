import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough, Readable } from 'node:stream';
import { CompactSign } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContext } from '../../src/context.js';
import { createIO } from '../../src/io/io.js';
import { Redactor } from '../../src/io/redact.js';
import { runCli } from '../helpers/cli.js';

/**
 * Issue 9, item 7: the redactor never rewrites apikit's own words. Messages (notices, warnings, error lines, the
 * --json error document) lose long registered secrets and credential shapes only; a short secret that happens to
 * be a word ("secret", "expired") leaves the wording and the ids alone — apikit never puts a secret into a message,
 * and text from outside apikit is redacted value by value before it goes into one.
 */
const NOW = Date.parse('2026-01-15T12:00:00Z');
const clock = { now: () => NOW };

async function hs256(secret: string, payload: Record<string, unknown>): Promise<string> {
  return new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
    .setProtectedHeader({ alg: 'HS256' })
    .sign(new TextEncoder().encode(secret));
}

describe('messages keep apikit wording and ids, whatever the secret', () => {
  it('the secret "secret": the weak-secret warning reads as written, id [weak_secret] intact', async () => {
    const token = await hs256('secret', { sub: 'x', exp: NOW / 1000 + 600 });
    const r = await runCli(['jwt', 'verify', token, '--secret-env', 'SEC'], {
      env: { SEC: 'secret' },
      overrides: { clock },
    });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(
      'warning: secret in $SEC is on the list of well-known HMAC secrets: anyone can forge tokens with it [weak_secret]',
    );
    expect(r.stderr).not.toContain('[REDACTED]');
  });

  it('the secret "expired": the id [expired] and the word "expired" are not rewritten', async () => {
    const token = await hs256('expired', { sub: 'x', exp: NOW / 1000 - 3600 });
    const r = await runCli(['jwt', 'verify', token, '--secret-env', 'SEC'], {
      env: { SEC: 'expired' },
      overrides: { clock },
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^warning: expired 1h ago \[expired\]$/m);
    expect(r.stderr).not.toContain('[[REDACTED]]');
    expect(r.stderr).not.toContain('[REDACTED]');
  });

  it('an error line keeps its wording when a short secret is one of its words', async () => {
    const r = await runCli(['jwt', 'mint', '--secret-env', 'SEC', '--alg', 'HS256'], {
      env: { SEC: 'secret' },
      overrides: { clock },
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: .*HMAC secret is 6 bytes; HS256 needs at least 32/m);
    expect(r.stderr).not.toContain('[REDACTED]');
  });
});

describe('Redactor.message: long secrets and credential shapes only', () => {
  const JWT =
    'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4ifQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c';
  const r = new Redactor();
  r.add('secret');
  r.add('expired');
  r.add('a-long-client-secret-0123456789');

  it.each([
    ['the HMAC secret is 6 bytes [weak_secret]', 'the HMAC secret is 6 bytes [weak_secret]'],
    ['expired 1h ago [expired]', 'expired 1h ago [expired]'],
    ['refused: a-long-client-secret-0123456789 is wrong', 'refused: [REDACTED] is wrong'],
    [`refused: ${encodeURIComponent('a-long-client-secret-0123456789')}`, 'refused: [REDACTED]'],
    [`token ${JWT} is bad`, 'token [REDACTED] is bad'],
    [
      '-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----',
      '-----BEGIN PRIVATE KEY-----[REDACTED]-----END PRIVATE KEY-----',
    ],
    // Wording that looks like a parameter or a header is apikit's own, and stays.
    ['use --param state=secret or code=expired', 'use --param state=secret or code=expired'],
  ])('%j → %j', (input, want) => {
    expect(r.message(input)).toBe(want);
  });

  it('redact (for text from outside apikit) still removes every registered value', () => {
    expect(r.redact('the server said: secret expired')).toBe('the server said: [REDACTED] [REDACTED]');
  });
});

describe('messages still never show a secret', () => {
  it('ctx.out.warn and notice remove a long secret and a JWT, keep short ones as the words they are', () => {
    const stderr = new PassThrough();
    let text = '';
    stderr.on('data', (c: Buffer) => (text += c.toString('utf8')));
    const io = createIO({ stdin: Readable.from([]), stdout: new PassThrough(), stderr }, {});
    const ctx = createContext(io, {});
    ctx.redactor.add('tok-0123456789abcdef-long');
    ctx.redactor.add('state');
    ctx.out.warn('the token tok-0123456789abcdef-long was refused');
    ctx.out.notice('state mismatch; eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl');
    expect(text).toBe('warning: the token [REDACTED] was refused\nstate mismatch; [REDACTED]\n');
  });

  describe('a token endpoint that echoes a short client secret in error_description', () => {
    let server: Server;
    let url: string;
    beforeAll(async () => {
      server = createServer((req, res) => {
        req.resume();
        req.on('end', () => {
          res.statusCode = 401;
          res.setHeader('content-type', 'application/json');
          res.end(JSON.stringify({ error: 'invalid_client', error_description: 'bad secret sh0rt-s3cret' }));
        });
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`;
    });
    afterAll(() => new Promise((resolve) => server.close(resolve)));

    it.each([[[]], [['--json']], [['--verbose']]])('%j: the secret is in neither stream', async (extra) => {
      const r = await runCli(
        [
          ...extra,
          'token',
          'client-credentials',
          '--token-endpoint',
          url,
          '--client-id',
          'ci',
          '--client-secret-env',
          'S',
          '--no-cache',
        ],
        { env: { S: 'sh0rt-s3cret' } },
      );
      expect(r.code).toBe(4);
      expect(r.stderr).toMatch(/invalid_client \(bad secret \[REDACTED\]\)/);
      expect(r.stdout + r.stderr).not.toContain('sh0rt-s3cret');
    });
  });
});
