import { algorithmsForKey, HMAC_MIN_BYTES, MIN_RSA_BITS, type JwsAlgorithm } from './algorithms.js';
import type { CertificateInfo, Kty, LoadedKey } from './load.js';
import { publicJwk } from './load.js';
import { thumbprint } from './thumbprint.js';

/**
 * What `apikit keys inspect` says about one key — public facts only. Nothing in a KeyReport is private
 * material: no private JWK member, no PEM body, no secret bytes, and (for HMAC secrets) not even the RFC 7638
 * thumbprint, which is a bare SHA-256 of the secret and would let anyone test guesses of a weak one offline.
 */
export interface KeyReport {
  kind: LoadedKey['kind'];
  kty: Kty;
  crv: string | null;
  bits: number | null;
  algorithms: JwsAlgorithm[];
  kid: string | null;
  alg: string | null;
  use: string | null;
  thumbprint: string | null;
  thumbprintUri: string | null;
  rsaPssOid: boolean;
  certificate: (CertificateInfo & { expired: boolean; notYetValid: boolean }) | null;
  notes: string[];
}

export async function reportKey(loaded: LoadedKey, nowMs: number): Promise<KeyReport> {
  // An RSASSA-PSS-OID key: jose cannot import it, but apikit signs and verifies with it through node:crypto
  // within the key's own PSS parameters (src/lib/jwt/rsa-pss.ts, loaded only for such a key).
  const pss = loaded.rsaPssOid ? await import('../jwt/rsa-pss.js') : undefined;
  const publicKey = loaded.kind === 'private' ? loaded.publicKey! : loaded.key;
  const algorithms = pss ? pss.pssAlgorithms(publicKey) : algorithmsForKey(loaded.key);
  const notes: string[] = [];
  // A PEM cannot carry a kid: say where this one came from (the JWKS `keys generate` wrote beside it).
  if (loaded.kidFrom !== undefined) notes.push(`kid from ${loaded.kidFrom}, which holds the same key`);
  let tp: { thumbprint: string; uri: string } | undefined;
  if (pss) {
    notes.push(
      `RSASSA-PSS OID key (openssl genpkey -algorithm RSA-PSS, ${pss.describePssParameters(publicKey)}): apikit signs and verifies with it through Node's crypto, but jose and most JOSE libraries cannot use it and JWK cannot express it (no thumbprint); for portable PS256 use an ordinary RSA key (apikit keys generate --alg PS256)`,
    );
  } else if (loaded.kind === 'secret') {
    notes.push('thumbprint withheld: for a secret it is a plain hash of the secret');
  } else {
    tp = await thumbprint(publicJwk(loaded));
  }
  if (loaded.kty === 'RSA' && (loaded.bits ?? 0) < MIN_RSA_BITS) {
    notes.push(`RSA key of ${loaded.bits} bits: under ${MIN_RSA_BITS} bits, apikit will not use it`);
  }
  if (loaded.kind === 'secret' && algorithms.length === 0) {
    notes.push(
      `secret of ${(loaded.bits ?? 0) / 8} bytes: HS256 needs at least ${HMAC_MIN_BYTES.HS256} (RFC 7518 §3.2)`,
    );
  }
  if (loaded.kty === 'OKP' && loaded.crv !== 'Ed25519') {
    notes.push(`${loaded.crv} keys cannot sign JWS here (only Ed25519 for EdDSA)`);
  }
  if (loaded.kty === 'EC' && algorithms.length === 0) {
    notes.push(`curve ${loaded.crv} has no JWS algorithm (ES256/384/512 use P-256/384/521)`);
  }
  if (loaded.alg !== undefined && !(algorithms as string[]).includes(loaded.alg)) {
    notes.push(`the key is tagged alg "${loaded.alg}", which it cannot be used with`);
  }
  let certificate: KeyReport['certificate'] = null;
  if (loaded.certificate) {
    const expired = Date.parse(loaded.certificate.notAfter) < nowMs;
    const notYetValid = Date.parse(loaded.certificate.notBefore) > nowMs;
    if (expired) notes.push(`the certificate expired at ${loaded.certificate.notAfter}`);
    if (notYetValid) notes.push(`the certificate is not valid before ${loaded.certificate.notBefore}`);
    certificate = { ...loaded.certificate, expired, notYetValid };
  }
  return {
    kind: loaded.kind,
    kty: loaded.kty,
    crv: loaded.crv ?? null,
    bits: loaded.bits ?? null,
    algorithms,
    kid: loaded.kid ?? null,
    alg: loaded.alg ?? null,
    use: loaded.use ?? null,
    thumbprint: tp?.thumbprint ?? null,
    thumbprintUri: tp?.uri ?? null,
    rsaPssOid: loaded.rsaPssOid,
    certificate,
    notes,
  };
}
