import { describe, expect, it } from 'vitest';
import { hasStackTrace, runCli } from '../../helpers/cli.js';
import { b64u, clock, FIXED_S } from './fixtures.js';

const overrides = { clock };
const unsigned = (header: unknown, payload: unknown, sig = 'c2ln'): string =>
  `${b64u(header)}.${b64u(payload)}.${sig}`;
const TOKEN = unsigned(
  { alg: 'ES256', typ: 'JWT', kid: 'k1' },
  { sub: 'alice', iat: FIXED_S - 60, exp: FIXED_S + 14 * 60, scope: 'a b' },
);

describe('jwt decode: input forms', () => {
  it.each([
    ['bare argument', [TOKEN], undefined],
    ['Bearer prefix argument', [`Bearer ${TOKEN}`], undefined],
    ['stdin with trailing newline', [], `${TOKEN}\n`],
    ['stdin with "-"', ['-'], `${TOKEN}\r\n`],
    ['stdin surrounded by whitespace', [], `\n   ${TOKEN}   \n\n`],
    ['Authorization header line', [], `Authorization: Bearer ${TOKEN}\n`],
    ['lower-case header line', [], `authorization: bearer ${TOKEN}`],
  ])('%s', async (_name, args, stdin) => {
    const r = await runCli(['jwt', 'decode', ...args, '--json'], { stdin, overrides });
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.verified).toBe(false);
    expect(doc.header).toEqual({ alg: 'ES256', typ: 'JWT', kid: 'k1' });
    expect(doc.payload.sub).toBe('alice');
    expect(doc.signature).toBe('c2ln');
    expect(r.stderr).toMatch(/signature not verified/);
  });
});

