import {
  createPrivateKey,
  createPublicKey,
  createSecretKey,
  X509Certificate,
  type JsonWebKey,
  type KeyObject,
} from 'node:crypto';
import { InputError, isApikitError } from '../../errors.js';
import { joseCurveName } from './algorithms.js';
import { keyMaterialIn } from './key-material.js';
import { terminalSafe } from '../text/terminal-safe.js';

// A PEM's kid from the JWKS `keys generate` wrote beside it: re-exported so that it loads with the loader (one
// module less for every command that reads a key; see ./companion.ts).
export { adoptCompanionKids, companionJwksPath, wantsCompanionKid } from './companion.js';

/**
 * The one key loader. It sniffs content (never the file name): PEM (PKCS#8, encrypted PKCS#8, PKCS#1 RSA,
 * SEC1 EC, SPKI, PKCS#1 public, X.509 certificate), JWK, JWKS, or a raw HMAC secret — and returns Node
 * KeyObjects, which read more PEM flavours than jose's importers and which jose accepts for every operation.
 * Pure: bytes in, keys out; the caller reads the file.
 */
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

export type Kty = 'RSA' | 'EC' | 'OKP' | 'oct';

export interface CertificateInfo {
  subject: string;
  issuer: string;
  serialNumber: string;
  notBefore: string;
  notAfter: string;
  fingerprintSha256: string;
  selfSigned: boolean;
}

export interface LoadedKey {
  /** The key as read: private, public or secret. */
  key: KeyObject;
  /** The public half (asymmetric keys); undefined for secrets. */
  publicKey: KeyObject | undefined;
  kind: 'private' | 'public' | 'secret';
  kty: Kty;
  /** JOSE curve name ("P-256", "Ed25519"), for EC and OKP keys. */
  crv: string | undefined;
  /** Modulus bits (RSA) or secret bits (oct). */
  bits: number | undefined;
  /** True for keys whose OID is RSASSA-PSS: Node reads them, most JOSE libraries (jose too) do not. */
  rsaPssOid: boolean;
  /**
   * The JWK or JWKS entry's kid — or, for a PEM, the kid its companion JWKS gives the same key (see
   * ./companion.ts; `kidFrom` then names that file).
   */
  kid: string | undefined;
  /** The companion JWKS the kid was taken from; undefined when the kid is the key file's own (or absent). */
  kidFrom?: string | undefined;
  /** Members given in a JWK or JWKS entry. */
  alg: string | undefined;
  use: string | undefined;
  certificate: CertificateInfo | undefined;
}

export interface KeySet {
  /** How messages name the input ("keys/signing.pem", "stdin"). */
  source: string;
  format: KeyFormat;
  keys: LoadedKey[];
}

export interface LoadOptions {
  /** For encrypted PEM. */
  passphrase?: string;
  /**
   * Whether a failure without a more specific next step suggests `apikit keys inspect FILE` (the default).
   * The `keys` verbs turn it off: there, the suggestion would send the user to the command they just ran.
   */
  inspectHint?: boolean;
}

const PEM_BLOCK_RE = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;

const PEM_FORMATS: Record<string, KeyFormat> = {
  'PRIVATE KEY': 'pkcs8',
  'ENCRYPTED PRIVATE KEY': 'encrypted-pkcs8',
  'RSA PRIVATE KEY': 'pkcs1',
  'EC PRIVATE KEY': 'sec1',
  'PUBLIC KEY': 'spki',
  'RSA PUBLIC KEY': 'pkcs1-public',
  CERTIFICATE: 'x509',
};

export function loadKeys(data: Uint8Array, source: string, options: LoadOptions = {}): KeySet {
  const buf = Buffer.from(data);
  const text = buf.toString('utf8');
  const trimmed = text.trim();
  if (trimmed === '') throw new InputError(`cannot read key "${source}": it is empty`, 'ERR_KEY_EMPTY');
  if (trimmed.startsWith('-----BEGIN')) return loadPem(trimmed, source, options);
  if (trimmed.startsWith('{')) return loadJson(trimmed, source, options);
  return loadSecret(buf, source, options);
}

