import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasStackTrace, runCli, tempDir } from '../../helpers/cli.js';
import { CERT_PEM, PASSPHRASE, rfc7638, writeFixtures, type Fixture } from './fixtures.js';

let tmp: ReturnType<typeof tempDir>;
let fx: Record<string, Fixture>;
beforeAll(() => {
  tmp = tempDir();
  fx = writeFixtures(tmp.dir);
});
afterAll(() => tmp.cleanup());

type Jwks = { keys: Record<string, string>[] };
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'];

describe('keys jwks', () => {
  it('assembles public keys from every format; private keys give their public half', async () => {
    const files = ['pkcs8', 'pkcs1', 'sec1', 'ed25519', 'x509'].map((n) => fx[n]!.file);
    const r = await runCli(['keys', 'jwks', ...files]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const jwks = JSON.parse(r.stdout) as Jwks;
    expect(jwks.keys).toHaveLength(5);
    for (const k of jwks.keys) {
      for (const m of PRIVATE_MEMBERS) expect(k).not.toHaveProperty(m);
      expect(k.kid).toBe(rfc7638(k)); // kid defaults to the thumbprint
      expect(k.use).toBe('sig');
    }
    expect(jwks.keys.map((k) => [k.kty, k.crv, k.alg])).toEqual([
      ['EC', 'P-256', 'ES256'],
      ['RSA', undefined, undefined], // an RSA key serves six algorithms: none is guessed
      ['EC', 'P-384', 'ES384'],
      ['OKP', 'Ed25519', 'EdDSA'],
      ['EC', 'P-256', 'ES256'],
    ]);
    expect(jwks.keys[4]!.kid).toBe(
      rfc7638(new X509Certificate(CERT_PEM).publicKey.export({ format: 'jwk' })),
    );
  });

  it('deduplicates by thumbprint (the first kid wins) and says so on stderr', async () => {
    // ec.key.pem, ec.pub.pem and the JWKS's "ec-1" are the same key.
    const r = await runCli(['keys', 'jwks', fx.jwks!.file, fx.pkcs8!.file, fx.spki!.file]);
    expect(r.code).toBe(0);
    const jwks = JSON.parse(r.stdout) as Jwks;
    expect(jwks.keys.map((k) => k.kid)).toEqual(['ec-1', 'ed-1']);
    expect(r.stderr).toContain(`skipped "${fx.pkcs8!.file}": the same key as "${fx.jwks!.file} keys[0]"`);
    expect(r.stderr.trim().split('\n')).toHaveLength(2);
  });

  it('keeps kid, alg and use from a JWK', async () => {
    const r = await runCli(['keys', 'jwks', fx.jwk!.file]);
    const k = (JSON.parse(r.stdout) as Jwks).keys[0]!;
    expect([k.kid, k.alg, k.use, k.d]).toEqual(['rsa-1', 'RS256', 'sig', undefined]);
  });

  it('--out writes 0644 and reports the keys; --json gives a summary', async () => {
    const out = join(tmp.dir, 'public.jwks.json');
    const r = await runCli(['--json', 'keys', 'jwks', fx.pkcs8!.file, fx.ed25519!.file, '--out', out]);
    expect(r.code).toBe(0);
    expect(statSync(out).mode & 0o777).toBe(0o644);
    const doc = JSON.parse(r.stdout) as {
      out: unknown;
      keys: { kid: string; source: string }[];
      duplicates: [];
    };
    expect(doc.out).toEqual({ path: out, mode: '0644' });
    expect(doc.keys.map((k) => k.source)).toEqual([fx.pkcs8!.file, fx.ed25519!.file]);
    expect(doc.duplicates).toEqual([]);
    const written = JSON.parse(readFileSync(out, 'utf8')) as Jwks;
    expect(written.keys.map((k) => k.kid)).toEqual(doc.keys.map((k) => k.kid));
  });

  it.each([false, true])('human output with --out (tty=%s): on stderr, stdout stays empty', async (tty) => {
    const out = join(tmp.dir, `human-${tty}.jwks.json`);
    const r = await runCli(['keys', 'jwks', fx.spki!.file, '--out', out], { tty });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`wrote ${out}  (1 key, mode 0644)`);
    expect(r.stderr).toContain(`kid ${fx.spki!.thumbprint}`);
  });

  it('--json without --out prints the JWKS itself', async () => {
    const r = await runCli(['--json', 'keys', 'jwks', fx.spki!.file]);
    expect(JSON.parse(r.stdout)).toEqual({
      keys: [expect.objectContaining({ kid: fx.spki!.thumbprint, alg: 'ES256', use: 'sig' })],
    });
  });

  it('reads an encrypted key with a passphrase', async () => {
    const r = await runCli(['keys', 'jwks', fx.encrypted!.file, '--passphrase-env', 'P'], {
      env: { P: PASSPHRASE },
    });
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as Jwks).keys[0]!.kid).toBe(fx.encrypted!.thumbprint);
  });
});

