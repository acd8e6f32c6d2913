import { constants, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { InputError } from '../../errors.js';
import { MIN_RSA_BITS, type JwsAlgorithm } from '../keys/algorithms.js';

/**
 * Keys whose SubjectPublicKeyInfo OID is id-RSASSA-PSS (`openssl genpkey -algorithm RSA-PSS`). jose cannot import
 * them (JWK has no way to say "PSS only"), but Node's crypto can sign and verify with them, and OpenSSL then
 * enforces the restrictions the key carries (its hash, MGF1 hash and minimum salt length, RFC 4055 §3.1). JWS
 * fixes all three per algorithm (RFC 7518 §3.5): PS256 is SHA-256, MGF1 with SHA-256, a 32-byte salt. So such a
 * key signs and verifies exactly the PS* algorithm its parameters allow, and nothing else.
 */
const PSS = {
  PS256: { hash: 'sha256', saltBytes: 32 },
  PS384: { hash: 'sha384', saltBytes: 48 },
  PS512: { hash: 'sha512', saltBytes: 64 },
} as const;
export type PssAlgorithm = keyof typeof PSS;

export function isPssAlgorithm(alg: string): alg is PssAlgorithm {
  return alg === 'PS256' || alg === 'PS384' || alg === 'PS512';
}

/** The restrictions an RSASSA-PSS key carries; all undefined for an unrestricted key. */
export interface PssParameters {
  hash: string | undefined;
  mgf1Hash: string | undefined;
  saltLength: number | undefined;
}

export function pssParameters(key: KeyObject): PssParameters {
  const d = key.asymmetricKeyDetails ?? {};
  return { hash: d.hashAlgorithm, mgf1Hash: d.mgf1HashAlgorithm, saltLength: d.saltLength };
}

/** For messages: "restricted to sha256, MGF1 sha1, salt ≥ 64 bytes" or "unrestricted". */
export function describePssParameters(key: KeyObject): string {
  const p = pssParameters(key);
  if (p.hash === undefined) return 'unrestricted';
  return `restricted to ${p.hash}, MGF1 ${p.mgf1Hash ?? p.hash}, salt ≥ ${p.saltLength ?? 0} bytes`;
}

/**
 * The JWS algorithms an RSASSA-PSS key may be used with: PS256/384/512 when it is unrestricted, else the one
 * whose hash its parameters name — and none when they contradict JWS (MGF1 with another hash, or a minimum
 * salt longer than the hash). Under 2048 bits: none (RFC 7518 §3.5).
 */
export function pssAlgorithms(key: KeyObject): JwsAlgorithm[] {
  if ((key.asymmetricKeyDetails?.modulusLength ?? 0) < MIN_RSA_BITS) return [];
  const p = pssParameters(key);
  return (Object.keys(PSS) as PssAlgorithm[]).filter((alg) => {
    if (p.hash === undefined) return true;
    const want = PSS[alg];
    return (
      p.hash === want.hash && (p.mgf1Hash ?? p.hash) === want.hash && (p.saltLength ?? 0) <= want.saltBytes
    );
  });
}

/** A JWS signature (RFC 7515 §5.1) over the ASCII signing input, by node:crypto under the key's own limits. */
export function pssSign(alg: PssAlgorithm, privateKey: KeyObject, signingInput: string): Buffer {
  const { hash, saltBytes } = PSS[alg];
  return sign(hash, Buffer.from(signingInput, 'ascii'), {
    key: privateKey,
    padding: constants.RSA_PKCS1_PSS_PADDING,
    saltLength: saltBytes,
  });
}

/** Whether the signature verifies; a key whose parameters refuse this alg makes OpenSSL throw: false. */
export function pssVerify(
  alg: PssAlgorithm,
  publicKey: KeyObject,
  signingInput: string,
  signature: Uint8Array,
): boolean {
  const { hash, saltBytes } = PSS[alg];
  try {
    return verify(
      hash,
      Buffer.from(signingInput, 'ascii'),
      { key: publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: saltBytes },
      signature,
    );
  } catch {
    return false;
  }
}

/** A compact JWS signed with an RSASSA-PSS key: the same bytes jose's CompactSign writes, signed by node:crypto. */
export function signCompactPss(
  header: Record<string, unknown>,
  payload: Uint8Array,
  alg: PssAlgorithm,
  privateKey: KeyObject,
): string {
  const input = `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${Buffer.from(payload).toString('base64url')}`;
  return `${input}.${pssSign(alg, privateKey, input).toString('base64url')}`;
}

/**
 * The same public key as an ordinary rsaEncryption key (same n and e), which jose can import: verification hands
 * it to jose for the claim checks once node:crypto has checked the signature with the real key, and mint takes its
 * RFC 7638 thumbprint as the default kid. SubjectPublicKeyInfo is SEQUENCE { AlgorithmIdentifier, BIT STRING }
 * (RFC 5280 §4.1.2.7); for every RSA OID the BIT STRING holds the PKCS#1 RSAPublicKey (RFC 8017 §A.1.1).
 */
export function rsaEncryptionPublicKey(key: KeyObject): KeyObject {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  const spki = publicKey.export({ format: 'der', type: 'spki' });
  const outer = readTlv(spki, 0);
  const algorithm = readTlv(spki, outer.contentStart);
  const bits = readTlv(spki, algorithm.end);
  if (outer.tag !== 0x30 || algorithm.tag !== 0x30 || bits.tag !== 0x03 || spki[bits.contentStart] !== 0) {
    throw new InputError(
      'the RSA-PSS public key is not a well-formed SubjectPublicKeyInfo',
      'ERR_KEY_RSA_PSS',
    );
  }
  return createPublicKey({
    key: spki.subarray(bits.contentStart + 1, bits.end),
    format: 'der',
    type: 'pkcs1',
  });
}

/** One DER tag-length-value header (X.690 §8.1): definite lengths only, as DER requires. */
function readTlv(der: Buffer, offset: number): { tag: number; contentStart: number; end: number } {
  const tag = der[offset] ?? -1;
  let length = der[offset + 1] ?? 0;
  let contentStart = offset + 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + (der[contentStart + i] ?? 0);
    contentStart += count;
  }
  return { tag, contentStart, end: contentStart + length };
}
