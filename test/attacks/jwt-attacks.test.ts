import { execFileSync } from 'node:child_process';
import { createHmac, generateKeyPairSync, sign as cryptoSign, type KeyObject } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CompactSign, FlattenedSign } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasStackTrace, runCli, tempDir } from '../helpers/cli.js';
import { b64u, clock, FIXED_S, makeKeyFiles, write, type KeyFiles } from '../commands/jwt/fixtures.js';
import { json, startServer, type TestServer } from '../commands/jwt/server.js';

/**
 * RFC 8725 / OWASP attacks on JWT verification. Every test here is a forgery or a malformed token that
 * `apikit jwt verify` must REJECT (exit 1 with the stated code, or exit 2 for an unusable key choice).
 */
let k: KeyFiles;
let cleanup: () => void;
let server: TestServer;
let attackerJwks: unknown = { keys: [] };
const overrides = { clock };
const enc = (s: string) => new TextEncoder().encode(s);
const claims = () => ({ sub: 'attacker', admin: true, exp: FIXED_S + 600 });

beforeAll(async () => {
  const t = tempDir('apikit-jwt-attacks-');
  cleanup = t.cleanup;
  k = makeKeyFiles(t.dir);
  // The "attacker's" server: every jku/x5u in these tests points here, and it must never be contacted.
  // It serves the attacker's own key, so a verifier that did fetch would ACCEPT the forgery.
  server = await startServer((req, res) => json(res, 200, attackerJwks));
});
afterAll(async () => {
  await server.close();
  cleanup();
});

/** ES256 signature over arbitrary header/payload TEXT (so duplicate members survive). */
function rawEs256(
  headerText: string,
  payloadText: string,
  key: KeyObject,
  dsaEncoding: 'ieee-p1363' | 'der' = 'ieee-p1363',
): string {
  const input = `${b64u(headerText)}.${b64u(payloadText)}`;
  const sig = cryptoSign('sha256', Buffer.from(input), { key, dsaEncoding });
  return `${input}.${sig.toString('base64url')}`;
}

