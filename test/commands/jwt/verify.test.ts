import { CompactSign } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KeyObject } from 'node:crypto';
import { hasStackTrace, runCli, tempDir } from '../../helpers/cli.js';
import { clock, FIXED_S, makeKeyFiles, write, type KeyFiles } from './fixtures.js';
import { json, startServer, type TestServer } from './server.js';

let k: KeyFiles;
let cleanup: () => void;
const overrides = { clock };

beforeAll(() => {
  const t = tempDir('apikit-jwt-verify-');
  cleanup = t.cleanup;
  k = makeKeyFiles(t.dir);
});
afterAll(() => cleanup());

/** Signs any header/payload with jose directly: the tests build tokens apikit itself would refuse to mint. */
async function sign(
  payload: unknown,
  header: Record<string, unknown> = {},
  key?: KeyObject,
): Promise<string> {
  const h = { alg: 'ES256', ...header };
  return new CompactSign(
    new TextEncoder().encode(typeof payload === 'string' ? payload : JSON.stringify(payload)),
  )
    .setProtectedHeader(h as { alg: string })
    .sign(key ?? k.objects.ec256.privateKey);
}

const verifyJson = async (token: string, args: string[] = [], env = {}) => {
  const r = await runCli(['jwt', 'verify', token, '--key', k.pub.ec256, '--json', ...args], {
    overrides,
    env,
  });
  expect(hasStackTrace(r.stderr)).toBe(false);
  return { ...r, doc: r.stdout ? JSON.parse(r.stdout) : undefined };
};

