import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasStackTrace, runCli, tempDir } from '../../helpers/cli.js';

/**
 * Text from a key file reaches the terminal only through terminalSafe (issue 9, item 1): in every human renderer
 * of `apikit keys` and in every error message that quotes the file (kty, kid lists, kid clashes). The README's
 * own example pipes a remote JWKS in: `curl … | apikit keys inspect -`.
 */
const EVIL = '\u001b]0;PWNED\u0007\u001b[2J'; // retitles the window, rings the bell, clears the screen
const SHOWN = '?]0;PWNED??[2J';
const BIDI = 'sig\u202e'; // U+202E turns the text after it around
/** Any character that can drive a terminal: C0 (ESC, BEL …), DEL, C1 (CSI U+009B …) and bidi overrides. */
// eslint-disable-next-line no-control-regex
const RAW = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

let tmp: ReturnType<typeof tempDir>;
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const ed = generateKeyPairSync('ed25519');
const pub = (key = ec.publicKey, extra: Record<string, unknown> = {}) => ({
  ...key.export({ format: 'jwk' }),
  ...extra,
});
const file = (name: string, value: unknown): string => {
  const path = join(tmp.dir, name);
  writeFileSync(path, typeof value === 'string' ? value : JSON.stringify(value));
  return path;
};
beforeAll(() => {
  tmp = tempDir();
});
afterAll(() => tmp.cleanup());

/** The output, coloured on a terminal, minus apikit's own SGR colour codes: what must not be left is theirs. */
// eslint-disable-next-line no-control-regex -- ESC is exactly what is matched
const ownColoursRemoved = (text: string): string => text.replace(/\u001b\[\d+(?:;\d+)*m/g, '');

describe('keys inspect - < evil.jwks.json (the README example)', () => {
  it.each([false, true])('tty=%s: kid and use come out with "?" for every control', async (tty) => {
    const jwks = JSON.stringify({ keys: [pub(ec.publicKey, { kid: EVIL, use: BIDI })] });
    const r = await runCli(['keys', 'inspect', '-'], { stdin: jwks, tty });
    expect(r.code).toBe(0);
    expect(ownColoursRemoved(r.stdout)).not.toMatch(RAW);
    expect(r.stdout).toContain(SHOWN);
    expect(r.stdout).toContain('sig?');
    expect(r.stderr).toBe('');
  });

  it('a PEM whose companion JWKS carries a hostile kid: the kid is shown made safe too', async () => {
    const dir = join(tmp.dir, 'companion');
    mkdirSync(dir);
    writeFileSync(join(dir, 'api.pub.pem'), ec.publicKey.export({ type: 'spki', format: 'pem' }));
    writeFileSync(join(dir, 'api.jwks.json'), JSON.stringify({ keys: [pub(ec.publicKey, { kid: EVIL })] }));
    const r = await runCli(['keys', 'inspect', join(dir, 'api.pub.pem')]);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(RAW);
    expect(r.stdout).toContain(`kid: ${SHOWN}\n`);
  });
});

describe('error messages that quote the file', () => {
  it.each([
    {
      label: 'kty of a JWK',
      argv: () => ['keys', 'inspect', file('kty.jwk.json', { kty: EVIL, x: 'AA' })],
      want: `JWK has unsupported kty "${SHOWN}"`,
    },
    {
      label: 'kty of a JWKS entry, read from stdin',
      argv: () => ['keys', 'convert', '-', '--to', 'pem'],
      stdin: JSON.stringify({ keys: [{ kty: `RSA${BIDI}` }] }),
      want: 'keys[0] has unsupported kty "RSAsig?"',
    },
    {
      label: 'the kid list of "pick one with --kid"',
      argv: () => [
        'keys',
        'convert',
        file('two.jwks.json', { keys: [pub(ec.publicKey, { kid: EVIL }), pub(ed.publicKey, { kid: BIDI })] }),
        '--to',
        'pem',
      ],
      want: `pick one with --kid (kids: ${SHOWN}, sig?)`,
    },
    {
      label: 'a kid given with --kid that is not there',
      argv: () => ['keys', 'convert', file('one.jwks.json', { keys: [pub()] }), '--to', 'pem', '--kid', EVIL],
      want: `has no key with kid or thumbprint "${SHOWN}"`,
    },
    {
      label: 'a kid clash in keys jwks',
      argv: () => [
        'keys',
        'jwks',
        file('a.jwk.json', pub(ec.publicKey, { kid: EVIL })),
        file('b.jwk.json', pub(ed.publicKey, { kid: EVIL })),
      ],
      want: `kid "${SHOWN}" names two different keys`,
    },
  ])('$label: exit 2, the text made safe', async ({ argv, stdin, want }) => {
    const r = await runCli(argv(), { stdin });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).not.toMatch(RAW);
    expect(r.stderr.split('\n')[0]).toContain(want);
    expect(hasStackTrace(r.stderr)).toBe(false);
  });
});

describe('what the keys verbs say on stderr', () => {
  it('keys jwks --out: the kid list is made safe', async () => {
    const out = join(tmp.dir, 'out.jwks.json');
    const r = await runCli([
      'keys',
      'jwks',
      file('evil.jwk.json', pub(ec.publicKey, { kid: EVIL })),
      '--out',
      out,
    ]);
    expect(r.code).toBe(0);
    expect(r.stderr).not.toMatch(RAW);
    expect(r.stderr).toContain(`kid ${SHOWN}  from`);
  });

  it('keys generate --kid: the kid is made safe', async () => {
    const r = await runCli([
      'keys',
      'generate',
      '--alg',
      'ES256',
      '--kid',
      EVIL,
      '--out',
      join(tmp.dir, 'gen'),
    ]);
    expect(r.code).toBe(0);
    expect(r.stderr).not.toMatch(RAW);
    expect(r.stderr).toContain(`kid: ${SHOWN}\n`);
  });
});

/**
 * Found during the refactor: the loader looked kty up in a plain object, so "toString" or "constructor" found
 * Object.prototype's members and crashed (exit 70, "required.public is not iterable").
 */
describe('a kty named like an Object.prototype member is an unsupported kty', () => {
  const KTYS = ['toString', 'constructor', '__proto__', 'hasOwnProperty', 'valueOf'];
  const ROWS = KTYS.flatMap((kty) => [
    { kty, how: 'JWK, keys inspect', argv: (f: string) => ['keys', 'inspect', f], jwks: false },
    { kty, how: 'JWKS, keys jwks', argv: (f: string) => ['keys', 'jwks', f], jwks: true },
    {
      kty,
      how: 'JWK, keys convert',
      argv: (f: string) => ['keys', 'convert', f, '--to', 'pem'],
      jwks: false,
    },
    {
      kty,
      how: 'JWK, jwt verify --key',
      argv: (f: string) => ['jwt', 'verify', 'a.b.c', '--key', f],
      jwks: false,
    },
  ]);
  it.each(ROWS)('$kty ($how) → exit 2', async ({ kty, argv, jwks }) => {
    const jwk = { kty, crv: 'P-256', x: 'AA', y: 'AA' };
    const path = file(`proto-${kty}-${jwks}.json`, jwks ? { keys: [jwk] } : jwk);
    const r = await runCli(argv(path));
    expect(r.stderr.split('\n')[0]).toBe(
      `error: cannot read key "${path}": ${jwks ? 'keys[0]' : 'JWK'} has unsupported kty "${kty}"`,
    );
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(hasStackTrace(r.stderr)).toBe(false);
  });
});
