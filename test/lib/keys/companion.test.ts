import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { adoptCompanionKids, companionJwksPath, wantsCompanionKid } from '../../../src/lib/keys/companion.js';
import { importJwk, loadKeys, type KeySet } from '../../../src/lib/keys/load.js';

/**
 * A PEM takes its kid from the JWKS `keys generate` wrote beside it — matched by public key, never by name alone.
 */
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const other = generateKeyPairSync('ed25519');
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });

const pem = (key: KeyObject, type: 'pkcs8' | 'spki'): Buffer =>
  Buffer.from(key.export({ type, format: 'pem' }) as string);
const jwk = (key: KeyObject, extra: Record<string, unknown> = {}) => ({
  ...key.export({ format: 'jwk' }),
  ...extra,
});
const companion = (value: unknown) => ({
  name: 'keys/api.jwks.json',
  data: Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)),
});

describe('companionJwksPath', () => {
  it.each([
    ['keys/api.key.pem', 'keys/api.jwks.json'],
    ['keys/api.pub.pem', 'keys/api.jwks.json'],
    ['/abs/dir/signing.key.pem', '/abs/dir/signing.jwks.json'],
    ['api.key.pem', 'api.jwks.json'],
    ['key.pem', undefined], // not a name `keys generate` writes
    ['api.pem', undefined],
    ['api.jwks.json', undefined],
    ['keys/.key.pem', undefined],
    ['-', undefined],
  ])('%s → %s', (path, want) => {
    expect(companionJwksPath(path)).toBe(want);
  });
});

describe('adoptCompanionKids', () => {
  const ecSet = (): KeySet => loadKeys(pem(ec.privateKey, 'pkcs8'), 'keys/api.key.pem');

  it('a PEM takes the kid of the same public key, and says where it came from', () => {
    const set = adoptCompanionKids(
      ecSet(),
      companion({
        keys: [jwk(other.publicKey, { kid: 'not-this' }), jwk(ec.publicKey, { kid: '2026-01', use: 'sig' })],
      }),
    );
    expect(set.keys[0]!.kid).toBe('2026-01');
    expect(set.keys[0]!.kidFrom).toBe('keys/api.jwks.json');
    // Only the kid: alg and use stay the PEM's (none).
    expect([set.keys[0]!.alg, set.keys[0]!.use]).toEqual([undefined, undefined]);
  });

  it('a public PEM (SPKI) and an RSA key match too', () => {
    const spki = loadKeys(pem(rsa.publicKey, 'spki'), 'keys/api.pub.pem');
    const set = adoptCompanionKids(spki, companion({ keys: [jwk(rsa.publicKey, { kid: 'rsa-1' })] }));
    expect(set.keys[0]!.kid).toBe('rsa-1');
  });

  it.each([
    { label: 'another key only', value: { keys: [jwk(other.publicKey, { kid: 'x' })] } },
    { label: 'the key without a kid', value: { keys: [jwk(ec.publicKey)] } },
    {
      label: 'the key under two kids',
      value: { keys: [jwk(ec.publicKey, { kid: 'a' }), jwk(ec.publicKey, { kid: 'b' })] },
    },
    { label: 'not JSON', value: '{"keys": [' },
    { label: 'a JWK, not a JWKS', value: jwk(ec.publicKey, { kid: 'x' }) },
    { label: '"keys" not an array', value: { keys: 'nope' } },
    {
      label: 'an entry Node cannot read',
      value: { keys: [{ kty: 'EC', crv: 'P-256', x: 'AA', y: 'AA', kid: 'x' }] },
    },
    { label: 'a kty from Object.prototype', value: { keys: [{ kty: 'toString', kid: 'x' }] } },
    { label: 'an empty kid', value: { keys: [jwk(ec.publicKey, { kid: '' })] } },
  ])('$label: the key is left as it was', ({ value }) => {
    const before = ecSet();
    const after = adoptCompanionKids(before, companion(value));
    expect(after).toBe(before);
    expect(after.keys[0]!.kid).toBeUndefined();
  });

  it('a JWKS entry that wrongly carries private members still matches by its public key', () => {
    const set = adoptCompanionKids(ecSet(), companion({ keys: [jwk(ec.privateKey, { kid: 'priv' })] }));
    expect(set.keys[0]!.kid).toBe('priv');
  });

  it('a key that has a kid of its own keeps it', () => {
    const own: KeySet = {
      source: 'k.jwk.json',
      format: 'jwk',
      keys: [importJwk(jwk(ec.publicKey, { kid: 'own' }), 'k.jwk.json')],
    };
    const set = adoptCompanionKids(own, companion({ keys: [jwk(ec.publicKey, { kid: 'other' })] }));
    expect(set.keys[0]!.kid).toBe('own');
  });
});

describe('wantsCompanionKid', () => {
  it.each([
    ['a PKCS#8 PEM', () => loadKeys(pem(ec.privateKey, 'pkcs8'), 'k'), true],
    ['an SPKI PEM', () => loadKeys(pem(ec.publicKey, 'spki'), 'k'), true],
    ['a JWK', () => loadKeys(Buffer.from(JSON.stringify(jwk(ec.publicKey))), 'k'), false],
    ['an HMAC secret', () => loadKeys(Buffer.from('0123456789abcdef0123456789abcdef'), 'k'), false],
  ])('%s → %s', (_label, set, want) => {
    expect(wantsCompanionKid(set())).toBe(want);
  });
});
