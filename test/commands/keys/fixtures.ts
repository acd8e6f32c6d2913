import { createHash, generateKeyPairSync, type JsonWebKey, type KeyObject } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Key fixtures made with node:crypto directly (not through apikit), written into a temp dir. Each private
 * fixture lists the strings that must never appear in `keys inspect` output.
 */
export const PASSPHRASE = 'correct horse battery staple';
export const SECRET_TEXT = 'apikit-test-hmac-secret-0123456789-abcdefghijklmno'; // 50 bytes: HS256 and HS384, not HS512

/** A self-signed P-256 certificate made with `openssl req -x509 -days 3650` (valid 2026-11-28 → 2036-11-25). */
export const CERT_PEM = `-----BEGIN CERTIFICATE-----
MIIBpTCCAUugAwIBAgIUHhpgxmQPjTeHvFtv+DM+SPozKMcwCgYIKoZIzj0EAwIw
KDEUMBIGA1UEAwwLYXBpa2l0IHRlc3QxEDAOBgNVBAoMB0V4YW1wbGUwHhcNMjYx
MTI4MDcxODI4WhcNMzYxMTI1MDcxODI4WjAoMRQwEgYDVQQDDAthcGlraXQgdGVz
dDEQMA4GA1UECgwHRXhhbXBsZTBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABN3G
zixuTD9dTak39Qo9/y/2jKISsxn3z6F/C30uw23JJXfD3mzCfYdwhTaeBnuZQpys
2UVJUw+hnJZbV09ilX6jUzBRMB0GA1UdDgQWBBRBfPfYwNNQDT3zricerulF1V/7
pjAfBgNVHSMEGDAWgBRBfPfYwNNQDT3zricerulF1V/7pjAPBgNVHRMBAf8EBTAD
AQH/MAoGCCqGSM49BAMCA0gAMEUCIQCFLq7NGBPiBC4RbRqV8XpbpL6tK8TxKt1W
ioIVMs+HWgIgauJjHE8icNoDc4IbMEN6V5V3OzxnPV6liXI0gwT4XNk=
-----END CERTIFICATE-----
`;
export const CERT_NOT_AFTER = '2036-11-25T07:18:28.000Z';

export interface Fixture {
  file: string;
  format: string;
  kind: 'private' | 'public' | 'secret';
  kty: string;
  crv?: string;
  bits?: number;
  algorithms: string[];
  /** RFC 7638 thumbprint computed by hand (see rfc7638), or null when none is shown. */
  thumbprint: string | null;
  /** Text that must never be printed by inspect. */
  forbidden: string[];
}

/** RFC 7638 §3.2 by hand: SHA-256 over the required members in lexicographic order, no whitespace. */
export function rfc7638(jwk: JsonWebKey): string {
  const required: Record<string, string[]> = {
    RSA: ['e', 'kty', 'n'],
    EC: ['crv', 'kty', 'x', 'y'],
    OKP: ['crv', 'kty', 'x'],
    oct: ['k', 'kty'],
  };
  const members = required[jwk.kty as string]!;
  const canonical =
    '{' + members.map((m) => `"${m}":"${String(jwk[m as keyof JsonWebKey])}"`).join(',') + '}';
  return createHash('sha256').update(canonical, 'utf8').digest('base64url');
}

function privateStrings(key: KeyObject): string[] {
  const jwk = key.export({ format: 'jwk' });
  const pem = key.export({ type: 'pkcs8', format: 'pem' }) as string;
  const body = pem.split('\n').filter((l) => l && !l.startsWith('-----'));
  const members = ['d', 'p', 'q', 'dp', 'dq', 'qi'].map(
    (m) => jwk[m as keyof JsonWebKey] as string | undefined,
  );
  // Middle lines of the PEM body (the first line is mostly the algorithm header, shared by every key).
  return [...members.filter((v): v is string => typeof v === 'string'), ...body.slice(1, -1), 'PRIVATE KEY'];
}

