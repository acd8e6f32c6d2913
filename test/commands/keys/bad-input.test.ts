import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasStackTrace, runCli, tempDir } from '../../helpers/cli.js';

/**
 * Every way a key input can be bad, through every verb that reads keys: exit 2, ONE error line that names
 * the input and the problem (plus at most a hint line with the next step), no stack trace, nothing on stdout, and no output file created.
 */
let tmp: ReturnType<typeof tempDir>;
const inputs: Record<string, string> = {};

beforeAll(() => {
  tmp = tempDir();
  const w = (name: string, data: string | Buffer): string => {
    const file = join(tmp.dir, name);
    writeFileSync(file, data);
    return file;
  };
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const pem = ec.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  const lines = pem.trim().split('\n');
  const jwk = ec.publicKey.export({ format: 'jwk' });
  inputs.garbage = w('garbage.pem', 'hello, this is not a key\n');
  inputs.truncated = w('truncated.pem', lines.slice(0, 2).join('\n') + '\n');
  inputs.damaged = w(
    'damaged.pem',
    [lines[0], 'AAAA' + lines[1]!.slice(4, 20), lines.at(-1)].join('\n') + '\n',
  );
  inputs.jwkMissing = w('missing-y.jwk.json', JSON.stringify({ kty: 'EC', crv: 'P-256', x: jwk.x }));
  inputs.badJson = w('bad.json', '{"kty": "EC", ');
  // Key material in encodings the loader does not read must never pass for a raw HMAC secret (RS→HS confusion).
  const der = ec.publicKey.export({ type: 'spki', format: 'der' });
  inputs.der = w('pub.der', der);
  inputs.base64Der = w('pub.b64', der.toString('base64') + '\n');
  inputs.openssh = w(
    'id.pub',
    'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGRmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZm user@host\n',
  );
  // Found by the fuzz test: Node accepts an all-zero modulus, jose's thumbprint does not.
  inputs.zeroModulus = w('zero-n.jwk.json', JSON.stringify({ kty: 'RSA', n: 'A'.repeat(400), e: 'AQAB' }));
  inputs.encrypted = w(
    'enc.pem',
    ec.privateKey.export({
      type: 'pkcs8',
      format: 'pem',
      cipher: 'aes-256-cbc',
      passphrase: 'pw-pw-pw',
    }) as string,
  );
  inputs.empty = w('empty.pem', '');
  inputs.directory = join(tmp.dir, 'a-directory');
  mkdirSync(inputs.directory);
  inputs.missing = join(tmp.dir, 'does-not-exist.pem');
});
afterAll(() => tmp.cleanup());

const CASES: { input: string; want: RegExp }[] = [
  { input: 'garbage', want: /not a PEM key, certificate, JWK, JWKS or HMAC secret/ },
  { input: 'truncated', want: /truncated PEM/ },
  { input: 'damaged', want: /malformed PRIVATE KEY/ },
  { input: 'jwkMissing', want: /missing "y"/ },
  { input: 'badJson', want: /not valid JSON/ },
  { input: 'zeroModulus', want: /empty RSA modulus/ },
  {
    input: 'der',
    want: /it is a DER-encoded key or certificate, not an HMAC secret \(apikit reads keys as PEM or JWK\)/,
  },
  { input: 'base64Der', want: /a base64 DER key or certificate/ },
  { input: 'openssh', want: /an OpenSSH public key/ },
  { input: 'encrypted', want: /encrypted and no passphrase was given/ },
  { input: 'empty', want: /it is empty/ },
  { input: 'directory', want: /it is a directory/ },
  { input: 'missing', want: /no such file/ },
];

const VERBS: { verb: string; argv: (file: string, out: string) => string[]; writes: boolean }[] = [
  { verb: 'inspect', argv: (f) => ['keys', 'inspect', f], writes: false },
  { verb: 'inspect --json', argv: (f) => ['--json', 'keys', 'inspect', f], writes: false },
  { verb: 'convert --out', argv: (f, o) => ['keys', 'convert', f, '--to', 'jwk', '--out', o], writes: true },
  { verb: 'jwks --out', argv: (f, o) => ['keys', 'jwks', f, '--out', o], writes: true },
];

const ROWS = CASES.flatMap((c) => VERBS.map((v) => ({ ...c, ...v })));

describe('bad key input', () => {
  it.each(ROWS)('$verb: $input', async ({ input, want, argv, writes }) => {
    const file = inputs[input]!;
    const out = join(tmp.dir, 'out', `${input}.out`);
    mkdirSync(join(tmp.dir, 'out'), { recursive: true });
    const r = await runCli(argv(file, out), { tty: false });
    expect(r.code).toBe(2);
    // With --json a failure is one error document on stdout (README, the --json contract); else stdout is empty.
    if (argv(file, out).includes('--json')) {
      expect(JSON.parse(r.stdout)).toEqual({ error: expect.objectContaining({ exit_code: 2 }) });
    } else {
      expect(r.stdout).toBe('');
    }
    // One error line; at most one "hint:" line after it, with the next step (house style).
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^error: /);
    expect(lines.length).toBeLessThanOrEqual(2);
    if (lines[1] !== undefined) expect(lines[1]).toMatch(/^hint: /);
    expect(lines[0]).toContain(`"${file}"`);
    expect(lines[0]).toMatch(want);
    expect(hasStackTrace(r.stderr)).toBe(false);
    if (writes) expect(existsSync(out)).toBe(false);
    expect(readdirSync(join(tmp.dir, 'out'))).toEqual([]);
  });

  it('garbage on stdin is named "stdin"', async () => {
    const r = await runCli(['keys', 'inspect', '-'], { stdin: 'nope nope' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: cannot read key "stdin": /);
  });

  it('--debug shows the stack (proving the default hides it)', async () => {
    const r = await runCli(['--debug', 'keys', 'inspect', inputs.garbage!]);
    expect(r.code).toBe(2);
    expect(hasStackTrace(r.stderr)).toBe(true);
  });
});
