import { createPrivateKey, createPublicKey, type JsonWebKey } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasStackTrace, runCli, tempDir } from '../../helpers/cli.js';
import { rfc7638 } from './fixtures.js';

let tmp: ReturnType<typeof tempDir>;
beforeAll(() => {
  tmp = tempDir();
});
afterAll(() => tmp.cleanup());

let n = 0;
function prefix(): string {
  n += 1;
  return join(tmp.dir, `k${n}`);
}
const mode = (path: string): number => statSync(path).mode & 0o777;

interface GenJson {
  alg: string;
  kty: string;
  kid: string | null;
  thumbprint: string | null;
  files: { path: string; mode: string; contents: string }[];
}

const ASYMMETRIC = [
  { alg: 'RS256', kty: 'RSA', type: 'rsa', bits: 2048 },
  { alg: 'RS384', kty: 'RSA', type: 'rsa', bits: 2048 },
  { alg: 'RS512', kty: 'RSA', type: 'rsa', bits: 2048 },
  { alg: 'PS256', kty: 'RSA', type: 'rsa', bits: 2048 },
  { alg: 'PS384', kty: 'RSA', type: 'rsa', bits: 2048 },
  { alg: 'PS512', kty: 'RSA', type: 'rsa', bits: 2048 },
  { alg: 'ES256', kty: 'EC', type: 'ec', crv: 'P-256' },
  { alg: 'ES384', kty: 'EC', type: 'ec', crv: 'P-384' },
  { alg: 'ES512', kty: 'EC', type: 'ec', crv: 'P-521' },
  { alg: 'EdDSA', kty: 'OKP', type: 'ed25519', crv: 'Ed25519' },
];