describe('jwt verify: claims table (frozen clock)', () => {
  const now = FIXED_S;
  it.each([
    [
      'valid',
      { sub: 'a', exp: now + 60 },
      {},
      [],
      'valid',
      /ES256 signature by .*ec256.pub.pem \(P-256\); sub "a"; expires in 1m/,
    ],
    ['expired', { exp: now - 252 }, {}, [], 'expired', /^expired 4m12s ago$/],
    ['expired, within leeway', { exp: now - 20 }, {}, ['--leeway', '30s'], 'valid', /within leeway/],
    ['expired, beyond leeway', { exp: now - 40 }, {}, ['--leeway', '30s'], 'expired', /expired 40s ago/],
    [
      'nbf in the future',
      { nbf: now + 300, exp: now + 600 },
      {},
      [],
      'not_yet_valid',
      /not valid for another 5m/,
    ],
    [
      'nbf future, within leeway',
      { nbf: now + 10, exp: now + 600 },
      {},
      ['--leeway', '30s'],
      'valid',
      /valid|ES256/,
    ],
    [
      'iat in the future',
      { iat: now + 120, exp: now + 600 },
      {},
      [],
      'iat_future',
      /issued 2m in the future/,
    ],
    [
      'iat future, with --max-age',
      { iat: now + 120, exp: now + 600 },
      {},
      ['--max-age', '1h'],
      'iat_future',
      /in the future/,
    ],
    ['string exp', { exp: String(now + 60) }, {}, [], 'claim_invalid', /"exp" is "\d+", not a number/],
    [
      'string iat',
      { iat: 'yesterday', exp: now + 60 },
      {},
      [],
      'claim_invalid',
      /"iat" is "yesterday", not a number/,
    ],
    ['no exp (valid, warned)', { sub: 'x' }, {}, [], 'valid', /ES256/],
    ['aud string matches', { aud: 'api', exp: now + 60 }, {}, ['--aud', 'api'], 'valid', /ES256/],
    ['aud array contains', { aud: ['other', 'api'], exp: now + 60 }, {}, ['--aud', 'api'], 'valid', /ES256/],
    ['one of several --aud', { aud: 'b', exp: now + 60 }, {}, ['--aud', 'a', '--aud', 'b'], 'valid', /ES256/],
    [
      'aud mismatch',
      { aud: 'other', exp: now + 60 },
      {},
      ['--aud', 'api'],
      'aud_mismatch',
      /aud is "other", expected "api"/,
    ],
    [
      'aud array mismatch',
      { aud: ['x', 'y'], exp: now + 60 },
      {},
      ['--aud', 'api'],
      'aud_mismatch',
      /aud is \["x","y"\]/,
    ],
    ['aud missing', { exp: now + 60 }, {}, ['--aud', 'api'], 'aud_mismatch', /aud is absent/],
    [
      'iss matches',
      { iss: 'https://a.example', exp: now + 60 },
      {},
      ['--iss', 'https://a.example'],
      'valid',
      /ES256/,
    ],
    [
      'iss mismatch',
      { iss: 'https://evil.example', exp: now + 60 },
      {},
      ['--iss', 'https://a.example'],
      'iss_mismatch',
      /iss is "https:\/\/evil.example", expected "https:\/\/a.example"/,
    ],
    ['sub mismatch', { sub: 'bob', exp: now + 60 }, {}, ['--sub', 'alice'], 'sub_mismatch', /sub is "bob"/],
    ['typ matches (at+jwt)', { exp: now + 60 }, { typ: 'at+jwt' }, ['--typ', 'at+jwt'], 'valid', /ES256/],
    [
      'typ matches (application/at+jwt)',
      { exp: now + 60 },
      { typ: 'application/at+jwt' },
      ['--typ', 'at+jwt'],
      'valid',
      /ES256/,
    ],
    [
      'typ mismatch',
      { exp: now + 60 },
      { typ: 'JWT' },
      ['--typ', 'at+jwt'],
      'typ_mismatch',
      /typ is not "at\+jwt"/,
    ],
    ['typ missing', { exp: now + 60 }, {}, ['--typ', 'at+jwt'], 'typ_mismatch', /typ/],
    [
      'scope present (scope)',
      { scope: 'read write', exp: now + 60 },
      {},
      ['--require-scope', 'write'],
      'valid',
      /ES256/,
    ],
    [
      'scope present (scp array)',
      { scp: ['read', 'write'], exp: now + 60 },
      {},
      ['--require-scope', 'read', '--require-scope', 'write'],
      'valid',
      /ES256/,
    ],
    [
      'scope missing',
      { scope: 'read', exp: now + 60 },
      {},
      ['--require-scope', 'write'],
      'scope_missing',
      /scope "write" missing/,
    ],
    [
      'scope prefix is not the scope',
      { scope: 'writer', exp: now + 60 },
      {},
      ['--require-scope', 'write'],
      'scope_missing',
      /scope "write" missing/,
    ],
    [
      'no scope claim',
      { exp: now + 60 },
      {},
      ['--require-scope', 'read'],
      'scope_missing',
      /no "scope" or "scp"/,
    ],
    ['require-claim present', { tid: 't1', exp: now + 60 }, {}, ['--require-claim', 'tid'], 'valid', /ES256/],
    [
      'require-claim missing',
      { exp: now + 60 },
      {},
      ['--require-claim', 'tid'],
      'claim_missing',
      /required claim "tid" is missing/,
    ],
    [
      'require-claim typed value',
      { admin: true, exp: now + 60 },
      {},
      ['--require-claim', 'admin=true'],
      'valid',
      /ES256/,
    ],
    [
      'require-claim wrong value',
      { admin: 'true', exp: now + 60 },
      {},
      ['--require-claim', 'admin=true'],
      'claim_mismatch',
      /claim "admin" is "true", expected true/,
    ],
    [
      'require-claim value in array',
      { roles: ['a', 'ops'], exp: now + 60 },
      {},
      ['--require-claim', 'roles=ops'],
      'valid',
      /ES256/,
    ],
    [
      'max-age exceeded',
      { iat: now - 7200, exp: now + 60 },
      {},
      ['--max-age', '1h'],
      'too_old',
      /issued 2h ago, over --max-age 1h/,
    ],
    [
      'max-age without iat',
      { exp: now + 60 },
      {},
      ['--max-age', '1h'],
      'claim_missing',
      /required claim "iat" is missing/,
    ],
  ])('%s → %s', async (_name, payload, header, args, code, reason) => {
    const r = await verifyJson(await sign(payload, header), args);
    expect(r.doc.code).toBe(code);
    expect(r.doc.valid).toBe(code === 'valid');
    expect(r.code).toBe(code === 'valid' ? 0 : 1);
    expect(r.doc.reason).toMatch(reason);
  });

  it('the JSON verdict has exactly the documented fields', async () => {
    const r = await verifyJson(await sign({ sub: 'a', exp: FIXED_S + 60 }, { kid: 'x' }));
    expect(Object.keys(r.doc)).toEqual(['valid', 'code', 'reason', 'header', 'payload', 'key', 'warnings']);
    expect(r.doc.header).toEqual({ alg: 'ES256', kid: 'x' });
    expect(r.doc.payload).toEqual({ sub: 'a', exp: FIXED_S + 60 });
    expect(r.doc.key).toMatch(/ec256.pub.pem \(P-256\)/);
  });

  it('a token with aud and no --aud: valid, warned, and the verdict says so', async () => {
    const token = await sign({ aud: 'api', exp: FIXED_S + 60 });
    const r = await verifyJson(token);
    expect(r.code).toBe(0);
    expect(r.doc.warnings).toContainEqual({
      id: 'aud_not_checked',
      message: expect.stringContaining('audience not checked'),
    });
    expect(r.doc.reason).toMatch(/audience NOT checked/);
    expect(r.stderr).toMatch(/\[aud_not_checked\]/);
    const human = await runCli(['jwt', 'verify', token, '--key', k.pub.ec256], { overrides });
    expect(human.stdout).toMatch(/^valid: .*audience NOT checked\n$/);
  });
});

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

