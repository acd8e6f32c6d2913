import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';

import { loadKeys } from '../../../src/lib/keys/load.js';

const PASS = 'right-passphrase';

/** A wrong passphrase whose decryption passes the CBC padding check, so Node reports a DER error, not BAD_DECRYPT. */
function luckyWrongPassphrase(pem: string): string {
  for (let i = 0; i < 5000; i++) {
    const guess = `wrong-${i}`;
    try {
      createPrivateKey({ key: pem, format: 'pem', passphrase: guess });
    } catch (err) {
      if (!/BAD_DECRYPT|DECRYPT/i.test(`${(err as { code?: string }).code ?? ''} ${String(err)}`))
        return guess;
    }
  }
  throw new Error('no wrong passphrase in 5000 got past the padding check');
}

describe.each([
  ['PKCS#8 (ENCRYPTED PRIVATE KEY)', 'pkcs8', 'ENCRYPTED PRIVATE KEY'],
  ['SEC1 with Proc-Type: 4,ENCRYPTED', 'sec1', 'EC PRIVATE KEY'],
] as const)('loadKeys: encrypted private keys, %s', (_name, type, label) => {
  const { privateKey: pem } = generateKeyPairSync('ec', {
    namedCurve: 'P-256',
    privateKeyEncoding: { type, format: 'pem', cipher: 'aes-256-cbc', passphrase: PASS },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });

  it('the right passphrase reads the key', () => {
    const set = loadKeys(Buffer.from(pem), 'k.pem', { passphrase: PASS });
    expect(set.keys[0]!.kind).toBe('private');
  });

  it('a wrong passphrase that decrypts to garbage past the padding check is still "wrong passphrase"', () => {
    const guess = luckyWrongPassphrase(pem);
    expect(() => loadKeys(Buffer.from(pem), 'k.pem', { passphrase: guess })).toThrow(/wrong passphrase/);
  });

  it('an ordinary wrong passphrase is "wrong passphrase"', () => {
    expect(() => loadKeys(Buffer.from(pem), 'k.pem', { passphrase: 'nope' })).toThrow(/wrong passphrase/);
  });

  it('a damaged envelope with a passphrase is "malformed", not blamed on the passphrase', () => {
    // Cut mid-line: a whole number of 64-character lines can still be whole cipher blocks.
    const lines = pem.trim().split('\n');
    const cut = [...lines.slice(0, -3), lines.at(-3)!.slice(0, 30), lines.at(-1)!].join('\n');
    expect(() => loadKeys(Buffer.from(cut), 'k.pem', { passphrase: PASS })).toThrow(
      new RegExp(`malformed ${label}`),
    );
  });
});
