import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeJwt, decodeProtectedHeader, jwtVerify, calculateJwkThumbprint, type JWK } from 'jose';
import { createPublicKey, createSecretKey } from 'node:crypto';
import { hasStackTrace, runCli, tempDir } from '../../helpers/cli.js';
import {
  ALL_ALGS,
  clock,
  FIXED_NOW,
  FIXED_S,
  keyPairFor,
  makeKeyFiles,
  write,
  type KeyFiles,
} from './fixtures.js';

let k: KeyFiles;
let cleanup: () => void;
const overrides = { clock };

beforeAll(() => {
  const t = tempDir('apikit-jwt-mint-');
  cleanup = t.cleanup;
  k = makeKeyFiles(t.dir);
});
afterAll(() => cleanup());

/** The verifying key as jose sees it, independent of apikit. */
function verifierKey(alg: string) {
  const pair = keyPairFor(k, alg);
  if (alg.startsWith('HS')) return createSecretKey(Buffer.from(readFileSync(pair.verify, 'utf8').trim()));
  return createPublicKey(readFileSync(pair.verify));
}

describe('jwt mint: every JWS algorithm', () => {
  it.each(ALL_ALGS)('%s: prints the token alone; jose verifies it; apikit verify agrees', async (alg) => {
    const { sign, verify } = keyPairFor(k, alg);
    const r = await runCli(['jwt', 'mint', '--key', sign, '--alg', alg, '--sub', 'alice', '--aud', 'api'], {
      overrides,
    });
    // RS256 is not worth a warning on every mint (issue 9, item 24): nothing on stderr for any algorithm.
    expect(r.stderr).toEqual('');
    expect(r.code).toBe(0);
    const token = r.stdout.trimEnd();
    expect(r.stdout).toBe(token + '\n');
    expect(token.split('.')).toHaveLength(3);
    const { payload, protectedHeader } = await jwtVerify(token, verifierKey(alg), {
      algorithms: [alg],
      currentDate: new Date(FIXED_NOW),
      audience: 'api',
    });
    expect(protectedHeader.alg).toBe(alg);
    expect(protectedHeader.typ).toBe('JWT');
    expect(payload).toEqual({ sub: 'alice', aud: 'api', iat: FIXED_S, exp: FIXED_S + 15 * 60 });
    const v = await runCli(['jwt', 'verify', token, '--key', verify, '--aud', 'api'], { overrides });
    expect(v.code).toBe(0);
    expect(v.stdout).toMatch(new RegExp(`^valid: ${alg} signature`));
  });
});

