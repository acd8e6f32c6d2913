import { readFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasStackTrace, runCli, tempDir } from '../../helpers/cli.js';
import { CERT_NOT_AFTER, CERT_PEM, PASSPHRASE, rfc7638, writeFixtures, type Fixture } from './fixtures.js';

// Frozen inside the test certificate's validity (2026-11-28 → 2036-11-25).
const NOW = Date.parse('2030-01-01T00:00:00Z');
const clock = { now: () => NOW };

let tmp: ReturnType<typeof tempDir>;
let fx: Record<string, Fixture>;
beforeAll(() => {
  tmp = tempDir();
  fx = writeFixtures(tmp.dir);
});
afterAll(() => tmp.cleanup());

const env = { APIKIT_PASS: PASSPHRASE };
function argsFor(name: string): string[] {
  const f = fx[name]!;
  return ['keys', 'inspect', f.file, ...(name === 'encrypted' ? ['--passphrase-env', 'APIKIT_PASS'] : [])];
}

const NAMES = ['pkcs8', 'spki', 'pkcs1', 'sec1', 'ed25519', 'encrypted', 'jwk', 'jwks', 'x509', 'secret'];

interface JsonKey {
  kind: string;
  kty: string;
  crv: string | null;
  bits: number | null;
  algorithms: string[];
  kid: string | null;
  alg: string | null;
  use: string | null;
  thumbprint: string | null;
  thumbprintUri: string | null;
  rsaPssOid: boolean;
  certificate: Record<string, unknown> | null;
  notes: string[];
}

describe('keys inspect --json', () => {
  it.each(NAMES)('%s: reports format, kind, type, algorithms and thumbprint', async (name) => {
    const f = fx[name]!;
    const r = await runCli(['--json', ...argsFor(name)], { env, overrides: { clock } });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { source: string; format: string; keys: JsonKey[] };
    expect(doc.source).toBe(f.file);
    expect(doc.format).toBe(f.format);
    const key = doc.keys[0]!;
    expect(key.kind).toBe(f.kind);
    expect(key.kty).toBe(f.kty);
    expect(key.crv).toBe(f.crv ?? null);
    expect(key.bits).toBe(f.bits ?? null);
    expect(key.algorithms).toEqual(f.algorithms);
    if (f.thumbprint !== null) {
      expect(key.thumbprint).toBe(f.thumbprint);
      expect(key.thumbprintUri).toBe(`urn:ietf:params:oauth:jwk-thumbprint:sha-256:${f.thumbprint}`);
    }
    expect(Object.keys(key).sort()).toEqual(
      [
        'algorithms',
        'alg',
        'bits',
        'certificate',
        'crv',
        'kid',
        'kind',
        'kty',
        'notes',
        'rsaPssOid',
        'thumbprint',
        'thumbprintUri',
        'use',
      ].sort(),
    );
  });

  it('JWKS: reports every key with its kid', async () => {
    const r = await runCli(['--json', 'keys', 'inspect', fx.jwks!.file]);
    const doc = JSON.parse(r.stdout) as { keys: JsonKey[] };
    expect(doc.keys.map((k) => [k.kid, k.kty, k.crv, k.use])).toEqual([
      ['ec-1', 'EC', 'P-256', 'sig'],
      ['ed-1', 'OKP', 'Ed25519', null],
    ]);
    expect(doc.keys[1]!.algorithms).toEqual(['EdDSA']);
  });

  it('JWK: keeps kid and alg', async () => {
    const r = await runCli(['--json', 'keys', 'inspect', fx.jwk!.file]);
    const key = (JSON.parse(r.stdout) as { keys: JsonKey[] }).keys[0]!;
    expect([key.kid, key.alg]).toEqual(['rsa-1', 'RS256']);
  });

  it('certificate: subject, issuer, validity and the key thumbprint', async () => {
    const r = await runCli(['--json', 'keys', 'inspect', fx.x509!.file], { overrides: { clock } });
    const key = (JSON.parse(r.stdout) as { keys: JsonKey[] }).keys[0]!;
    const cert = key.certificate!;
    expect(cert.subject).toBe('CN=apikit test, O=Example');
    expect(cert.issuer).toBe('CN=apikit test, O=Example');
    expect(cert.selfSigned).toBe(true);
    expect(cert.notAfter).toBe(CERT_NOT_AFTER);
    expect(cert.expired).toBe(false);
    const jwk = new X509Certificate(CERT_PEM).publicKey.export({ format: 'jwk' });
    expect(key.thumbprint).toBe(rfc7638(jwk));
  });

  it('certificate: an expired one is flagged (clock frozen after notAfter)', async () => {
    const later = { now: () => Date.parse('2040-01-01T00:00:00Z') };
    const r = await runCli(['--json', 'keys', 'inspect', fx.x509!.file], { overrides: { clock: later } });
    const key = (JSON.parse(r.stdout) as { keys: JsonKey[] }).keys[0]!;
    expect(key.certificate!.expired).toBe(true);
    expect(key.notes.join(' ')).toContain('expired');
  });

  it('secret: withholds the thumbprint (a hash of the secret) and says why', async () => {
    const r = await runCli(['--json', 'keys', 'inspect', fx.secret!.file]);
    const key = (JSON.parse(r.stdout) as { keys: JsonKey[] }).keys[0]!;
    expect(key.thumbprint).toBeNull();
    expect(key.notes.join(' ')).toMatch(/thumbprint withheld/);
  });

  it('reads stdin for "-"', async () => {
    const r = await runCli(['--json', 'keys', 'inspect', '-'], { stdin: readFileSync(fx.spki!.file) });
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { source: string; keys: JsonKey[] };
    expect(doc.source).toBe('stdin');
    expect(doc.keys[0]!.thumbprint).toBe(fx.spki!.thumbprint);
  });

  it('a short HMAC secret gets no algorithms and a note', async () => {
    const short = `${tmp.dir}/short.secret`;
    const { writeFileSync } = await import('node:fs');
    writeFileSync(short, 'only-twenty-chars-xx\n');
    const r = await runCli(['--json', 'keys', 'inspect', short]);
    const key = (JSON.parse(r.stdout) as { keys: JsonKey[] }).keys[0]!;
    expect(key.algorithms).toEqual([]);
    expect(key.notes.join(' ')).toContain('HS256 needs at least 32');
  });
});

