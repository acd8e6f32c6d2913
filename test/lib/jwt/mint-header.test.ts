import { createSecretKey, generateKeyPairSync } from 'node:crypto';
import { calculateJwkThumbprint, type JWK } from 'jose';
import { describe, expect, it } from 'vitest';
import { mintTimes, timeSpecFlag } from '../../../src/lib/jwt/mint-claims.js';
import {
  chooseKid,
  defaultKid,
  headerMembers,
  mintAlgorithm,
  mintHeader,
  RESERVED_HEADER_MEMBERS,
} from '../../../src/lib/jwt/mint-header.js';
import { pickSigningKey, weakSigningSecret } from '../../../src/lib/jwt/signing.js';
import { loadedKeyFromKeyObject, type KeySet } from '../../../src/lib/keys/load.js';

const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const ed = generateKeyPairSync('ed25519');
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ecKey = loadedKeyFromKeyObject(ec.privateKey);
const edKey = loadedKeyFromKeyObject(ed.privateKey);
const rsaKey = loadedKeyFromKeyObject(rsa.privateKey);
const secret = loadedKeyFromKeyObject(createSecretKey(Buffer.from('Zq3vK9pLmN2xR7tY5wB8cD1eF4gH6jK0-32b+')));
const ecThumbprint = await calculateJwkThumbprint(ec.publicKey.export({ format: 'jwk' }) as JWK);

describe('mintAlgorithm', () => {
  it.each([
    ['the key decides (EC P-256)', ecKey, undefined, {}, 'ES256'],
    ['the key decides (Ed25519)', edKey, undefined, {}, 'EdDSA'],
    ['the key decides (secret)', secret, undefined, {}, 'HS256'],
    ['--alg, checked against the key', rsaKey, 'PS256', {}, 'PS256'],
    ['a re-signed header alg the key can make', rsaKey, undefined, { alg: 'RS384' }, 'RS384'],
    [
      'a re-signed header alg the key cannot make: the key decides',
      edKey,
      undefined,
      { alg: 'HS256' },
      'EdDSA',
    ],
    ['a re-signed "none" is never taken', ecKey, undefined, { alg: 'none' }, 'ES256'],
    ['--alg beats the re-signed header', rsaKey, 'RS512', { alg: 'PS256' }, 'RS512'],
  ] as const)('%s', (_name, key, requested, base, want) => {
    expect(mintAlgorithm(key, 'k.pem', requested, base)).toBe(want);
  });

  it.each([
    ['--alg the key cannot make', ecKey, 'RS256', {}, /cannot sign RS256/],
    ['--alg none', ecKey, 'none', {}, /refusing alg "none"/],
    ['RSA without --alg or a header alg', rsaKey, undefined, {}, /choose with --alg/],
    ['RSA with an unusable header alg', rsaKey, undefined, { alg: 'ES256' }, /choose with --alg/],
  ] as const)('refuses %s', (_name, key, requested, base, message) => {
    expect(() => mintAlgorithm(key, 'k.pem', requested, base)).toThrow(message);
  });
});

describe('headerMembers', () => {
  it('types --header values as JSON over the re-signed header, in order', () => {
    expect(headerMembers({ typ: 'JWT', cty: 'a' }, ['cty="b"', 'n=5', 'o={"a":1}', 'w=plain'])).toEqual({
      typ: 'JWT',
      cty: 'b',
      n: 5,
      o: { a: 1 },
      w: 'plain',
    });
  });

  it('drops alg/crit/b64 from the re-signed header', () => {
    expect(headerMembers({ alg: 'none', crit: ['b64'], b64: false, kid: 'x' }, [])).toEqual({ kid: 'x' });
  });

  it.each([...RESERVED_HEADER_MEMBERS, '__proto__'])('refuses --header %s=...', (name) => {
    expect(() => headerMembers({}, [`${name}=1`])).toThrow(
      expect.objectContaining({
        code: 'ERR_JWT_HEADER_RESERVED',
        message: expect.stringContaining(`"${name}"`),
      }),
    );
  });

  it('--header alg says to use --alg; a member without "=" is a syntax error', () => {
    expect(() => headerMembers({}, ['alg=none'])).toThrow('--header cannot set "alg" (use --alg)');
    expect(() => headerMembers({}, ['cty'])).toThrow(
      expect.objectContaining({ code: 'ERR_JWT_HEADER_SYNTAX' }),
    );
  });
});

describe('chooseKid / defaultKid', () => {
  it.each([
    [{ flag: 'f', fromHeaderFlag: 'h', key: 'k', base: 'b' }, 'f'],
    [{ fromHeaderFlag: 'h', key: 'k', base: 'b' }, 'h'],
    [{ fromHeaderFlag: 5, key: 'k', base: 'b' }, 'k'],
    [{ base: 'b' }, 'b'],
    [{ base: 7 }, undefined],
    [{}, undefined],
  ])('%j → %j', (candidates, want) => expect(chooseKid(candidates)).toBe(want));

  it('the default is the RFC 7638 thumbprint; a secret gets none', async () => {
    expect(await defaultKid(ecKey)).toBe(ecThumbprint);
    expect(await defaultKid(secret)).toBeUndefined();
  });
});

