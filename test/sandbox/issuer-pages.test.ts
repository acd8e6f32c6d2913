import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  deviceConfirmPage,
  deviceInputPage,
  deviceSuccessPage,
  errorPage,
  loginPage,
  pageHeaders,
  PROVIDER_HEADERS,
} from '../../src/sandbox/issuer-pages.js';

/** The issuer's pages, rendered alone: self-contained, escaped, and allowed by their own CSP. */

const HOSTILE = `"><img src=x onerror=alert(1)><script>alert(2)</script>&amp;'`;
const TEST_USER = { username: 'alice', password: 'wonderland' };

const pages: Array<[string, string]> = [
  [
    'login',
    loginPage({
      action: '/interaction/abc',
      abortAction: '/interaction/abc/abort',
      client: { id: 'apikit-cli', name: 'apikit CLI' },
      scopes: ['openid', 'read:posts', 'custom:thing'],
      resources: ['http://127.0.0.1:7300'],
      testUser: TEST_USER,
    }),
  ],
  [
    'login, failed',
    loginPage({
      action: '/interaction/abc',
      abortAction: '/interaction/abc/abort',
      client: { id: 'apikit-cli', name: undefined },
      scopes: [],
      resources: [],
      username: 'bob',
      failed: true,
      testUser: TEST_USER,
    }),
  ],
  ['device input', deviceInputPage({ action: '/device', xsrf: 'x1', message: 'enter' })],
  [
    'device confirm',
    deviceConfirmPage({
      form: '<form id="op.deviceConfirmForm" method="post" action="/device"><input type="hidden" name="xsrf" value="x"/></form>',
      formId: 'op.deviceConfirmForm',
      client: { id: 'apikit-cli', name: 'apikit CLI' },
      userCode: 'ABCD-WXYZ',
    }),
  ],
  ['device success', deviceSuccessPage({ id: 'apikit-cli', name: 'apikit CLI' })],
  ['error', errorPage({ title: 'The sign-in did not work', error: 'invalid_request', description: 'why' })],
];

describe('issuer pages', () => {
  it.each(pages)(
    '%s: says apikit sandbox, no script or external resource, the style matches the CSP hash',
    (_n, html) => {
      expect(html).toMatch(/^<!doctype html>\n<html lang="en">/);
      expect(html).toContain('apikit sandbox');
      expect(html).not.toMatch(/<script|\son[a-z]+=|\b(src|href)=|@import|url\(/i);
      const styles = [...html.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((m) => m[1]!);
      expect(styles).toHaveLength(1);
      const hash = createHash('sha256').update(styles[0]!).digest('base64');
      expect(pageHeaders()['content-security-policy']).toContain(`style-src 'sha256-${hash}'`);
      expect(html).not.toMatch(/\sstyle=/);
    },
  );

  it('the login page names the client, lists each scope with its meaning, and the resource', () => {
    const html = pages[0]![1];
    expect(html).toContain('<strong>apikit CLI</strong> (<code>apikit-cli</code>) asks for:');
    expect(html).toContain('<li><code>read:posts</code> — read posts</li>');
    expect(html).toContain('<li><code>custom:thing</code></li>');
    expect(html).toContain('for <code>http://127.0.0.1:7300</code>');
    expect(html).toContain('<form method="post" action="/interaction/abc">');
    expect(html).toContain('<form method="post" action="/interaction/abc/abort">');
    expect(html).toContain('<label for="username">Username</label>');
    expect(html).toContain('<label for="password">Password</label>');
    expect(html).not.toContain('role="alert"');
    const failed = pages[1]![1];
    expect(failed).toContain(
      '<p class="error" id="login-error" role="alert">Wrong username or password.</p>',
    );
    expect(failed).toContain('value="bob" aria-describedby="login-error" aria-invalid="true"');
    expect(failed).toContain('No scopes were requested.');
  });

  it('escapes everything that came from a request', () => {
    const html = [
      loginPage({
        action: `/interaction/${HOSTILE}`,
        abortAction: HOSTILE,
        client: { id: HOSTILE, name: HOSTILE },
        scopes: [HOSTILE, '__proto__', 'constructor'],
        resources: [HOSTILE],
        username: HOSTILE,
        failed: true,
        testUser: TEST_USER,
      }),
      deviceInputPage({ action: HOSTILE, xsrf: HOSTILE, userCode: HOSTILE, message: 'wrong-code' }),
      deviceConfirmPage({
        form: '',
        formId: HOSTILE,
        client: { id: HOSTILE, name: HOSTILE },
        userCode: HOSTILE,
      }),
      deviceSuccessPage({ id: HOSTILE, name: HOSTILE }),
      errorPage({ title: HOSTILE, error: HOSTILE, description: HOSTILE }),
    ].join('\n');
    expect(html).not.toMatch(/<img|<script|="x onerror|value=""><|&amp;'/);
    expect(html).toContain('&#34;&#62;&#60;img src=x onerror=alert(1)&#62;');
    // Scope names that are Object.prototype members get no made-up meaning.
    expect(html).toContain('<li><code>__proto__</code></li>');
    expect(html).toContain('<li><code>constructor</code></li>');
  });

  it('headers: PAGE_HEADERS with a stricter CSP; form-action widened only by the callback origin given', () => {
    const plain = pageHeaders();
    expect(plain).toMatchObject({
      'cache-control': 'no-store',
      'referrer-policy': 'no-referrer',
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
    });
    const csp = plain['content-security-policy']!;
    expect(csp.split('; ')).toEqual([
      "default-src 'none'",
      expect.stringMatching(/^style-src 'sha256-[A-Za-z0-9+/]{43}='$/),
      "base-uri 'none'",
      "form-action 'self'",
      "frame-ancestors 'none'",
    ]);
    expect(pageHeaders(['http://127.0.0.1:5555'])['content-security-policy']).toContain(
      "form-action 'self' http://127.0.0.1:5555;",
    );
    expect(PROVIDER_HEADERS['content-security-policy']).toMatch(
      /^default-src 'none'; script-src 'strict-dynamic';/,
    );
    expect(Object.values(PROVIDER_HEADERS).join(' ')).not.toMatch(/unsafe/);
  });
});
