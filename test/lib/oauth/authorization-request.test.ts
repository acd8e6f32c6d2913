import { describe, expect, it } from 'vitest';
import { AUTHORIZE_RESERVED_PARAMS, buildAuthorizationUrl } from '../../../src/lib/oauth/authorize-url.js';
import { parseParams as parseAnyParams } from '../../../src/lib/oauth/params.js';

/** login's --param: the authorization request's reserved names. */
const parseParams = (values: string[]) => parseAnyParams(values, AUTHORIZE_RESERVED_PARAMS);
import { parsePastedResponse, readCallback } from '../../../src/lib/oauth/callback.js';
import { createPkce, randomValue, s256 } from '../../../src/lib/oauth/pkce.js';

/** The one-time values of an authorization request and the reading of its response (RFC 7636, 9700, 9207). */
describe('PKCE (RFC 7636)', () => {
  it('S256 matches the RFC 7636 Appendix B example', () => {
    expect(s256('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe(
      'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    );
  });

  it('verifiers are 43–128 unreserved characters, never repeat, and the challenge is their S256', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const p = createPkce();
      // §4.1: code-verifier = 43*128unreserved; 48 random bytes → 64 base64url characters (384 bits).
      expect(p.verifier).toMatch(/^[A-Za-z0-9._~-]{43,128}$/);
      expect(p.verifier).toHaveLength(64);
      expect(p.method).toBe('S256');
      expect(p.challenge).toBe(s256(p.verifier));
      expect(p.challenge).not.toBe(p.verifier);
      seen.add(p.verifier);
    }
    expect(seen.size).toBe(200);
  });

  it('state and nonce carry at least 128 bits (256 by default) and never repeat', () => {
    const values = Array.from({ length: 200 }, () => randomValue());
    for (const v of values) expect(v).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(new Set(values).size).toBe(200);
    expect(randomValue(128)).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });
});

describe('buildAuthorizationUrl / parseParams', () => {
  const base = {
    authorizationEndpoint: 'https://as.example/authorize?tenant=a',
    clientId: 'apikit-cli',
    redirectUri: 'http://127.0.0.1:5000/callback',
    state: 'st',
    codeChallenge: 'ch',
  };

  it('carries every security parameter, keeps the endpoint query, repeats resource', () => {
    const url = new URL(
      buildAuthorizationUrl({
        ...base,
        nonce: 'no',
        scope: 'openid read',
        resource: ['https://api.example/a', 'https://api.example/b'],
        audience: 'aud',
        params: { prompt: 'consent' },
      }),
    );
    const q = url.searchParams;
    expect(q.get('tenant')).toBe('a');
    expect(q.get('response_type')).toBe('code');
    expect(q.get('client_id')).toBe('apikit-cli');
    expect(q.get('redirect_uri')).toBe(base.redirectUri);
    expect(q.get('state')).toBe('st');
    expect(q.get('nonce')).toBe('no');
    expect(q.get('code_challenge')).toBe('ch');
    expect(q.get('code_challenge_method')).toBe('S256');
    expect(q.getAll('resource')).toEqual(['https://api.example/a', 'https://api.example/b']);
    expect(q.get('prompt')).toBe('consent');
  });

  it('sends no nonce and no scope when there are none', () => {
    const q = new URL(buildAuthorizationUrl(base)).searchParams;
    expect(q.has('nonce')).toBe(false);
    expect(q.has('scope')).toBe(false);
  });

  it.each([
    'state',
    'nonce',
    'code_challenge',
    'code_challenge_method',
    'redirect_uri',
    'client_id',
    'scope',
  ])('--param %s cannot override what apikit sets', (name) => {
    expect(() => parseParams([`${name}=x`])).toThrow(/set by apikit itself/);
  });

  it('parses k=v (the value may contain "=") and refuses a pair without a name', () => {
    expect(parseParams(['prompt=consent', 'acr_values=a=b'])).toEqual({
      prompt: 'consent',
      acr_values: 'a=b',
    });
    expect(() => parseParams(['=x'])).toThrow(/is not k=v/);
    expect(() => parseParams(['novalue'])).toThrow(/is not k=v/);
  });
});

