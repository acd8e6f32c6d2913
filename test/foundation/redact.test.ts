import { describe, expect, it } from 'vitest';
import { Redactor } from '../../src/io/redact.js';

const JWT =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4ifQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c';

describe('Redactor', () => {
  it('removes registered secrets in raw, URL- and form-encoded forms', () => {
    const r = new Redactor();
    r.add('s3cr:et%with space');
    const text = r.redact(
      `raw s3cr:et%with space / url ${encodeURIComponent('s3cr:et%with space')} / form ${new URLSearchParams({ a: 's3cr:et%with space' }).toString()}`,
    );
    expect(text).not.toContain('s3cr');
    expect(text.match(/\[REDACTED\]/g)).toHaveLength(3);
  });

  it.each([
    ['> authorization: Bearer abcdefghijkl', '> authorization: Bearer [REDACTED]'],
    ['< set-cookie: sid=abc; HttpOnly', '< set-cookie: [REDACTED]'],
    ['> x-api-key: key-123456', '> x-api-key: [REDACTED]'],
    ['token is Bearer abcdefghijklmnop here', 'token is Bearer [REDACTED] here'],
    [`jwt ${JWT} end`, 'jwt [REDACTED] end'],
    [
      '> grant_type=refresh_token&refresh_token=abc123&client_id=x',
      '> grant_type=refresh_token&refresh_token=[REDACTED]&client_id=x',
    ],
    [
      '< {"access_token":"abc.def","token_type":"Bearer"}',
      '< {"access_token":"[REDACTED]","token_type":"Bearer"}',
    ],
    ['GET /callback?code=xyz&state=abc', 'GET /callback?code=[REDACTED]&state=[REDACTED]'],
    [
      '-----BEGIN PRIVATE KEY-----\nMIIEv\n-----END PRIVATE KEY-----',
      '-----BEGIN PRIVATE KEY-----[REDACTED]-----END PRIVATE KEY-----',
    ],
  ])('pattern %j', (input, output) => {
    expect(new Redactor().redact(input)).toBe(output);
  });

  it('accepts a value with a lone surrogate (no URL encoding exists for it)', () => {
    const r = new Redactor();
    expect(() => r.add('abc\ud800defgh')).not.toThrow();
    expect(r.redact('x abc\ud800defgh y')).toBe('x [REDACTED] y');
  });

  it('leaves ordinary text alone', () => {
    const text = '< content-type: application/json\n> GET https://api.example/v1/things?page=2';
    expect(new Redactor().redact(text)).toBe(text);
  });
});
