import { createSecretKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { algorithmsForKey } from '../../../src/lib/keys/algorithms.js';
import { checkRsaBits, generateKey, plannedFiles } from '../../../src/lib/keys/generate.js';

describe('checkRsaBits', () => {
  it.each([2048, 3072, 4096, 2056, 16384])('accepts %i', (bits) => {
    expect(() => checkRsaBits(bits)).not.toThrow();
  });
  it.each([
    [1024, /at least 2048/],
    [2047, /at least 2048/],
    [0, /at least 2048/],
    [2048.5, /at least 2048/],
    [2049, /multiple of 8/],
    [16392, /between 2048 and 16384/],
  ])('refuses %d', (bits, want) => {
    expect(() => checkRsaBits(bits)).toThrow(want);
    try {
      checkRsaBits(bits);
    } catch (err) {
      expect((err as { exitCode: number }).exitCode).toBe(2);
      expect((err as { code: string }).code).toBe('ERR_KEYS_RSA_BITS');
    }
  });
});

describe('generateKey', () => {
  it.each([
    ['HS256', 32],
    ['HS384', 48],
    ['HS512', 64],
  ] as const)(
    '%s: base64url text of %i random bytes, usable for its algorithm as UTF-8 bytes',
    async (alg, n) => {
      const key = await generateKey(alg);
      if (key.type !== 'secret') throw new Error('expected a secret');
      expect(key.randomBytes).toBe(n);
      expect(key.text).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(Buffer.from(key.text, 'base64url')).toHaveLength(n);
      expect(algorithmsForKey(createSecretKey(Buffer.from(key.text, 'utf8')))).toContain(alg);
    },
  );

  it('PS256 makes a plain rsaEncryption key (not the RSASSA-PSS OID)', async () => {
    const key = await generateKey('PS256');
    if (key.type !== 'asymmetric') throw new Error('expected a pair');
    expect(key.privateKey.asymmetricKeyType).toBe('rsa');
    expect(key.privateKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect(key.privateKey.asymmetricKeyDetails?.publicExponent).toBe(65537n);
  });

  it('ES512 uses P-521', async () => {
    const key = await generateKey('ES512');
    if (key.type !== 'asymmetric') throw new Error('expected a pair');
    expect(key.privateKey.asymmetricKeyDetails?.namedCurve).toBe('secp521r1');
  });

  it('refuses short RSA before generating', async () => {
    await expect(generateKey('RS256', { bits: 1024 })).rejects.toThrow(/at least 2048/);
  });
});

describe('plannedFiles', () => {
  it('an HMAC secret: one 0600 file, no JWKS', async () => {
    const key = await generateKey('HS256');
    const files = plannedFiles('x/y', key, {});
    expect(files.map((f) => [f.path, f.mode, f.contents])).toEqual([['x/y.secret', 0o600, 'secret']]);
    expect(files[0]!.data.split('\n')).toHaveLength(2); // one line + newline
  });

  it('a pair: PKCS#8 0600, SPKI 0644, JWKS 0644 holding only the given public JWK', async () => {
    const key = await generateKey('EdDSA');
    const files = plannedFiles('k', key, { kty: 'OKP', kid: 'a' });
    expect(files.map((f) => [f.path, f.mode.toString(8), f.contents])).toEqual([
      ['k.key.pem', '600', 'private-key'],
      ['k.pub.pem', '644', 'public-key'],
      ['k.jwks.json', '644', 'jwks'],
    ]);
    expect(files[0]!.data).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(files[1]!.data).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    expect(JSON.parse(files[2]!.data)).toEqual({ keys: [{ kty: 'OKP', kid: 'a' }] });
  });
});