/** Builds the error for a key file that could not be read: what is wrong with it, and the next step. */
type Fail = (problem: string, code: string, hint?: string) => InputError;

function failures(source: string, options: LoadOptions): Fail {
  const inspect =
    options.inspectHint === false
      ? undefined
      : `try: apikit keys inspect ${source === 'stdin' ? '-' : source}`;
  return (problem, code, hint) =>
    new InputError(`cannot read key "${source}": ${problem}`, code, { hint: hint ?? inspect });
}

function loadPem(text: string, source: string, options: LoadOptions): KeySet {
  const fail = failures(source, options);
  const blocks = [...text.matchAll(PEM_BLOCK_RE)];
  if (blocks.length === 0) {
    const label = /-----BEGIN ([A-Z0-9 ]+)-----/.exec(text)?.[1] ?? 'PEM';
    throw fail(`truncated PEM: "BEGIN ${label}" has no matching END line`, 'ERR_KEY_PEM_TRUNCATED');
  }
  // `openssl ecparam -genkey` puts an EC PARAMETERS block first; skip parameter blocks.
  const block = blocks.find((b) => !b[1]!.endsWith('PARAMETERS'));
  if (!block) throw fail('PEM holds parameters but no key', 'ERR_KEY_PEM_NO_KEY');
  const label = block[1]!;
  const pem = block[0];
  const format = PEM_FORMATS[label];
  if (!format) {
    throw fail(
      `unsupported PEM block "${label}" (expected a key or a certificate)`,
      'ERR_KEY_PEM_UNSUPPORTED',
    );
  }
  const legacyEncrypted = /Proc-Type:\s*4,ENCRYPTED/i.test(block[2]!);
  if ((format === 'encrypted-pkcs8' || legacyEncrypted) && options.passphrase === undefined) {
    throw fail(
      'the private key is encrypted and no passphrase was given',
      'ERR_KEY_ENCRYPTED',
      'give the passphrase with --passphrase-env VAR or --passphrase-file FILE',
    );
  }
  try {
    if (format === 'x509') {
      const cert = new X509Certificate(pem);
      return { source, format, keys: [describe(cert.publicKey, 'public', {}, certificateInfo(cert))] };
    }
    if (format === 'spki' || format === 'pkcs1-public') {
      return { source, format, keys: [describe(createPublicKey(pem), 'public', {})] };
    }
    const key = createPrivateKey(
      options.passphrase === undefined ? pem : { key: pem, format: 'pem', passphrase: options.passphrase },
    );
    return { source, format, keys: [describe(key, 'private', {})] };
  } catch (err) {
    if (isApikitError(err)) throw err;
    const code = (err as { code?: string }).code ?? '';
    // Node reports a wrong passphrase as BAD_DECRYPT — except about once in 256 tries, when the CBC padding check
    // passes by chance and the garbage fails as DER instead. So an encrypted key whose envelope is whole (a whole
    // DER SEQUENCE for PKCS#8; whole cipher blocks for a legacy Proc-Type PEM) failed on its passphrase.
    if (options.passphrase !== undefined && (format === 'encrypted-pkcs8' || legacyEncrypted)) {
      const body = pemBody(block[2]!);
      const whole = legacyEncrypted ? body.length > 0 && body.length % 8 === 0 : isWholeDerSequence(body);
      if (whole) throw fail('wrong passphrase for the encrypted private key', 'ERR_KEY_PASSPHRASE');
    } else if (
      options.passphrase !== undefined &&
      /INTERRUPTED|BAD_DECRYPT|DECRYPT/i.test(code + String(err))
    ) {
      throw fail('wrong passphrase for the encrypted private key', 'ERR_KEY_PASSPHRASE');
    }
    throw fail(`malformed ${label} (the base64 body is damaged or truncated)`, 'ERR_KEY_PEM_MALFORMED');
  }
}