describe('jwt decode: human view', () => {
  it.each([
    { tty: false, colour: false },
    { tty: true, colour: true },
  ])('tty=$tty shows header, payload and times (colour=$colour)', async ({ tty, colour }) => {
    const r = await runCli(['jwt', 'decode', TOKEN], {
      tty,
      overrides,
      env: { FORCE_COLOR: tty ? '1' : undefined },
    });
    expect(r.code).toBe(0);
    // eslint-disable-next-line no-control-regex -- strips ANSI colour codes
    const plain = r.stdout.replace(/\x1b\[[0-9;]*m/g, '');
    expect(plain).toContain('"alg": "ES256"');
    expect(plain).toContain('"sub": "alice"');
    expect(plain).toMatch(/exp\s+\d+\s+2026-01-15T12:14:00Z\s+\(expires in 14m\)/);
    expect(plain).toMatch(/iat\s+\d+\s+2026-01-15T11:59:00Z\s+\(issued 1m ago\)/);
    expect(r.stdout.includes('\x1b[')).toBe(colour);
    expect(r.stderr).toMatch(/signature not verified/);
  });

  it('nbf and auth_time are shown as times too', async () => {
    const t = unsigned(
      { alg: 'ES256' },
      { nbf: FIXED_S - 30, auth_time: FIXED_S - 2 * 86400, exp: FIXED_S + 3600 },
    );
    const r = await runCli(['jwt', 'decode', t, '--json'], { overrides });
    expect(JSON.parse(r.stdout).times).toEqual([
      { claim: 'exp', value: FIXED_S + 3600, iso: '2026-01-15T13:00:00Z', relative: 'expires in 1h' },
      { claim: 'nbf', value: FIXED_S - 30, iso: '2026-01-15T11:59:30Z', relative: 'valid since 30s ago' },
      {
        claim: 'auth_time',
        value: FIXED_S - 2 * 86400,
        iso: '2026-01-13T12:00:00Z',
        relative: 'authenticated 2d ago',
      },
    ]);
    const human = await runCli(['jwt', 'decode', t], { overrides });
    expect(human.stdout).toMatch(/nbf\s+\d+\s+2026-01-15T11:59:30Z\s+\(valid since 30s ago\)/);
    expect(human.stdout).toMatch(/auth_time\s+\d+\s+2026-01-13T12:00:00Z\s+\(authenticated 2d ago\)/);
  });

  it.each([false, true])(
    'tty=%s: terminal escapes inside the token are shown escaped, never sent raw',
    async (tty) => {
      const esc = '\u001b]0;pwned\u0007\u001b[2J';
      const t = unsigned(
        { alg: 'ES256', kid: `k${esc}` },
        { exp: `soon${esc}`, [`secret${esc}`]: 1, [`n${esc}`]: `v${esc}` },
      );
      const r = await runCli(['jwt', 'decode', t], {
        overrides,
        tty,
        env: { FORCE_COLOR: tty ? '1' : undefined },
      });
      expect(r.code).toBe(0);
      for (const text of [r.stdout, r.stderr]) {
        expect(text).not.toContain('\u0007');
        expect(text).not.toContain('\u001b]');
        expect(text).not.toContain('\u001b[2J');
      }
      expect(r.stdout).toContain('"soon\\u001b]0;pwned\\u0007\\u001b[2J"');
      expect(r.stderr).toMatch(/\[sensitive_claim\]/);
    },
  );

  it('says "expired 3h ago" for an expired token and warns', async () => {
    const t = unsigned({ alg: 'HS256' }, { exp: FIXED_S - 3 * 3600 });
    const r = await runCli(['jwt', 'decode', t], { overrides });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('(expired 3h ago)');
    expect(r.stderr).toMatch(/warning: expired 3h ago \[expired\]/);
  });
});

describe('jwt decode: lint warnings', () => {
  const now = FIXED_S;
  it.each([
    ['alg_none', { alg: 'none' }, { exp: now + 60 }],
    ['alg_none', { alg: 'nOnE' }, { exp: now + 60 }],
    ['exp_missing', { alg: 'ES256' }, { sub: 'x' }],
    ['lifetime_long', { alg: 'ES256', typ: 'at+jwt' }, { iat: now, exp: now + 2 * 3600 }],
    ['lifetime_long', { alg: 'ES256' }, { scope: 'read', iat: now, exp: now + 86400 }],
    ['time_milliseconds', { alg: 'ES256' }, { exp: (now + 60) * 1000 }],
    ['time_not_numeric', { alg: 'ES256' }, { exp: String(now + 60) }],
    ['iat_future', { alg: 'ES256' }, { iat: now + 600, exp: now + 900 }],
    ['nbf_future', { alg: 'ES256' }, { nbf: now + 600, exp: now + 900 }],
    ['header_jku', { alg: 'RS256', jku: 'https://evil.example/jwks' }, { exp: now + 60 }],
    ['header_x5u', { alg: 'ES256', x5u: 'https://evil.example/cert' }, { exp: now + 60 }],
    ['header_jwk', { alg: 'ES256', jwk: { kty: 'EC' } }, { exp: now + 60 }],
    ['header_x5c', { alg: 'ES256', x5c: ['MIIB'] }, { exp: now + 60 }],
    ['header_crit', { alg: 'ES256', crit: ['exp'] }, { exp: now + 60 }],
    ['kid_suspicious', { alg: 'ES256', kid: '../../../../dev/null' }, { exp: now + 60 }],
    ['kid_suspicious', { alg: 'ES256', kid: "x' UNION SELECT 'key" }, { exp: now + 60 }],
    ['kid_suspicious', { alg: 'ES256', kid: 'key|rm -rf /' }, { exp: now + 60 }],
    ['sensitive_claim', { alg: 'ES256' }, { exp: now + 60, password: 'hunter2' }],
    ['sensitive_claim', { alg: 'ES256' }, { exp: now + 60, client_secret: 'x' }],
    ['sensitive_claim', { alg: 'ES256' }, { exp: now + 60, ssn: '123-45-6789' }],
    ['sensitive_claim', { alg: 'ES256' }, { exp: now + 60, billing: { pan: '4111 1111 1111 1111' } }],
    ['sensitive_claim', { alg: 'ES256' }, { exp: now + 60, note: '4111-1111-1111-1111' }],
    ['alg_rsa_pkcs1', { alg: 'RS256' }, { exp: now + 60 }],
  ])('%s', async (id, header, payload) => {
    const r = await runCli(['jwt', 'decode', unsigned(header, payload), '--json'], { overrides });
    expect(r.code).toBe(0);
    const ids = (JSON.parse(r.stdout).warnings as { id: string }[]).map((w) => w.id);
    expect(ids).toContain(id);
    expect(r.stderr).toContain(`[${id}]`);
  });

  it('a clean short-lived ES256 token has no warnings', async () => {
    const r = await runCli(['jwt', 'decode', TOKEN, '--json'], { overrides });
    expect(JSON.parse(r.stdout).warnings).toEqual([]);
  });

  it.each([
    ['a one-hour access token', { alg: 'ES256', typ: 'at+jwt' }, { iat: FIXED_S, exp: FIXED_S + 3600 }],
    ['a long-lived ID-style token without scopes', { alg: 'ES256' }, { iat: FIXED_S, exp: FIXED_S + 86400 }],
    [
      'card-like digits that fail Luhn',
      { alg: 'ES256' },
      { iat: FIXED_S, exp: FIXED_S + 60, n: '4111111111111112' },
    ],
    ['an ordinary kid', { alg: 'ES256', kid: 'key-2026_01.a' }, { exp: FIXED_S + 60 }],
  ])('no false positive: %s', async (_name, header, payload) => {
    const r = await runCli(['jwt', 'decode', unsigned(header, payload), '--json'], { overrides });
    expect(JSON.parse(r.stdout).warnings).toEqual([]);
  });
});

describe('jwt decode: not a JWS', () => {
  it('recognises a 5-part JWE and names alg/enc', async () => {
    const jwe = `${b64u({ alg: 'RSA-OAEP-256', enc: 'A256GCM' })}.ZW5j.aXY.Y2lwaGVy.dGFn`;
    const r = await runCli(['jwt', 'decode', jwe]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/it is a JWE \(5 parts, encrypted; alg "RSA-OAEP-256", enc "A256GCM"\)/);
    expect(r.stdout).toBe('');
  });

  it('recognises JWS JSON serialisation', async () => {
    const json = JSON.stringify({
      payload: b64u({ sub: 'x' }),
      signatures: [{ protected: b64u({ alg: 'ES256' }), signature: 'c2ln' }],
    });
    const r = await runCli(['jwt', 'decode'], { stdin: json });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/JSON serialisation/);
  });

  const bigPayload = { data: 'x'.repeat(70 * 1024) };
  it.each([
    ['wrong part count (2)', 'abc.def', /3 dot-separated parts.*has 2/],
    ['wrong part count (4)', 'a.b.c.d', /has 4/],
    ['bad base64url in header', `e*J.${b64u({})}.c2ln`, /header is not base64url/],
    [
      'standard base64 alphabet ("/")',
      `${Buffer.from('{"alg":"ES256","kid":"a?>"}').toString('base64')}.${b64u({})}.c2ln`,
      /header is not base64url.*base64, not base64url/,
    ],
    [
      'base64 padding',
      `${b64u({ alg: 'ES256' })}.${Buffer.from('{"a":1}').toString('base64')}.c2ln`,
      /payload is not base64url.*padding/,
    ],
    ['header is not JSON', `${b64u('not json')}.${b64u({})}.c2ln`, /header is not JSON/],
    ['payload is not JSON', `${b64u({ alg: 'ES256' })}.${b64u('hello')}.c2ln`, /payload is not JSON/],
    [
      'payload is an array',
      `${b64u({ alg: 'ES256' })}.${b64u([1, 2])}.c2ln`,
      /payload is JSON but an array, not an object/,
    ],
    ['payload is a number', `${b64u({ alg: 'ES256' })}.${b64u(5)}.c2ln`, /payload is JSON but a number/],
    [
      'header is not UTF-8',
      `${Buffer.from([0xff, 0xfe, 0x7b]).toString('base64url')}.${b64u({})}.c2ln`,
      /header is not UTF-8/,
    ],
    [
      'duplicate header member',
      `${b64u('{"alg":"ES256","alg":"none"}')}.${b64u({})}.c2ln`,
      /member "alg" twice/,
    ],
    ['empty input', '   ', /empty/],
    ['two tokens', `${TOKEN} ${TOKEN}`, /more than one word/],
    ['over 64 KiB', unsigned({ alg: 'ES256' }, bigPayload), /over the 65536-byte limit/],
  ])('%s → exit 2, one line', async (_name, token, message) => {
    const r = await runCli(['jwt', 'decode', '-'], { stdin: token });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
    expect(
      r.stderr
        .trim()
        .split('\n')
        .filter((l) => !l.startsWith('hint:')).length,
    ).toBe(1);
    expect(hasStackTrace(r.stderr)).toBe(false);
  });

  it('--max-size raises the limit', async () => {
    const t = unsigned({ alg: 'ES256' }, bigPayload);
    const r = await runCli(['jwt', 'decode', '--max-size', String(200 * 1024), '--json'], { stdin: t });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).payload.data.length).toBe(70 * 1024);
  });

  it('empty stdin is exit 2', async () => {
    const r = await runCli(['jwt', 'decode'], { stdin: '' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no token: the input is empty/);
  });
});