describe('keys generate (asymmetric) --json', () => {
  it.each(ASYMMETRIC)('$alg', async ({ alg, kty, type, bits, crv }) => {
    const out = prefix();
    const r = await runCli(['--json', 'keys', 'generate', '--alg', alg, '--out', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as GenJson;
    expect(doc.alg).toBe(alg);
    expect(doc.kty).toBe(kty);
    expect(doc.files).toEqual([
      { path: `${out}.key.pem`, mode: '0600', contents: 'private-key' },
      { path: `${out}.pub.pem`, mode: '0644', contents: 'public-key' },
      { path: `${out}.jwks.json`, mode: '0644', contents: 'jwks' },
    ]);
    expect(mode(`${out}.key.pem`)).toBe(0o600);
    expect(mode(`${out}.pub.pem`)).toBe(0o644);
    expect(mode(`${out}.jwks.json`)).toBe(0o644);

    const keyPem = readFileSync(`${out}.key.pem`, 'utf8');
    expect(keyPem.startsWith('-----BEGIN PRIVATE KEY-----\n')).toBe(true); // PKCS#8
    const pubPem = readFileSync(`${out}.pub.pem`, 'utf8');
    expect(pubPem.startsWith('-----BEGIN PUBLIC KEY-----\n')).toBe(true); // SPKI
    const priv = createPrivateKey(keyPem);
    // PS* keys are ordinary rsaEncryption keys, never the RSASSA-PSS OID.
    expect(priv.asymmetricKeyType).toBe(type);
    if (bits) expect(priv.asymmetricKeyDetails?.modulusLength).toBe(bits);
    const pub = createPublicKey(pubPem);
    expect(createPublicKey(priv).export({ type: 'spki', format: 'pem' })).toBe(pubPem);

    const jwks = JSON.parse(readFileSync(`${out}.jwks.json`, 'utf8')) as {
      keys: (JsonWebKey & Record<string, string>)[];
    };
    expect(jwks.keys).toHaveLength(1);
    const jwk = jwks.keys[0]!;
    expect(jwk).toMatchObject({ kty, alg, use: 'sig' });
    if (crv) expect(jwk.crv).toBe(crv);
    for (const m of ['d', 'p', 'q', 'dp', 'dq', 'qi']) expect(jwk).not.toHaveProperty(m);
    // kid defaults to the RFC 7638 thumbprint, computed here by hand.
    const tp = rfc7638(pub.export({ format: 'jwk' }));
    expect(jwk.kid).toBe(tp);
    expect(doc.kid).toBe(tp);
    expect(doc.thumbprint).toBe(tp);
    // The JWKS key is the same key as the PEM.
    expect(createPublicKey({ key: jwk, format: 'jwk' }).export({ type: 'spki', format: 'pem' })).toBe(pubPem);
  });

  it('--kid and --bits', async () => {
    const out = prefix();
    const r = await runCli([
      '--json',
      'keys',
      'generate',
      '--alg',
      'PS384',
      '--bits',
      '3072',
      '--kid',
      '2026-q1',
      '--out',
      out,
    ]);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as GenJson;
    expect(doc.kid).toBe('2026-q1');
    expect(doc.thumbprint).not.toBe('2026-q1');
    const jwk = (JSON.parse(readFileSync(`${out}.jwks.json`, 'utf8')) as { keys: Record<string, string>[] })
      .keys[0]!;
    expect([jwk.kid, jwk.alg]).toEqual(['2026-q1', 'PS384']);
    expect(createPrivateKey(readFileSync(`${out}.key.pem`)).asymmetricKeyDetails?.modulusLength).toBe(3072);
  });
});

describe('keys generate (HMAC)', () => {
  it.each([
    { alg: 'HS256', bytes: 32 },
    { alg: 'HS384', bytes: 48 },
    { alg: 'HS512', bytes: 64 },
  ])('$alg: one 0600 .secret file, base64url of $bytes random bytes, no JWKS', async ({ alg, bytes }) => {
    const out = prefix();
    const r = await runCli(['--json', 'keys', 'generate', '--alg', alg, '--out', out]);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as GenJson;
    expect(doc).toEqual({
      alg,
      kty: 'oct',
      kid: null,
      thumbprint: null,
      files: [{ path: `${out}.secret`, mode: '0600', contents: 'secret' }],
    });
    expect(mode(`${out}.secret`)).toBe(0o600);
    expect(existsSync(`${out}.jwks.json`)).toBe(false);
    expect(existsSync(`${out}.key.pem`)).toBe(false);
    const text = readFileSync(`${out}.secret`, 'utf8');
    expect(text).toMatch(/^[A-Za-z0-9_-]+\n$/); // one line
    expect(Buffer.from(text.trim(), 'base64url')).toHaveLength(bytes);
    // The secret never reaches stdout.
    expect(r.stdout).not.toContain(text.trim());
    // apikit reads it back as a secret usable for the algorithm.
    const i = await runCli(['--json', 'keys', 'inspect', `${out}.secret`]);
    const key = (JSON.parse(i.stdout) as { keys: { algorithms: string[]; kind: string }[] }).keys[0]!;
    expect(key.kind).toBe('secret');
    expect(key.algorithms).toContain(alg);
  });

  it('two secrets differ', async () => {
    const a = prefix();
    const b = prefix();
    await runCli(['keys', 'generate', '--alg', 'HS256', '--out', a]);
    await runCli(['keys', 'generate', '--alg', 'HS256', '--out', b]);
    expect(readFileSync(`${a}.secret`, 'utf8')).not.toBe(readFileSync(`${b}.secret`, 'utf8'));
  });
});

describe('keys generate: human output', () => {
  it.each([false, true])('tty=%s: files, modes and kid on stderr; stdout stays empty', async (tty) => {
    const out = prefix();
    const r = await runCli(['keys', 'generate', '--alg', 'ES256', '--out', out], { tty });
    expect(r.code).toBe(0);
    // The files are the product: the report is for people (item 19).
    expect(r.stdout).toBe('');
    const plain = stripVTControlCharacters(r.stderr);
    expect(plain).toContain(`wrote ${out}.key.pem`);
    expect(plain).toContain('mode 0600');
    expect(plain).toContain(`wrote ${out}.jwks.json`);
    const kid = (JSON.parse(readFileSync(`${out}.jwks.json`, 'utf8')) as { keys: { kid: string }[] }).keys[0]!
      .kid;
    expect(plain).toContain(`kid: ${kid}`);
    if (!tty) expect(r.stderr).not.toContain('\x1b[');
  });
});

describe('keys generate: refusals write nothing', () => {
  it.each([
    { label: 'RSA 1024 bits', argv: ['--alg', 'RS256', '--bits', '1024'], want: /at least 2048 bits/ },
    { label: 'RSA 2047 bits', argv: ['--alg', 'PS256', '--bits', '2047'], want: /at least 2048 bits/ },
    { label: 'bits not a number', argv: ['--alg', 'RS256', '--bits', 'lots'], want: /not a number/ },
    { label: '--bits on EC', argv: ['--alg', 'ES256', '--bits', '4096'], want: /--bits applies to RSA/ },
    { label: '--kid on HMAC', argv: ['--alg', 'HS256', '--kid', 'x'], want: /--kid has no place/ },
    { label: 'unknown alg', argv: ['--alg', 'none'], want: /Allowed choices/ },
  ])('$label → exit 2, one line, no files', async ({ argv, want }) => {
    const out = prefix();
    const r = await runCli(['keys', 'generate', ...argv, '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.split('\n')[0]).toMatch(want);
    if (!/Allowed/.test(String(want))) expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(hasStackTrace(r.stderr)).toBe(false);
    expect(readdirSync(tmp.dir).filter((f) => f.startsWith(out.split('/').pop()! + '.'))).toEqual([]);
  });

  it.each(['key.pem', 'pub.pem', 'jwks.json'])(
    'when %s already exists: exit 2, the other two are not created, the existing one is untouched',
    async (existing) => {
      const out = prefix();
      writeFileSync(`${out}.${existing}`, 'keep me');
      const r = await runCli(['keys', 'generate', '--alg', 'ES256', '--out', out]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`"${out}.${existing}" already exists`);
      expect(r.stderr).toContain('--force');
      expect(hasStackTrace(r.stderr)).toBe(false);
      for (const f of ['key.pem', 'pub.pem', 'jwks.json']) {
        expect(existsSync(`${out}.${f}`)).toBe(f === existing);
      }
      expect(readFileSync(`${out}.${existing}`, 'utf8')).toBe('keep me');
      // No temporary files left behind either.
      expect(readdirSync(tmp.dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    },
  );

  it('--force replaces existing files (and keeps 0600 on the private key)', async () => {
    const out = prefix();
    writeFileSync(`${out}.key.pem`, 'old', { mode: 0o644 });
    const r = await runCli(['keys', 'generate', '--alg', 'EdDSA', '--out', out, '--force']);
    expect(r.code).toBe(0);
    expect(readFileSync(`${out}.key.pem`, 'utf8')).toContain('BEGIN PRIVATE KEY');
    expect(mode(`${out}.key.pem`)).toBe(0o600);
  });

  // Item 14 changed this row: a missing directory used to be refused ("does not exist"); it is now created (see
  // "missing directories" below). What still cannot be written: a path through a regular file.
  it('a parent that is a file, not a directory: exit 2, nothing written', async () => {
    writeFileSync(join(tmp.dir, 'a-file'), 'not a directory');
    const out = join(tmp.dir, 'a-file', 'sub', 'k');
    const r = await runCli(['keys', 'generate', '--alg', 'ES256', '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/"[^"]*a-file" is not a directory/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(readFileSync(join(tmp.dir, 'a-file'), 'utf8')).toBe('not a directory');
  });

  it('--out and --alg are required', async () => {
    const r = await runCli(['keys', 'generate', '--alg', 'ES256']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--out/);
  });
});

describe('keys generate: missing directories are created (README: --out keys/api in a fresh directory)', () => {
  it('keys/ and keys/deeper/ are created 0700 (they hold a private key), whatever the umask', async () => {
    const base = join(tmp.dir, 'fresh-rsa');
    const out = join(base, 'deeper', 'api');
    const old = process.umask(0o000);
    let r;
    try {
      r = await runCli(['keys', 'generate', '--alg', 'ES256', '--kid', '2026-01', '--out', out]);
    } finally {
      process.umask(old);
    }
    expect(r.stderr).toContain(`wrote ${out}.key.pem`);
    expect(r.code).toBe(0);
    expect(mode(base)).toBe(0o700);
    expect(mode(join(base, 'deeper'))).toBe(0o700);
    expect(readdirSync(join(base, 'deeper')).sort()).toEqual(['api.jwks.json', 'api.key.pem', 'api.pub.pem']);
    expect(mode(`${out}.key.pem`)).toBe(0o600);
    expect(mode(`${out}.pub.pem`)).toBe(0o644);
  });

  it('a refusal after the check creates no directory either', async () => {
    // --kid on HMAC is refused before anything is written: no directory appears.
    const base = join(tmp.dir, 'fresh-refused');
    const r = await runCli(['keys', 'generate', '--alg', 'HS256', '--kid', 'x', '--out', join(base, 'k')]);
    expect(r.code).toBe(2);
    expect(existsSync(base)).toBe(false);
  });
});
