import { generateKeyPairSync } from 'node:crypto';
import { CompactSign } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasStackTrace, runBin, runCli, tempDir, type RunResult } from '../helpers/cli.js';
import { b64u, clock, ensureBuilt, FIXED_S, write } from '../commands/jwt/fixtures.js';
import { fuzzSeed, prng, type Rng } from '../helpers/seeded-random.js';

/**
 * Seeded fuzzing of `jwt decode`, `jwt verify` and `keys inspect`: random and mutated tokens and key files.
 * Every run must end with exit 0, 1 or 2 and, on error, exactly one "error:" line — never a stack trace, an
 * "internal error" or an uncaught exception. The seed is fixed so a failure reproduces; FUZZ_SEED overrides it.
 */
const SEED = fuzzSeed(0x5eed2026);
const IN_PROCESS = { decode: 8000, verify: 6000, verifyBatchLines: 3000, keys: 4000 };
const BIN_SAMPLE = 200;

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const NASTY = [
  '.',
  '=',
  '+',
  '/',
  ' ',
  '\n',
  '\t',
  '\0',
  '"',
  '\\',
  '{',
  '}',
  'é',
  '😀',
  '\uFFFD',
  '\r',
  'Bearer ',
  '..',
];

const HEADER_VALUES: unknown[] = [
  { alg: 'none' },
  { alg: 'NoNe' },
  { alg: 'HS256' },
  { alg: 'ES256' },
  { alg: 'RS256' },
  { alg: 'EdDSA' },
  { alg: 5 },
  { alg: null },
  {},
  [],
  'str',
  42,
  null,
  { alg: 'ES256', kid: '../../etc/passwd' },
  { alg: 'ES256', crit: ['x'] },
  { alg: 'ES256', crit: 'b64' },
  { alg: 'ES256', b64: false },
  { alg: 'ES256', jku: 'http://127.0.0.1:1/x' },
  { alg: 'ES256', kid: { a: 1 } },
  { alg: 'ES256', typ: 7 },
  { alg: 'A'.repeat(300) },
  { alg: 'ES256', kid: 'k1' },
];
const PAYLOAD_VALUES: unknown[] = [
  {},
  { exp: 'x' },
  { exp: 1e300 },
  { exp: -1 },
  { exp: NaN },
  { exp: FIXED_S + 60 },
  { exp: FIXED_S - 60 },
  { nbf: 1e20, iat: -5 },
  { aud: [1, null, {}] },
  { aud: { a: 1 } },
  { iss: 5 },
  { scope: ['a'] },
  { scp: 'a b' },
  [],
  'x',
  0,
  null,
  true,
  { exp: (FIXED_S + 60) * 1000 },
  { iat: 'now' },
  { auth_time: 1e16 },
  { a: { b: { c: { d: { e: { f: 1 } } } } } },
];

function mutate(rng: Rng, s: string): string {
  const ops = rng.int(4) + 1;
  let out = s;
  for (let i = 0; i < ops; i++) {
    const pos = rng.int(out.length + 1);
    switch (rng.int(10)) {
      case 0:
        out = out.slice(0, pos) + rng.pick(ALPHABET.split('')) + out.slice(pos + 1);
        break;
      case 1:
        out = out.slice(0, pos) + out.slice(pos + 1 + rng.int(4));
        break;
      case 2:
        out = out.slice(0, pos) + rng.pick(NASTY) + out.slice(pos);
        break;
      case 3:
        out = out.slice(0, pos);
        break;
      case 4:
        out = out + '.' + out.split('.')[rng.int(3)];
        break;
      case 5: {
        const p = out.split('.');
        out = [p[1], p[0], ...p.slice(2)].join('.');
        break;
      }
      case 6:
        out = out.replace(/-/g, '+').replace(/_/g, '/') + (rng.next() < 0.5 ? '=' : '');
        break;
      case 7:
        out = out
          .split('.')
          .map((p, j) => (j === rng.int(3) ? Buffer.from(p, 'base64url').toString('base64') : p))
          .join('.');
        break;
      case 8:
        out = `${rng.pick(['Bearer ', 'Authorization: Bearer ', 'bearer  ', '  ', 'DPoP '])}${out}${rng.pick(['', '\n', '\r\n', '  '])}`;
        break;
      default:
        out = out.slice(0, pos) + String.fromCharCode(rng.int(0xffff)) + out.slice(pos);
        break;
    }
  }
  return out;
}

