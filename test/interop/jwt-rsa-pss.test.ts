import { execFileSync, spawnSync } from 'node:child_process';
import { createPublicKey } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { calculateJwkThumbprint, decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasStackTrace, requireBinary, runCli, tempDir } from '../helpers/cli.js';
import { b64u } from '../commands/jwt/fixtures.js';

/**
 * Issue 9, item 12: RSA-PSS keys — `openssl genpkey -algorithm RSA-PSS`, SPKI OID id-RSASSA-PSS, which jose cannot
 * import — sign and verify PS256/384/512 through node:crypto, honouring the key's own PSS parameters (hash, MGF1
 * hash, minimum salt length): a token whose alg contradicts them is refused. Cross-checked with openssl (dgst
 * -sign/-verify with PSS padding) and PyJWT (with the same modulus as a plain rsaEncryption key).
 */
const openssl = requireBinary('openssl', () => spawnSync('openssl', ['version']).status === 0);
const PY = '/usr/bin/python3';
const pyjwt = requireBinary(
  'python3-jwt',
  () => existsSync(PY) && spawnSync(PY, ['-c', 'import jwt, cryptography'], { stdio: 'ignore' }).status === 0,
);

const HASH = { PS256: 'sha256', PS384: 'sha384', PS512: 'sha512' } as const;
const SALT = { PS256: 32, PS384: 48, PS512: 64 } as const;
type Ps = keyof typeof HASH;

let dir: string;
let cleanup: () => void;
const p = (name: string) => join(dir, name);
const ossl = (args: string[], input?: Buffer | string): Buffer =>
  execFileSync('openssl', args, { input, stdio: ['pipe', 'pipe', 'pipe'] });

/** Keys by name: the PEM private key, its public half, and a plain rsaEncryption copy of the same modulus. */
const KEYS = {
  any: [],
  s256: ['rsa_pss_keygen_md:sha256', 'rsa_pss_keygen_mgf1_md:sha256', 'rsa_pss_keygen_saltlen:32'],
  s384: ['rsa_pss_keygen_md:sha384', 'rsa_pss_keygen_mgf1_md:sha384', 'rsa_pss_keygen_saltlen:48'],
  s512: ['rsa_pss_keygen_md:sha512', 'rsa_pss_keygen_mgf1_md:sha512', 'rsa_pss_keygen_saltlen:20'],
  mgf1sha1: ['rsa_pss_keygen_md:sha256', 'rsa_pss_keygen_mgf1_md:sha1', 'rsa_pss_keygen_saltlen:32'],
  salt64: ['rsa_pss_keygen_md:sha256', 'rsa_pss_keygen_mgf1_md:sha256', 'rsa_pss_keygen_saltlen:64'],
} as const;
type KeyName = keyof typeof KEYS;
const priv = (k: string) => p(`${k}.pem`);
const pub = (k: string) => p(`${k}.pub.pem`);
const plain = (k: string) => p(`${k}.plain.pem`);
const plainPub = (k: string) => p(`${k}.plain.pub.pem`);

beforeAll(() => {
  if (openssl.skip) return;
  ({ dir, cleanup } = tempDir('apikit-jwt-pss-'));
  for (const [name, opts] of Object.entries(KEYS)) {
    ossl([
      'genpkey',
      '-algorithm',
      'RSA-PSS',
      '-pkeyopt',
      'rsa_keygen_bits:2048',
      ...opts.flatMap((o) => ['-pkeyopt', o]),
      '-out',
      priv(name),
    ]);
    ossl(['pkey', '-in', priv(name), '-pubout', '-out', pub(name)]);
    // PKCS#1 DER carries no OID: read back, it is an ordinary RSA key with the same n and e.
    const pkcs1 = ossl(['rsa', '-in', priv(name), '-traditional', '-outform', 'DER']);
    writeFileSync(plain(name), ossl(['rsa', '-inform', 'DER'], pkcs1));
    ossl(['pkey', '-in', plain(name), '-pubout', '-out', plainPub(name)]);
  }
  ossl(['genpkey', '-algorithm', 'RSA-PSS', '-pkeyopt', 'rsa_keygen_bits:1024', '-out', priv('small')]);
  ossl(['pkey', '-in', priv('small'), '-pubout', '-out', pub('small')]);
});
afterAll(() => cleanup?.());

const now = () => Math.floor(Date.now() / 1000);

/** A compact JWS signed by `openssl dgst` with PSS padding: MGF1 with the same hash, salt `salt` bytes. */
function opensslToken(alg: Ps, key: string, options: { salt?: number; hash?: string } = {}): string {
  const input = `${b64u({ alg, typ: 'JWT' })}.${b64u({ sub: `openssl-${alg}`, exp: now() + 600 })}`;
  const hash = options.hash ?? HASH[alg];
  const sig = ossl(
    [
      'dgst',
      `-${hash}`,
      '-sign',
      key,
      '-sigopt',
      'rsa_padding_mode:pss',
      '-sigopt',
      `rsa_pss_saltlen:${options.salt ?? SALT[alg]}`,
      '-sigopt',
      `rsa_mgf1_md:${hash}`,
      '-binary',
    ],
    input,
  );
  return `${input}.${sig.toString('base64url')}`;
}