function hs256(header: object, payload: object, secret: Buffer | string): string {
  const input = `${b64u(header)}.${b64u(payload)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

async function verdict(token: string, args: string[]) {
  const r = await runCli(['jwt', 'verify', token, '--json', ...args], { overrides });
  expect(hasStackTrace(r.stderr)).toBe(false);
  return { code: r.code, doc: r.stdout ? JSON.parse(r.stdout) : undefined, stderr: r.stderr };
}

async function expectRejected(token: string, args: string[], code: string) {
  const r = await verdict(token, args);
  expect(r.doc?.code, r.stderr).toBe(code);
  expect(r.doc.valid).toBe(false);
  expect(r.code).toBe(1);
  return r;
}

const es = () => ['--key', k.pub.ec256];

describe('alg "none"', () => {
  const casings = ['none', 'None', 'NONE', 'nOnE', 'noNe'];
  it.each(
    casings.flatMap((alg) => [
      [alg, ''],
      [alg, 'c2lnbmF0dXJl'],
    ]),
  )('alg %j, signature %j → alg_not_allowed', async (alg, sig) => {
    const token = `${b64u({ alg, typ: 'JWT' })}.${b64u(claims())}.${sig}`;
    await expectRejected(token, es(), 'alg_not_allowed');
    await expectRejected(token, ['--secret-file', k.hs256], 'alg_not_allowed');
    await expectRejected(token, ['--jwks', k.jwks], 'alg_not_allowed');
  });

  it('--alg none is refused outright', async () => {
    const r = await verdict(`${b64u({ alg: 'none' })}.${b64u(claims())}.`, [...es(), '--alg', 'none']);
    expect(r.code).toBe(2);
  });
});

describe('RS256 → HS256 key confusion (public key bytes as the HMAC secret)', () => {
  const forms = () => {
    const pem = readFileSync(k.pub.rsa, 'utf8');
    const pkcs1 = readFileSync(k.rsaPkcs1Pub, 'utf8');
    const jwkText = readFileSync(k.jwk.rsa, 'utf8');
    return [
      ['SPKI PEM with trailing newline', k.pub.rsa, pem],
      ['SPKI PEM without trailing newline', write(k.dir, 'rsa-nonl.pub.pem', pem.trimEnd()), pem.trimEnd()],
      ['PKCS#1 PEM', k.rsaPkcs1Pub, pkcs1],
      ['JWK', k.jwk.rsa, jwkText],
    ] as const;
  };

  it.each([0, 1, 2, 3])('form %i: HS256 token signed with the key file bytes is rejected', async (i) => {
    const [, file, bytes] = forms()[i]!;
    for (const secret of [bytes, bytes.trimEnd(), bytes.trimEnd() + '\n']) {
      const token = hs256({ alg: 'HS256', typ: 'JWT' }, claims(), secret);
      await expectRejected(token, ['--key', file], 'alg_not_allowed');
      // Even asking for HS256 cannot turn the public key into an HMAC secret: a usage error, not a verdict.
      const asked = await verdict(token, ['--key', file, '--alg', 'HS256']);
      expect(asked.code).toBe(2);
      expect(asked.stderr).toMatch(/--alg HS256 cannot be used with the given keys/);
    }
    // And the key file cannot be smuggled in as an HMAC secret either.
    const asSecret = await verdict(hs256({ alg: 'HS256' }, claims(), bytes), ['--secret-file', file]);
    expect(asSecret.code).toBe(2);
    expect(asSecret.stderr).toMatch(/is a (PEM key or certificate|JWK or JWKS), not an HMAC secret/);
  });

  /** The public key in forms the key loader would otherwise read as a "raw HMAC secret". */
  const rawForms = () => {
    const rsa = k.objects.rsa.publicKey;
    const spkiDer = rsa.export({ format: 'der', type: 'spki' });
    const b64 = spkiDer.toString('base64');
    // OpenSSH wire format (RFC 4253 §6.6): string "ssh-rsa", mpint e, mpint n.
    const { n, e } = rsa.export({ format: 'jwk' }) as { n: string; e: string };
    const len = (b: Buffer) => {
      const out = Buffer.alloc(4 + b.length);
      out.writeUInt32BE(b.length);
      b.copy(out, 4);
      return out;
    };
    const mpint = (b64u: string) => {
      const raw = Buffer.from(b64u, 'base64url');
      return len(raw[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), raw]) : raw);
    };
    const sshBlob = Buffer.concat([len(Buffer.from('ssh-rsa')), mpint(e), mpint(n)]).toString('base64');
    return [
      ['SPKI DER file', spkiDer],
      ['PKCS#1 DER file', rsa.export({ format: 'der', type: 'pkcs1' })],
      ['base64 SPKI on one line (PEM body without BEGIN/END, as Keycloak publishes it)', Buffer.from(b64)],
      ['base64 SPKI wrapped at 64 columns', Buffer.from(b64.replace(/(.{64})/g, '$1\n') + '\n')],
      ['base64url SPKI', Buffer.from(spkiDer.toString('base64url'))],
      ['OpenSSH public key line', Buffer.from(`ssh-rsa ${sshBlob} victim@host\n`)],
    ] as const;
  };

  it.each([0, 1, 2, 3, 4, 5])('raw form %i: never an HMAC secret, by any flag', async (i) => {
    const [name, bytes] = rawForms()[i]!;
    const file = join(k.dir, `rsa-form-${i}.pub`);
    writeFileSync(file, bytes);
    const text = bytes.toString('utf8');
    // Every way a verifier might turn the file into HMAC bytes: as read, and with line ends stripped.
    for (const secret of [bytes, Buffer.from(text.trimEnd()), Buffer.from(text.replace(/\r?\n$/, ''))]) {
      const token = hs256({ alg: 'HS256', typ: 'JWT' }, claims(), secret);
      for (const args of [
        ['--key', file],
        ['--jwks', file],
        ['--secret-file', file],
        ['--key', file, '--alg', 'HS256'],
      ]) {
        const r = await verdict(token, args);
        expect({ name, args: args.join(' '), code: r.code }).toEqual({ name, args: args.join(' '), code: 2 });
        // No verdict: with --json, a failing command prints only its error document (README, the --json contract).
        expect(r.doc).toEqual({ error: expect.objectContaining({ exit_code: 2 }) });
        expect(r.stderr).toMatch(/not an HMAC secret|is binary|not a PEM key, certificate, JWK, JWKS/);
      }
      if (!text.includes('\uFFFD')) {
        const env = await runCli(['jwt', 'verify', token, '--secret-env', 'S'], {
          overrides,
          env: { S: text.trimEnd() },
        });
        expect(env.code).toBe(2);
        expect(env.stderr).toMatch(/not an HMAC secret/);
      }
    }
  });

  it('a JWKS holding the RSA key never verifies HS256', async () => {
    const jwk = JSON.parse(readFileSync(k.jwks, 'utf8')).keys[1];
    const token = hs256({ alg: 'HS256', kid: 'k-rsa' }, claims(), JSON.stringify(jwk));
    await expectRejected(token, ['--jwks', k.jwks], 'alg_not_allowed');
  });
});

describe('keys carried by the token are never used or fetched', () => {
  const attacker = () => generateKeyPairSync('ec', { namedCurve: 'P-256' });

  it('embedded "jwk" (attacker signs with their own key and embeds it)', async () => {
    const a = attacker();
    const jwk = a.publicKey.export({ format: 'jwk' });
    const token = await new CompactSign(enc(JSON.stringify(claims())))
      .setProtectedHeader({ alg: 'ES256', jwk: jwk as never })
      .sign(a.privateKey);
    const r = await expectRejected(token, es(), 'signature_invalid');
    expect(r.doc.warnings.map((w: { id: string }) => w.id)).toContain('header_jwk');
  });

  it.each(['jku', 'x5u'])('"%s" pointing at a loopback server: zero requests', async (member) => {
    server.requests.length = 0;
    const a = attacker();
    attackerJwks = { keys: [{ ...a.publicKey.export({ format: 'jwk' }), kid: 'k1', use: 'sig' }] };
    const token = await new CompactSign(enc(JSON.stringify(claims())))
      .setProtectedHeader({ alg: 'ES256', kid: 'k1', [member]: `${server.url}/evil` })
      .sign(a.privateKey);
    await expectRejected(token, es(), 'signature_invalid');
    await expectRejected(token, ['--jwks', k.jwks], 'signature_invalid');
    const d = await runCli(['jwt', 'decode', token], { overrides });
    expect(d.stderr).toContain(`[header_${member}]`);
    expect(server.requests).toEqual([]);
  });

  it('self-signed "x5c" certificate', async () => {
    const { dir, cleanup: done } = tempDir();
    try {
      const keyPath = join(dir, 'x.key');
      const certPath = join(dir, 'x.crt');
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'ec',
          '-pkeyopt',
          'ec_paramgen_curve:P-256',
          '-nodes',
          '-keyout',
          keyPath,
          '-out',
          certPath,
          '-subj',
          '/CN=attacker',
          '-days',
          '1',
        ],
        { stdio: 'ignore' },
      );
      const der = readFileSync(certPath, 'utf8').replace(/-----[^-]+-----|\s/g, '');
      const { createPrivateKey } = await import('node:crypto');
      const token = await new CompactSign(enc(JSON.stringify(claims())))
        .setProtectedHeader({ alg: 'ES256', x5c: [der] })
        .sign(createPrivateKey(readFileSync(keyPath)));
      const r = await expectRejected(token, es(), 'signature_invalid');
      expect(r.doc.warnings.map((w: { id: string }) => w.id)).toContain('header_x5c');
    } finally {
      done();
    }
  });
});

describe('"kid" is only a selector among the user\'s keys', () => {
  const kids = [
    '../../../../../../dev/null',
    '/dev/null',
    "' OR '1'='1",
    'k1" OR "1"="1',
    'key|cat /etc/passwd',
    '$(id)',
    'k1\u0000',
  ];
  it.each(kids)('kid %j', async (kid) => {
    // A kid naming a file whose content is the HMAC secret: a verifier that reads files by kid would accept this.
    const secretFile = write(k.dir, 'kid-target.txt', 'kid-secret-kid-secret-kid-secret-0123');
    const viaFile = hs256(
      { alg: 'HS256', kid: secretFile },
      claims(),
      'kid-secret-kid-secret-kid-secret-0123',
    );
    await expectRejected(viaFile, es(), 'alg_not_allowed');
    await expectRejected(viaFile, ['--secret-file', k.hs256], 'signature_invalid');
    // Empty-key trick (kid → /dev/null → HMAC key ""):
    const empty = hs256({ alg: 'HS256', kid }, claims(), Buffer.alloc(0));
    await expectRejected(empty, ['--jwks', k.jwks], 'alg_not_allowed');
    await expectRejected(empty, ['--secret-file', k.hs256], 'signature_invalid');
    const ecToken = await new CompactSign(enc(JSON.stringify(claims())))
      .setProtectedHeader({ alg: 'ES256', kid })
      .sign(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey);
    await expectRejected(ecToken, ['--jwks', k.jwks], 'kid_not_found');
    const d = await runCli(['jwt', 'decode', '--json', ecToken], { overrides });
    expect(JSON.parse(d.stdout).warnings.map((w: { id: string }) => w.id)).toContain('kid_suspicious');
  });
});

describe('signature tampering', () => {
  const good = () =>
    rawEs256(JSON.stringify({ alg: 'ES256' }), JSON.stringify(claims()), k.objects.ec256.privateKey);
  it('sanity: the untampered token is valid', async () => {
    expect((await verdict(good(), es())).doc.code).toBe('valid');
  });

  // P-256 group order n: r = s = n is the "psychic signature" CVE-2022-21449 shape; all-zero is the classic one.
  const n = Buffer.from('ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551', 'hex');
  it.each([
    ['all-zero R‖S', Buffer.alloc(64).toString('base64url')],
    ['DER zero signature MAYCAQACAQA', 'MAYCAQACAQA'],
    ['r = s = n', Buffer.concat([n, n]).toString('base64url')],
    ['r = s = 0 padded to 132 bytes', Buffer.alloc(132).toString('base64url')],
    ['stripped signature', ''],
  ])('ECDSA %s → signature_invalid', async (_name, sig) => {
    const [h, p] = good().split('.');
    await expectRejected(`${h}.${p}.${sig}`, es(), 'signature_invalid');
  });

  it('a DER-encoded (not raw R‖S) valid ECDSA signature is rejected', async () => {
    const der = rawEs256(
      JSON.stringify({ alg: 'ES256' }),
      JSON.stringify(claims()),
      k.objects.ec256.privateKey,
      'der',
    );
    await expectRejected(der, es(), 'signature_invalid');
  });

  it('truncated signatures', async () => {
    const t = good();
    for (const cut of [1, 4, 10, 43]) {
      const r = await verdict(t.slice(0, -cut), es());
      expect(r.code).toBe(1);
      expect(['signature_invalid', 'malformed']).toContain(r.doc.code);
    }
  });

  it("another key's signature", async () => {
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    await expectRejected(
      rawEs256(JSON.stringify({ alg: 'ES256' }), JSON.stringify(claims()), other),
      es(),
      'signature_invalid',
    );
  });

  it('tampered payload (admin:false → admin:true)', async () => {
    const original = rawEs256(
      JSON.stringify({ alg: 'ES256' }),
      JSON.stringify({ ...claims(), admin: false }),
      k.objects.ec256.privateKey,
    );
    const [h, , s] = original.split('.');
    expect((await verdict(original, es())).doc.code).toBe('valid');
    await expectRejected(`${h}.${b64u({ ...claims(), admin: true })}.${s}`, es(), 'signature_invalid');
  });

  it('RSA: tampered payload, and a signature by another RSA key', async () => {
    const t = await new CompactSign(enc(JSON.stringify(claims())))
      .setProtectedHeader({ alg: 'PS256' })
      .sign(k.objects.rsa.privateKey);
    expect((await verdict(t, ['--key', k.pub.rsa])).doc.code).toBe('valid');
    const [h, , s] = t.split('.');
    await expectRejected(
      `${h}.${b64u({ ...claims(), sub: 'root' })}.${s}`,
      ['--key', k.pub.rsa],
      'signature_invalid',
    );
    const other = await new CompactSign(enc(JSON.stringify(claims())))
      .setProtectedHeader({ alg: 'PS256' })
      .sign(k.objects.rsa2.privateKey);
    await expectRejected(other, ['--key', k.pub.rsa], 'signature_invalid');
  });
});

describe('algorithm allow-list', () => {
  it('ES384 token against a P-256 key', async () => {
    const t = await new CompactSign(enc(JSON.stringify(claims())))
      .setProtectedHeader({ alg: 'ES384' })
      .sign(k.objects.ec384.privateKey);
    await expectRejected(t, es(), 'alg_not_allowed');
  });

  it('--alg narrows an RSA key to RS256: a PS256 token is refused', async () => {
    const t = await new CompactSign(enc(JSON.stringify(claims())))
      .setProtectedHeader({ alg: 'PS256' })
      .sign(k.objects.rsa.privateKey);
    await expectRejected(t, ['--key', k.pub.rsa, '--alg', 'RS256'], 'alg_not_allowed');
    expect((await verdict(t, ['--key', k.pub.rsa, '--alg', 'PS256'])).doc.code).toBe('valid');
  });

  it.each(['HS1', 'ES256K', 'RSA-OAEP', 'dir', '', 'es256'])('unknown alg %j', async (alg) => {
    const token = `${b64u({ alg })}.${b64u(claims())}.c2ln`;
    await expectRejected(token, es(), 'alg_not_allowed');
  });

  it('missing alg', async () => {
    await expectRejected(`${b64u({ typ: 'JWT' })}.${b64u(claims())}.c2ln`, es(), 'malformed');
  });
});

describe('header extensions', () => {
  it('unknown "crit"', async () => {
    const t = rawEs256(
      JSON.stringify({ alg: 'ES256', crit: ['urn:x-evil'], 'urn:x-evil': 1 }),
      JSON.stringify(claims()),
      k.objects.ec256.privateKey,
    );
    await expectRejected(t, es(), 'crit_unsupported');
  });

  it('"crit" naming a registered claim-like member', async () => {
    const t = rawEs256(
      JSON.stringify({ alg: 'ES256', crit: ['exp'], exp: 1 }),
      JSON.stringify(claims()),
      k.objects.ec256.privateKey,
    );
    await expectRejected(t, es(), 'crit_unsupported');
  });

  it('"b64": false (RFC 7797 unencoded payload)', async () => {
    const payload = JSON.stringify(claims());
    const jws = await new FlattenedSign(enc(payload))
      .setProtectedHeader({ alg: 'ES256', b64: false, crit: ['b64'] })
      .sign(k.objects.ec256.privateKey);
    // Compact form with the payload detached-style encoded, and with it raw: both refused.
    const encoded = `${jws.protected}.${b64u(payload)}.${jws.signature}`;
    await expectRejected(encoded, es(), 'crit_unsupported');
    const raw = `${jws.protected}.${payload}.${jws.signature}`;
    await expectRejected(raw, es(), 'malformed');
    const noCrit = rawEs256(
      JSON.stringify({ alg: 'ES256', b64: false }),
      JSON.stringify(claims()),
      k.objects.ec256.privateKey,
    );
    await expectRejected(noCrit, es(), 'b64_unsupported');
  });
});

describe('encoding tricks', () => {
  const good = () =>
    rawEs256(
      JSON.stringify({ alg: 'ES256', kid: 'a?>' }),
      JSON.stringify({ ...claims(), n: '>>>???' }),
      k.objects.ec256.privateKey,
    );

  it('standard base64 alphabet (+ /) and "=" padding are refused', async () => {
    const t = good();
    expect((await verdict(t, es())).doc.code).toBe('valid');
    const std = t
      .split('.')
      .map((p) => Buffer.from(p, 'base64url').toString('base64'))
      .join('.');
    expect(std).toMatch(/[+/=]/);
    await expectRejected(std, es(), 'malformed');
    const padded = `${t}==`;
    await expectRejected(padded, es(), 'malformed');
  });

  it('duplicate header members ({"alg":"ES256","alg":"none"} and kid twice)', async () => {
    for (const header of [
      '{"alg":"none","alg":"ES256"}',
      '{"alg":"ES256","kid":"k1","kid":"k-rsa"}',
      '{"alg":"ES256", "alg" :"ES256"}',
    ]) {
      const t = rawEs256(header, JSON.stringify(claims()), k.objects.ec256.privateKey);
      const r = await expectRejected(t, es(), 'malformed');
      expect(r.doc.reason).toMatch(/twice/);
    }
  });

  it('duplicate claims in the payload', async () => {
    const t = rawEs256(
      '{"alg":"ES256"}',
      `{"sub":"alice","exp":${FIXED_S + 60},"sub":"admin"}`,
      k.objects.ec256.privateKey,
    );
    await expectRejected(t, es(), 'malformed');
  });

  it('nested objects may reuse names without being duplicates', async () => {
    const t = rawEs256(
      '{"alg":"ES256","x":{"alg":"y"}}',
      `{"a":{"a":1},"exp":${FIXED_S + 60}}`,
      k.objects.ec256.privateKey,
    );
    expect((await verdict(t, es())).doc.code).toBe('valid');
  });

  it('a 1 MiB token is refused (argument and batch line) like decode refuses it: exit 2, the limit named', async () => {
    const big = rawEs256(
      '{"alg":"ES256"}',
      JSON.stringify({ ...claims(), pad: 'x'.repeat(1024 * 1024) }),
      k.objects.ec256.privateKey,
    );
    const arg = await verdict(big, es());
    expect(arg.code).toBe(2);
    expect(arg.stderr).toMatch(/^error: the token is \d+ bytes, over the 65536-byte limit$/m);
    const batch = await runCli(['jwt', 'verify', '--key', k.pub.ec256, '--json'], {
      stdin: `${good()}\n${big}\n${good()}\n`,
      overrides,
    });
    expect(batch.code).toBe(2);
    // The verdicts before the over-size line stand; nothing after it is read.
    expect(
      batch.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).code),
    ).toEqual(['valid']);
    expect(batch.stderr).toMatch(/error: the token on stdin line 2 is \d+ bytes, over the 65536-byte limit/);
    const d = await runCli(['jwt', 'decode'], { stdin: big });
    expect(d.code).toBe(2);
    expect(d.stderr).toMatch(/over the 65536-byte limit/);
  });

  it('a JWE is not verified as a JWS', async () => {
    await expectRejected(`${b64u({ alg: 'dir', enc: 'A128GCM' })}..aXY.Y3Q.dGFn`, es(), 'jwe_not_supported');
  });
});
