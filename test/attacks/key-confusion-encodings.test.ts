import { execFileSync } from 'node:child_process';
import { createHmac, createPublicKey } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasStackTrace, requireBinary, runCli, tempDir } from '../helpers/cli.js';
import { b64u, clock, FIXED_S } from '../commands/jwt/fixtures.js';

/**
 * Issue 9, item 3: RS256 → HS256 key confusion through an encoding the guard did not know. A public key is public:
 * whoever holds it can HMAC a token with its bytes, so an HMAC secret that IS key material — whatever the
 * encoding (DER as hex the way `xxd -p` writes it, base64, base64url, wrapped or not, the base64 blob of an
 * OpenSSH key) — must be refused on every jwt secret path (--secret-env, --secret-file, --key with a raw secret):
 * exit 2 naming the flag, never a verdict, never a token.
 */
const openssl = requireBinary('openssl', () => {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
});

const overrides = { clock };
let dir: string;
let cleanup: () => void;
/** Each structure as DER bytes, all made by openssl. */
const der: Record<string, Buffer> = {};

const ossl = (args: string[]): Buffer =>
  execFileSync('openssl', args, { stdio: ['ignore', 'pipe', 'ignore'] });

/** RFC 4253 §6.6: an SSH string (uint32 length, bytes). */
function sshString(b: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(b.length);
  return Buffer.concat([len, b]);
}

beforeAll(() => {
  if (openssl.skip) return;
  ({ dir, cleanup } = tempDir('apikit-jwt-confusion-'));
  const p = (name: string) => join(dir, name);
  ossl(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', p('rsa.pem')]);
  ossl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', p('ec.pem')]);
  ossl(['genpkey', '-algorithm', 'ED25519', '-out', p('ed.pem')]);
  ossl(['req', '-x509', '-key', p('ec.pem'), '-subj', '/CN=apikit', '-days', '1', '-out', p('cert.pem')]);
  der['RSA SPKI'] = ossl(['pkey', '-in', p('rsa.pem'), '-pubout', '-outform', 'DER']);
  der['EC SPKI'] = ossl(['pkey', '-in', p('ec.pem'), '-pubout', '-outform', 'DER']);
  der['Ed25519 SPKI'] = ossl(['pkey', '-in', p('ed.pem'), '-pubout', '-outform', 'DER']);
  der['RSA PKCS#1 public'] = ossl(['rsa', '-in', p('rsa.pem'), '-RSAPublicKey_out', '-outform', 'DER']);
  der['RSA PKCS#1 private'] = ossl(['rsa', '-in', p('rsa.pem'), '-traditional', '-outform', 'DER']);
  der['EC PKCS#8 private'] = ossl(['pkey', '-in', p('ec.pem'), '-outform', 'DER']);
  der['EC SEC1 private'] = ossl(['ec', '-in', p('ec.pem'), '-outform', 'DER']);
  der['X.509 certificate'] = ossl(['x509', '-in', p('cert.pem'), '-outform', 'DER']);
  // The OpenSSH wire format of the same public keys (what `ssh-keygen -i -m PKCS8` prints after "ssh-…").
  const ed = createPublicKey({ key: der['Ed25519 SPKI'], format: 'der', type: 'spki' });
  const edRaw = Buffer.from(ed.export({ format: 'jwk' }).x!, 'base64url');
  der['OpenSSH Ed25519 blob'] = Buffer.concat([sshString(Buffer.from('ssh-ed25519')), sshString(edRaw)]);
  const rsa = createPublicKey({ key: der['RSA SPKI'], format: 'der', type: 'spki' }).export({
    format: 'jwk',
  });
  const mpint = (v: string) => {
    const raw = Buffer.from(v, 'base64url');
    return sshString(raw[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), raw]) : raw);
  };
  der['OpenSSH RSA blob'] = Buffer.concat([sshString(Buffer.from('ssh-rsa')), mpint(rsa.e!), mpint(rsa.n!)]);
});
afterAll(() => cleanup?.());

const wrap = (text: string, width: number, eol = '\n') =>
  text.replace(new RegExp(`(.{${width}})`, 'g'), `$1${eol}`).replace(new RegExp(`${eol}$`), '') + eol;