/** The base64 body of a PEM block, without its RFC 1421 headers (Proc-Type, DEK-Info). */
function pemBody(inner: string): Buffer {
  const body = inner.replace(/^[ \t]*[A-Za-z-]+:.*$/gm, '');
  return Buffer.from(body.replace(/\s+/g, ''), 'base64');
}

/** True when the bytes are one DER SEQUENCE whose encoded length is exactly the bytes given. */
function isWholeDerSequence(der: Buffer): boolean {
  if (der.length < 2 || der[0] !== 0x30) return false;
  const first = der[1]!;
  if (first < 0x80) return 2 + first === der.length;
  const n = first & 0x7f;
  if (n === 0 || n > 4 || der.length < 2 + n) return false;
  let length = 0;
  for (let i = 0; i < n; i++) length = length * 256 + der[2 + i]!;
  return 2 + n + length === der.length;
}

function loadJson(text: string, source: string, options: LoadOptions): KeySet {
  const fail = failures(source, options);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw fail('starts like JSON but is not valid JSON', 'ERR_KEY_JSON');
  }
  if (!isObject(value)) throw fail('JSON is not an object', 'ERR_KEY_JSON');
  if ('keys' in value) {
    if (!Array.isArray(value.keys)) throw fail('JWKS "keys" is not an array', 'ERR_KEY_JWKS');
    if (value.keys.length === 0) throw fail('JWKS has no keys', 'ERR_KEY_JWKS_EMPTY');
    const keys = value.keys.map((jwk: unknown, i: number) => importJwk(jwk, source, `keys[${i}]`, options));
    return { source, format: 'jwks', keys };
  }
  if ('kty' in value) return { source, format: 'jwk', keys: [importJwk(value, source, 'JWK', options)] };
  throw fail('JSON is neither a JWK (no "kty") nor a JWKS (no "keys")', 'ERR_KEY_JSON');
}

const REQUIRED_MEMBERS: Record<string, { public: string[]; private: string[] }> = {
  RSA: { public: ['n', 'e'], private: ['d', 'p', 'q', 'dp', 'dq', 'qi'] },
  EC: { public: ['crv', 'x', 'y'], private: ['d'] },
  OKP: { public: ['crv', 'x'], private: ['d'] },
  oct: { public: ['k'], private: [] },
};

/** Imports one JWK, naming the missing or malformed member precisely. */
export function importJwk(
  value: unknown,
  source: string,
  where = 'JWK',
  options: Pick<LoadOptions, 'inspectHint'> = {},
): LoadedKey {
  const fail = failures(source, options);
  if (!isObject(value)) throw fail(`${where} is not an object`, 'ERR_KEY_JWK');
  const kty = value.kty;
  if (typeof kty !== 'string') throw fail(`${where} is missing "kty"`, 'ERR_KEY_JWK_MEMBER');
  // Own properties only: "toString", "constructor" or "__proto__" must not find Object.prototype's members.
  const required = Object.hasOwn(REQUIRED_MEMBERS, kty) ? REQUIRED_MEMBERS[kty] : undefined;
  if (!required) throw fail(`${where} has unsupported kty "${terminalSafe(kty, 40)}"`, 'ERR_KEY_JWK_KTY');
  for (const member of required.public) {
    if (typeof value[member] !== 'string' || value[member] === '') {
      throw fail(`${where} (kty ${kty}) is missing "${member}"`, 'ERR_KEY_JWK_MEMBER');
    }
  }
  const isPrivate = 'd' in value;
  if (isPrivate) {
    for (const member of required.private) {
      if (typeof value[member] !== 'string') {
        throw fail(`${where} is a private ${kty} key but is missing "${member}"`, 'ERR_KEY_JWK_MEMBER');
      }
    }
  }
  for (const member of ['n', 'e', 'x', 'y', 'd', 'k', 'p', 'q', 'dp', 'dq', 'qi']) {
    const v = value[member];
    if (typeof v === 'string' && !/^[A-Za-z0-9_-]*$/.test(v)) {
      throw fail(`${where} member "${member}" is not base64url`, 'ERR_KEY_JWK_MEMBER');
    }
  }
  const meta = {
    kid: typeof value.kid === 'string' ? value.kid : undefined,
    alg: typeof value.alg === 'string' ? value.alg : undefined,
    use: typeof value.use === 'string' ? value.use : undefined,
  };
  try {
    const jwk = value as JsonWebKey;
    if (kty === 'oct') {
      const bytes = Buffer.from(value.k as string, 'base64url');
      if (bytes.length === 0) throw fail(`${where} has an empty "k"`, 'ERR_KEY_JWK_MEMBER');
      return describe(createSecretKey(bytes), 'secret', meta);
    }
    const loaded = isPrivate
      ? describe(createPrivateKey({ key: jwk, format: 'jwk' }), 'private', meta)
      : describe(createPublicKey({ key: jwk, format: 'jwk' }), 'public', meta);
    // Node accepts a modulus of only zero bytes; nothing can verify with it (and thumbprints fail on it).
    if (loaded.kty === 'RSA' && !loaded.bits)
      throw fail(`${where} has an empty RSA modulus "n"`, 'ERR_KEY_JWK_INVALID');
    return loaded;
  } catch (err) {
    if (isApikitError(err)) throw err;
    throw fail(`${where} is not a valid ${kty} key (${shortReason(err)})`, 'ERR_KEY_JWK_INVALID');
  }
}

