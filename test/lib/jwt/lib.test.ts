import { createSecretKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  claimMatches,
  grantedScopes,
  parseAssignment,
  typedValue,
} from '../../../src/lib/jwt/claim-value.js';
import { duplicateMember } from '../../../src/lib/jwt/json-members.js';
import { keyMaterialIn } from '../../../src/lib/keys/key-material.js';
import {
  allowedAlgorithms,
  parseAlgList,
  secretKeyFromText,
  selectKeys,
  type Keyring,
} from '../../../src/lib/jwt/keyring.js';
import { buildClaims } from '../../../src/lib/jwt/mint-claims.js';
import { extractToken, tokenShape } from '../../../src/lib/jwt/token-text.js';
import { isWeakSecret } from '../../../src/lib/jwt/weak-secrets.js';

describe('extractToken / tokenShape', () => {
  it.each([
    ['a.b.c', 'a.b.c'],
    ['  Bearer a.b.c \n', 'a.b.c'],
    ['Authorization: Bearer a.b.c\r\n', 'a.b.c'],
    ['proxy-authorization:DPoP a.b.c', 'a.b.c'],
  ])('%j → %j', (input, want) => expect(extractToken(input)).toBe(want));

  it('classifies', () => {
    expect(tokenShape('a.b.c').kind).toBe('jws');
    expect(tokenShape('a.b.c.d.e').kind).toBe('jwe');
    expect(() => tokenShape('{"a":1}')).toThrow(/JSON serialisation/);
    expect(() => tokenShape('a.b')).toThrow(/has 2/);
    expect(() => tokenShape('a=.b.c')).toThrow(/base64, not base64url/);
    expect(() => tokenShape('x'.repeat(10), 5)).toThrow(/over the 5-byte limit/);
  });
});

describe('duplicateMember', () => {
  it.each([
    ['{"a":1,"b":2}', undefined],
    ['{"a":1,"a":2}', 'a'],
    ['{"a":{"a":1},"b":[{"a":1}]}', undefined],
    ['{"a\\u0062":1,"ab":2}', 'ab'],
    ['{"x":"\\"a\\":","a":1}', undefined],
    ['{ "k" : 1 , "k" : 2 }', 'k'],
  ])('%s → %s', (json, want) => expect(duplicateMember(json)).toBe(want));
});

describe('claim values', () => {
  it('types JSON-style', () => {
    expect([
      typedValue('5'),
      typedValue('true'),
      typedValue('"5"'),
      typedValue('{"a":1}'),
      typedValue('hi there'),
    ]).toEqual([5, true, '5', { a: 1 }, 'hi there']);
    expect(parseAssignment('a=b=c', '--claim')).toEqual({ name: 'a', raw: 'b=c' });
    expect(parseAssignment('a', '--claim')).toEqual({ name: 'a', raw: undefined });
    expect(() => parseAssignment('=x', '--claim')).toThrow(/empty/);
  });
  it('matches', () => {
    expect(claimMatches(['a', 'b'], 'b')).toBe(true);
    expect(claimMatches({ b: 1, a: 2 }, { a: 2, b: 1 })).toBe(true);
    expect(claimMatches('1', 1)).toBe(false);
    expect([...grantedScopes({ scope: 'a  b', scp: ['c', 5] })]).toEqual(['a', 'b', 'c']);
  });
  it('builds claims: flags win over the base, --claim over the base; null removes', () => {
    expect(
      buildClaims({
        base: { sub: 'b', exp: 1, x: 1, y: 1 },
        claims: [['y', 2]],
        sub: 'f',
        exp: null,
        iat: 5000,
        aud: ['one'],
      }),
    ).toEqual({ sub: 'f', x: 1, y: 2, iat: 5, aud: 'one' });
    expect(() => buildClaims({ base: {}, claims: [['__proto__', 1]] })).toThrow();
  });

  // Issue 9, item 6: an explicit claim and a flag never silently override each other, and defaults never win.
  it('a --claim that contradicts a flag is a usage error naming both; an agreeing one is fine', () => {
    expect(() =>
      buildClaims({ base: {}, claims: [['sub', 'c']], sub: 'f', written: { sub: '--sub f' } }),
    ).toThrow(
      expect.objectContaining({
        code: 'ERR_JWT_CLAIM_CONFLICT',
        message: '--claim sub="c" contradicts --sub f: give "sub" one way',
      }),
    );
    expect(() =>
      buildClaims({ base: {}, claims: [['exp', 123]], exp: null, written: { exp: '--no-exp' } }),
    ).toThrow(/--claim exp=123 contradicts --no-exp/);
    expect(() =>
      buildClaims({
        base: {},
        claims: [
          ['a', 1],
          ['a', 2],
        ],
      }),
    ).toThrow(/--claim a=1 and --claim a=2/);
    expect(buildClaims({ base: {}, claims: [['sub', 'f']], sub: 'f' })).toEqual({ sub: 'f' });
  });

  it('defaults fill only the claims nothing else set', () => {
    const defaults = { exp: 900_000, iat: 1000 };
    expect(buildClaims({ base: {}, claims: [], defaults })).toEqual({ exp: 900, iat: 1 });
    expect(buildClaims({ base: {}, claims: [['exp', 123]], defaults })).toEqual({ exp: 123, iat: 1 });
    expect(buildClaims({ base: { exp: 123, iat: 5 }, claims: [], defaults })).toEqual({ exp: 123, iat: 5 });
    expect(buildClaims({ base: {}, claims: [], exp: null, defaults })).toEqual({ iat: 1 });
  });
});

