import { execFileSync, spawnSync } from 'node:child_process';
import { createPublicKey } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rfc7638 } from '../commands/keys/fixtures.js';
import { requireBinary, runCli, tempDir } from '../helpers/cli.js';

/**
 * apikit keys against OpenSSL, an independent implementation: openssl accepts what apikit writes, apikit
 * reads what openssl writes, and thumbprints match a hand computation of RFC 7638 (node:crypto SHA-256 over
 * the canonical JSON — no jose involved).
 */
const openssl = requireBinary('openssl', () => spawnSync('openssl', ['version']).status === 0);
const PASS = 'interop passphrase 42';

function ossl(args: string[], input?: string): string {
  return execFileSync('openssl', args, { encoding: 'utf8', input, stdio: ['pipe', 'pipe', 'pipe'] });
}
/** Exit status of an openssl command (0 = it accepted the input). */
function osslStatus(args: string[]): number {
  return spawnSync('openssl', args, { stdio: 'ignore' }).status ?? -1;
}
/** RFC 7638 thumbprint of a PEM public key, computed without apikit or jose. */
function handThumbprint(publicPem: string): string {
  return rfc7638(createPublicKey(publicPem).export({ format: 'jwk' }));
}

let tmp: ReturnType<typeof tempDir>;
beforeAll(() => {
  tmp = tempDir('apikit-interop-');
});
afterAll(() => tmp?.cleanup());
const p = (name: string): string => join(tmp.dir, name);