/**
 * Anything that is neither PEM nor JSON may be a raw HMAC secret: one line of at least 16 visible characters
 * (the text's UTF-8 bytes are the key, as in PyJWT and most HS256 users), or at least 16 bytes of binary.
 * Prose, short strings and other garbage are refused rather than silently used as a key.
 */
function loadSecret(buf: Buffer, source: string, options: LoadOptions): KeySet {
  const fail = failures(source, options);
  // A DER key, bare base64 DER or an OpenSSH key is not a secret: it is (usually public) key material, and
  // HMAC over public bytes is the RS→HS key-confusion attack (RFC 8725 §2.1).
  const form = keyMaterialIn(buf);
  if (form !== undefined) {
    throw fail(
      `it is ${form}, not an HMAC secret (apikit reads keys as PEM or JWK)`,
      'ERR_KEY_NOT_PEM',
      toPemHint(form, source),
    );
  }
  const text = buf.toString('utf8');
  // Control characters (other than whitespace) mean binary bytes, not a line of text.
  // eslint-disable-next-line no-control-regex
  const isText = !text.includes('\uFFFD') && !/[\x00-\x08\x0e-\x1f\x7f]/.test(text);
  let bytes: Buffer;
  if (isText) {
    const line = text.replace(/\r?\n$/, '');
    if (/\s/.test(line) || line.length < 16) {
      throw fail(
        'not a PEM key, certificate, JWK, JWKS or HMAC secret',
        'ERR_KEY_UNRECOGNISED',
        'an HMAC secret file holds one line of at least 16 characters; try: apikit keys generate --alg HS256 --out NAME',
      );
    }
    bytes = Buffer.from(line, 'utf8');
  } else {
    if (buf.length < 16) throw fail('not a key: too short to be an HMAC secret', 'ERR_KEY_UNRECOGNISED');
    bytes = buf;
  }
  return { source, format: 'secret', keys: [describe(createSecretKey(bytes), 'secret', {})] };
}

/** How to turn key material in another encoding into PEM, which every apikit command reads. */
function toPemHint(form: string, source: string): string {
  const file = source === 'stdin' ? 'FILE' : source;
  if (form.includes('OpenSSH')) return `convert it to PEM: ssh-keygen -e -m PKCS8 -f ${file}`;
  if (form.includes('base64'))
    return 'put it between "-----BEGIN PUBLIC KEY-----" and "-----END PUBLIC KEY-----" lines';
  return `convert it to PEM: openssl pkey -inform DER -in ${file}  (add -pubin for a public key)`;
}

