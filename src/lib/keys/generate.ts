import { generateKeyPair, randomBytes, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { UsageError } from '../../errors.js';
import {
  HMAC_MIN_BYTES,
  isJwsAlgorithm,
  JWS_ALGORITHMS,
  MIN_RSA_BITS,
  type JwsAlgorithm,
} from './algorithms.js';

/**
 * Key material for `apikit keys generate`: an asymmetric pair for RS/PS/ES/EdDSA, or a random HMAC secret.
 * No file I/O here — the command decides where the bytes go.
 */
export const DEFAULT_RSA_BITS = 2048;
/** Above this, generation takes minutes and nobody verifies with it; refusing beats a hang. */
export const MAX_RSA_BITS = 16384;

export type GeneratedKey =
  | { type: 'asymmetric'; alg: JwsAlgorithm; privateKey: KeyObject; publicKey: KeyObject }
  | { type: 'secret'; alg: 'HS256' | 'HS384' | 'HS512'; text: string; randomBytes: number };

const EC_CURVES: Partial<Record<JwsAlgorithm, string>> = { ES256: 'P-256', ES384: 'P-384', ES512: 'P-521' };

const generateKeyPairAsync = promisify(generateKeyPair);

export function isRsaAlgorithm(alg: JwsAlgorithm): boolean {
  return alg.startsWith('RS') || alg.startsWith('PS');
}

export function isHmacAlgorithm(alg: JwsAlgorithm): alg is 'HS256' | 'HS384' | 'HS512' {
  return alg.startsWith('HS');
}

/**
 * The checks on what `keys generate` (and the library's generateKey) is asked for, before any key is made: a JWS
 * algorithm, bits only for RSA, no kid for an HMAC secret (a secret is never published in a JWKS, where a kid
 * lives), no empty kid. `names` is how the caller spells its inputs: `--alg` on the command line, `alg` in the
 * library. The bits themselves are checked by generateKey (checkRsaBits).
 */
export function checkGenerateRequest(
  alg: string,
  options: { bits?: number | undefined; kid?: string | undefined },
  names: 'flags' | 'options',
): JwsAlgorithm {
  const name = (input: string): string => (names === 'flags' ? `--${input}` : input);
  if (!isJwsAlgorithm(alg)) {
    throw new UsageError(
      `${name('alg')} "${alg}" is not one of ${JWS_ALGORITHMS.join(', ')}`,
      'ERR_KEYS_ALG',
    );
  }
  if (options.bits !== undefined && !isRsaAlgorithm(alg)) {
    throw new UsageError(`${name('bits')} applies to RSA keys (RS*/PS*), not ${alg}`, 'ERR_USAGE');
  }
  if (options.kid !== undefined && isHmacAlgorithm(alg)) {
    throw new UsageError(
      `${name('kid')} has no place in an HMAC secret file (a secret is never published in a JWKS; set the kid when you sign)`,
      'ERR_USAGE',
    );
  }
  if (options.kid === '') throw new UsageError(`${name('kid')} is empty`, 'ERR_USAGE');
  return alg;
}

/** RFC 8725 §3.5 / NIST SP 800-131A: RSA keys under 2048 bits are refused, not merely warned about. */
export function checkRsaBits(bits: number): void {
  if (!Number.isInteger(bits) || bits < MIN_RSA_BITS) {
    throw new UsageError(
      `--bits ${bits}: RSA keys must have at least ${MIN_RSA_BITS} bits (omit --bits for ${DEFAULT_RSA_BITS})`,
      'ERR_KEYS_RSA_BITS',
    );
  }
  if (bits > MAX_RSA_BITS || bits % 8 !== 0) {
    throw new UsageError(
      `--bits ${bits}: choose a multiple of 8 between ${MIN_RSA_BITS} and ${MAX_RSA_BITS}`,
      'ERR_KEYS_RSA_BITS',
    );
  }
}

export async function generateKey(alg: JwsAlgorithm, options: { bits?: number } = {}): Promise<GeneratedKey> {
  if (isHmacAlgorithm(alg)) {
    // RFC 7518 §3.2: at least as many key bytes as the hash output. The file holds the base64url text of N
    // random bytes and the key is that text's UTF-8 bytes (how PyJWT and most users treat an HS secret), so the
    // key carries N bytes of entropy and is even longer than N bytes.
    const n = HMAC_MIN_BYTES[alg];
    return { type: 'secret', alg, text: randomBytes(n).toString('base64url'), randomBytes: n };
  }
  if (isRsaAlgorithm(alg)) {
    const bits = options.bits ?? DEFAULT_RSA_BITS;
    checkRsaBits(bits);
    // PS* keys are ordinary rsaEncryption keys: the RSASSA-PSS OID form is unusable in JOSE (jose, PyJWT).
    const pair = await generateKeyPairAsync('rsa', { modulusLength: bits, publicExponent: 0x10001 });
    return { type: 'asymmetric', alg, ...pair };
  }
  const curve = EC_CURVES[alg];
  if (curve) {
    const pair = await generateKeyPairAsync('ec', { namedCurve: curve });
    return { type: 'asymmetric', alg, ...pair };
  }
  if (alg === 'EdDSA') {
    const pair = await generateKeyPairAsync('ed25519');
    return { type: 'asymmetric', alg, ...pair };
  }
  throw new UsageError(`cannot generate keys for ${alg}`, 'ERR_KEYS_ALG');
}

export interface PlannedFile {
  path: string;
  data: string;
  mode: number;
  contents: 'private-key' | 'public-key' | 'jwks' | 'secret';
}

/**
 * The files for a generated key: PREFIX.key.pem (PKCS#8, 0600), PREFIX.pub.pem (SPKI, 0644) and
 * PREFIX.jwks.json (the public JWK with kid, alg and use "sig"), or PREFIX.secret (0600) alone for HMAC —
 * a secret never goes into a JWKS, which exists to be published.
 */
export function plannedFiles(
  prefix: string,
  key: GeneratedKey,
  publicJwk: Record<string, unknown>,
): PlannedFile[] {
  if (key.type === 'secret') {
    return [{ path: `${prefix}.secret`, data: key.text + '\n', mode: 0o600, contents: 'secret' }];
  }
  const jwks = { keys: [publicJwk] };
  return [
    {
      path: `${prefix}.key.pem`,
      data: key.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
      mode: 0o600,
      contents: 'private-key',
    },
    {
      path: `${prefix}.pub.pem`,
      data: key.publicKey.export({ type: 'spki', format: 'pem' }) as string,
      mode: 0o644,
      contents: 'public-key',
    },
    {
      path: `${prefix}.jwks.json`,
      data: JSON.stringify(jwks, null, 2) + '\n',
      mode: 0o644,
      contents: 'jwks',
    },
  ];
}