function randomSegment(rng: Rng): string {
  switch (rng.int(5)) {
    case 0:
      return b64u(rng.pick(HEADER_VALUES));
    case 1:
      return b64u(rng.pick(PAYLOAD_VALUES));
    case 2:
      return Buffer.from(Array.from({ length: rng.int(80) }, () => rng.int(256))).toString('base64url');
    case 3:
      return Array.from({ length: rng.int(40) }, () => rng.pick(ALPHABET.split(''))).join('');
    default:
      return b64u(JSON.stringify(rng.pick(HEADER_VALUES)).replace(/}$/, `,"alg":"none"}`));
  }
}

function randomToken(rng: Rng, seeds: string[]): string {
  const r = rng.int(10);
  if (r < 5) return mutate(rng, rng.pick(seeds));
  if (r < 9) {
    const parts = rng.pick([3, 3, 3, 3, 2, 4, 5, 1, 6]);
    return Array.from({ length: parts }, () => randomSegment(rng)).join('.');
  }
  return rng.pick([
    '',
    ' ',
    '.',
    '..',
    '...',
    '....',
    'eyJ',
    '{"payload":"x"}',
    'Bearer',
    'Authorization:',
    '\u0000',
  ]);
}

function randomKeyFile(rng: Rng, keyTexts: string[]): string {
  const r = rng.int(8);
  const base = rng.pick(keyTexts);
  if (r < 4) {
    // Damage a real key: flip/delete characters inside the body, truncate, or reshape its JSON.
    let out = base;
    for (let i = rng.int(3) + 1; i > 0; i--) {
      const pos = rng.int(out.length);
      out =
        rng.next() < 0.5
          ? out.slice(0, pos) + rng.pick(ALPHABET.split('')) + out.slice(pos + 1)
          : out.slice(0, pos) + out.slice(pos + 1 + rng.int(20));
    }
    return out;
  }
  if (r === 4) return base.slice(0, rng.int(base.length));
  if (r === 5) {
    const jwk: Record<string, unknown> = { kty: rng.pick(['RSA', 'EC', 'OKP', 'oct', 'AKP', 'x', 5]) };
    for (const m of ['n', 'e', 'x', 'y', 'd', 'k', 'crv', 'alg', 'use', 'kid'])
      if (rng.next() < 0.4)
        jwk[m] = rng.pick([
          'AQAB',
          'P-256',
          'Ed25519',
          '',
          '!!',
          7,
          null,
          'A'.repeat(rng.int(400)),
          randomSegment(rng),
        ]);
    return JSON.stringify(rng.next() < 0.3 ? { keys: [jwk, rng.pick([1, {}, jwk])] } : jwk);
  }
  if (r === 6)
    return `-----BEGIN ${rng.pick(['PUBLIC KEY', 'PRIVATE KEY', 'EC PRIVATE KEY', 'RSA PUBLIC KEY', 'CERTIFICATE', 'FOO'])}-----\n${randomSegment(rng)}\n-----END ${rng.pick(['PUBLIC KEY', 'PRIVATE KEY', 'FOO'])}-----\n`;
  return Buffer.from(Array.from({ length: rng.int(200) }, () => rng.int(256))).toString('latin1');
}

interface Failure {
  what: string;
  input: string;
  result: RunResult;
  why: string;
}