describe.skipIf(openssl.skip)(`keys generate → openssl (${openssl.reason})`, () => {
  it.each(['RS256', 'PS256', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'])('%s', async (alg) => {
    const out = p(`gen-${alg}`);
    const r = await runCli(['keys', 'generate', '--alg', alg, '--out', out]);
    expect(r.code).toBe(0);
    expect(osslStatus(['pkey', '-in', `${out}.key.pem`, '-noout'])).toBe(0);
    expect(osslStatus(['pkey', '-pubin', '-in', `${out}.pub.pem`, '-noout'])).toBe(0);
    // openssl derives the same public key from the private one, byte for byte.
    const pubPem = readFileSync(`${out}.pub.pem`, 'utf8');
    expect(ossl(['pkey', '-in', `${out}.key.pem`, '-pubout'])).toBe(pubPem);
    // PS* keys are plain rsaEncryption keys (openssl names the algorithm).
    if (alg.startsWith('PS')) {
      expect(ossl(['pkey', '-in', `${out}.key.pem`, '-noout', '-text'])).toMatch(/Private-Key: \(2048 bit/);
      expect(ossl(['asn1parse', '-in', `${out}.key.pem`])).toContain('rsaEncryption');
    }
    const jwk = (JSON.parse(readFileSync(`${out}.jwks.json`, 'utf8')) as { keys: Record<string, string>[] })
      .keys[0]!;
    expect(jwk.kid).toBe(handThumbprint(pubPem));
  });

  it('openssl rejects a damaged key (so the checks above can fail)', () => {
    writeFileSync(p('junk.pem'), '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n');
    expect(osslStatus(['pkey', '-in', p('junk.pem'), '-noout'])).not.toBe(0);
  });
});

describe.skipIf(openssl.skip)('keys convert: PEM → JWK → PEM is byte-identical for public keys', () => {
  const made: Record<string, string[]> = {
    'RSA 2048': ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'],
    'RSA 3072': ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:3072'],
    'EC P-256': ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'],
    'EC P-384': ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-384'],
    'EC P-521': ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-521'],
    Ed25519: ['genpkey', '-algorithm', 'ED25519'],
  };
  it.each(Object.keys(made))('%s (made by openssl)', async (name) => {
    const slug = name.replace(/[^A-Za-z0-9]/g, '');
    const key = p(`rt-${slug}.key.pem`);
    const pub = p(`rt-${slug}.pub.pem`);
    ossl([...made[name]!, '-out', key]);
    ossl(['pkey', '-in', key, '-pubout', '-out', pub]);
    const original = readFileSync(pub, 'utf8');
    const jwkFile = p(`rt-${slug}.jwk.json`);
    expect((await runCli(['keys', 'convert', pub, '--to', 'jwk', '--out', jwkFile])).code).toBe(0);
    const back = await runCli(['keys', 'convert', jwkFile, '--to', 'pem']);
    expect(back.code).toBe(0);
    expect(back.stdout).toBe(original);
    // The private key's public half, straight from the private PEM, is the same bytes too.
    const fromPrivate = await runCli(['keys', 'convert', key, '--to', 'pem', '--public']);
    expect(fromPrivate.stdout).toBe(original);
    // And the private key survives PEM → JWK → PEM in a form openssl accepts, with the same public key.
    const privJwk = p(`rt-${slug}.private.jwk.json`);
    const privPem = p(`rt-${slug}.back.key.pem`);
    expect((await runCli(['keys', 'convert', key, '--to', 'jwk', '--out', privJwk])).code).toBe(0);
    expect((await runCli(['keys', 'convert', privJwk, '--to', 'pem', '--out', privPem])).code).toBe(0);
    expect(ossl(['pkey', '-in', privPem, '-pubout'])).toBe(original);
  });
});

describe.skipIf(openssl.skip)('keys inspect/convert read what openssl writes', () => {
  interface Made {
    label: string;
    make: () => string; // returns the file to read
    format: string;
    kind: string;
    kty: string;
    crv?: string;
    bits?: number;
    passphrase?: boolean;
  }
  const rows: Made[] = [
    {
      label: 'genpkey RSA (PKCS#8)',
      make: () => (ossl(['genpkey', '-algorithm', 'RSA', '-out', p('o-rsa.pem')]), p('o-rsa.pem')),
      format: 'pkcs8',
      kind: 'private',
      kty: 'RSA',
      bits: 2048,
    },
    {
      label: 'genpkey EC P-384',
      make: () => (
        ossl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-384', '-out', p('o-ec.pem')]),
        p('o-ec.pem')
      ),
      format: 'pkcs8',
      kind: 'private',
      kty: 'EC',
      crv: 'P-384',
    },
    {
      label: 'genpkey ED25519',
      make: () => (ossl(['genpkey', '-algorithm', 'ED25519', '-out', p('o-ed.pem')]), p('o-ed.pem')),
      format: 'pkcs8',
      kind: 'private',
      kty: 'OKP',
      crv: 'Ed25519',
    },
    {
      label: 'genrsa -traditional (PKCS#1)',
      make: () => (ossl(['genrsa', '-traditional', '-out', p('o-rsa1.pem'), '2048']), p('o-rsa1.pem')),
      format: 'pkcs1',
      kind: 'private',
      kty: 'RSA',
      bits: 2048,
    },
    {
      label: 'openssl ec (SEC1)',
      make: () => {
        ossl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', p('o-ec8.pem')]);
        ossl(['ec', '-in', p('o-ec8.pem'), '-out', p('o-sec1.pem')]);
        return p('o-sec1.pem');
      },
      format: 'sec1',
      kind: 'private',
      kty: 'EC',
      crv: 'P-256',
    },
    {
      label: 'req -x509 certificate',
      make: () => {
        ossl([
          'req',
          '-x509',
          '-newkey',
          'rsa:2048',
          '-nodes',
          '-keyout',
          p('o-cert.key'),
          '-out',
          p('o-cert.pem'),
          '-subj',
          '/CN=interop.example',
          '-days',
          '30',
        ]);
        return p('o-cert.pem');
      },
      format: 'x509',
      kind: 'public',
      kty: 'RSA',
      bits: 2048,
    },
    {
      label: 'encrypted PKCS#8 (-aes256)',
      make: () => {
        ossl([
          'genpkey',
          '-algorithm',
          'EC',
          '-pkeyopt',
          'ec_paramgen_curve:P-256',
          '-aes256',
          '-pass',
          `pass:${PASS}`,
          '-out',
          p('o-enc.pem'),
        ]);
        return p('o-enc.pem');
      },
      format: 'encrypted-pkcs8',
      kind: 'private',
      kty: 'EC',
      crv: 'P-256',
      passphrase: true,
    },
    {
      label: 'legacy encrypted PKCS#1 (genrsa -traditional -aes256)',
      make: () => {
        ossl([
          'genrsa',
          '-traditional',
          '-aes256',
          '-passout',
          `pass:${PASS}`,
          '-out',
          p('o-enc1.pem'),
          '2048',
        ]);
        return p('o-enc1.pem');
      },
      format: 'pkcs1',
      kind: 'private',
      kty: 'RSA',
      bits: 2048,
      passphrase: true,
    },
  ];

  it.each(rows)('$label', async (row) => {
    const file = row.make();
    const passFile = p('pass.txt');
    writeFileSync(passFile, PASS + '\n');
    const pass = row.passphrase ? ['--passphrase-file', passFile] : [];
    // The public key as openssl sees it, and its thumbprint computed by hand.
    const opensslPub =
      row.format === 'x509'
        ? ossl(['x509', '-in', file, '-noout', '-pubkey'])
        : ossl(['pkey', '-in', file, '-pubout', ...(row.passphrase ? ['-passin', `pass:${PASS}`] : [])]);

    const r = await runCli(['--json', 'keys', 'inspect', file, ...pass]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { format: string; keys: Record<string, unknown>[] };
    expect(doc.format).toBe(row.format);
    const key = doc.keys[0]!;
    expect(key).toMatchObject({ kind: row.kind, kty: row.kty, crv: row.crv ?? null, bits: row.bits ?? null });
    expect(key.thumbprint).toBe(handThumbprint(opensslPub));
    if (row.format === 'x509') {
      const cert = key.certificate as Record<string, unknown>;
      expect(cert.subject).toBe('CN=interop.example');
      expect(cert.selfSigned).toBe(true);
      const serial = ossl(['x509', '-in', file, '-noout', '-serial']).trim().split('=')[1];
      expect(cert.serialNumber).toBe(serial);
    }

    // convert --public gives openssl's public PEM, byte for byte.
    const pub = await runCli(['keys', 'convert', file, '--to', 'pem', '--public', ...pass]);
    expect(pub.code).toBe(0);
    expect(pub.stdout).toBe(opensslPub);
    if (row.kind === 'private') {
      // convert to PKCS#8 (decrypting if needed): 0600, and openssl reads it as the same key.
      const out = p(`${row.label.replace(/[^a-z0-9]/gi, '')}.pkcs8.pem`);
      const c = await runCli(['keys', 'convert', file, '--to', 'pem', '--out', out, ...pass]);
      expect(c.code).toBe(0);
      expect(osslStatus(['pkey', '-in', out, '-noout', '-passin', 'pass:'])).toBe(0);
      expect(ossl(['pkey', '-in', out, '-pubout'])).toBe(opensslPub);
    }
  });

  it('encrypted key: wrong passphrase and no passphrase are one-line errors', async () => {
    ossl(['genpkey', '-algorithm', 'ED25519', '-aes256', '-pass', `pass:${PASS}`, '-out', p('o-enc2.pem')]);
    const none = await runCli(['keys', 'convert', p('o-enc2.pem'), '--to', 'jwk']);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/^error: cannot read key ".*o-enc2\.pem": the private key is encrypted/);
    const wrong = await runCli(['keys', 'inspect', p('o-enc2.pem'), '--passphrase-env', 'P'], {
      env: { P: 'not-the-passphrase' },
    });
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/wrong passphrase/);
  });

  // Issue 9 item 12: apikit signs and verifies with such keys through node:crypto, so their PS* algorithms show.
  it('openssl genpkey -algorithm RSA-PSS: inspected with its PS* algorithms and the note that jose cannot use it', async () => {
    ossl(['genpkey', '-algorithm', 'RSA-PSS', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', p('o-pss.pem')]);
    const r = await runCli(['--json', 'keys', 'inspect', p('o-pss.pem')]);
    expect(r.code).toBe(0);
    const key = (
      JSON.parse(r.stdout) as { keys: { rsaPssOid: boolean; notes: string[]; algorithms: string[] }[] }
    ).keys[0]!;
    expect(key.rsaPssOid).toBe(true);
    expect(key.algorithms).toEqual(['PS256', 'PS384', 'PS512']);
    expect(key.notes[0]).toMatch(/jose and most JOSE libraries cannot use it/);
  });

  it('keys jwks from openssl keys: kids are the hand-computed thumbprints', async () => {
    ossl(['genpkey', '-algorithm', 'ED25519', '-out', p('j-ed.pem')]);
    ossl(['genrsa', '-traditional', '-out', p('j-rsa.pem'), '2048']);
    const r = await runCli(['keys', 'jwks', p('j-ed.pem'), p('j-rsa.pem')]);
    expect(r.code).toBe(0);
    const kids = (JSON.parse(r.stdout) as { keys: { kid: string }[] }).keys.map((k) => k.kid);
    expect(kids).toEqual([
      handThumbprint(ossl(['pkey', '-in', p('j-ed.pem'), '-pubout'])),
      handThumbprint(ossl(['pkey', '-in', p('j-rsa.pem'), '-pubout'])),
    ]);
  });
});
