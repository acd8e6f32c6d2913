import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';

/**
 * Recognises asymmetric key material in bytes that claim to be something else (an HMAC secret): PEM, JWK/JWKS
 * text, OpenSSH keys, DER (SPKI, PKCS#1, PKCS#8, SEC1, X.509) and the SSH wire format — as they are, or
 * written out as hex, base64 or base64url text (with or without line breaks and spaces). A public key's bytes
 * are public, so treating them as an HMAC secret is the RS256→HS256 key-confusion attack (RFC 8725 §2.1): the
 * key loader and jwt both refuse, whatever the encoding.
 */

const PEM = 'a PEM key or certificate';
const DER = 'a DER-encoded key or certificate';
const BASE64_DER = 'a base64 DER key or certificate (PEM without its BEGIN/END lines)';
const HEX_DER = 'a hex-encoded DER key or certificate (e.g. the output of xxd -p)';
const SSH_WIRE = 'an OpenSSH public key in SSH wire format';
const BASE64_SSH_WIRE = 'an OpenSSH public key blob (the base64 part of an ssh-… line)';
const OPENSSH_PRIVATE = 'an OpenSSH private key';

/** Text encodings are unwrapped this many times (base64 of a PEM, hex of base64 DER …), no more. */
const MAX_DEPTH = 2;

/** Names the key form these bytes hold, or undefined when they hold none (an ordinary secret). */
export function keyMaterialIn(bytes: Uint8Array): string | undefined {
  return formIn(Buffer.from(bytes), 0);
}

function formIn(buf: Buffer, depth: number): string | undefined {
  const direct = directForm(buf);
  if (direct !== undefined) return direct;
  if (depth >= MAX_DEPTH) return undefined;
  const text = buf.toString('utf8').trim();
  for (const { encoding, decoded } of textDecodings(text)) {
    const inner = formIn(decoded, depth + 1);
    if (inner === undefined) continue;
    if (inner === DER) return encoding === 'hex' ? HEX_DER : BASE64_DER;
    if (inner === SSH_WIRE) return encoding === 'hex' ? `hex-encoded ${SSH_WIRE}` : BASE64_SSH_WIRE;
    return `${encoding === 'hex' ? 'hex' : 'base64'}-encoded text holding ${inner}`;
  }
  return undefined;
}

/** Key material as it is: no text encoding to undo. */
function directForm(buf: Buffer): string | undefined {
  const text = buf.toString('utf8').trim();
  if (text.includes('-----BEGIN')) return PEM;
  if (/^[[{]/.test(text) && /"(?:kty|keys)"/.test(text)) return 'a JWK or JWKS';
  if (/^(?:ssh-(?:rsa|dss|ed25519|ed448)|ecdsa-sha2-|sk-(?:ssh|ecdsa))/.test(text))
    return 'an OpenSSH public key';
  if (isDerKey(buf)) return DER;
  if (isSshWire(buf)) return SSH_WIRE;
  if (buf.subarray(0, OPENSSH_MAGIC.length).equals(OPENSSH_MAGIC)) return OPENSSH_PRIVATE;
  return undefined;
}

/**
 * The bytes that text may spell: hex (`xxd -p`, `openssl … | od`-style with colons, upper or lower case) and
 * base64 or base64url (Node's decoder reads both alphabets), the whole text with its whitespace removed, and
 * each long word on its own (a blob followed by a comment). Too short to hold a key → nothing to try.
 */
function textDecodings(text: string): { encoding: 'hex' | 'base64'; decoded: Buffer }[] {
  const out: { encoding: 'hex' | 'base64'; decoded: Buffer }[] = [];
  const words = text.split(/\s+/).filter((w) => w.length >= 43);
  const candidates = new Set([text.replace(/\s+/g, ''), ...words]);
  for (const candidate of candidates) {
    const hex = candidate.replace(/^0x/i, '').replace(/:/g, '');
    if (hex.length >= 64 && hex.length % 2 === 0 && /^[0-9a-f]+$/i.test(hex)) {
      out.push({ encoding: 'hex', decoded: Buffer.from(hex, 'hex') });
    }
    if (candidate.length >= 43 && /^[A-Za-z0-9+/_-]+={0,2}$/.test(candidate)) {
      out.push({ encoding: 'base64', decoded: Buffer.from(candidate, 'base64') });
    }
  }
  return out;
}

const DER_PARSERS: ((der: Buffer) => unknown)[] = [
  (der) => createPublicKey({ key: der, format: 'der', type: 'spki' }),
  (der) => createPublicKey({ key: der, format: 'der', type: 'pkcs1' }),
  (der) => createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }),
  (der) => createPrivateKey({ key: der, format: 'der', type: 'pkcs1' }),
  (der) => createPrivateKey({ key: der, format: 'der', type: 'sec1' }),
  (der) => new X509Certificate(der),
];

function isDerKey(der: Buffer): boolean {
  // Every key and certificate structure is an ASN.1 SEQUENCE (0x30); anything else is not worth parsing.
  if (der.length < 32 || der[0] !== 0x30) return false;
  return DER_PARSERS.some((parse) => {
    try {
      parse(der);
      return true;
    } catch (err) {
      // An encrypted PKCS#8 key parses far enough to ask for its passphrase: still key material.
      return (err as { code?: string }).code === 'ERR_MISSING_PASSPHRASE';
    }
  });
}

// RFC 4253 §6.6 / the OpenSSH PROTOCOL files: a public key blob starts with its type as an SSH string
// (uint32 length, then the name), e.g. "\0\0\0\x0bssh-ed25519". Certificates carry a -cert-v01 suffix.
const SSH_KEY_TYPE_RE =
  /^(?:ssh-(?:rsa|dss|ed25519|ed448)|ecdsa-sha2-[a-z0-9]+|sk-(?:ssh-ed25519|ecdsa-sha2-nistp256)@openssh\.com)(?:-cert-v0[01]@openssh\.com)?$/;

function isSshWire(buf: Buffer): boolean {
  if (buf.length < 32) return false;
  const len = buf.readUInt32BE(0);
  if (len < 7 || len > 64 || buf.length < 4 + len + 4) return false;
  return SSH_KEY_TYPE_RE.test(buf.subarray(4, 4 + len).toString('latin1'));
}

// The "openssh-key-v1" container of `ssh-keygen` private keys (PROTOCOL.key), once its PEM armour is gone.
const OPENSSH_MAGIC = Buffer.from('openssh-key-v1\0', 'latin1');
