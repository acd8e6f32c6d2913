import { generateKeyPairSync } from 'node:crypto';
import { calculateJwkThumbprint } from 'jose';
import { describe, expect, it } from 'vitest';
import {
  appendKey,
  readJwksSet,
  removeKey,
  requireFreeKid,
  serializeJwksSet,
  type JwksSet,
} from '../../../src/lib/keys/jwks-set.js';

/** Keys made by node:crypto directly, exported as JWK by Node (not by apikit). */
function ecJwk(kid: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { ...publicKey.export({ format: 'jwk' }), kid, alg: 'ES256', use: 'sig', ...extra };
}
function privateEcJwk(kid: string): Record<string, unknown> {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { ...privateKey.export({ format: 'jwk' }), kid };
}
const text = (doc: unknown): Uint8Array => Buffer.from(JSON.stringify(doc, null, 2) + '\n');
const read = (doc: unknown): Promise<JwksSet> => readJwksSet(text(doc), 'jwks.json');

async function refusal(doc: unknown): Promise<{ code: string; exitCode: number; message: string }> {
  try {
    await read(doc);
  } catch (err) {
    return err as { code: string; exitCode: number; message: string };
  }
  throw new Error('expected a refusal');
}

describe('readJwksSet: what a published signing set may hold', () => {
  it('reads the keys in file order, with kid, kty, alg, use and the RFC 7638 thumbprint (as jose computes it)', async () => {
    const a = ecJwk('a');
    const b = ecJwk('b', { use: undefined });
    const set = await read({ keys: [a, b] });
    expect(set.entries.map((e) => [e.kid, e.kty, e.alg, e.use])).toEqual([
      ['a', 'EC', 'ES256', 'sig'],
      ['b', 'EC', 'ES256', null],
    ]);
    expect(set.entries[0]!.thumbprint).toBe(await calculateJwkThumbprint(a as never));
  });

  it('accepts an empty set (a set emptied with retire --force can be rotated into again)', async () => {
    expect((await read({ keys: [] })).entries).toEqual([]);
  });

  const cases: [string, () => unknown, string, RegExp][] = [
    ['not JSON', () => '{"keys": [', 'ERR_KEYS_JWKS_JSON', /is not JSON/],
    ['no keys array', () => ({ kty: 'EC' }), 'ERR_KEYS_JWKS_JSON', /no "keys" array/],
    [
      'an entry that is not an object',
      () => ({ keys: [42] }),
      'ERR_KEYS_JWKS_ENTRY',
      /keys\[0\] is not an object/,
    ],
    [
      'a private EC key ("d")',
      () => ({ keys: [ecJwk('a'), privateEcJwk('b')] }),
      'ERR_KEYS_JWKS_PRIVATE',
      /keys\[1\] \(kid "b"\) holds private key material \("d"\)/,
    ],
    [
      'a private RSA key (its CRT members)',
      () => {
        const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
        return { keys: [{ ...privateKey.export({ format: 'jwk' }), kid: 'r' }] };
      },
      'ERR_KEYS_JWKS_PRIVATE',
      /"d", "p", "q", "dp", "dq", "qi"/,
    ],
    [
      'a symmetric secret',
      () => ({ keys: [{ kty: 'oct', k: 'c2VjcmV0c2VjcmV0c2VjcmV0', kid: 's' }] }),
      'ERR_KEYS_JWKS_PRIVATE',
      /symmetric secret \(kty "oct"\)/,
    ],
    [
      'a key without kid',
      () => ({ keys: [ecJwk('a'), { ...ecJwk('x'), kid: undefined }] }),
      'ERR_KEYS_JWKS_NO_KID',
      /keys\[1\] has no "kid"/,
    ],
    ['an empty kid', () => ({ keys: [ecJwk('')] }), 'ERR_KEYS_JWKS_NO_KID', /has no "kid"/],
    [
      'a duplicate kid',
      () => ({ keys: [ecJwk('a'), ecJwk('b'), ecJwk('a')] }),
      'ERR_KEYS_JWKS_DUPLICATE_KID',
      /kid "a" appears twice \(keys\[0\] and keys\[2\]\)/,
    ],
    [
      'mixed use',
      () => ({ keys: [ecJwk('a'), ecJwk('b', { use: 'enc' })] }),
      'ERR_KEYS_JWKS_MIXED_USE',
      /mixes keys with use "sig" and "enc"/,
    ],
    [
      'encryption keys only',
      () => ({ keys: [ecJwk('a', { use: 'enc' })] }),
      'ERR_KEYS_JWKS_MIXED_USE',
      /use "enc", not signing keys/,
    ],
    [
      'a damaged public key',
      () => ({ keys: [{ ...ecJwk('a'), y: undefined }] }),
      'ERR_KEY_JWK_MEMBER',
      /keys\[0\] \(kty EC\) is missing "y"/,
    ],
  ];
  it.each(cases)('refuses %s: exit 2, one line naming the file', async (_name, make, code, want) => {
    const doc = make();
    const err = await (typeof doc === 'string'
      ? readJwksSet(Buffer.from(doc), 'jwks.json').then(
          () => {
            throw new Error('expected a refusal');
          },
          (e: unknown) => e as { code: string; exitCode: number; message: string },
        )
      : refusal(doc));
    expect(err.code).toBe(code);
    expect(err.exitCode).toBe(2);
    expect(err.message).toMatch(want);
    expect(err.message).toContain('jwks.json');
    expect(err.message).not.toContain('\n');
  });

  it('never quotes private material in the refusal', async () => {
    const priv = privateEcJwk('b');
    const err = await refusal({ keys: [priv] });
    expect(err.message).not.toContain(priv.d as string);
  });

  it('shows hostile kids through the terminal sanitiser', async () => {
    const err = await refusal({ keys: [ecJwk('\u001b[31mred'), ecJwk('\u001b[31mred')] });
    expect(err.message).not.toContain('\u001b');
    expect(err.message).toContain('?[31mred');
  });
});

