import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  APIKEY_BITS,
  apiKeyMatches,
  apiKeyPrefixProblem,
  BASE62,
  checkApiKey,
  DEFAULT_APIKEY_PREFIX,
  generateApiKey,
  hashApiKey,
  randomBase62,
} from '../../src/lib/apikey.js';

/**
 * Issue 14, `apikit apikey`: GitHub-style keys — prefix, 30 base62 characters of randomness drawn without modulo
 * bias, a 6-character base62 CRC32 of everything before it — checked offline and stored as SHA-256.
 */

/** CRC-32/ISO-HDLC written out here, independent of node:zlib, so the checksum is checked against the standard. */
function referenceCrc32(text: string): number {
  let crc = 0xffffffff;
  for (const byte of Buffer.from(text, 'utf8')) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

function referenceBase62(n: number, width: number): string {
  let v = BigInt(n);
  let out = '';
  while (v > 0n) {
    out = BASE62[Number(v % 62n)] + out;
    v /= 62n;
  }
  return out.padStart(width, '0');
}

/** A byte source that serves `bytes` in order, cycling. */
function cycling(bytes: number[]): (n: number) => Uint8Array {
  let i = 0;
  return (n) => Uint8Array.from({ length: n }, () => bytes[i++ % bytes.length]!);
}

const KEY_RE = /^([a-z][a-z0-9_]*)_([0-9A-Za-z]{30})([0-9A-Za-z]{6})$/;

describe('generateApiKey', () => {
  it('makes <prefix>_<30 random base62><6 base62 of the CRC32 of everything before>', () => {
    for (const prefix of [undefined, 'acme_test', 'a', 'x'.repeat(20)]) {
      const key = generateApiKey(prefix);
      const m = KEY_RE.exec(key);
      expect(m, key).not.toBeNull();
      expect(m![1]).toBe(prefix ?? DEFAULT_APIKEY_PREFIX);
      expect(m![3]).toBe(referenceBase62(referenceCrc32(`${m![1]}_${m![2]}`), 6));
      expect(checkApiKey(key)).toEqual({ ok: true, prefix: prefix ?? 'ak_live' });
    }
  });

  it('has at least 160 bits of randomness (178)', () => {
    expect(APIKEY_BITS).toBe(Math.floor(30 * Math.log2(62)));
    expect(APIKEY_BITS).toBeGreaterThanOrEqual(160);
  });

  it('is deterministic for an injected source, and differs for real randomness', () => {
    const a = generateApiKey('ak_live', cycling([0, 1, 2, 3, 61, 62, 247]));
    expect(a.slice(0, 'ak_live_'.length + 7)).toBe('ak_live_0123z0z');
    expect(generateApiKey('ak_live', cycling([0, 1, 2, 3, 61, 62, 247]))).toBe(a);
    const seen = new Set(Array.from({ length: 200 }, () => generateApiKey()));
    expect(seen.size).toBe(200);
  });

  it('zero-pads a small checksum to 6 characters', () => {
    // Search a few deterministic keys for a CRC32 below 62^5 (a leading "0" in base62): about 1 in 62.
    let found: string | undefined;
    for (let seed = 0; seed < 5000 && found === undefined; seed++) {
      const key = generateApiKey('ak', cycling([seed % 248, (seed * 7) % 248, (seed >> 3) % 248]));
      if (referenceCrc32(key.slice(0, -6)) < 62 ** 5) found = key;
    }
    expect(found).toBeDefined();
    expect(found!.slice(-6)[0]).toBe('0');
    expect(checkApiKey(found!)).toMatchObject({ ok: true });
  });

  it.each([
    ['', 'is empty'],
    ['Ak_live', 'lowercase'],
    ['1ak', 'starting with a letter'],
    ['ak-live', 'lowercase letters, digits and "_"'],
    ['ak live', 'lowercase'],
    ['a'.repeat(21), 'longer than 20'],
    ['ak_', 'must not end with "_"'],
  ])('refuses the prefix %j (exit 2)', (prefix, why) => {
    expect(apiKeyPrefixProblem(prefix)).toContain(why);
    expect(() => generateApiKey(prefix)).toThrow(
      expect.objectContaining({ exitCode: 2, code: 'ERR_APIKEY_PREFIX' }),
    );
  });
});

describe('randomBase62: rejection sampling, no modulo bias', () => {
  it('uses each byte below 248 as byte % 62 and redraws 248-255', () => {
    expect(randomBase62(4, cycling([248, 255, 0, 252, 61, 62, 247]))).toBe('0z0z');
  });

  it('turns every accepted byte value into each character exactly equally often', () => {
    const all = Array.from({ length: 256 }, (_, i) => i);
    // Four rounds of all 256 byte values: 4 · 248 accepted, each of the 62 characters exactly 16 times.
    const text = randomBase62(4 * 248, cycling(all));
    const counts = new Map<string, number>();
    for (const ch of text) counts.set(ch, (counts.get(ch) ?? 0) + 1);
    expect(counts.size).toBe(62);
    expect(new Set(counts.values())).toEqual(new Set([16]));
  });

  it('gives up on a source that never yields a usable byte, instead of spinning', () => {
    expect(() => randomBase62(30, () => new Uint8Array(38).fill(250))).toThrow(/random source/);
  });
});

describe('checkApiKey', () => {
  const key = generateApiKey('ak_live', cycling([5, 9, 77, 130, 201, 33]));
  const secretPart = key.slice('ak_live_'.length, -6);

  it.each([
    ['', 'empty'],
    [`${key} `, 'whitespace'],
    [`${key}\n`, 'whitespace'],
    [key.replace('_', '-'), 'a character other than'],
    [key.slice('ak_live_'.length), 'no prefix'],
    [`AK${key.slice(2)}`, 'the prefix must be lowercase'],
    [key.slice(0, -1), 'is 35 characters, expected 36'],
    [`${key}A`, 'is 37 characters'],
    [`ak_test_${key.slice('ak_live_'.length)}`, 'checksum does not match'],
  ])('%j is not a key: %s', (input, why) => {
    const got = checkApiKey(input);
    expect(got.ok).toBe(false);
    const reason = got.ok ? '' : got.reason;
    expect(reason).toContain(why);
    expect(reason).not.toContain(secretPart);
    expect(reason).not.toContain(secretPart.slice(0, 8));
  });

  it('catches every single-character substitution, anywhere after the prefix', () => {
    const start = 'ak_live_'.length;
    let caught = 0;
    for (let i = start; i < key.length; i++) {
      for (const ch of ['0', 'Z', 'z', 'q']) {
        if (key[i] === ch) continue;
        const typo = key.slice(0, i) + ch + key.slice(i + 1);
        expect(checkApiKey(typo).ok, `position ${i} → ${ch}`).toBe(false);
        caught++;
      }
    }
    expect(caught).toBeGreaterThan(36 * 3);
  });

  it('catches two swapped neighbours', () => {
    const chars = [...key];
    const i = chars.findIndex((c, j) => j > 8 && c !== chars[j + 1]);
    [chars[i], chars[i + 1]] = [chars[i + 1]!, chars[i]!];
    expect(checkApiKey(chars.join('')).ok).toBe(false);
  });
});

describe('hashApiKey and apiKeyMatches', () => {
  it('is sha256: + lowercase hex of SHA-256 over the UTF-8 key (FIPS 180-2 "abc" vector)', () => {
    expect(hashApiKey('abc')).toBe('sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    const key = generateApiKey();
    expect(hashApiKey(key)).toBe(`sha256:${createHash('sha256').update(key).digest('hex')}`);
  });

  it('matches the key it was made from, and nothing else', () => {
    const key = generateApiKey();
    const stored = hashApiKey(key);
    expect(apiKeyMatches(key, stored)).toBe(true);
    expect(apiKeyMatches(key, stored.toUpperCase().replace('SHA256', 'sha256'))).toBe(true);
    expect(apiKeyMatches(generateApiKey(), stored)).toBe(false);
    expect(apiKeyMatches(key.slice(0, -1), stored)).toBe(false);
  });

  it.each(['', 'sha256:', 'sha256:abc', `md5:${'a'.repeat(64)}`, `sha256:${'g'.repeat(64)}`, 'x'.repeat(71)])(
    'a stored value of the wrong shape (%j) matches nothing, without throwing',
    (stored) => {
      expect(apiKeyMatches(generateApiKey(), stored)).toBe(false);
    },
  );
});