describe('keys inspect: human output', () => {
  it.each([
    { name: 'pkcs8', tty: false },
    { name: 'pkcs8', tty: true },
    { name: 'secret', tty: false },
    { name: 'secret', tty: true },
    { name: 'jwks', tty: false },
    { name: 'jwks', tty: true },
    { name: 'x509', tty: true },
  ])('$name (tty=$tty)', async ({ name, tty }) => {
    const f = fx[name]!;
    const r = await runCli(argsFor(name), { tty, env, overrides: { clock } });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    if (tty) {
      expect(r.stdout).toMatch(/[┌│]/); // a cli-table3 box
    } else {
      expect(r.stdout).not.toMatch(/[┌│]/);
      expect(r.stdout.split('\n')[0]).toBe(`source: ${f.file}`);
      expect(r.stdout).toContain(`kind: ${f.kind === 'secret' ? 'secret (HMAC)' : f.kind}`);
      expect(r.stdout).toContain(`algorithms: ${f.algorithms.join(' ')}`);
    }
    if (f.thumbprint) expect(r.stdout).toContain(f.thumbprint);
    if (name === 'jwks') {
      expect(r.stdout).toContain('ec-1');
      expect(r.stdout).toContain('ed-1');
      expect(r.stdout).toContain(tty ? '2 keys' : 'keys: 2\n');
    }
    if (name === 'x509') expect(r.stdout).toContain('CN=apikit test, O=Example');
  });
});

describe('keys inspect never prints private material', () => {
  const modes: { label: string; pre: string[]; tty: boolean }[] = [
    { label: 'piped', pre: [], tty: false },
    { label: 'tty', pre: [], tty: true },
    { label: 'json', pre: ['--json'], tty: false },
  ];
  const rows = ['pkcs8', 'pkcs1', 'sec1', 'ed25519', 'encrypted', 'jwk', 'secret'].flatMap((name) =>
    modes.map((m) => ({ name, ...m })),
  );
  it.each(rows)('$name ($label)', async ({ name, pre, tty }) => {
    const f = fx[name]!;
    expect(f.forbidden.length).toBeGreaterThan(1);
    const r = await runCli([...pre, ...argsFor(name)], { tty, env, overrides: { clock } });
    expect(r.code).toBe(0);
    const all = r.stdout + r.stderr;
    for (const secret of f.forbidden) expect(all).not.toContain(secret);
    // The check can fail: the forbidden strings are really in the input.
    const input = readFileSync(f.file, 'utf8');
    if (name === 'secret') expect(input).toContain(f.forbidden[0]);
    if (name === 'jwk') expect(input).toContain(`"d":"${f.forbidden[0]}"`);
    expect(all).not.toMatch(/"(d|p|q|dp|dq|qi|k)"\s*:/);
  });
});

