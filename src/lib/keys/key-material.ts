import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';

/**
 * Recognises asymmetric key material in bytes that claim to be something else (an HMAC secret): PEM, JWK/JWKS
 * text, OpenSSH public keys, DER files and bare base64 DER. A public key's bytes are public, so treating them
 * as an HMAC secret is the RS256→HS256 key-confusion attack (RFC 8725 §2.1) — the key loader and jwt both refuse.
 */
/** Names the key form these bytes hold, or undefined when they hold none (an ordinary secret). */
export function keyMaterialIn(bytes: Uint8Array): string | undefined {
  const buf = Buffer.from(bytes);
  const text = buf.toString('utf8').trim();
  if (text.includes('-----BEGIN')) return 'a PEM key or certificate';
  if (/^[[{]/.test(text) && /"(?:kty|keys)"/.test(text)) return 'a JWK or JWKS';
  if (/^(?:ssh-(?:rsa|dss|ed25519|ed448)|ecdsa-sha2-|sk-(?:ssh|ecdsa))/.test(text))
    return 'an OpenSSH public key';
  if (isDerKey(buf)) return 'a DER-encoded key or certificate';
  const compact = text.replace(/\s+/g, '');
  // Node's base64 decoder reads both alphabets; a DER key is never shorter than this.
  if (compact.length >= 60 && /^[A-Za-z0-9+/_-]+={0,2}$/.test(compact)) {
    if (isDerKey(Buffer.from(compact, 'base64')))
      return 'a base64 DER key or certificate (PEM without its BEGIN/END lines)';
  }
  return undefined;
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
