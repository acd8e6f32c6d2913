import { createHmac, createSecretKey, type KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { HMAC_ALGS, type Keyring } from '../../../src/lib/jwt/keyring.js';
import { verifyToken, type VerifyPolicy } from '../../../src/lib/jwt/verify.js';

/**
 * verifyToken hands jose one WebCrypto key per HMAC secret and alg, made once (src/lib/jwt/verify.ts,
 * verifyingKey). The tokens are signed with node:crypto's createHmac, not jose. What must hold: every HS alg
 * still verifies, and a key made for one secret never answers for another, even while checks run concurrently.
 */
const NOW_MS = 1_800_000_000_000;
const A = Buffer.from('secret-A-long-enough-for-every-hmac-alg-0123456789abcdef');
const B = Buffer.from('secret-B-long-enough-for-every-hmac-alg-0123456789abcdef');
const policy: VerifyPolicy = {
  algorithms: [...HMAC_ALGS],
  leewaySec: 0,
  requireClaims: [],
  requireScopes: [],
};

const b64u = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');

function sign(secret: Buffer, alg: string, n: number): string {
  const input = `${b64u({ alg, typ: 'JWT' })}.${b64u({ sub: `user-${n}`, exp: NOW_MS / 1000 + 600 })}`;
  const mac = createHmac(`sha${alg.slice(2)}`, secret)
    .update(input)
    .digest('base64url');
  return `${input}.${mac}`;
}

function ringOf(key: KeyObject, label: string): Keyring {
  return {
    name: 'the given keys',
    skipped: [],
    entries: [{ key, kid: undefined, algs: [...HMAC_ALGS], label }],
  };
}

describe('verifyToken with an HMAC secret: one WebCrypto key per secret and alg', () => {
  const ringA = ringOf(createSecretKey(A), 'secret A');
  const ringB = ringOf(createSecretKey(B), 'secret B');

  it.each(HMAC_ALGS)('%s: valid with its secret, on the first check and on later ones', async (alg) => {
    for (let round = 0; round < 3; round++) {
      const v = await verifyToken(sign(A, alg, round), ringA, policy, NOW_MS);
      expect(v).toMatchObject({ valid: true, code: 'valid', key: 'secret A' });
    }
  });

  it.each(HMAC_ALGS)('%s: the key made for one secret never verifies for another', async (alg) => {
    // Both rings have made their keys for this alg by now (the test above filled A's).
    await verifyToken(sign(B, alg, 0), ringB, policy, NOW_MS);
    expect(await verifyToken(sign(A, alg, 1), ringB, policy, NOW_MS)).toMatchObject({
      valid: false,
      code: 'signature_invalid',
    });
    expect(await verifyToken(sign(B, alg, 1), ringA, policy, NOW_MS)).toMatchObject({
      valid: false,
      code: 'signature_invalid',
    });
    expect(await verifyToken(sign(B, alg, 2), ringB, policy, NOW_MS)).toMatchObject({ valid: true });
  });

  it('a tampered MAC is refused with a key already made', async () => {
    const token = sign(A, 'HS256', 7);
    const last = token.at(-1) === 'A' ? 'B' : 'A';
    expect(await verifyToken(token.slice(0, -1) + last, ringA, policy, NOW_MS)).toMatchObject({
      code: 'signature_invalid',
    });
  });

  it('concurrent checks over fresh secrets and every alg (as a batch window runs them): each verdict is its own', async () => {
    const rings = [ringOf(createSecretKey(A), 'fresh A'), ringOf(createSecretKey(B), 'fresh B')];
    const cases = Array.from({ length: 120 }, (_, i) => ({
      alg: HMAC_ALGS[i % 3]!,
      signer: i % 2 === 0 ? A : B,
      ring: rings[(i >> 1) % 2]!,
    }));
    const verdicts = await Promise.all(
      cases.map((c, i) => verifyToken(sign(c.signer, c.alg, i), c.ring, policy, NOW_MS)),
    );
    const want = cases.map((c) => (c.signer === A) === (c.ring === rings[0]));
    expect(verdicts.map((v) => v.valid)).toEqual(want);
    expect(want.filter(Boolean)).toHaveLength(60);
  });
});