/** The text encodings of DER bytes people paste into a secret. */
const ENCODINGS: [string, (d: Buffer) => string][] = [
  ['hex as xxd -p writes it (60 per line)', (d) => wrap(d.toString('hex'), 60)],
  ['hex on one line', (d) => d.toString('hex')],
  ['HEX upper case', (d) => d.toString('hex').toUpperCase() + '\n'],
  ['hex with colons', (d) => d.toString('hex').replace(/(..)(?!$)/g, '$1:')],
  ['base64 on one line', (d) => d.toString('base64')],
  ['base64 wrapped at 64, CRLF', (d) => wrap(d.toString('base64'), 64, '\r\n')],
  ['base64 wrapped at 76 with indentation', (d) => wrap(d.toString('base64'), 76, '\n    ')],
  ['base64url', (d) => d.toString('base64url')],
  ['base64url wrapped at 64', (d) => wrap(d.toString('base64url'), 64)],
];

function hs256(secret: Buffer): string {
  const input = `${b64u({ alg: 'HS256', typ: 'JWT' })}.${b64u({ sub: 'attacker', admin: true, exp: FIXED_S + 600 })}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

/** The bytes a lax verifier could HMAC with: as given, without the line end, trimmed. */
const secretsOf = (text: string): Buffer[] => [
  Buffer.from(text),
  Buffer.from(text.replace(/\r?\n$/, '')),
  Buffer.from(text.trim()),
];

const STRUCTURES = [
  'RSA SPKI',
  'EC SPKI',
  'Ed25519 SPKI',
  'RSA PKCS#1 public',
  'RSA PKCS#1 private',
  'EC PKCS#8 private',
  'EC SEC1 private',
  'X.509 certificate',
  'OpenSSH Ed25519 blob',
  'OpenSSH RSA blob',
];

describe.skipIf(openssl.skip)('key material in any text encoding is never an HMAC secret', () => {
  it.each(STRUCTURES)('%s', async (structure) => {
    const seen: string[] = [];
    const forms: [string, Buffer][] = ENCODINGS.map(([name, encode]) => [
      name,
      Buffer.from(encode(der[structure]!)),
    ]);
    forms.push(['raw DER / wire bytes', der[structure]!]);
    for (const [i, [encoding, bytes]] of forms.entries()) {
      const file = join(dir, `${structure.replace(/\W+/g, '-')}-${i}.txt`);
      writeFileSync(file, bytes, { mode: 0o600 });
      const text = bytes.toString('utf8');
      const paths: [string, string[], Record<string, string>][] = [
        ['--key', ['--key', file], {}],
        ['--secret-file', ['--secret-file', file], {}],
      ];
      if (!text.includes('\uFFFD') && !text.includes('\0'))
        paths.push(['--secret-env', ['--secret-env', 'S'], { S: text }]);
      for (const [flag, args, env] of paths) {
        const what = `${structure}, ${encoding}, ${flag}`;
        for (const secret of secretsOf(text)) {
          const r = await runCli(['jwt', 'verify', hs256(secret), '--json', ...args], { overrides, env });
          expect({ what, code: r.code }).toEqual({ what, code: 2 });
          // No verdict: at most the error document.
          if (r.stdout !== '')
            expect(JSON.parse(r.stdout), what).toEqual({ error: expect.objectContaining({ exit_code: 2 }) });
          expect(r.stderr, what).toMatch(/not an HMAC secret|is binary/);
          expect(r.stderr, what).toContain(flag);
          expect(hasStackTrace(r.stderr)).toBe(false);
        }
        const m = await runCli(['jwt', 'mint', '--sub', 'x', ...args], { overrides, env });
        expect({ what: `mint: ${what}`, code: m.code, stdout: m.stdout }).toEqual({
          what: `mint: ${what}`,
          code: 2,
          stdout: '',
        });
        expect(m.stderr, what).toMatch(/not an HMAC secret|is binary/);
        expect(m.stderr, what).toContain(flag);
        seen.push(what);
      }
    }
    expect(seen.length).toBeGreaterThanOrEqual(ENCODINGS.length * 3);
  });

  it("the issue's two repros: xxd -p of the SPKI DER, and the bare OpenSSH Ed25519 blob", async () => {
    const hex = wrap(der['RSA SPKI']!.toString('hex'), 60);
    const blob = der['OpenSSH Ed25519 blob']!.toString('base64');
    expect(blob).toMatch(/^AAAAC3NzaC1lZDI1NTE5/);
    for (const [text, form] of [
      [hex, /hex-encoded DER key/],
      [blob, /OpenSSH public key blob/],
    ] as const) {
      const file = join(dir, 'repro.txt');
      writeFileSync(file, text);
      const r = await runCli(
        ['jwt', 'verify', hs256(Buffer.from(text.replace(/\n$/, ''))), '--secret-file', file],
        {
          overrides,
        },
      );
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(form);
      expect(r.stderr).toMatch(/--secret-file/);
    }
  });
});