describe('mintHeader', () => {
  it.each([
    [
      'EC key: typ JWT, kid = thumbprint',
      { key: ecKey, alg: 'ES256' },
      { alg: 'ES256', typ: 'JWT', kid: ecThumbprint },
    ],
    ['secret: no kid', { key: secret, alg: 'HS256' }, { alg: 'HS256', typ: 'JWT' }],
    [
      '--typ and --kid',
      { key: ecKey, alg: 'ES256', typ: 'at+jwt', kid: 'k1' },
      { alg: 'ES256', typ: 'at+jwt', kid: 'k1' },
    ],
    [
      'a kid given with --header is kept; members keep their order',
      { key: ecKey, alg: 'ES256', members: ['cty="x"', 'kid=from-header'] },
      { alg: 'ES256', cty: 'x', kid: 'from-header', typ: 'JWT' },
    ],
    [
      're-signed header: its typ and kid stay, alg follows the key',
      { key: ecKey, alg: 'ES256', base: { alg: 'RS256', kid: 'orig', typ: 'at+jwt', cty: 'y' } },
      { alg: 'ES256', kid: 'orig', typ: 'at+jwt', cty: 'y' },
    ],
    [
      'a secret drops a re-signed non-string kid',
      { key: secret, alg: 'HS256', base: { kid: 5 } },
      { alg: 'HS256', typ: 'JWT' },
    ],
  ] as const)('%s', async (_name, input, want) => {
    const header = await mintHeader({ base: {}, members: [], ...input } as Parameters<typeof mintHeader>[0]);
    expect(header).toEqual(want);
    expect(Object.keys(header)).toEqual(Object.keys(want));
  });
});

describe('pickSigningKey / weakSigningSecret', () => {
  const set = (keys: KeySet['keys']): KeySet => ({ source: 'keys.jwks', format: 'jwks', keys });
  const a = { ...ecKey, kid: 'a' };
  const b = { ...edKey, kid: 'b' };
  const pub = { ...loadedKeyFromKeyObject(rsa.publicKey), kid: 'p' };

  it('one key; the one --kid names; the only private key', () => {
    expect(pickSigningKey(set([a]), 'k', undefined)).toBe(a);
    expect(pickSigningKey(set([a, b]), 'k', 'b')).toBe(b);
    expect(pickSigningKey(set([pub, a]), 'k', undefined)).toBe(a);
  });

  it.each([
    [[a, b], undefined, 'key "k" holds 2 keys; choose one with --kid ("a", "b")'],
    [[a, b], 'c', 'key "k" has no key with kid "c" (it has "a", "b")'],
  ] as const)('refuses %#', (keys, kid, message) => {
    expect(() => pickSigningKey(set([...keys]), 'k', kid)).toThrow(message);
  });

  it('warns about a well-known secret only', () => {
    expect(weakSigningSecret('your-256-bit-secret', 'key "k"')).toEqual([
      { id: 'weak_secret', message: 'key "k" is a well-known HMAC secret: anyone can forge tokens with it' },
    ]);
    expect(weakSigningSecret('Zq3vK9pLmN2xR7tY5wB8cD1eF4gH6jK0', 'key "k"')).toEqual([]);
  });
});

describe('mintTimes / timeSpecFlag', () => {
  const now = Date.UTC(2026, 0, 15, 12);
  it.each([
    // Only what the flags say: the defaults (exp in 15m, iat now) are buildClaims' (issue 9, item 6).
    [{ exp: '15m' }, { exp: now + 900_000, nbf: undefined, iat: undefined }],
    [
      { exp: '-5m', nbf: '10m' },
      { exp: now - 300_000, nbf: now + 600_000, iat: undefined },
    ],
    [
      { exp: false, iat: false },
      { exp: null, nbf: undefined, iat: null },
    ],
    [{}, { exp: undefined, nbf: undefined, iat: undefined }],
    [{ iat: '2026-01-15T11:00:00Z' }, { exp: undefined, nbf: undefined, iat: now - 3_600_000 }],
    [{ nbf: '1768480000' }, { exp: undefined, nbf: 1768480000_000, iat: undefined }],
  ] as const)('%j', (flags, want) => expect(mintTimes(flags, now)).toEqual(want));

  it.each([
    ['--exp', 'soon', '--exp: "soon" is not a duration (15m, 2h) or an instant (2026-01-02T03:04:05Z)'],
    ['--nbf', '2026-13-45', '--nbf: "2026-13-45" is not'],
    ['--iat', '', '--iat: "" is not'],
  ])('%s %j → a usage error naming the flag', (flag, text, message) => {
    expect(() => timeSpecFlag(flag, text, now)).toThrow(message);
    expect(() => timeSpecFlag(flag, text, now)).toThrow(
      expect.objectContaining({ code: 'ERR_JWT_TIME', exitCode: 2 }),
    );
  });
});