describe('jwt mint: algorithm and kid defaults', () => {
  it.each([
    ['ec256', 'ES256'],
    ['ec384', 'ES384'],
    ['ec521', 'ES512'],
    ['ed25519', 'EdDSA'],
  ] as const)('%s key → %s, kid = RFC 7638 thumbprint', async (fam, alg) => {
    const r = await runCli(['jwt', 'mint', '--key', k.priv[fam]], { overrides });
    expect(r.code).toBe(0);
    const h = decodeProtectedHeader(r.stdout.trim());
    expect(h.alg).toBe(alg);
    const jwk = k.objects[fam].publicKey.export({ format: 'jwk' }) as JWK;
    expect(h.kid).toBe(await calculateJwkThumbprint(jwk));
  });

  it('HMAC secret file → HS256 and no kid (a thumbprint of a secret would leak it)', async () => {
    const r = await runCli(['jwt', 'mint', '--key', k.hs256], { overrides });
    expect(r.code).toBe(0);
    const h = decodeProtectedHeader(r.stdout.trim());
    expect(h).toEqual({ alg: 'HS256', typ: 'JWT' });
  });

  it('a JWK "alg" and "kid" are the defaults', async () => {
    const jwk = {
      ...(k.objects.rsa.privateKey.export({ format: 'jwk' }) as object),
      alg: 'PS384',
      kid: 'rsa-1',
    };
    const file = write(k.dir, 'rsa-ps384.jwk.json', JSON.stringify(jwk));
    const r = await runCli(['jwt', 'mint', '--key', file], { overrides });
    expect(r.code).toBe(0);
    expect(decodeProtectedHeader(r.stdout.trim())).toMatchObject({ alg: 'PS384', kid: 'rsa-1' });
  });

  it('--kid overrides; a JWKS picks its key by --kid', async () => {
    const jwks = {
      keys: [
        { ...(k.objects.ec256.privateKey.export({ format: 'jwk' }) as object), kid: 'a' },
        { ...(k.objects.ed25519.privateKey.export({ format: 'jwk' }) as object), kid: 'b' },
      ],
    };
    const file = write(k.dir, 'private.jwks.json', JSON.stringify(jwks));
    const r = await runCli(['jwt', 'mint', '--key', file, '--kid', 'b'], { overrides });
    expect(r.code).toBe(0);
    expect(decodeProtectedHeader(r.stdout.trim())).toMatchObject({ alg: 'EdDSA', kid: 'b' });
    const none = await runCli(['jwt', 'mint', '--key', file], { overrides });
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/holds 2 keys; choose one with --kid \("a", "b"\)/);
  });

  it('PKCS#1 RSA PEM (which jose cannot import itself) signs via the key loader', async () => {
    const r = await runCli(['jwt', 'mint', '--key', k.rsaPkcs1Priv, '--alg', 'RS256'], { overrides });
    expect(r.code).toBe(0);
    await jwtVerify(r.stdout.trim(), verifierKey('RS256'), { currentDate: new Date(FIXED_NOW) });
  });

  it('SEC1 EC PEM (with its EC PARAMETERS block) and encrypted PKCS#8 with --passphrase-env', async () => {
    const sec1 = write(
      k.dir,
      'ec.sec1.pem',
      '-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n' +
        (k.objects.ec256.privateKey.export({ format: 'pem', type: 'sec1' }) as string),
    );
    const encrypted = write(
      k.dir,
      'ec.enc.pem',
      k.objects.ec256.privateKey.export({
        format: 'pem',
        type: 'pkcs8',
        cipher: 'aes-256-cbc',
        passphrase: 'correct horse battery',
      }) as string,
    );
    for (const args of [
      ['--key', sec1],
      ['--key', encrypted, '--passphrase-env', 'PP'],
    ]) {
      const r = await runCli(['jwt', 'mint', ...args], { overrides, env: { PP: 'correct horse battery' } });
      expect(r.code).toBe(0);
      await jwtVerify(r.stdout.trim(), verifierKey('ES256'), { currentDate: new Date(FIXED_NOW) });
    }
    const noPass = await runCli(['jwt', 'mint', '--key', encrypted], { overrides });
    expect(noPass.code).toBe(2);
    expect(noPass.stderr).toMatch(/encrypted and no passphrase was given/);
  });

  it('secret from --secret-env and --secret-file', async () => {
    for (const args of [
      ['--secret-env', 'JWT_SECRET'],
      ['--secret-file', k.hs256],
    ]) {
      const r = await runCli(['jwt', 'mint', ...args, '--sub', 's'], {
        overrides,
        env: { JWT_SECRET: k.secrets.hs256 },
      });
      expect(r.code).toBe(0);
      const { payload } = await jwtVerify(r.stdout.trim(), verifierKey('HS256'), {
        currentDate: new Date(FIXED_NOW),
      });
      expect(payload.sub).toBe('s');
    }
  });
});

describe('jwt mint: refusals (exit 2, one line)', () => {
  it.each([
    ['alg none', () => ['--key', k.hs256, '--alg', 'none'], /refusing alg "none"/],
    ['alg NONE', () => ['--key', k.hs256, '--alg', 'NONE'], /refusing alg "none"/],
    ['unknown alg', () => ['--key', k.hs256, '--alg', 'HS1'], /not a JWS algorithm/],
    ['short HMAC secret (HS256)', () => ['--key', k.short], /17 bytes; HS256 needs at least 32/],
    ['32-byte secret with HS384', () => ['--key', k.hs256, '--alg', 'HS384'], /HS384 needs at least 48/],
    ['48-byte secret with HS512', () => ['--key', k.hs384, '--alg', 'HS512'], /HS512 needs at least 64/],
    ['RSA 1024', () => ['--key', k.rsa1024, '--alg', 'RS256'], /under 2048 bits/],
    ['RSA without --alg', () => ['--key', k.priv.rsa], /choose with --alg/],
    ['public key', () => ['--key', k.pub.ec256], /is a public key; signing needs the private key/],
    ['EC key with RS256', () => ['--key', k.priv.ec256, '--alg', 'RS256'], /cannot sign RS256/],
    [
      'HMAC secret with ES256',
      () => ['--key', k.hs256, '--alg', 'ES256'],
      /HMAC secret; it cannot sign ES256/,
    ],
    [
      'PEM given as --secret-file',
      () => ['--secret-file', k.pub.rsa],
      /is a PEM key or certificate, not an HMAC secret/,
    ],
    [
      'DER public key as --key (would be read as a binary HMAC secret)',
      () => ['--key', k.rsaDerPub],
      /is a DER-encoded key or certificate, not an HMAC secret/,
    ],
    [
      'DER private key as --key',
      () => ['--key', k.ecDerPriv],
      /is a DER-encoded key or certificate, not an HMAC secret/,
    ],
    ['no key at all', () => ['--sub', 'x'], /needs a key/],
    ['bad --exp', () => ['--key', k.hs256, '--exp', 'soon'], /--exp: "soon" is not/],
    ['--header alg', () => ['--key', k.hs256, '--header', 'alg=none'], /--header cannot set "alg"/],
    ['--header crit', () => ['--key', k.hs256, '--header', 'crit=["exp"]'], /--header cannot set "crit"/],
    ['--claim without =', () => ['--key', k.hs256, '--claim', 'admin'], /expected name=value/],
    ['--claims not an object', () => ['--key', k.hs256, '--claims', '[1]'], /not a JSON object/],
    [
      '--claim @missing file',
      () => ['--key', k.hs256, '--claim', 'x=@/nonexistent/file.json'],
      /no such file/,
    ],
    [
      'missing key file',
      () => ['--key', '/nonexistent/key.pem'],
      /cannot read "\/nonexistent\/key.pem": no such file/,
    ],
  ])('%s', async (_name, args, message) => {
    const r = await runCli(['jwt', 'mint', ...args()], { overrides });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
    expect(r.stderr.split('\n').filter((l) => l.startsWith('error:'))).toHaveLength(1);
    expect(hasStackTrace(r.stderr)).toBe(false);
  });
});