describe('keys inspect: RSA-PSS OID keys', () => {
  // Issue 9 item 12: jwt mint/verify use such keys through node:crypto, so inspect lists their algorithms.
  it('lists the PS* algorithms apikit can use them with and notes that jose cannot', async () => {
    const { generateKeyPairSync } = await import('node:crypto');
    const { writeFileSync } = await import('node:fs');
    const pss = generateKeyPairSync('rsa-pss', { modulusLength: 2048 });
    const file = `${tmp.dir}/pss.pem`;
    writeFileSync(file, pss.privateKey.export({ type: 'pkcs8', format: 'pem' }));
    const r = await runCli(['--json', 'keys', 'inspect', file]);
    expect(r.code).toBe(0);
    const key = (JSON.parse(r.stdout) as { keys: JsonKey[] }).keys[0]!;
    expect(key.rsaPssOid).toBe(true);
    expect(key.algorithms).toEqual(['PS256', 'PS384', 'PS512']);
    expect(key.notes.join(' ')).toMatch(
      /signs and verifies with it through Node's crypto, but jose .*cannot use it/,
    );
    const human = await runCli(['keys', 'inspect', file]);
    expect(human.stdout).toMatch(/note: RSASSA-PSS OID key/);
  });
});

describe('keys inspect: encrypted PEM', () => {
  it('works with --passphrase-file', async () => {
    const pass = `${tmp.dir}/pass.txt`;
    const { writeFileSync } = await import('node:fs');
    writeFileSync(pass, PASSPHRASE + '\n');
    const r = await runCli(['--json', 'keys', 'inspect', fx.encrypted!.file, '--passphrase-file', pass]);
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as { keys: JsonKey[] }).keys[0]!.thumbprint).toBe(fx.encrypted!.thumbprint);
  });

  it.each([
    { label: 'no passphrase', extra: [], want: /encrypted and no passphrase was given/ },
    { label: 'wrong passphrase', extra: ['--passphrase-env', 'WRONG'], want: /wrong passphrase/ },
    { label: 'unset variable', extra: ['--passphrase-env', 'NOPE'], want: /NOPE is not set/ },
    {
      label: 'missing passphrase file',
      extra: ['--passphrase-file', '/nonexistent/p'],
      want: /"\/nonexistent\/p": no such file/,
    },
    {
      label: 'both sources',
      extra: ['--passphrase-env', 'WRONG', '--passphrase-file', '/nonexistent/p'],
      want: /cannot be used with/,
    },
  ])('$label → exit 2, one error line', async ({ extra, want }) => {
    const r = await runCli(['keys', 'inspect', fx.encrypted!.file, ...extra], { env: { WRONG: 'not it' } });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.split('\n')[0]).toMatch(want);
    expect(hasStackTrace(r.stderr)).toBe(false);
  });
});

describe('keys inspect: text from the file cannot drive the terminal', () => {
  // A JWKS whose kid clears the screen (ESC [2J) and whose use reverses the text after it (U+202E).
  it.each([false, true])('tty=%s: the escape sequences come out as "?"', async (tty) => {
    const { writeFileSync } = await import('node:fs');
    const jwks = JSON.parse(readFileSync(fx.jwks!.file, 'utf8')) as { keys: Record<string, string>[] };
    const file = `${tmp.dir}/evil.jwks.json`;
    writeFileSync(
      file,
      JSON.stringify({ keys: [{ ...jwks.keys[0]!, kid: 'a\u001b[2Jb', use: 'sig\u202e' }] }),
    );
    const r = await runCli(['keys', 'inspect', file], { tty });
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('\u001b[2J');
    expect(r.stdout).not.toContain('\u202e');
    if (tty) {
      expect(r.stdout).toMatch(/│ kid\s+│ a\?\[2Jb\s+│/);
      expect(r.stdout).toMatch(/│ use\s+│ sig\?\s+│/);
    } else {
      expect(r.stdout).toContain('\nkid: a?[2Jb\nuse: sig?\n');
    }
    // --json keeps the kid as it is, escaped by JSON itself.
    const j = await runCli(['--json', 'keys', 'inspect', file], { tty });
    expect(j.stdout).toContain('"kid": "a\\u001b[2Jb"');
    expect((JSON.parse(j.stdout) as { keys: JsonKey[] }).keys[0]!.kid).toBe('a\u001b[2Jb');
  });
});
