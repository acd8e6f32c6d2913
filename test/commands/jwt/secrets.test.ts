import { CompactSign } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../../helpers/cli.js';
import { clock, FIXED_S, write } from './fixtures.js';

/**
 * No secret ever reaches the output: HMAC secrets and passphrases appear in neither stdout nor stderr, in
 * success, failure, --json, --verbose or on a terminal. (`jwt crack` prints the weak secret it FOUND on stdout:
 * that is its answer; it must still not appear on stderr.)
 */
const overrides = { clock };
const SECRET = 'Zq3vK9pLmN2xR7tY5wB8cD1eF4gH6jK0-do-not-print-me';
const PASSPHRASE = 'pp-do-not-print-me-either';
let dir: string;
let cleanup: () => void;
let secretFile: string;
let token: string;

beforeAll(async () => {
  ({ dir, cleanup } = tempDir('apikit-jwt-secrets-'));
  secretFile = write(dir, 'hs.secret', `${SECRET}\n`);
  token = await new CompactSign(new TextEncoder().encode(JSON.stringify({ sub: 's', exp: FIXED_S + 60 })))
    .setProtectedHeader({ alg: 'HS256' })
    .sign(new TextEncoder().encode(SECRET));
});
afterAll(() => cleanup());

const env = { S: SECRET, PP: PASSPHRASE, WRONG: `${SECRET}-wrong` };

describe('secrets never appear in the output', () => {
  const runs: [string, () => string[]][] = [
    ['verify valid (env)', () => ['jwt', 'verify', token, '--secret-env', 'S']],
    ['verify valid (file) --json', () => ['jwt', 'verify', token, '--secret-file', secretFile, '--json']],
    ['verify valid (--key) --verbose', () => ['--verbose', 'jwt', 'verify', token, '--key', secretFile]],
    ['verify wrong secret', () => ['jwt', 'verify', token, '--secret-env', 'WRONG', '--json']],
    ['verify malformed token', () => ['jwt', 'verify', 'a.b.c', '--secret-env', 'S']],
    [
      'verify RS256 token, secret',
      () => ['jwt', 'verify', `${token.split('.')[0]}x.b.c`, '--secret-env', 'S'],
    ],
    ['verify bad leeway', () => ['jwt', 'verify', token, '--secret-env', 'S', '--leeway', 'x']],
    ['mint (env)', () => ['jwt', 'mint', '--secret-env', 'S', '--sub', 's']],
    ['mint --json (file)', () => ['jwt', 'mint', '--secret-file', secretFile, '--json']],
    ['mint with bad --alg', () => ['jwt', 'mint', '--secret-env', 'S', '--alg', 'ES256']],
    ['mint HS512 too short', () => ['jwt', 'mint', '--secret-env', 'S', '--alg', 'HS512']],
    [
      'mint with an unused passphrase and a bad key',
      () => ['jwt', 'mint', '--key', write(dir, 'bad.pem', 'nope\n'), '--passphrase-env', 'PP'],
    ],
    ['decode (no secret involved, but debug on)', () => ['--debug', 'jwt', 'decode', token]],
  ];
  it.each(runs.flatMap(([name, argv]) => [false, true].map((tty) => [name, argv, tty] as const)))(
    '%s (tty=%s)',
    async (_name, argv, tty) => {
      const r = await runCli(argv(), { overrides, env, tty });
      for (const text of [r.stdout, r.stderr]) {
        expect(text).not.toContain(SECRET);
        expect(text).not.toContain(PASSPHRASE);
        expect(text).not.toContain(Buffer.from(SECRET).toString('base64url'));
      }
      // The runs really did something (so the absence above means something).
      expect(r.stdout + r.stderr).not.toBe('');
    },
  );

  it('crack: the found weak secret is the answer on stdout, never echoed on stderr', async () => {
    const weak = await new CompactSign(new TextEncoder().encode('{}'))
      .setProtectedHeader({ alg: 'HS256' })
      .sign(new TextEncoder().encode('your-256-bit-secret'));
    const r = await runCli(['jwt', 'crack', weak, '--json'], { overrides });
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).secret).toBe('your-256-bit-secret');
    expect(r.stderr).not.toContain('your-256-bit-secret');
  });
});
