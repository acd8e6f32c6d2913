import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBinary, runCli, tempDir } from '../helpers/cli.js';
import { ALL_ALGS, b64u, keyPairFor, makeKeyFiles, type KeyFiles } from '../commands/jwt/fixtures.js';

/**
 * Tokens signed by openssl (an independent implementation of every primitive) verify in apikit.
 * openssl's ECDSA signatures are DER; JWS wants raw R‖S (RFC 7518 §3.4) — converted here via `openssl asn1parse`.
 */
const openssl = requireBinary(
  'openssl',
  () => spawnSync('openssl', ['version'], { stdio: 'ignore' }).status === 0,
);

let k: KeyFiles;
let cleanup: () => void;

const HASH: Record<string, string> = { '256': 'sha256', '384': 'sha384', '512': 'sha512' };
const EC_BYTES: Record<string, number> = { ES256: 32, ES384: 48, ES512: 66 };

/** DER ECDSA-Sig-Value → fixed-width R‖S, reading the two INTEGERs that `openssl asn1parse` prints. */
function derToRaw(derPath: string, alg: string): Buffer {
  const text = execFileSync('openssl', ['asn1parse', '-inform', 'DER', '-in', derPath], { encoding: 'utf8' });
  const ints = [...text.matchAll(/INTEGER\s+:(-?[0-9A-F]+)/g)].map((m) => m[1]!);
  expect(ints).toHaveLength(2);
  const size = EC_BYTES[alg]!;
  return Buffer.concat(ints.map((hex) => Buffer.from(hex.padStart(size * 2, '0'), 'hex')));
}

function opensslSign(alg: string, input: string): Buffer {
  const dir = k.dir;
  const inPath = join(dir, `in-${alg}.txt`);
  const sigPath = join(dir, `sig-${alg}.bin`);
  writeFileSync(inPath, input);
  const key = keyPairFor(k, alg).sign;
  const hash = HASH[alg.slice(2)] ?? 'sha256';
  if (alg.startsWith('HS')) {
    const secret = readFileSync(key, 'utf8').replace(/\n$/, '');
    execFileSync('openssl', [
      'dgst',
      `-${hash}`,
      '-mac',
      'HMAC',
      '-macopt',
      `key:${secret}`,
      '-binary',
      '-out',
      sigPath,
      inPath,
    ]);
  } else if (alg.startsWith('RS')) {
    execFileSync('openssl', ['dgst', `-${hash}`, '-sign', key, '-binary', '-out', sigPath, inPath]);
  } else if (alg.startsWith('PS')) {
    // RFC 7518 §3.5: MGF1 with the same hash, salt length = hash length.
    execFileSync('openssl', [
      'dgst',
      `-${hash}`,
      '-sign',
      key,
      '-sigopt',
      'rsa_padding_mode:pss',
      '-sigopt',
      'rsa_pss_saltlen:digest',
      '-sigopt',
      `rsa_mgf1_md:${hash}`,
      '-binary',
      '-out',
      sigPath,
      inPath,
    ]);
  } else if (alg.startsWith('ES')) {
    execFileSync('openssl', ['dgst', `-${hash}`, '-sign', key, '-binary', '-out', sigPath, inPath]);
    return derToRaw(sigPath, alg);
  } else {
    execFileSync('openssl', ['pkeyutl', '-sign', '-inkey', key, '-rawin', '-in', inPath, '-out', sigPath]);
  }
  return readFileSync(sigPath);
}

describe.skipIf(openssl.skip)('interop: openssl signs, apikit verifies', () => {
  beforeAll(() => {
    const t = tempDir('apikit-jwt-openssl-');
    cleanup = t.cleanup;
    k = makeKeyFiles(t.dir);
  });
  afterAll(() => cleanup?.());

  it.each(ALL_ALGS)('%s', async (alg) => {
    const now = Math.floor(Date.now() / 1000);
    const input = `${b64u({ alg, typ: 'JWT' })}.${b64u({ sub: `openssl-${alg}`, iat: now, exp: now + 600 })}`;
    const token = `${input}.${opensslSign(alg, input).toString('base64url')}`;
    const r = await runCli(['jwt', 'verify', token, '--key', keyPairFor(k, alg).verify, '--json']);
    const doc = JSON.parse(r.stdout);
    expect(doc.code).toBe('valid');
    expect(doc.payload.sub).toBe(`openssl-${alg}`);
    expect(r.code).toBe(0);
    if (alg.startsWith('ES')) {
      // The DER form openssl produced is NOT a valid JWS signature.
      const der = readFileSync(join(k.dir, `sig-${alg}.bin`)).toString('base64url');
      const bad = await runCli([
        'jwt',
        'verify',
        `${input}.${der}`,
        '--key',
        keyPairFor(k, alg).verify,
        '--json',
      ]);
      expect(JSON.parse(bad.stdout).code).toBe('signature_invalid');
    }
  });
});
