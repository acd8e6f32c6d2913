import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { UsageError } from '../errors.js';

/**
 * API keys in the style of GitHub's token format (2021): `<prefix>_<30 random base62 chars><6 base62 chars of a
 * CRC32>`. The prefix says what the key is (a secret scanner can match `ak_live_[0-9A-Za-z]{36}`), the checksum lets
 * anyone tell a typo or a made-up string from a real key offline, before a database lookup. The random part is
 * 30 characters of base62: 30 · log2(62) ≈ 178.6 bits, above the 160 the issue asks for and far beyond guessing.
 *
 * Stored as SHA-256 of the whole key. A slow password hash (bcrypt, scrypt, argon2) exists to make guessing a
 * low-entropy *password* from its hash expensive; guessing a 178-bit random key is out of reach at any hash speed,
 * so a fast hash loses nothing, and it lets the server find a key by its hash (an indexed lookup) on every
 * request, which a salted slow hash cannot.
 *
 * Pure: node:crypto and node:zlib only.
 */
export const DEFAULT_APIKEY_PREFIX = 'ak_live';

/** Base62, digits first (the order GitHub's tokens and most base62 libraries use). */
export const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
export const APIKEY_RANDOM_CHARS = 30;
export const APIKEY_CHECKSUM_CHARS = 6;
/** Whole bits of randomness in a key: floor(30 · log2 62). */
export const APIKEY_BITS = Math.floor(APIKEY_RANDOM_CHARS * Math.log2(BASE62.length));
export const APIKEY_PREFIX_MAX = 20;
export const APIKEY_HASH_ALGORITHM = 'sha256';

const PREFIX_RE = /^[a-z][a-z0-9_]*$/;
/** Bytes below this are used (248 = 4 · 62), the rest redrawn: `byte % 62` is then uniform (no modulo bias). */
const ACCEPT_BELOW = 256 - (256 % BASE62.length);
/** A source of randomness that keeps refusing is broken, not unlucky (p ≈ (8/256)^n per byte). */
const MAX_DRAWS = 64;

/** Why a prefix is not usable, or null when it is: lowercase letters, digits and `_`, a letter first, ≤ 20. */
export function apiKeyPrefixProblem(prefix: string): string | null {
  if (prefix === '') return 'is empty';
  if (prefix.length > APIKEY_PREFIX_MAX) return `is longer than ${APIKEY_PREFIX_MAX} characters`;
  if (!PREFIX_RE.test(prefix)) {
    return 'must be lowercase letters, digits and "_", starting with a letter (e.g. ak_live, acme_test)';
  }
  if (prefix.endsWith('_')) return 'must not end with "_" (the separator is added)';
  return null;
}

/**
 * A new key: `${prefix}_` + 30 random base62 characters + the CRC32 of everything before it as 6 base62
 * characters (zero-padded: 62^6 > 2^32). `random(n)` returns n random bytes (node:crypto's by default; tests
 * inject their own).
 */
export function generateApiKey(
  prefix: string = DEFAULT_APIKEY_PREFIX,
  random: (n: number) => Uint8Array = randomBytes,
): string {
  const problem = apiKeyPrefixProblem(prefix);
  if (problem !== null) {
    throw new UsageError(`the API key prefix ${problem}`, 'ERR_APIKEY_PREFIX');
  }
  const body = `${prefix}_${randomBase62(APIKEY_RANDOM_CHARS, random)}`;
  return body + checksum(body);
}

/** `n` uniformly random base62 characters, by rejection sampling. */
export function randomBase62(n: number, random: (n: number) => Uint8Array): string {
  let out = '';
  for (let draw = 0; out.length < n; draw++) {
    if (draw >= MAX_DRAWS) throw new Error('the random source keeps returning unusable bytes');
    // A few spare bytes per round: about 3% are rejected.
    for (const byte of random(n - out.length + 8)) {
      if (byte < ACCEPT_BELOW) out += BASE62[byte % BASE62.length];
      if (out.length === n) break;
    }
  }
  return out;
}

/** CRC32 (IEEE, zlib's) of the text as 6 base62 characters, zero-padded. */
function checksum(text: string): string {
  let n = crc32(Buffer.from(text, 'utf8'));
  let out = '';
  for (let i = 0; i < APIKEY_CHECKSUM_CHARS; i++) {
    out = BASE62[n % 62]! + out;
    n = Math.floor(n / 62);
  }
  return out;
}

export type ApiKeyCheck = { ok: true; prefix: string } | { ok: false; reason: string };

const TAIL = APIKEY_RANDOM_CHARS + APIKEY_CHECKSUM_CHARS;

/**
 * The offline check: the shape and the checksum. No reason quotes any part of the key — what was given may be a
 * real key with one typo, still a secret.
 */
export function checkApiKey(key: string): ApiKeyCheck {
  if (key === '') return { ok: false, reason: 'the key is empty' };
  if (/\s/.test(key)) return { ok: false, reason: 'the key contains whitespace' };
  if (!/^[A-Za-z0-9_]+$/.test(key)) {
    return { ok: false, reason: 'the key contains a character other than a letter, a digit or "_"' };
  }
  const cut = key.lastIndexOf('_');
  if (cut < 0) {
    return { ok: false, reason: `the key has no prefix (expected <prefix>_<${TAIL} characters>)` };
  }
  const prefix = key.slice(0, cut);
  const tail = key.slice(cut + 1);
  const problem = apiKeyPrefixProblem(prefix);
  if (problem !== null) return { ok: false, reason: `the prefix ${problem}` };
  if (tail.length !== TAIL) {
    return {
      ok: false,
      reason:
        `the part after the prefix is ${tail.length} characters, expected ${TAIL} ` +
        `(${APIKEY_RANDOM_CHARS} random, ${APIKEY_CHECKSUM_CHARS} checksum)`,
    };
  }
  const body = key.slice(0, key.length - APIKEY_CHECKSUM_CHARS);
  if (checksum(body) !== key.slice(-APIKEY_CHECKSUM_CHARS)) {
    return { ok: false, reason: 'the checksum does not match (a typo, a truncated copy, or not an API key)' };
  }
  return { ok: true, prefix };
}

/** What to store: `sha256:` + lowercase hex of SHA-256 over the key's UTF-8 bytes. */
export function hashApiKey(key: string): string {
  return `${APIKEY_HASH_ALGORITHM}:${createHash('sha256').update(key, 'utf8').digest('hex')}`;
}

const STORED_RE = /^sha256:[0-9a-f]{64}$/;

/**
 * Whether `key` hashes to `storedHash`, compared in constant time (node:crypto timingSafeEqual over the two
 * digests), so a server's answer time says nothing about how much of a guess was right. A stored value that is
 * not `sha256:<64 hex>` matches nothing.
 */
export function apiKeyMatches(key: string, storedHash: string): boolean {
  const stored = storedHash.toLowerCase();
  if (!STORED_RE.test(stored)) return false;
  const want = Buffer.from(stored.slice('sha256:'.length), 'hex');
  const got = createHash('sha256').update(key, 'utf8').digest();
  return timingSafeEqual(got, want);
}