describe('keys jwks refusals write nothing', () => {
  const clash = (): string => {
    const file = join(tmp.dir, 'clash.jwk.json');
    // A different key (the RSA one) under a kid the JWKS already uses.
    const rsa = JSON.parse(readFileSync(fx.jwk!.file, 'utf8')) as Record<string, string>;
    writeFileSync(file, JSON.stringify({ kty: 'RSA', n: rsa.n, e: rsa.e, kid: 'ec-1' }));
    return file;
  };
  it.each([
    {
      label: 'an HMAC secret',
      files: () => [fx.pkcs8!.file, fx.secret!.file],
      want: /holds an HMAC secret, which must never be published/,
    },
    {
      label: 'one kid for two keys',
      files: () => [fx.jwks!.file, clash()],
      want: /kid "ec-1" names two different keys/,
    },
    {
      label: 'a missing file',
      files: () => [fx.pkcs8!.file, join(tmp.dir, 'nope.pem')],
      want: /nope\.pem": no such file/,
    },
    {
      label: 'an encrypted key without passphrase',
      files: () => [fx.encrypted!.file],
      want: /encrypted and no passphrase/,
    },
    { label: 'stdin twice', files: () => ['-', '-'], want: /only once/ },
  ])('$label → exit 2', async ({ label, files, want }) => {
    const out = join(tmp.dir, `refused-${label.replace(/ /g, '-')}.jwks.json`);
    const r = await runCli(['keys', 'jwks', ...files(), '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.split('\n')[0]).toMatch(want);
    expect(hasStackTrace(r.stderr)).toBe(false);
    expect(existsSync(out)).toBe(false);
  });
});

describe('keys jwks keeps the kid chosen at generation (issue 9, item 5)', () => {
  it('PREFIX.key.pem and PREFIX.pub.pem take the kid of PREFIX.jwks.json; the same key twice is one entry', async () => {
    const a = join(tmp.dir, 'gen-a');
    const b = join(tmp.dir, 'gen-b');
    expect((await runCli(['keys', 'generate', '--alg', 'ES256', '--kid', '2026-01', '--out', a])).code).toBe(
      0,
    );
    expect((await runCli(['keys', 'generate', '--alg', 'EdDSA', '--kid', '2026-02', '--out', b])).code).toBe(
      0,
    );
    const r = await runCli(['keys', 'jwks', `${a}.key.pem`, `${b}.pub.pem`, `${a}.jwks.json`]);
    expect(r.code, r.stderr).toBe(0);
    const jwks = JSON.parse(r.stdout) as Jwks;
    expect(jwks.keys.map((k) => [k.kid, k.alg])).toEqual([
      ['2026-01', 'ES256'],
      ['2026-02', 'EdDSA'],
    ]);
    // The published JWKS and the one rebuilt from the PEMs name the key alike: no kid clash, just a duplicate.
    expect(r.stderr).toContain(`skipped "${a}.jwks.json": the same key as "${a}.key.pem"`);
  });

  it('a PEM copied elsewhere (no JWKS beside it) gets its thumbprint, as before', async () => {
    const a = join(tmp.dir, 'gen-c');
    expect((await runCli(['keys', 'generate', '--alg', 'ES256', '--kid', 'chosen', '--out', a])).code).toBe(
      0,
    );
    const copy = join(tmp.dir, 'copied.pem');
    writeFileSync(copy, readFileSync(`${a}.pub.pem`));
    const r = await runCli(['keys', 'jwks', copy]);
    const k = (JSON.parse(r.stdout) as Jwks).keys[0]!;
    expect(k.kid).toBe(rfc7638(k));
  });
});