/** Whether openssl accepts a token's PS* signature with this public key. */
function opensslVerifies(token: string, alg: Ps, key: string): boolean {
  const [h, pl, s] = token.split('.');
  writeFileSync(p('sig.bin'), Buffer.from(s!, 'base64url'));
  const r = spawnSync(
    'openssl',
    [
      'dgst',
      `-${HASH[alg]}`,
      '-verify',
      key,
      '-sigopt',
      'rsa_padding_mode:pss',
      '-sigopt',
      `rsa_pss_saltlen:${SALT[alg]}`,
      '-sigopt',
      `rsa_mgf1_md:${HASH[alg]}`,
      '-signature',
      p('sig.bin'),
    ],
    { input: `${h}.${pl}` },
  );
  return r.status === 0 && r.stdout.toString().includes('Verified OK');
}

async function verify(token: string, key: string, extra: string[] = []) {
  const r = await runCli(['jwt', 'verify', token, '--key', key, '--json', ...extra]);
  expect(hasStackTrace(r.stderr)).toBe(false);
  return { ...r, doc: JSON.parse(r.stdout) };
}

const ALLOWED: Record<KeyName, Ps[]> = {
  any: ['PS256', 'PS384', 'PS512'],
  s256: ['PS256'],
  s384: ['PS384'],
  s512: ['PS512'],
  mgf1sha1: [],
  salt64: [],
};