function describe(
  key: KeyObject,
  kind: LoadedKey['kind'],
  meta: { kid?: string | undefined; alg?: string | undefined; use?: string | undefined },
  certificate?: CertificateInfo,
): LoadedKey {
  const base = {
    key,
    kind,
    kid: meta.kid,
    alg: meta.alg,
    use: meta.use,
    certificate,
    rsaPssOid: false,
  };
  if (key.type === 'secret') {
    return {
      ...base,
      publicKey: undefined,
      kty: 'oct',
      crv: undefined,
      bits: (key.symmetricKeySize ?? 0) * 8,
    };
  }
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  const details = key.asymmetricKeyDetails ?? {};
  switch (key.asymmetricKeyType) {
    case 'rsa':
    case 'rsa-pss':
      return {
        ...base,
        publicKey,
        kty: 'RSA',
        crv: undefined,
        bits: details.modulusLength,
        rsaPssOid: key.asymmetricKeyType === 'rsa-pss',
      };
    case 'ec':
      return { ...base, publicKey, kty: 'EC', crv: joseCurveName(details.namedCurve), bits: undefined };
    case 'ed25519':
    case 'ed448':
    case 'x25519':
    case 'x448': {
      const crv = { ed25519: 'Ed25519', ed448: 'Ed448', x25519: 'X25519', x448: 'X448' }[
        key.asymmetricKeyType
      ];
      return { ...base, publicKey, kty: 'OKP', crv, bits: undefined };
    }
    default:
      throw new InputError(`unsupported key type "${key.asymmetricKeyType ?? 'unknown'}"`, 'ERR_KEY_TYPE');
  }
}

/** A LoadedKey for a KeyObject made in memory (e.g. just generated), described exactly as the loader would. */
export function loadedKeyFromKeyObject(
  key: KeyObject,
  meta: { kid?: string | undefined; alg?: string | undefined; use?: string | undefined } = {},
): LoadedKey {
  return describe(
    key,
    key.type === 'secret' ? 'secret' : key.type === 'private' ? 'private' : 'public',
    meta,
  );
}

function certificateInfo(cert: X509Certificate): CertificateInfo {
  return {
    subject: cert.subject.replace(/\n/g, ', '),
    issuer: cert.issuer.replace(/\n/g, ', '),
    serialNumber: cert.serialNumber,
    notBefore: new Date(cert.validFrom).toISOString(),
    notAfter: new Date(cert.validTo).toISOString(),
    fingerprintSha256: cert.fingerprint256,
    selfSigned: cert.subject === cert.issuer && cert.verify(cert.publicKey),
  };
}

/** The public JWK of a key (for secrets: the oct JWK, which is secret material). RSA-PSS OID keys have none. */
export function publicJwk(loaded: LoadedKey): JsonWebKey {
  const source = loaded.kind === 'secret' ? loaded.key : loaded.publicKey!;
  if (loaded.rsaPssOid) {
    throw new InputError(
      'this RSA key carries the RSASSA-PSS OID, which JWK cannot express; re-create it as an ordinary RSA key',
      'ERR_KEY_RSA_PSS_OID',
      { hint: 'apikit keys generate --alg PS256 --out NAME  (an rsaEncryption key tagged alg: PS256)' },
    );
  }
  const jwk = source.export({ format: 'jwk' });
  if (loaded.kind === 'secret') return { kty: 'oct', k: jwk.k };
  // Keep only the public members, in a stable order.
  const { kty, crv, x, y, n, e } = jwk;
  return Object.fromEntries(
    Object.entries({ kty, crv, x, y, n, e }).filter(([, v]) => v !== undefined),
  ) as JsonWebKey;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function shortReason(err: unknown): string {
  const code = (err as { code?: string }).code;
  return code ?? (err instanceof Error ? err.message : String(err));
}