describe('readCallback (RFC 6749 §4.1.2, RFC 9700 §4.7, RFC 9207)', () => {
  const expect0 = { state: 'the-state-0123456789', issuer: 'https://as.example', issRequired: true };
  const q = (s: string) => new URLSearchParams(s);

  it.each([
    {
      name: 'the right response',
      query: 'code=c1&state=the-state-0123456789&iss=https%3A%2F%2Fas.example',
      want: { kind: 'code', code: 'c1' },
    },
    { name: 'no state', query: 'code=c1&iss=https%3A%2F%2Fas.example', want: { kind: 'wrong-state' } },
    {
      name: 'another state',
      query: 'code=c1&state=the-state-012345678X&iss=https%3A%2F%2Fas.example',
      want: { kind: 'wrong-state' },
    },
    {
      name: 'a state prefix',
      query: 'code=c1&state=the-state&iss=https%3A%2F%2Fas.example',
      want: { kind: 'wrong-state' },
    },
    // Without the state nobody can end the login: a forged error is just a stale request.
    { name: 'an error without the state', query: 'error=access_denied', want: { kind: 'wrong-state' } },
    {
      name: 'another iss',
      query: 'code=c1&state=the-state-0123456789&iss=https%3A%2F%2Fevil.example',
      want: { kind: 'iss-mismatch', iss: 'https://evil.example' },
    },
    {
      name: 'iss with a trailing slash',
      query: 'code=c1&state=the-state-0123456789&iss=https%3A%2F%2Fas.example%2F',
      want: { kind: 'iss-mismatch', iss: 'https://as.example/' },
    },
    {
      name: 'a missing iss (promised)',
      query: 'code=c1&state=the-state-0123456789',
      want: { kind: 'iss-missing' },
    },
    // RFC 9207 §2.4: iss is checked on error responses too.
    {
      name: 'an error from another iss',
      query: 'error=access_denied&state=the-state-0123456789&iss=https%3A%2F%2Fevil.example',
      want: { kind: 'iss-mismatch', iss: 'https://evil.example' },
    },
    {
      name: 'an error',
      query:
        'error=access_denied&error_description=no%1b%5B31m&state=the-state-0123456789&iss=https%3A%2F%2Fas.example',
      want: { kind: 'error', error: 'access_denied', description: 'no?[31m' },
    },
    {
      name: 'neither code nor error',
      query: 'state=the-state-0123456789&iss=https%3A%2F%2Fas.example',
      want: { kind: 'no-code' },
    },
  ])('$name', ({ query, want }) => {
    expect(readCallback(q(query), expect0)).toEqual(want);
  });

  it('a missing iss is fine when the issuer never promised one; a present one is still checked', () => {
    const lax = { ...expect0, issRequired: false };
    expect(readCallback(q('code=c&state=the-state-0123456789'), lax)).toEqual({ kind: 'code', code: 'c' });
    expect(readCallback(q('code=c&state=the-state-0123456789&iss=https%3A%2F%2Fx'), lax).kind).toBe(
      'iss-mismatch',
    );
  });
});

it('with endpoints given by hand (no issuer known) an iss cannot be checked and does not end the login', () => {
  const q = (s: string) => new URLSearchParams(s);
  const noIssuer = { state: 'the-state-0123456789', issRequired: false };
  expect(readCallback(q('code=c&state=the-state-0123456789&iss=https%3A%2F%2Fas.example'), noIssuer)).toEqual(
    {
      kind: 'code',
      code: 'c',
    },
  );
  // the state is still checked
  expect(readCallback(q('code=c&state=other&iss=https%3A%2F%2Fas.example'), noIssuer)).toEqual({
    kind: 'wrong-state',
  });
});

describe('parsePastedResponse (--manual)', () => {
  it.each([
    { input: 'http://127.0.0.1/callback?code=a&state=b\n', want: { code: 'a', state: 'b' } },
    { input: '  ?code=a&state=b  ', want: { code: 'a', state: 'b' } },
    { input: 'code=a&state=b', want: { code: 'a', state: 'b' } },
  ])('a redirect URL or query: $input', ({ input, want }) => {
    const got = parsePastedResponse(input);
    expect(got && 'query' in got ? Object.fromEntries(got.query) : got).toEqual(want);
  });

  it('a bare code, and nothing usable', () => {
    expect(parsePastedResponse('SplxlOBeZQQYbYS6WxSbIA')).toEqual({ code: 'SplxlOBeZQQYbYS6WxSbIA' });
    expect(parsePastedResponse('')).toBeUndefined();
    expect(parsePastedResponse('two words')).toBeUndefined();
    expect(parsePastedResponse('http://[bad')).toBeUndefined();
  });
});