describe.skipIf(openssl.skip)('RSA-PSS (id-RSASSA-PSS) keys', () => {
  describe('openssl signs, apikit verifies with the PSS public (or private) key', () => {
    it.each(
      (Object.entries(ALLOWED) as [KeyName, Ps[]][]).flatMap(([name, algs]) =>
        algs.map((alg) => [name, alg] as const),
      ),
    )('%s key, %s', async (name, alg) => {
      const token = opensslToken(alg, priv(name));
      for (const key of [pub(name), priv(name)]) {
        const r = await verify(token, key);
        expect({ code: r.doc.code, exit: r.code }).toEqual({ code: 'valid', exit: 0 });
        expect(r.doc.reason).toMatch(new RegExp(`^${alg} signature by .* \\(RSA-PSS 2048\\)`));
      }
      // One payload byte changed: not valid.
      const [h, , s] = token.split('.');
      const forged = await verify(`${h}.${b64u({ sub: 'root', exp: now() + 600 })}.${s}`, pub(name));
      expect(forged.doc.code).toBe('signature_invalid');
    });
  });

  it("a token alg that contradicts the key's parameters is refused (signed by the same modulus)", async () => {
    // The plain copy of the SHA-256-restricted key can sign anything; the PSS key must not accept it.
    for (const alg of ['PS384', 'PS512'] as const) {
      const r = await verify(opensslToken(alg, plain('s256')), pub('s256'));
      expect({ code: r.doc.code, exit: r.code }).toEqual({ code: 'alg_not_allowed', exit: 1 });
      expect(r.doc.reason).toMatch(/not allowed \(allowed: PS256\)/);
    }
    const rs256Input = `${b64u({ alg: 'RS256' })}.${b64u({ exp: now() + 600 })}`;
    const rs = ossl(['dgst', '-sha256', '-sign', plain('s256'), '-binary'], rs256Input).toString('base64url');
    expect((await verify(`${rs256Input}.${rs}`, pub('s256'))).doc.code).toBe('alg_not_allowed');
    // A PS256 signature with a salt other than the hash length is not a JWS PS256 signature (RFC 7518 §3.5).
    const salt20 = await verify(opensslToken('PS256', plain('any'), { salt: 20 }), pub('any'));
    expect(salt20.doc.code).toBe('signature_invalid');
    // --alg narrows; an --alg the key's parameters exclude is a usage error.
    const asked = await runCli([
      'jwt',
      'verify',
      opensslToken('PS256', priv('s256')),
      '--key',
      pub('s256'),
      '--alg',
      'PS384',
    ]);
    expect(asked.code).toBe(2);
    expect(asked.stderr).toMatch(/--alg PS384 cannot be used with the given keys \(they support PS256\)/);
  });

  it.each(['mgf1sha1', 'salt64', 'small'])(
    '%s: usable with no JWS algorithm → exit 2 for verify and mint',
    async (name) => {
      const token = opensslToken('PS256', KEYS[name as KeyName] ? plain(name) : priv(name));
      const v = await runCli(['jwt', 'verify', token, '--key', pub(name)]);
      expect(v.code).toBe(2);
      expect(v.stderr).toMatch(
        name === 'small'
          ? /under 2048 bits/
          : /none of the given keys can verify a JWS .*RSASSA-PSS parameters \(restricted to sha256/,
      );
      const m = await runCli(['jwt', 'mint', '--key', priv(name), '--alg', 'PS256']);
      expect(m.code).toBe(2);
      expect(m.stdout).toBe('');
      expect(m.stderr).toMatch(name === 'small' ? /under 2048 bits/ : /fit no JWS algorithm/);
    },
  );

  describe('apikit mints with a PSS key, openssl verifies', () => {
    it.each([
      ['s256', [], 'PS256'],
      ['s384', [], 'PS384'],
      ['s512', [], 'PS512'],
      ['any', ['--alg', 'PS256'], 'PS256'],
      ['any', ['--alg', 'PS384'], 'PS384'],
      ['any', ['--alg', 'PS512'], 'PS512'],
    ] as const)('%s %j → %s', async (name, args, alg) => {
      const r = await runCli(['jwt', 'mint', '--key', priv(name), '--sub', 'pss', ...args]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const token = r.stdout.trim();
      const header = decodeProtectedHeader(token);
      expect(header.alg).toBe(alg);
      // The default kid is the RFC 7638 thumbprint of the modulus and exponent.
      const jwk = createPublicKey(readFileSync(plainPub(name))).export({ format: 'jwk' });
      expect(header.kid).toBe(await calculateJwkThumbprint({ kty: 'RSA', n: jwk.n!, e: jwk.e! }));
      expect(opensslVerifies(token, alg, pub(name))).toBe(true);
      expect(opensslVerifies(token, alg, plainPub(name))).toBe(true);
      expect((await verify(token, pub(name))).doc.code).toBe('valid');
    });

    it("refuses an alg the key's parameters exclude, and an unrestricted key without --alg", async () => {
      const wrong = await runCli(['jwt', 'mint', '--key', priv('s384'), '--alg', 'PS256']);
      expect(wrong.code).toBe(2);
      expect(wrong.stderr).toMatch(
        /cannot sign PS256: its RSASSA-PSS parameters \(restricted to sha384, MGF1 sha384, salt ≥ 48 bytes\) allow PS384/,
      );
      const rs = await runCli(['jwt', 'mint', '--key', priv('any'), '--alg', 'RS256']);
      expect(rs.code).toBe(2);
      const none = await runCli(['jwt', 'mint', '--key', priv('any')]);
      expect(none.code).toBe(2);
      expect(none.stderr).toMatch(/an unrestricted RSA-PSS key can sign PS256\/384\/512; choose with --alg/);
      const pubOnly = await runCli(['jwt', 'mint', '--key', pub('s256')]);
      expect(pubOnly.stderr).toMatch(/is a public key; signing needs the private key/);
    });
  });

  describe.skipIf(pyjwt.skip)('PyJWT, with the same modulus as a plain RSA key', () => {
    const py = (script: string, input: unknown): unknown =>
      JSON.parse(execFileSync(PY, ['-c', script], { input: JSON.stringify(input), encoding: 'utf8' }));

    it('PyJWT signs PS256/384/512, apikit verifies with the PSS public key', async () => {
      const jobs = (['PS256', 'PS384', 'PS512'] as const).map((alg) => ({ alg, key: plain('any') }));
      const tokens = py(
        `
import json, sys, time, jwt
out = [jwt.encode({'sub': 'py-' + j['alg'], 'exp': int(time.time()) + 600}, open(j['key']).read(), algorithm=j['alg']) for j in json.load(sys.stdin)]
print(json.dumps(out))
`,
        jobs,
      ) as string[];
      for (const [i, token] of tokens.entries()) {
        const r = await verify(token, pub('any'));
        expect({ alg: jobs[i]!.alg, code: r.doc.code }).toEqual({ alg: jobs[i]!.alg, code: 'valid' });
      }
      const restricted = await verify(tokens[1]!, pub('s384'));
      expect(restricted.doc.code).toBe('signature_invalid');
    });

    it('apikit mints with the PSS key, PyJWT verifies with the plain public key', async () => {
      const jobs = [];
      for (const [name, alg] of [
        ['s256', 'PS256'],
        ['s384', 'PS384'],
        ['any', 'PS512'],
      ] as const) {
        const r = await runCli(['jwt', 'mint', '--key', priv(name), '--alg', alg, '--sub', `ak-${alg}`]);
        expect(r.code).toBe(0);
        jobs.push({ alg, token: r.stdout.trim(), key: plainPub(name) });
      }
      jobs.push({ ...jobs[0]!, key: plainPub('s384') }); // control: the wrong key fails
      const results = py(
        `
import json, sys, jwt
out = []
for j in json.load(sys.stdin):
    try:
        out.append(jwt.decode(j['token'], open(j['key']).read(), algorithms=[j['alg']])['sub'])
    except Exception as e:
        out.append('error: ' + type(e).__name__)
print(json.dumps(out))
`,
        jobs,
      );
      expect(results).toEqual(['ak-PS256', 'ak-PS384', 'ak-PS512', 'error: InvalidSignatureError']);
    });
  });
});