export function writeFixtures(dir: string): Record<string, Fixture> {
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const ec384 = generateKeyPairSync('ec', { namedCurve: 'P-384' });
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const ed = generateKeyPairSync('ed25519');
  const w = (name: string, data: string): string => {
    const file = join(dir, name);
    writeFileSync(file, data);
    return file;
  };
  const tp = (k: KeyObject): string => rfc7638(k.export({ format: 'jwk' }));
  const rsaAlgs = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'];

  const rsaJwk = { ...rsa.privateKey.export({ format: 'jwk' }), kid: 'rsa-1', alg: 'RS256' };
  const jwks = {
    keys: [
      { ...ec.publicKey.export({ format: 'jwk' }), kid: 'ec-1', use: 'sig' },
      { ...ed.publicKey.export({ format: 'jwk' }), kid: 'ed-1' },
    ],
  };
  const f: Record<string, Fixture> = {
    pkcs8: {
      file: w('ec.key.pem', ec.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string),
      format: 'pkcs8',
      kind: 'private',
      kty: 'EC',
      crv: 'P-256',
      algorithms: ['ES256'],
      thumbprint: tp(ec.publicKey),
      forbidden: privateStrings(ec.privateKey),
    },
    spki: {
      file: w('ec.pub.pem', ec.publicKey.export({ type: 'spki', format: 'pem' }) as string),
      format: 'spki',
      kind: 'public',
      kty: 'EC',
      crv: 'P-256',
      algorithms: ['ES256'],
      thumbprint: tp(ec.publicKey),
      forbidden: [],
    },
    pkcs1: {
      file: w('rsa1.key.pem', rsa.privateKey.export({ type: 'pkcs1', format: 'pem' }) as string),
      format: 'pkcs1',
      kind: 'private',
      kty: 'RSA',
      bits: 2048,
      algorithms: rsaAlgs,
      thumbprint: tp(rsa.publicKey),
      forbidden: privateStrings(rsa.privateKey),
    },
    sec1: {
      file: w('ec384.sec1.pem', ec384.privateKey.export({ type: 'sec1', format: 'pem' }) as string),
      format: 'sec1',
      kind: 'private',
      kty: 'EC',
      crv: 'P-384',
      algorithms: ['ES384'],
      thumbprint: tp(ec384.publicKey),
      forbidden: privateStrings(ec384.privateKey),
    },
    ed25519: {
      file: w('ed.key.pem', ed.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string),
      format: 'pkcs8',
      kind: 'private',
      kty: 'OKP',
      crv: 'Ed25519',
      algorithms: ['EdDSA'],
      thumbprint: tp(ed.publicKey),
      forbidden: privateStrings(ed.privateKey),
    },
    encrypted: {
      file: w(
        'enc.key.pem',
        ed.privateKey.export({
          type: 'pkcs8',
          format: 'pem',
          cipher: 'aes-256-cbc',
          passphrase: PASSPHRASE,
        }) as string,
      ),
      format: 'encrypted-pkcs8',
      kind: 'private',
      kty: 'OKP',
      crv: 'Ed25519',
      algorithms: ['EdDSA'],
      thumbprint: tp(ed.publicKey),
      forbidden: [...privateStrings(ed.privateKey), PASSPHRASE],
    },
    jwk: {
      file: w('rsa.jwk.json', JSON.stringify(rsaJwk)),
      format: 'jwk',
      kind: 'private',
      kty: 'RSA',
      bits: 2048,
      algorithms: rsaAlgs,
      thumbprint: tp(rsa.publicKey),
      forbidden: privateStrings(rsa.privateKey),
    },
    jwks: {
      file: w('keys.jwks.json', JSON.stringify(jwks)),
      format: 'jwks',
      kind: 'public',
      kty: 'EC',
      crv: 'P-256',
      algorithms: ['ES256'],
      thumbprint: tp(ec.publicKey),
      forbidden: [],
    },
    x509: {
      file: w('cert.pem', CERT_PEM),
      format: 'x509',
      kind: 'public',
      kty: 'EC',
      crv: 'P-256',
      algorithms: ['ES256'],
      thumbprint: null, // checked separately against the certificate's key
      forbidden: [],
    },
    secret: {
      file: w('hs.secret', SECRET_TEXT + '\n'),
      format: 'secret',
      kind: 'secret',
      kty: 'oct',
      bits: SECRET_TEXT.length * 8,
      algorithms: ['HS256', 'HS384'],
      thumbprint: null,
      forbidden: [SECRET_TEXT, Buffer.from(SECRET_TEXT).toString('base64url')],
    },
  };
  return f;
}