describe('keyring', () => {
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
  const ring: Keyring = {
    name: 'JWKS',
    skipped: [],
    entries: [
      { key: ec, kid: 'k1', algs: ['ES256'], label: 'ec' },
      { key: createSecretKey(Buffer.alloc(32, 1)), kid: undefined, algs: ['HS256'], label: 'hs' },
    ],
  };
  it('selects by alg and kid; a kid-less key matches any kid', () => {
    expect(selectKeys(ring, 'ES256', 'k1')).toMatchObject({ ok: true, candidates: [{ label: 'ec' }] });
    expect(selectKeys(ring, 'ES256', 'k2')).toEqual({
      ok: false,
      code: 'kid_not_found',
      reason: 'kid "k2" not in JWKS',
    });
    expect(selectKeys(ring, 'HS256', 'anything')).toMatchObject({ ok: true, candidates: [{ label: 'hs' }] });
    expect(selectKeys(ring, 'RS256', undefined)).toMatchObject({ ok: false, code: 'alg_not_allowed' });
  });
  it('allow-list: --alg ∩ key algorithms; none and unknown refused', () => {
    expect(allowedAlgorithms(ring, [])).toEqual(['HS256', 'ES256']);
    expect(allowedAlgorithms(ring, parseAlgList(['ES256,RS256']))).toEqual(['ES256']);
    expect(() => allowedAlgorithms(ring, ['RS256'])).toThrow(/cannot be used with the given keys/);
    expect(() => parseAlgList(['None'])).toThrow(/never allowed/);
    expect(() => parseAlgList(['HS1'])).toThrow(/not a JWS algorithm/);
  });
  it('weak secrets', () => {
    expect(isWeakSecret('secret')).toBe(true);
    expect(isWeakSecret('Zq3vK9pLmN2xR7tY5wB8cD1eF4gH6jK0')).toBe(false);
  });
});

describe('keyMaterialIn: key material is never an HMAC secret (RFC 8725 §2.1)', () => {
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const ed = generateKeyPairSync('ed25519');
  it.each([
    ['SPKI PEM', ec.publicKey.export({ format: 'pem', type: 'spki' }), /PEM/],
    ['SPKI DER', ec.publicKey.export({ format: 'der', type: 'spki' }), /DER-encoded/],
    ['PKCS#8 DER', ed.privateKey.export({ format: 'der', type: 'pkcs8' }), /DER-encoded/],
    ['SEC1 DER', ec.privateKey.export({ format: 'der', type: 'sec1' }), /DER-encoded/],
    [
      'encrypted PKCS#8 DER',
      ec.privateKey.export({
        format: 'der',
        type: 'pkcs8',
        cipher: 'aes-256-cbc',
        passphrase: 'pass-pass-pass',
      }),
      /DER-encoded/,
    ],
    ['base64 SPKI', ec.publicKey.export({ format: 'der', type: 'spki' }).toString('base64'), /base64 DER/],
    ['JWK', JSON.stringify(ec.publicKey.export({ format: 'jwk' })), /JWK/],
    ['JWKS', JSON.stringify({ keys: [ed.publicKey.export({ format: 'jwk' })] }), /JWK/],
    ['OpenSSH', 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA user@host', /OpenSSH/],
  ])('%s', (_name, material, want) => {
    expect(keyMaterialIn(Buffer.from(material))).toMatch(want);
    if (typeof material === 'string')
      expect(() => secretKeyFromText(material, 'secret in $S')).toThrow(/not an HMAC secret/);
  });

  it('no false positives on 2,000 random secrets (base64, base64url, hex, raw bytes)', () => {
    for (let i = 0; i < 500; i++) {
      const bytes = randomBytes(16 + (i % 80));
      for (const s of [
        bytes,
        Buffer.from(bytes.toString('base64')),
        Buffer.from(bytes.toString('base64url')),
        Buffer.from(bytes.toString('hex')),
      ])
        expect(keyMaterialIn(s)).toBeUndefined();
    }
  });

  it('a secret that is not UTF-8 text is refused from env/file text (its bytes would be altered)', () => {
    expect(() => secretKeyFromText('abc\uFFFDdef-padding-padding-padding', 'secret file "s"')).toThrow(
      /is binary/,
    );
  });
});