describe('jwt verify: --jwks URL and --issuer discovery (loopback)', () => {
  let server: TestServer;
  let issuerDoc: (base: string) => unknown = (base) => ({ issuer: base, jwks_uri: `${base}/jwks` });
  let rfc8414 = true;
  const publicJwks = () => ({
    keys: [
      { ...k.objects.ec256.publicKey.export({ format: 'jwk' }), kid: 'k1' },
      { kty: 'oct', k: 'c2VjcmV0', kid: 'sym' },
      { kty: 'AKP', alg: 'ML-DSA-44', pub: 'abc', kid: 'pq' },
    ],
  });
  beforeAll(async () => {
    server = await startServer((req, res, base) => {
      if (req.url === '/.well-known/oauth-authorization-server') {
        if (rfc8414) json(res, 200, issuerDoc(base));
        else json(res, 404, {});
      } else if (req.url === '/.well-known/openid-configuration') json(res, 200, issuerDoc(base));
      else if (req.url === '/jwks') json(res, 200, publicJwks());
      else json(res, 404, {});
    });
  });
  afterAll(() => server.close());

  it('--jwks URL: verifies; unusable published keys are skipped with a warning', async () => {
    server.requests.length = 0;
    const r = await runCli(
      ['jwt', 'verify', await sign({ exp: FIXED_S + 60 }, { kid: 'k1' }), '--jwks', `${server.url}/jwks`],
      { overrides },
    );
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/kid "sym".*symmetric key in a published key set is never used/);
    expect(r.stderr).toMatch(/keys\[2\].*unsupported kty "AKP"/);
    expect(server.requests.map((q) => q.url)).toEqual(['/jwks']);
  });

  it('--jwks URL: a published oct key never verifies an HS256 token', async () => {
    const token = await new CompactSign(new TextEncoder().encode('{}'))
      .setProtectedHeader({ alg: 'HS256', kid: 'sym' })
      .sign(Buffer.from('secret'));
    const r = await runCli(['jwt', 'verify', token, '--jwks', `${server.url}/jwks`, '--json'], { overrides });
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).code).toBe('alg_not_allowed');
  });

  it('--issuer: RFC 8414 discovery, jwks_uri, iss checked by default', async () => {
    rfc8414 = true;
    server.requests.length = 0;
    const good = await sign({ iss: server.url, exp: FIXED_S + 60 }, { kid: 'k1' });
    const r = await runCli(['jwt', 'verify', good, '--issuer', server.url], { overrides });
    expect(r.stderr).not.toMatch(/error/);
    expect(r.code).toBe(0);
    expect(server.requests.map((q) => q.url)).toEqual(['/.well-known/oauth-authorization-server', '/jwks']);
    const other = await sign({ iss: 'https://other.example', exp: FIXED_S + 60 }, { kid: 'k1' });
    const bad = await runCli(['jwt', 'verify', other, '--issuer', server.url, '--json'], { overrides });
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.stdout).code).toBe('iss_mismatch');
  });

  it('--issuer: falls back to OpenID discovery', async () => {
    rfc8414 = false;
    server.requests.length = 0;
    try {
      const good = await sign({ iss: server.url, exp: FIXED_S + 60 }, { kid: 'k1' });
      const r = await runCli(['jwt', 'verify', good, '--issuer', server.url], { overrides });
      expect(r.code).toBe(0);
      expect(server.requests.map((q) => q.url)).toEqual([
        '/.well-known/oauth-authorization-server',
        '/.well-known/openid-configuration',
        '/jwks',
      ]);
    } finally {
      rfc8414 = true;
    }
  });

  it('--issuer: a document naming another issuer is refused (exit 2) and its JWKS never fetched', async () => {
    const saved = issuerDoc;
    issuerDoc = (base) => ({ issuer: 'https://evil.example', jwks_uri: `${base}/jwks` });
    server.requests.length = 0;
    try {
      const r = await runCli(['jwt', 'verify', await sign({ exp: FIXED_S + 60 }), '--issuer', server.url], {
        overrides,
      });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/names issuer "https:\/\/evil.example"/);
      expect(server.requests.map((q) => q.url)).not.toContain('/jwks');
    } finally {
      issuerDoc = saved;
    }
  });

  it('--issuer: a non-loopback http jwks_uri is refused', async () => {
    const saved = issuerDoc;
    issuerDoc = (base) => ({ issuer: base, jwks_uri: 'http://keys.example.com/jwks' });
    try {
      const r = await runCli(['jwt', 'verify', await sign({ exp: FIXED_S + 60 }), '--issuer', server.url], {
        overrides,
      });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/must use https/);
    } finally {
      issuerDoc = saved;
    }
  });

  it('batch: the JWKS is fetched once for many tokens', async () => {
    server.requests.length = 0;
    const tokens = await Promise.all(
      Array.from({ length: 5 }, (_, i) => sign({ n: i, exp: FIXED_S + 60 }, { kid: 'k1' })),
    );
    const r = await runCli(['jwt', 'verify', '--jwks', `${server.url}/jwks`, '--json'], {
      stdin: tokens.join('\n') + '\n',
      overrides,
    });
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(5);
    expect(server.requests).toHaveLength(1);
  });
});

