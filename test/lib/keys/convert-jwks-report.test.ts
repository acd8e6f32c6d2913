import { createSecretKey, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { convertKey, privateJwk } from '../../../src/lib/keys/convert.js';
import { assembleJwks } from '../../../src/lib/keys/jwks.js';
import { loadedKeyFromKeyObject } from '../../../src/lib/keys/load.js';
import { reportKey } from '../../../src/lib/keys/report.js';

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const small = generateKeyPairSync('rsa', { modulusLength: 1024 });
const x25519 = generateKeyPairSync('x25519');

describe('privateJwk', () => {
  it('public members first, then the private ones, nothing else', () => {
    const jwk = privateJwk(loadedKeyFromKeyObject(rsa.privateKey));
    expect(Object.keys(jwk)).toEqual(['kty', 'n', 'e', 'd', 'p', 'q', 'dp', 'dq', 'qi']);
    expect(Object.keys(privateJwk(loadedKeyFromKeyObject(ec.privateKey)))).toEqual([
      'kty',
      'crv',
      'x',
      'y',
      'd',
    ]);
  });
  it('refuses a public key', () => {
    expect(() => privateJwk(loadedKeyFromKeyObject(ec.publicKey))).toThrow(/not a private key/);
  });
});

describe('convertKey', () => {
  it('keeps kid/alg/use of the input and invents none', () => {
    const tagged = convertKey(
      loadedKeyFromKeyObject(ec.publicKey, { kid: 'k1', alg: 'ES256', use: 'sig' }),
      'jwk',
    );
    expect(tagged.jwk).toMatchObject({ kid: 'k1', alg: 'ES256', use: 'sig' });
    const bare = convertKey(loadedKeyFromKeyObject(ec.publicKey), 'jwk');
    expect(Object.keys(bare.jwk!)).toEqual(['kty', 'crv', 'x', 'y']);
  });
  it('--public on a private key gives kind "public"', () => {
    const c = convertKey(loadedKeyFromKeyObject(rsa.privateKey), 'pem', { public: true });
    expect(c.kind).toBe('public');
    expect(c.text).toMatch(/^-----BEGIN PUBLIC KEY-----/);
  });
  it('a secret has no PEM and no public half', () => {
    const s = loadedKeyFromKeyObject(createSecretKey(Buffer.alloc(32, 7)));
    expect(() => convertKey(s, 'pem')).toThrow(/no PEM form/);
    expect(() => convertKey(s, 'jwk', { public: true })).toThrow(/no public half/);
    expect(convertKey(s, 'jwk').kind).toBe('secret');
  });
});

describe('assembleJwks', () => {
  it('dedupes, keeps the first kid, infers alg only when unambiguous', async () => {
    const a = await assembleJwks([
      { source: 'a', key: loadedKeyFromKeyObject(ec.privateKey, { kid: 'first' }) },
      { source: 'b', key: loadedKeyFromKeyObject(ec.publicKey, { kid: 'second' }) },
      { source: 'c', key: loadedKeyFromKeyObject(rsa.publicKey) },
    ]);
    expect(a.jwks.keys.map((k) => [k.kid, k.alg, k.use])).toEqual([
      ['first', 'ES256', 'sig'],
      [a.keys[1]!.thumbprint, undefined, 'sig'],
    ]);
    expect(a.duplicates).toEqual([expect.objectContaining({ source: 'b', sameAs: 'a' })]);
    for (const k of a.jwks.keys) expect(k).not.toHaveProperty('d');
  });
  it('refuses secrets', async () => {
    await expect(
      assembleJwks([{ source: 's', key: loadedKeyFromKeyObject(createSecretKey(Buffer.alloc(32))) }]),
    ).rejects.toThrow(/"s" holds an HMAC secret/);
  });
});

describe('reportKey notes', () => {
  it('RSA under 2048 bits: no algorithms, a note', async () => {
    const r = await reportKey(loadedKeyFromKeyObject(small.publicKey), 0);
    expect(r.algorithms).toEqual([]);
    expect(r.notes.join(' ')).toMatch(/1024 bits: under 2048/);
  });
  it('an alg tag the key cannot serve', async () => {
    const r = await reportKey(loadedKeyFromKeyObject(ec.publicKey, { alg: 'RS256' }), 0);
    expect(r.notes.join(' ')).toMatch(/tagged alg "RS256"/);
  });
  it('X25519 cannot sign', async () => {
    const r = await reportKey(loadedKeyFromKeyObject(x25519.publicKey), 0);
    expect(r.algorithms).toEqual([]);
    expect(r.notes.join(' ')).toMatch(/X25519 keys cannot sign/);
  });
  it('a good key has no notes', async () => {
    const r = await reportKey(loadedKeyFromKeyObject(ec.privateKey), 0);
    expect(r.notes).toEqual([]);
    expect(r.thumbprint).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});