function check(what: string, input: string, r: RunResult, allowed: number[], failures: Failure[]): void {
  const fail = (why: string): void => {
    failures.push({ what, input: JSON.stringify(input).slice(0, 2000), result: r, why });
  };
  if (!allowed.includes(r.code)) return fail(`exit ${r.code}`);
  if (hasStackTrace(r.stderr) || hasStackTrace(r.stdout)) return fail('stack trace');
  if (/internal error|This is a bug/.test(r.stderr)) return fail('internal error');
  // eslint-disable-next-line no-control-regex -- strips ANSI colour codes
  const stderr = r.stderr.replace(/\x1b\[[0-9;]*m/g, '');
  const errors = stderr.split('\n').filter((l) => l.startsWith('error:'));
  if (r.code === 2) {
    if (errors.length !== 1) return fail(`${errors.length} error lines`);
    const others = stderr
      .split('\n')
      .filter((l) => l !== '' && !l.startsWith('error:') && !l.startsWith('hint:'));
    if (others.length > 0) return fail('extra lines besides error/hint');
  } else if (errors.length > 0) return fail('error line with a non-error exit');
}

let dir: string;
let cleanup: () => void;
let seeds: string[] = [];
let keyTexts: string[] = [];
let pubKeyPath = '';
let jwksPath = '';

beforeAll(async () => {
  ({ dir, cleanup } = tempDir('apikit-jwt-fuzz-'));
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const ed = generateKeyPairSync('ed25519');
  pubKeyPath = write(dir, 'ec.pub.pem', ec.publicKey.export({ format: 'pem', type: 'spki' }) as string);
  const jwks = {
    keys: [
      { ...ec.publicKey.export({ format: 'jwk' }), kid: 'k1' },
      { ...rsa.publicKey.export({ format: 'jwk' }), kid: 'k2', alg: 'RS256' },
    ],
  };
  jwksPath = write(dir, 'keys.jwks.json', JSON.stringify(jwks));
  const sign = (alg: string, key: Parameters<CompactSign['sign']>[0], payload: object, header: object = {}) =>
    new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
      .setProtectedHeader({ alg, ...header })
      .sign(key);
  seeds = await Promise.all([
    sign(
      'ES256',
      ec.privateKey,
      { sub: 'a', aud: 'api', exp: FIXED_S + 600, scope: 'read write' },
      { kid: 'k1', typ: 'at+jwt' },
    ),
    sign('ES256', ec.privateKey, { exp: FIXED_S - 5 }),
    sign('RS256', rsa.privateKey, { iss: 'https://x', exp: FIXED_S + 60 }, { kid: 'k2' }),
    sign('EdDSA', ed.privateKey, { exp: FIXED_S + 60 }),
    sign('HS256', new TextEncoder().encode('secret'), { exp: FIXED_S + 60 }),
  ]);
  keyTexts = [
    ec.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string,
    ec.privateKey.export({ format: 'pem', type: 'sec1' }) as string,
    ec.publicKey.export({ format: 'pem', type: 'spki' }) as string,
    rsa.publicKey.export({ format: 'pem', type: 'pkcs1' }) as string,
    JSON.stringify(ed.privateKey.export({ format: 'jwk' })),
    JSON.stringify(jwks),
    'a-perfectly-fine-hmac-secret-of-some-length',
  ];
});
afterAll(() => cleanup?.());

const overrides = { clock };

describe('fuzz (seeded)', () => {
  it(`in-process: ${Object.values(IN_PROCESS).reduce((a, b) => a + b)} inputs to decode, verify and keys inspect`, async () => {
    const rng = prng(SEED);
    const failures: Failure[] = [];
    let inputs = 0;
    for (let i = 0; i < IN_PROCESS.decode; i++) {
      const token = randomToken(rng, seeds);
      const viaStdin = rng.next() < 0.5 || token.startsWith('-') || token === '';
      const argv = ['jwt', 'decode', ...(viaStdin ? [] : [token]), ...(rng.next() < 0.5 ? ['--json'] : [])];
      check(
        'decode',
        token,
        await runCli(argv, { stdin: viaStdin ? token : undefined, overrides, tty: rng.next() < 0.2 }),
        [0, 2],
        failures,
      );
      inputs++;
    }
    for (let i = 0; i < IN_PROCESS.verify; i++) {
      const token = randomToken(rng, seeds);
      const fuzzKey = rng.next() < 0.3;
      const keyText = fuzzKey ? randomKeyFile(rng, keyTexts) : '';
      const keyArgs = fuzzKey
        ? ['--key', '-']
        : rng.pick([
            ['--key', pubKeyPath],
            ['--jwks', jwksPath],
            ['--key', pubKeyPath, '--alg', 'ES256', '--aud', 'api'],
          ]);
      const asArg = !token.startsWith('-') && token.trim() !== '' && !/[\n\r]/.test(token);
      const json = rng.next() < 0.5;
      const argv = ['jwt', 'verify', asArg ? token : '-', ...keyArgs, ...(json ? ['--json'] : [])];
      // With the key on stdin the token must be an argument; skip inputs that cannot be one.
      if (fuzzKey && !asArg) continue;
      const r = await runCli(argv, { stdin: fuzzKey ? keyText : asArg ? undefined : token, overrides });
      check('verify', `${token} | key: ${keyText}`, r, [0, 1, 2], failures);
      if (r.code === 0 || r.code === 1) {
        // A verdict: one JSON document with a stable code, or one human line.
        // (Through stdin it is batch mode: one JSON line / human line per non-empty input line.)
        const docs = json ? (asArg ? [r.stdout] : r.stdout.trim().split('\n')) : [];
        const ok = json
          ? docs.every((d) => typeof (JSON.parse(d) as { code?: unknown }).code === 'string')
          : asArg
            ? /^(valid|invalid): [^\n]*\n$/.test(r.stdout)
            : /^((valid|invalid): [^\n]*\n)+$/.test(r.stdout);
        if (!ok) failures.push({ what: 'verify', input: token, result: r, why: 'not one verdict' });
      }
      inputs++;
    }
    // Batch: one run, many fuzzed lines; one verdict per non-empty line.
    const lines = Array.from({ length: IN_PROCESS.verifyBatchLines }, () =>
      randomToken(rng, seeds).replace(/[\r\n]/g, ''),
    );
    const batch = await runCli(['jwt', 'verify', '--jwks', jwksPath, '--json'], {
      stdin: lines.join('\n'),
      overrides,
    });
    check('verify batch', `${lines.length} lines`, batch, [0, 1], failures);
    expect(batch.stdout.trim().split('\n').length).toBe(lines.filter((l) => l.trim() !== '').length);
    inputs += lines.length;
    for (let i = 0; i < IN_PROCESS.keys; i++) {
      const text = randomKeyFile(rng, keyTexts);
      const argv = ['keys', 'inspect', '-', ...(rng.next() < 0.5 ? ['--json'] : [])];
      check('keys inspect', text, await runCli(argv, { stdin: text, overrides }), [0, 2], failures);
      inputs++;
    }
    expect(inputs).toBeGreaterThanOrEqual(20_000);
    expect(failures.slice(0, 5)).toEqual([]);
  }, 600_000);

  it(`built binary: a sample of ${BIN_SAMPLE}`, async () => {
    ensureBuilt();
    const rng = prng(SEED ^ 0xb1b1);
    const failures: Failure[] = [];
    const jobs: (() => Promise<void>)[] = [];
    for (let i = 0; i < BIN_SAMPLE; i++) {
      const kind = rng.int(3);
      if (kind === 0) {
        const token = randomToken(rng, seeds);
        jobs.push(async () =>
          check(
            'bin decode',
            token,
            await runBin(['jwt', 'decode', '--json'], { stdin: token }),
            [0, 2],
            failures,
          ),
        );
      } else if (kind === 1) {
        const token = randomToken(rng, seeds);
        jobs.push(async () =>
          check(
            'bin verify',
            token,
            await runBin(['jwt', 'verify', '--jwks', jwksPath], { stdin: token }),
            [0, 1, 2],
            failures,
          ),
        );
      } else {
        const text = randomKeyFile(rng, keyTexts);
        jobs.push(async () =>
          check(
            'bin keys inspect',
            text,
            await runBin(['keys', 'inspect', '-'], { stdin: text }),
            [0, 2],
            failures,
          ),
        );
      }
    }
    // Four at a time: bounded, and kind to a shared 2-core machine.
    let next = 0;
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (next < jobs.length) await jobs[next++]!();
      }),
    );
    expect(failures.slice(0, 5)).toEqual([]);
  }, 600_000);
});
