import { describe, expect, it } from 'vitest';
import { cookiesRule, needsHttpOnly } from '../../../src/lib/audit/rules/cookies.js';
import { parseSetCookie, defaultPath } from '../../../src/lib/set-cookie.js';
import type { AuditFacts, AuditKind } from '../../../src/lib/audit/types.js';
import { NOW, facts, response } from './make-facts.js';

const run = (lines: string[], kind: AuditKind = 'api', over: Partial<AuditFacts> = {}) =>
  cookiesRule.run({
    facts: facts({
      response: response({ 'content-type': 'application/json', 'set-cookie': lines }),
      ...over,
    }),
    kind,
    now: NOW,
  });
const ids = (lines: string[], kind: AuditKind = 'api', over: Partial<AuditFacts> = {}) =>
  run(lines, kind, over)
    .map((f) => f.id)
    .sort();

describe('Set-Cookie parsing (RFC 6265bis §5.6)', () => {
  it('keeps the raw attribute list, the last valid SameSite and the invalid ones', () => {
    const c = parseSetCookie(
      ' sid = abc ; Path ; SameSite=Lax; SameSite=Bogus; Domain=.Example.COM; secure',
    )!;
    expect(c).toMatchObject({
      name: 'sid',
      value: 'abc',
      secure: true,
      httpOnly: false,
      sameSite: 'Lax',
      invalidSameSite: ['Bogus'],
      domain: 'example.com',
      hasPathAttribute: true,
    });
    expect(c.path).toBeUndefined();
    expect(c.attributes.map((a) => a.name)).toEqual(['Path', 'SameSite', 'SameSite', 'Domain', 'secure']);
  });

  it('a pair without "=" is a nameless cookie; an empty pair or a control character drops the line', () => {
    expect(parseSetCookie('justavalue')).toMatchObject({ name: '', value: 'justavalue' });
    expect(parseSetCookie('=; Path=/')).toBeNull();
    expect(parseSetCookie('a=b\u0001c')).toBeNull();
    expect(parseSetCookie('a=b\tc')).not.toBeNull();
  });

  it('an attribute value over 1024 octets is ignored, a name+value over 4096 drops the cookie', () => {
    expect(parseSetCookie(`a=1; Path=/${'x'.repeat(1024)}`)!.hasPathAttribute).toBe(false);
    expect(parseSetCookie(`a=${'x'.repeat(4096)}`)).toBeNull();
  });

  it('the last Domain wins, an empty one makes the cookie host-only', () => {
    expect(parseSetCookie('a=1; Domain=a.example; Domain=')!.domain).toBeUndefined();
  });

  it.each([
    ['/', '/'],
    ['/a', '/'],
    ['/a/b', '/a'],
    ['', '/'],
  ])('default-path of %j is %j', (p, want) => expect(defaultPath(p)).toBe(want));
});

describe('cookie rules', () => {
  it('a well-flagged cookie has no finding', () => {
    expect(ids(['__Host-sid=abc; Secure; HttpOnly; Path=/; SameSite=Strict'])).toEqual([]);
  });

  it('one cookie with no flags at all over https', () => {
    expect(ids(['sid=abc'])).toEqual([
      'audit.cookies.httponly-missing',
      'audit.cookies.samesite-missing',
      'audit.cookies.secure-missing',
    ]);
  });

  it('one finding per check, every cookie named, no value in the message', () => {
    const [secure] = run(['sid=s3cr3tvalue', 'pref=dark; HttpOnly; SameSite=Lax']).filter(
      (f) => f.id === 'audit.cookies.secure-missing',
    );
    expect(secure).toMatchObject({
      severity: 'high',
      points: -15,
      category: 'cookies',
      header: 'set-cookie',
    });
    expect(secure!.message).toBe('2 cookies without Secure: sid, pref');
    expect(secure!.message).not.toContain('s3cr3t');
    expect(secure!.evidence.map((e) => e.note)).toEqual(['sid: no Secure', 'pref: no Secure']);
  });

  it('Secure is only asked for on https (plain http has its own transport finding)', () => {
    const url = 'http://api.example.test/';
    const over = { url, response: response({ 'set-cookie': 'a=1; HttpOnly; SameSite=Lax' }, { url }) };
    expect(ids([], 'api', over)).toEqual([]);
  });

  it('SameSite=Bogus is invalid (browsers ignore it), not also missing', () => {
    const f = run(['sid=abc; Secure; HttpOnly; SameSite=Bogus']);
    expect(f.map((x) => x.id)).toEqual(['audit.cookies.samesite-invalid']);
    expect(f[0]!.evidence[0]!.note).toBe('sid: SameSite=Bogus is ignored by browsers');
  });

  it('SameSite=None without Secure is rejected by browsers', () => {
    expect(ids(['a=1; HttpOnly; SameSite=None'])).toEqual([
      'audit.cookies.samesite-none-without-secure',
      'audit.cookies.secure-missing',
    ]);
  });

  it.each([
    ['__Host-a=1; HttpOnly; SameSite=Lax; Path=/', 'no Secure'],
    ['__Host-a=1; Secure; HttpOnly; SameSite=Lax; Path=/; Domain=example.test', 'has Domain'],
    ['__Host-a=1; Secure; HttpOnly; SameSite=Lax', 'no Path'],
    ['__Host-a=1; Secure; HttpOnly; SameSite=Lax; Path=/api', 'Path is not /'],
    ['__host-a=1; Secure; HttpOnly; SameSite=Lax; Path=', 'Path is not /'],
  ])('__Host- rules: %s → %s', (line, why) => {
    const f = run([line]).find((x) => x.id === 'audit.cookies.host-prefix-invalid');
    expect(f?.evidence[0]?.note).toContain(why);
  });

  it('__Secure- needs Secure (case-insensitive prefix, RFC 6265bis §5.7)', () => {
    expect(ids(['__SECURE-a=1; HttpOnly; SameSite=Lax'])).toContain('audit.cookies.secure-prefix-invalid');
    expect(ids(['__Secure-a=1; Secure; HttpOnly; SameSite=Lax'])).toEqual([]);
  });

  it('HttpOnly: every cookie for an API, session-like names for a page, never a CSRF token', () => {
    expect(needsHttpOnly('theme', 'api')).toBe(true);
    expect(needsHttpOnly('theme', 'html')).toBe(false);
    expect(needsHttpOnly('PHPSESSID', 'html')).toBe(true);
    expect(needsHttpOnly('connect.sid', 'html')).toBe(true);
    expect(needsHttpOnly('auth_token', 'html')).toBe(true);
    expect(needsHttpOnly('XSRF-TOKEN', 'api')).toBe(false);
    expect(needsHttpOnly('csrftoken', 'html')).toBe(false);
    expect(ids(['theme=dark; Secure; SameSite=Lax'], 'html')).toEqual([]);
    expect(ids(['theme=dark; Secure; SameSite=Lax'], 'api')).toEqual(['audit.cookies.httponly-missing']);
  });

  it('no Set-Cookie, no finding; every finding id is one of the checks', () => {
    expect(ids([])).toEqual([]);
    const all = new Set(cookiesRule.checks.map((c) => c.id));
    for (const f of run(['a=1; SameSite=Bogus', '__Host-b=2', '__Secure-c=3; SameSite=None'])) {
      expect(all.has(f.id)).toBe(true);
    }
  });
});
