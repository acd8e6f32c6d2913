import { UsageError } from '../errors.js';
import { convertKey as convertLoadedKey } from '../lib/keys/convert.js';
import {
  checkGenerateRequest,
  generateKey as generateKeyMaterial,
  plannedFiles,
} from '../lib/keys/generate.js';
import { assembleJwks, type JwksInput } from '../lib/keys/jwks.js';
import { pickKey } from '../lib/keys/pick-key.js';
import { reportKey } from '../lib/keys/report.js';
import { signingJwk } from '../lib/keys/signing-jwk.js';
import { defaultClock } from './clock.js';
import { instantMs, readKeyInput } from './key-input.js';
import type { Instant, Jwk, JwkSet, JwsAlgorithm, KeyInput } from './types.js';

export interface GenerateKeyOptions {
  /** RSA modulus size (RS… and PS… only): a multiple of 8 from 2048 to 16384. Default 2048. */
  bits?: number;
  /** The JWKS `kid` (asymmetric keys only). Default: the RFC 7638 SHA-256 thumbprint. */
  kid?: string;
}

/** A new signing key pair, as the three files of `apikit keys generate --out PREFIX` hold it. */
export interface GeneratedKeyPair {
  type: 'asymmetric';
  alg: JwsAlgorithm;
  kty: 'RSA' | 'EC' | 'OKP';
  kid: string;
  /** RFC 7638 SHA-256 thumbprint of the public key. */
  thumbprint: string;
  /** PKCS#8 PEM (PREFIX.key.pem): keep it secret. */
  privateKeyPem: string;
  /** SPKI PEM (PREFIX.pub.pem). */
  publicKeyPem: string;
  /** The public JWK with kid, alg and use "sig". */
  publicJwk: Jwk;
  /** `{ keys: [publicJwk] }` (PREFIX.jwks.json), ready to publish. */
  jwks: JwkSet;
}

/** A new HMAC secret, as PREFIX.secret holds it (without the newline). */
export interface GeneratedSecret {
  type: 'secret';
  alg: 'HS256' | 'HS384' | 'HS512';
  /** base64url text of `randomBytes` random bytes; the HMAC key is this text's UTF-8 bytes. */
  secret: string;
  randomBytes: number;
}

/**
 * Generates a signing key for `alg` — the library form of `apikit keys generate`, without the files: an
 * asymmetric pair for RS/PS/ES/EdDSA (PS* keys are ordinary RSA keys), or a random HMAC secret for HS*.
 *
 * @throws an {@link ApikitErrorInfo}: `ERR_KEYS_ALG` (not a JWS algorithm), `ERR_KEYS_RSA_BITS`, `ERR_USAGE`.
 */
export async function generateKey(
  alg: JwsAlgorithm,
  options: GenerateKeyOptions = {},
): Promise<GeneratedKeyPair | GeneratedSecret> {
  checkGenerateRequest(alg, options, 'options');
  const key = await generateKeyMaterial(alg, options.bits === undefined ? {} : { bits: options.bits });
  if (key.type === 'secret') {
    return { type: 'secret', alg: key.alg, secret: key.text, randomBytes: key.randomBytes };
  }
  const signed = await signingJwk(key.publicKey, alg, options.kid);
  // The very texts `keys generate` writes: one function decides them.
  const files = plannedFiles('key', key, signed.jwk);
  const text = (contents: string): string => files.find((f) => f.contents === contents)!.data;
  const jwk = signed.jwk as unknown as Jwk;
  return {
    type: 'asymmetric',
    alg,
    kty: jwk.kty as GeneratedKeyPair['kty'],
    kid: signed.kid,
    thumbprint: signed.thumbprint,
    privateKeyPem: text('private-key'),
    publicKeyPem: text('public-key'),
    publicJwk: jwk,
    jwks: { keys: [jwk] },
  };
}

/** Key formats the loader tells apart. */
export type KeyFormat =
  | 'pkcs8'
  | 'encrypted-pkcs8'
  | 'pkcs1'
  | 'sec1'
  | 'spki'
  | 'pkcs1-public'
  | 'x509'
  | 'jwk'
  | 'jwks'
  | 'secret';

/** An X.509 certificate's public facts. */
export interface CertificateReport {
  subject: string;
  issuer: string;
  serialNumber: string;
  /** ISO-8601. */
  notBefore: string;
  notAfter: string;
  fingerprintSha256: string;
  selfSigned: boolean;
  expired: boolean;
  notYetValid: boolean;
}

/**
 * What `apikit keys inspect` says about one key — public facts only: no private member, no PEM body, no secret
 * bytes, and no thumbprint for an HMAC secret (it would be a bare hash of the secret).
 */
