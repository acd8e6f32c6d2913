import { CompactSign } from 'jose';
import { describe, expect, it } from 'vitest';
import { hasStackTrace, runCli } from '../../helpers/cli.js';
import { clock, FIXED_S, suiteKeyFiles, write } from './fixtures.js';
import { json, startServer } from './server.js';

/** `jwt verify`: human output, key files and secrets, and what is refused before any token is read. */

const { k, sign } = suiteKeyFiles('apikit-jwt-verify-');
const overrides = { clock };

describe('jwt verify: human output', () => {
  it.each([
    { tty: false, args: [] as string[], want: /^invalid: expired 4m12s ago\n$/ },
    // eslint-disable-next-line no-control-regex -- matches ANSI colour codes
    { tty: true, args: [] as string[], want: /^\x1b\[31minvalid\x1b\[39m: expired 4m12s ago\n$/ },
    // --json on a terminal: still exactly one plain JSON document.
    // eslint-disable-next-line no-control-regex -- no ANSI colour code anywhere
    { tty: true, args: ['--json'], want: /^\{\n {2}"valid": false,\n {2}"code": "expired",[^\x1b]*\}\n$/ },
  ])('tty=$tty $args', async ({ tty, args, want }) => {
    const token = await sign({ exp: FIXED_S - 252 });
    const r = await runCli(['jwt', 'verify', token, '--key', k.pub.ec256, ...args], {
      tty,
      overrides,
      env: { FORCE_COLOR: tty ? '1' : undefined },
    });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(want);
  });

  it('kid not in a JWKS', async () => {
    const token = await sign({ exp: FIXED_S + 60 }, { kid: 'k2' });
    const r = await runCli(['jwt', 'verify', token, '--jwks', k.jwks], { overrides });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('invalid: kid "k2" not in JWKS\n');
  });

  it('kid selects the JWKS key', async () => {
    const ok = await sign({ exp: FIXED_S + 60 }, { kid: 'k1' });
    const r = await runCli(['jwt', 'verify', ok, '--jwks', k.jwks], { overrides });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^valid: ES256 signature by .*keys.jwks.json kid "k1" \(P-256\)/);
    const ed = await sign({ exp: FIXED_S + 60 }, { kid: 'k-ed', alg: 'EdDSA' }, k.objects.ed25519.privateKey);
    expect((await runCli(['jwt', 'verify', ed, '--jwks', k.jwks], { overrides })).code).toBe(0);
    // kid names an EC key but the token claims RS256: never tried with another key type.
    const wrong = await sign({ exp: FIXED_S + 60 }, { kid: 'k1', alg: 'RS256' }, k.objects.rsa.privateKey);
    const w = await runCli(['jwt', 'verify', wrong, '--jwks', k.jwks, '--json'], { overrides });
    expect(JSON.parse(w.stdout).code).toBe('alg_not_allowed');
  });

  it('several --key files: the one that verifies is named', async () => {
    const token = await sign({ exp: FIXED_S + 60 }, { alg: 'EdDSA' }, k.objects.ed25519.privateKey);
    const r = await runCli(['jwt', 'verify', token, '--key', k.pub.ec256, '--key', k.pub.ed25519], {
      overrides,
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/by .*ed25519.pub.pem \(Ed25519\)/);
  });

  it('HMAC: --secret-env, weak-secret warning', async () => {
    const secret = 'your-256-bit-secret';
    const token = await new CompactSign(new TextEncoder().encode(JSON.stringify({ exp: FIXED_S + 60 })))
      .setProtectedHeader({ alg: 'HS256' })
      .sign(new TextEncoder().encode(secret));
    const r = await runCli(['jwt', 'verify', token, '--secret-env', 'S'], { overrides, env: { S: secret } });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/well-known HMAC secrets.*\[weak_secret\]/);
    const wrong = await runCli(['jwt', 'verify', token, '--secret-env', 'S'], {
      overrides,
      env: { S: k.secrets.hs256 },
    });
    expect(wrong.code).toBe(1);
    expect(wrong.stdout).toMatch(/^invalid: signature does not verify/);
  });
});

describe('jwt verify: bad input and keys (exit 2), network (exit 3)', () => {
  it.each([
    ['no key', () => [], /needs a key/],
    ['missing key file', () => ['--key', '/nonexistent.pem'], /no such file/],
    [
      'garbage key file',
      () => ['--key', write(k.dir, 'garbage.txt', 'hello world\n')],
      /not a PEM key, certificate, JWK, JWKS or HMAC secret/,
    ],
    ['--alg none', () => ['--key', k.pub.ec256, '--alg', 'none'], /--alg none is never allowed/],
    [
      '--alg not supported by the key',
      () => ['--key', k.pub.rsa, '--alg', 'HS256'],
      /--alg HS256 cannot be used with the given keys/,
    ],
    ['RSA 1024 only', () => ['--key', k.rsa1024], /none of the given keys can verify.*under 2048/],
    ['bad --leeway', () => ['--key', k.pub.ec256, '--leeway', 'a while'], /--leeway/],
    ['insecure JWKS URL', () => ['--jwks', 'http://jwks.example.com/keys'], /must use https/],
    ['both secret sources', () => ['--secret-env', 'A', '--secret-file', 'f'], /one way/],
    ['DER public key as --key', () => ['--key', k.rsaDerPub], /DER-encoded key or certificate, not an HMAC/],
  ])('%s', async (_name, args, message) => {
    const token = await sign({ exp: FIXED_S + 60 });
    const r = await runCli(['jwt', 'verify', token, ...args()], { overrides });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
    expect(hasStackTrace(r.stderr)).toBe(false);
  });

  it('JWKS URL refusing connections → exit 3', async () => {
    const server = await startServer((_q, res) => json(res, 200, {}));
    const url = server.url;
    await server.close();
    const r = await runCli(['jwt', 'verify', await sign({ exp: FIXED_S + 60 }), '--jwks', `${url}/jwks`], {
      overrides,
    });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/connection refused/);
  });

  it('JWKS URL answering 500 → exit 3', async () => {
    const server = await startServer((_q, res) => json(res, 500, { error: 'x' }));
    try {
      const r = await runCli(
        ['jwt', 'verify', await sign({ exp: FIXED_S + 60 }), '--jwks', `${server.url}/jwks`],
        { overrides },
      );
      expect(r.code).toBe(3);
      expect(r.stderr).toMatch(/HTTP 500/);
    } finally {
      await server.close();
    }
  });
});