describe('serializeJwksSet: stable formatting', () => {
  it('round-trips a canonical file byte for byte, unknown members and member order included', async () => {
    const doc = {
      comment: 'published at https://api.example.com/jwks.json',
      keys: [
        { x5t: 'abc', ...ecJwk('a'), key_ops: ['verify'] },
        { kid: 'b', ...ecJwk('b') },
      ],
      extra: true,
    };
    const bytes = text(doc);
    expect(serializeJwksSet(await read(doc))).toBe(Buffer.from(bytes).toString('utf8'));
  });

  it('rewrites a minified file the way keys jwks writes one (two-space JSON, final newline)', async () => {
    const doc = { keys: [ecJwk('a')] };
    const set = await readJwksSet(Buffer.from(JSON.stringify(doc)), 'jwks.json');
    expect(serializeJwksSet(set)).toBe(JSON.stringify(doc, null, 2) + '\n');
  });
});

describe('appendKey / removeKey: creation order is file order, newest last', () => {
  const entry = (kid: string): JwksSet['entries'][number] => ({
    kid,
    kty: 'EC',
    alg: 'ES256',
    use: 'sig',
    thumbprint: `tp-${kid}`,
    jwk: ecJwk(kid),
  });

  it('appends last and refuses a kid the set has', async () => {
    const set = await read({ keys: [ecJwk('a'), ecJwk('b')] });
    expect(appendKey(set, entry('c')).entries.map((e) => e.kid)).toEqual(['a', 'b', 'c']);
    expect(() => appendKey(set, entry('a'))).toThrow(/kid "a" is already in "jwks.json"/);
    expect(() => requireFreeKid(set, 'b')).toThrow(
      expect.objectContaining({ code: 'ERR_KEYS_JWKS_DUPLICATE_KID' }),
    );
  });

  it('removes in place, keeping the order of the rest', async () => {
    const set = await read({ keys: [ecJwk('a'), ecJwk('b'), ecJwk('c')] });
    const r = removeKey(set, 'b');
    expect(r.set.entries.map((e) => e.kid)).toEqual(['a', 'c']);
    expect(r.removed.kid).toBe('b');
    expect(r.forced).toEqual([]);
    expect(removeKey(set, 'a').set.entries.map((e) => e.kid)).toEqual(['b', 'c']);
  });

  it.each([
    ['the newest', ['a', 'b'], 'b', 'ERR_KEYS_RETIRE_NEWEST', /newest key/, 'newest'],
    ['the only key', ['a'], 'a', 'ERR_KEYS_RETIRE_LAST', /only key/, 'last'],
  ] as const)('refuses %s without force, allows it with force', async (_n, kids, kid, code, want, forced) => {
    const set = await read({ keys: kids.map((k) => ecJwk(k)) });
    expect(() => removeKey(set, kid)).toThrow(want);
    expect(() => removeKey(set, kid)).toThrow(expect.objectContaining({ code, exitCode: 2 }));
    const r = removeKey(set, kid, { force: true });
    expect(r.forced).toEqual([forced]);
    expect(r.set.entries.map((e) => e.kid)).toEqual(kids.filter((k) => k !== kid));
  });

  it('an unknown kid: exit 2, naming the kids there are', async () => {
    const set = await read({ keys: [ecJwk('a'), ecJwk('b')] });
    expect(() => removeKey(set, 'zz', { force: true })).toThrow(
      /kid "zz" is not in "jwks.json" \(it has "a", "b"\)/,
    );
    expect(() => removeKey(set, 'zz')).toThrow(expect.objectContaining({ code: 'ERR_KEYS_KID_NOT_FOUND' }));
  });
});