describe('jwt mint: claims', () => {
  const mint = async (args: string[], env = {}) => {
    const r = await runCli(['jwt', 'mint', '--key', k.priv.ec256, ...args], { overrides, env });
    expect(r.stderr).not.toMatch(/error/);
    expect(r.code).toBe(0);
    return {
      payload: decodeJwt(r.stdout.trim()),
      header: decodeProtectedHeader(r.stdout.trim()),
      stderr: r.stderr,
    };
  };

  it('--claim values are JSON-typed', async () => {
    const { payload } = await mint([
      '--claim',
      'n=5',
      '--claim',
      'b=true',
      '--claim',
      'o={"a":1}',
      '--claim',
      's="5"',
      '--claim',
      'w=hello world',
      '--claim',
      'nul=null',
    ]);
    expect(payload).toMatchObject({ n: 5, b: true, o: { a: 1 }, s: '5', w: 'hello world', nul: null });
  });

  it('--claim k=@file.json loads a value', async () => {
    const file = write(k.dir, 'roles.json', '["admin","ops"]');
    const { payload } = await mint(['--claim', `roles=@${file}`]);
    expect(payload.roles).toEqual(['admin', 'ops']);
  });

  it('registered claims, multiple --aud, --scope, --typ, --jti', async () => {
    const { payload, header } = await mint([
      '--iss',
      'https://auth.example',
      '--sub',
      'alice',
      '--aud',
      'a',
      '--aud',
      'b',
      '--scope',
      'read write',
      '--typ',
      'at+jwt',
      '--jti',
      'id-1',
    ]);
    expect(payload).toMatchObject({
      iss: 'https://auth.example',
      sub: 'alice',
      aud: ['a', 'b'],
      scope: 'read write',
      jti: 'id-1',
    });
    expect(header.typ).toBe('at+jwt');
  });

  it('--jti without a value is a random UUID', async () => {
    const a = await mint(['--jti']);
    const b = await mint(['--jti']);
    expect(a.payload.jti).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(a.payload.jti).not.toBe(b.payload.jti);
  });

  it.each([
    [['--exp', '2h'], { iat: FIXED_S, exp: FIXED_S + 7200 }],
    [['--exp', '2026-02-01T00:00:00Z'], { iat: FIXED_S, exp: Date.parse('2026-02-01T00:00:00Z') / 1000 }],
    [['--exp', '-5m'], { iat: FIXED_S, exp: FIXED_S - 300 }],
    [['--nbf', '10m'], { iat: FIXED_S, nbf: FIXED_S + 600, exp: FIXED_S + 900 }],
    [['--nbf', '1768480000'], { iat: FIXED_S, nbf: 1768480000, exp: FIXED_S + 900 }],
    [['--iat', '2026-01-15T11:00:00Z'], { iat: FIXED_S - 3600, exp: FIXED_S + 900 }],
    [['--no-iat'], { exp: FIXED_S + 900 }],
    [['--no-exp', '--no-iat'], {}],
  ])('times %j', async (args, want) => {
    const { payload } = await mint(args);
    expect(payload).toEqual(want);
  });

  it('--no-exp warns that the token never expires', async () => {
    const r = await runCli(['jwt', 'mint', '--key', k.priv.ec256, '--no-exp'], { overrides });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/never expires.*\[exp_missing\]/);
  });

  it('--claims JSON, @file and stdin; flags override it', async () => {
    const file = write(k.dir, 'claims.json', '{"sub":"file","x":1}');
    expect((await mint(['--claims', '{"sub":"inline","x":2}'])).payload).toMatchObject({
      sub: 'inline',
      x: 2,
    });
    expect((await mint(['--claims', `@${file}`])).payload).toMatchObject({ sub: 'file', x: 1 });
    expect((await mint(['--claims', `@${file}`, '--sub', 'flag', '--claim', 'x=3'])).payload).toMatchObject({
      sub: 'flag',
      x: 3,
    });
    const r = await runCli(['jwt', 'mint', '--key', k.priv.ec256, '--claims', '-'], {
      overrides,
      stdin: '{"sub":"stdin"}',
    });
    expect(decodeJwt(r.stdout.trim()).sub).toBe('stdin');
  });

  it('--header adds typed members', async () => {
    const { header } = await mint(['--header', 'cty="JWT"', '--header', 'x5t#S256="abc"']);
    expect(header).toMatchObject({ cty: 'JWT', 'x5t#S256': 'abc' });
  });

  it('a kid given with --header is kept (not replaced by the thumbprint); --kid wins over it', async () => {
    expect((await mint(['--header', 'kid=from-header'])).header.kid).toBe('from-header');
    expect((await mint(['--header', 'kid=from-header', '--kid', 'flag'])).header.kid).toBe('flag');
  });

  it.each([false, true])('tty=%s: the token prints bare, never coloured', async (tty) => {
    const r = await runCli(['jwt', 'mint', '--key', k.priv.ec256, '--no-exp'], {
      overrides,
      tty,
      env: { FORCE_COLOR: tty ? '1' : undefined },
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^eyJ[\w-]+\.[\w-]+\.[\w-]+\n$/);
    // The warning still goes to stderr (coloured only on a terminal).
    expect(r.stderr.includes('\x1b[')).toBe(tty);
    expect(r.stderr).toMatch(/\[exp_missing\]/);
  });

  it('--json prints token, header and payload', async () => {
    const r = await runCli(['jwt', 'mint', '--key', k.priv.ec256, '--sub', 'j', '--json'], { overrides });
    const doc = JSON.parse(r.stdout);
    expect(Object.keys(doc)).toEqual(['token', 'header', 'payload']);
    expect(decodeJwt(doc.token)).toEqual(doc.payload);
  });

  it('warns about a well-known secret', async () => {
    const weak = write(k.dir, 'weak.secret', 'a-string-secret-at-least-256-bits-long\n');
    const r = await runCli(['jwt', 'mint', '--key', weak], { overrides });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/well-known HMAC secret.*\[weak_secret\]/);
  });
});