export interface KeyReport {
  kind: 'private' | 'public' | 'secret';
  kty: 'RSA' | 'EC' | 'OKP' | 'oct';
  crv: string | null;
  /** Modulus bits (RSA) or secret bits (oct). */
  bits: number | null;
  /** The algorithms the key can be used with, from the key alone. */
  algorithms: JwsAlgorithm[];
  kid: string | null;
  alg: string | null;
  use: string | null;
  thumbprint: string | null;
  thumbprintUri: string | null;
  rsaPssOid: boolean;
  certificate: CertificateReport | null;
  notes: string[];
}

export interface InspectedKeys {
  format: KeyFormat;
  keys: KeyReport[];
}

export interface InspectKeyOptions {
  /** For an encrypted PKCS#8 key. */
  passphrase?: string;
  /** The time a certificate's validity is judged at. Default: the wall clock. */
  now?: Instant;
}

/**
 * Describes a key, certificate, JWK or JWKS — the library form of `apikit keys inspect`.
 *
 * @throws an {@link ApikitErrorInfo} with an `ERR_KEY_*` code when the input is not a key.
 */
export async function inspectKey(key: KeyInput, options: InspectKeyOptions = {}): Promise<InspectedKeys> {
  const set = readKeyInput(key, 'key', options.passphrase);
  const now = instantMs(options.now, defaultClock.now);
  const keys: KeyReport[] = [];
  for (const loaded of set.keys) keys.push(await reportKey(loaded, now));
  return { format: set.format, keys };
}

export interface ConvertKeyOptions {
  to: 'jwk' | 'pem';
  /** Output only the public key (also: a certificate's key). */
  public?: boolean;
  /** Pick this key (kid or RFC 7638 thumbprint) from a JWKS with several. */
  kid?: string;
  /** For an encrypted PKCS#8 key (the output is then NOT encrypted). */
  passphrase?: string;
}

export interface ConvertedKey {
  /** What the output holds. */
  kind: 'private' | 'public' | 'secret';
  /** PEM (PKCS#8 private, SPKI public), or the JWK as JSON text with a trailing newline. */
  text: string;
  /** The JWK, for `to: 'jwk'`. */
  jwk: Jwk | undefined;
}

/**
 * Converts a key between PEM and JWK, or extracts its public half — the library form of `apikit keys convert`.
 * A JWK keeps the kid, alg and use its input had.
 *
 * @throws an {@link ApikitErrorInfo}: `ERR_KEY_*`, `ERR_KEYS_PICK` (several keys, no kid), `ERR_KEYS_KID_NOT_FOUND`,
 *   `ERR_KEYS_SECRET_PUBLIC`, `ERR_KEYS_SECRET_PEM`.
 */
export async function convertKey(key: KeyInput, options: ConvertKeyOptions): Promise<ConvertedKey> {
  if (options.to !== 'jwk' && options.to !== 'pem') {
    throw new UsageError(`to "${String(options.to)}" is not jwk or pem`, 'ERR_USAGE');
  }
  const set = readKeyInput(key, 'key', options.passphrase);
  const loaded = await pickKey(set.keys, options.kid, { source: 'key', kidInput: 'kid', inspectHint: false });
  const converted = convertLoadedKey(loaded, options.to, { public: options.public === true });
  return { kind: converted.kind, text: converted.text, jwk: converted.jwk as Jwk | undefined };
}

/** A JWKS ready to publish, and which input each key came from. */
export interface BuiltJwks {
  jwks: JwkSet;
  /** One entry per key in `jwks`, in order; `source` is `keys[i]` (`keys[i] keys[j]` for a JWKS input). */
  keys: { source: string; kid: string; thumbprint: string }[];
  /** Inputs dropped because an earlier input held the same key. */
  duplicates: { source: string; kid: string; thumbprint: string; sameAs: string }[];
}

/**
 * Assembles public keys of any format into one JWKS for publishing — the library form of `apikit keys jwks`.
 * Private keys give their public half; duplicates (same RFC 7638 thumbprint) are dropped; a key without a kid
 * gets its thumbprint; `use` defaults to "sig". HMAC secrets are refused.
 *
 * @throws an {@link ApikitErrorInfo}: `ERR_KEY_*`, `ERR_KEYS_JWKS_SECRET`, `ERR_KEYS_JWKS_KID_CLASH`.
 */
export async function buildJwks(keys: KeyInput[], options: { passphrase?: string } = {}): Promise<BuiltJwks> {
  const inputs: JwksInput[] = [];
  keys.forEach((input, i) => {
    const set = readKeyInput(input, `keys[${i}]`, options.passphrase);
    for (const [j, key] of set.keys.entries()) {
      inputs.push({ source: set.keys.length > 1 ? `${set.source} keys[${j}]` : set.source, key });
    }
  });
  const assembled = await assembleJwks(inputs);
  return { ...assembled, jwks: assembled.jwks as unknown as JwkSet };
}