describe('jwt verify: batch mode', () => {
  it('one JSON line per token, in order, with line numbers; exit 1 when any is invalid', async () => {
    const good = await sign({ n: 1, exp: FIXED_S + 60 });
    const expired = await sign({ n: 2, exp: FIXED_S - 60 });
    const input = `${good}\n\n${expired}\nnot-a-token\nBearer ${good}\n`;
    const r = await runCli(['jwt', 'verify', '--key', k.pub.ec256, '--json'], { stdin: input, overrides });
    expect(r.code).toBe(1);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.line, l.code])).toEqual([
      [1, 'valid'],
      [3, 'expired'],
      [4, 'malformed'],
      [5, 'valid'],
    ]);
    expect(r.stderr).toMatch(/4 tokens: 2 valid, 2 invalid/);
  });

  it('all valid → exit 0; human lines', async () => {
    const tokens = await Promise.all([1, 2, 3].map((n) => sign({ n, exp: FIXED_S + 60 })));
    const r = await runCli(['jwt', 'verify', '-', '--key', k.pub.ec256], {
      stdin: tokens.join('\r\n'),
      overrides,
    });
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n').filter(Boolean)).toHaveLength(3);
    expect(r.stdout).toMatch(/^(valid: ES256 .*\n){3}$/);
  });

  it('keeps order across the concurrency window (200 tokens)', async () => {
    const tokens = await Promise.all(
      Array.from({ length: 200 }, (_, n) => sign({ n, exp: n % 7 === 0 ? FIXED_S - 5 : FIXED_S + 60 })),
    );
    const r = await runCli(['jwt', 'verify', '--key', k.pub.ec256, '--json'], {
      stdin: tokens.join('\n'),
      overrides,
    });
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.payload.n)).toEqual(Array.from({ length: 200 }, (_, n) => n));
    expect(lines.filter((l) => !l.valid).map((l) => l.payload.n)).toEqual(
      Array.from({ length: 200 }, (_, n) => n).filter((n) => n % 7 === 0),
    );
  });

  it('tokens and key both on stdin → exit 2, nothing read as a key', async () => {
    const token = await sign({ exp: FIXED_S + 60 });
    for (const args of [
      ['--key', '-'],
      ['-', '--jwks', '-'],
    ]) {
      const r = await runCli(['jwt', 'verify', ...args], { stdin: `${token}\n`, overrides });
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/tokens are read from stdin, so the key cannot be/);
    }
    // With the token as an argument, stdin is free for the key.
    const pem = (await import('node:fs')).readFileSync(k.pub.ec256);
    const ok = await runCli(['jwt', 'verify', token, '--key', '-'], { stdin: pem, overrides });
    expect(ok.code).toBe(0);
  });

  it('empty stdin → exit 2', async () => {
    const r = await runCli(['jwt', 'verify', '--key', k.pub.ec256], { stdin: '\n\n', overrides });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no token on stdin/);
  });
});