describe('jwt mint: round trip through decode --json', () => {
  it('re-signs header and payload exactly', async () => {
    const first = await runCli(
      [
        'jwt',
        'mint',
        '--key',
        k.priv.ec256,
        '--kid',
        'orig',
        '--typ',
        'at+jwt',
        '--sub',
        'alice',
        '--claim',
        'n=5',
        '--exp',
        '1h',
        '--header',
        'cty="x"',
      ],
      { overrides },
    );
    const token = first.stdout.trim();
    const decoded = await runCli(['jwt', 'decode', '--json', token], { overrides });
    const later = { now: () => FIXED_NOW + 60_000 };
    const again = await runCli(['jwt', 'mint', '--key', k.priv.ec256, '--from-json', '-'], {
      stdin: decoded.stdout,
      overrides: { clock: later },
    });
    expect(again.code).toBe(0);
    const t2 = again.stdout.trim();
    expect(decodeJwt(t2)).toEqual(decodeJwt(token));
    expect(decodeProtectedHeader(t2)).toEqual(decodeProtectedHeader(token));
    // ECDSA signatures are randomised: same header and payload, new signature, still valid.
    expect(t2.split('.').slice(0, 2)).toEqual(token.split('.').slice(0, 2));
    const v = await runCli(['jwt', 'verify', t2, '--key', k.pub.ec256], { overrides });
    expect(v.code).toBe(0);
  });

  it('re-signs with another key type: alg follows the new key', async () => {
    const token = (
      await runCli(['jwt', 'mint', '--key', k.hs256, '--sub', 'bob'], { overrides })
    ).stdout.trim();
    const decoded = await runCli(['jwt', 'decode', '--json', token], { overrides });
    const again = await runCli(['jwt', 'mint', '--key', k.priv.ed25519, '--from-json', '-'], {
      stdin: decoded.stdout,
      overrides,
    });
    expect(again.code).toBe(0);
    expect(decodeProtectedHeader(again.stdout.trim()).alg).toBe('EdDSA');
    expect(decodeJwt(again.stdout.trim())).toEqual(decodeJwt(token));
  });

  it('refuses a --from-json document without header/payload', async () => {
    const r = await runCli(['jwt', 'mint', '--key', k.hs256, '--from-json', '-'], {
      stdin: '{"a":1}',
      overrides,
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/expected \{"header"/);
  });
});
