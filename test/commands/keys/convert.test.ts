import { createPrivateKey, createPublicKey, X509Certificate, type JsonWebKey } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasStackTrace, runCli, tempDir } from '../../helpers/cli.js';
import { CERT_PEM, PASSPHRASE, SECRET_TEXT, writeFixtures, type Fixture } from './fixtures.js';

let tmp: ReturnType<typeof tempDir>;
let fx: Record<string, Fixture>;
beforeAll(() => {
  tmp = tempDir();
  fx = writeFixtures(tmp.dir);
});
afterAll(() => tmp.cleanup());

const mode = (path: string): number => statSync(path).mode & 0o777;
const spkiOf = (file: string): string =>
  createPublicKey(readFileSync(file)).export({ type: 'spki', format: 'pem' }) as string;

describe('keys convert to JWK', () => {
  it.each(['pkcs8', 'pkcs1', 'sec1', 'ed25519'])('%s --public → the public JWK only', async (name) => {
    const f = fx[name]!;
    const r = await runCli(['keys', 'convert', f.file, '--to', 'jwk', '--public']);
    expect(r.code).toBe(0);
    const jwk = JSON.parse(r.stdout) as JsonWebKey;
    expect(jwk.kty).toBe(f.kty);
    for (const m of ['d', 'p', 'q', 'dp', 'dq', 'qi']) expect(jwk).not.toHaveProperty(m);
    expect(createPublicKey({ key: jwk, format: 'jwk' }).export({ type: 'spki', format: 'pem' })).toBe(
      spkiOf(f.file),
    );
  });

  it.each(['pkcs8', 'pkcs1', 'sec1', 'ed25519'])('%s → the private JWK, same key', async (name) => {
    const f = fx[name]!;
    const r = await runCli(['keys', 'convert', f.file, '--to', 'jwk']);
    expect(r.code).toBe(0);
    const jwk = JSON.parse(r.stdout) as JsonWebKey;
    expect(typeof jwk.d).toBe('string');
    const original = createPrivateKey(readFileSync(f.file)).export({ type: 'pkcs8', format: 'der' });
    expect(createPrivateKey({ key: jwk, format: 'jwk' }).export({ type: 'pkcs8', format: 'der' })).toEqual(
      original,
    );
  });

  it('a certificate → its public key', async () => {
    const r = await runCli(['keys', 'convert', fx.x509!.file, '--to', 'jwk']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(new X509Certificate(CERT_PEM).publicKey.export({ format: 'jwk' }));
  });

  it('a JWK keeps its kid and alg', async () => {
    const r = await runCli(['keys', 'convert', fx.jwk!.file, '--to', 'jwk', '--public']);
    const jwk = JSON.parse(r.stdout) as Record<string, string>;
    expect([jwk.kid, jwk.alg, jwk.d]).toEqual(['rsa-1', 'RS256', undefined]);
  });

  it('an HMAC secret → an oct JWK whose k is the secret text', async () => {
    const r = await runCli(['keys', 'convert', fx.secret!.file, '--to', 'jwk']);
    expect(r.code).toBe(0);
    const jwk = JSON.parse(r.stdout) as { kty: string; k: string };
    expect(jwk.kty).toBe('oct');
    expect(Buffer.from(jwk.k, 'base64url').toString('utf8')).toBe(SECRET_TEXT);
  });
});

describe('keys convert to PEM', () => {
  it.each(['jwk', 'pkcs1', 'sec1'])('%s → PKCS#8', async (name) => {
    const r = await runCli(['keys', 'convert', fx[name]!.file, '--to', 'pem']);
    expect(r.code).toBe(0);
    expect(r.stdout.startsWith('-----BEGIN PRIVATE KEY-----\n')).toBe(true);
    expect(createPublicKey(r.stdout).export({ type: 'spki', format: 'pem' })).toBe(
      createPublicKey(
        name === 'jwk'
          ? { key: JSON.parse(readFileSync(fx.jwk!.file, 'utf8')) as JsonWebKey, format: 'jwk' }
          : readFileSync(fx[name]!.file),
      ).export({ type: 'spki', format: 'pem' }),
    );
  });

  it.each(['pkcs8', 'ed25519', 'jwk', 'x509'])('%s --public → SPKI', async (name) => {
    const r = await runCli(['keys', 'convert', fx[name]!.file, '--to', 'pem', '--public']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^-----BEGIN PUBLIC KEY-----\n[\s\S]+-----END PUBLIC KEY-----\n$/);
  });

  it.each(['spki', 'pkcs1', 'ed25519'])(
    '%s: PEM → JWK → PEM gives back the same public PEM, byte for byte',
    async (name) => {
      const f = fx[name]!;
      const jwkFile = join(tmp.dir, `${name}.roundtrip.jwk`);
      const a = await runCli(['keys', 'convert', f.file, '--to', 'jwk', '--public', '--out', jwkFile]);
      expect(a.code).toBe(0);
      const b = await runCli(['keys', 'convert', jwkFile, '--to', 'pem']);
      expect(b.code).toBe(0);
      expect(b.stdout).toBe(spkiOf(f.file));
      if (name === 'spki') expect(b.stdout).toBe(readFileSync(f.file, 'utf8'));
    },
  );

  it('an encrypted PKCS#8 with its passphrase → plain PKCS#8, with a warning', async () => {
    const r = await runCli(['keys', 'convert', fx.encrypted!.file, '--to', 'pem', '--passphrase-env', 'P'], {
      env: { P: PASSPHRASE },
    });
    expect(r.code).toBe(0);
    expect(r.stdout.startsWith('-----BEGIN PRIVATE KEY-----')).toBe(true);
    expect(r.stderr).toMatch(/warning: .*NOT encrypted/);
    expect(r.stderr).not.toContain(PASSPHRASE);
  });
});

describe('keys convert --out', () => {
  it.each([
    { label: 'a private key', argv: ['--to', 'pem'], dirMode: 0o700, fileMode: 0o600 },
    { label: 'a public key', argv: ['--to', 'pem', '--public'], dirMode: 0o755, fileMode: 0o644 },
  ])(
    'into directories that do not exist yet ($label): created, 0700 only for private output',
    async (row) => {
      const base = join(tmp.dir, `fresh-${row.fileMode.toString(8)}`);
      const out = join(base, 'sub', 'k.pem');
      const old = process.umask(0o022);
      let r;
      try {
        r = await runCli(['keys', 'convert', fx.pkcs8!.file, ...row.argv, '--out', out]);
      } finally {
        process.umask(old);
      }
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toBe('');
      expect(mode(base)).toBe(row.dirMode);
      expect(mode(join(base, 'sub'))).toBe(row.dirMode);
      expect(mode(out)).toBe(row.fileMode);
    },
  );

  it.each([
    { label: 'private PEM', argv: ['--to', 'pem'], src: 'pkcs1', want: 0o600 },
    { label: 'private JWK', argv: ['--to', 'jwk'], src: 'pkcs8', want: 0o600 },
    { label: 'secret JWK', argv: ['--to', 'jwk'], src: 'secret', want: 0o600 },
    { label: 'public PEM', argv: ['--to', 'pem', '--public'], src: 'pkcs8', want: 0o644 },
    { label: 'public JWK', argv: ['--to', 'jwk'], src: 'spki', want: 0o644 },
  ])('$label is written with mode $want', async ({ argv, src, want, label }) => {
    const out = join(tmp.dir, `out-${label.replace(' ', '-')}`);
    const r = await runCli(['keys', 'convert', fx[src]!.file, ...argv, '--out', out]);
    expect(r.code).toBe(0);
    // The key went to the file, not to stdout; what was written is said on stderr.
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`wrote ${out}`);
    expect(r.stderr).toContain(`mode 0${want.toString(8)}`);
    expect(mode(out)).toBe(want);
    expect(r.stderr).not.toContain('BEGIN');
    expect(r.stderr).not.toContain('"kty"');
  });

  it('--json with --out reports the file, not the key', async () => {
    const out = join(tmp.dir, 'json-out.pem');
    const r = await runCli(['--json', 'keys', 'convert', fx.pkcs8!.file, '--to', 'pem', '--out', out]);
    expect(JSON.parse(r.stdout)).toEqual({
      source: fx.pkcs8!.file,
      from: 'pkcs8',
      to: 'pem',
      kind: 'private',
      out: { path: out, mode: '0600' },
      decrypted: false,
    });
  });

  it('--json without --out carries the key', async () => {
    const j = await runCli(['--json', 'keys', 'convert', fx.spki!.file, '--to', 'jwk']);
    const doc = JSON.parse(j.stdout) as { key: JsonWebKey; kind: string; out: null };
    expect(doc.kind).toBe('public');
    expect(doc.out).toBeNull();
    expect(doc.key.kty).toBe('EC');
    const p = await runCli(['--json', 'keys', 'convert', fx.spki!.file, '--to', 'pem']);
    expect((JSON.parse(p.stdout) as { key: string }).key).toBe(readFileSync(fx.spki!.file, 'utf8'));
  });

  it('refuses to overwrite without --force, and overwrites with it', async () => {
    const out = join(tmp.dir, 'exists.pem');
    writeFileSync(out, 'keep');
    const r = await runCli(['keys', 'convert', fx.pkcs8!.file, '--to', 'pem', '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('already exists');
    expect(readFileSync(out, 'utf8')).toBe('keep');
    const f = await runCli(['keys', 'convert', fx.pkcs8!.file, '--to', 'pem', '--out', out, '--force']);
    expect(f.code).toBe(0);
    expect(mode(out)).toBe(0o600);
  });
});

describe('keys convert from stdin', () => {
  it('reads "-"', async () => {
    const r = await runCli(['keys', 'convert', '-', '--to', 'pem'], { stdin: readFileSync(fx.jwks!.file) });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('"stdin" holds 2 keys');
    const one = await runCli(['keys', 'convert', '-', '--to', 'jwk'], { stdin: readFileSync(fx.spki!.file) });
    expect(one.code).toBe(0);
    expect((JSON.parse(one.stdout) as JsonWebKey).crv).toBe('P-256');
  });
});

describe('keys convert: JWKS and refusals', () => {
  it('a JWKS with several keys needs --kid', async () => {
    const out = join(tmp.dir, 'never.pem');
    const r = await runCli(['keys', 'convert', fx.jwks!.file, '--to', 'pem', '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/holds 2 keys; pick one with --kid \(kids: ec-1, ed-1\)/);
    expect(existsSync(out)).toBe(false);
  });

  it('--kid picks by kid, or by thumbprint', async () => {
    const byKid = await runCli(['keys', 'convert', fx.jwks!.file, '--kid', 'ed-1', '--to', 'jwk']);
    expect((JSON.parse(byKid.stdout) as JsonWebKey).crv).toBe('Ed25519');
    const byTp = await runCli([
      'keys',
      'convert',
      fx.jwks!.file,
      '--kid',
      fx.jwks!.thumbprint!,
      '--to',
      'jwk',
    ]);
    expect((JSON.parse(byTp.stdout) as Record<string, string>).kid).toBe('ec-1');
    const none = await runCli(['keys', 'convert', fx.jwks!.file, '--kid', 'nope', '--to', 'jwk']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('no key with kid or thumbprint "nope"');
  });

  it.each([
    { label: 'secret to PEM', src: 'secret', argv: ['--to', 'pem'], want: /HMAC secret has no PEM form/ },
    { label: 'secret --public', src: 'secret', argv: ['--to', 'jwk', '--public'], want: /no public half/ },
    { label: 'bad --to', src: 'pkcs8', argv: ['--to', 'der'], want: /Allowed choices are jwk, pem/ },
    { label: 'missing --to', src: 'pkcs8', argv: [], want: /--to/ },
  ])('$label → exit 2, no file', async ({ src, argv, want }) => {
    const out = join(tmp.dir, 'refused.out');
    const r = await runCli(['keys', 'convert', fx[src]!.file, ...argv, '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(want);
    expect(hasStackTrace(r.stderr)).toBe(false);
    expect(existsSync(out)).toBe(false);
  });

  it('an RSA-PSS OID key cannot become a JWK, but can become PEM', async () => {
    const { generateKeyPairSync } = await import('node:crypto');
    const pss = generateKeyPairSync('rsa-pss', { modulusLength: 2048 });
    const file = join(tmp.dir, 'pss.key.pem');
    writeFileSync(file, pss.privateKey.export({ type: 'pkcs8', format: 'pem' }));
    const j = await runCli(['keys', 'convert', file, '--to', 'jwk', '--public']);
    expect(j.code).toBe(2);
    expect(j.stderr).toMatch(/RSASSA-PSS OID/);
    const p = await runCli(['keys', 'convert', file, '--to', 'pem', '--public']);
    expect(p.code).toBe(0);
    expect(p.stdout).toBe(pss.publicKey.export({ type: 'spki', format: 'pem' }));
  });
});
