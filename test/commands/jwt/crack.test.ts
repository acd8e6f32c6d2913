import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasStackTrace, runCli, tempDir } from '../../helpers/cli.js';
import { b64u, write } from './fixtures.js';

let dir: string;
let cleanup: () => void;
beforeAll(() => ({ dir, cleanup } = tempDir('apikit-jwt-crack-')));
afterAll(() => cleanup());

function hs(alg: 'HS256' | 'HS384' | 'HS512', secret: string): string {
  const input = `${b64u({ alg, typ: 'JWT' })}.${b64u({ sub: 'me' })}`;
  const hash = { HS256: 'sha256', HS384: 'sha384', HS512: 'sha512' }[alg];
  return `${input}.${createHmac(hash, secret).update(input).digest('base64url')}`;
}

describe('jwt crack', () => {
  it.each([
    ['HS256', 'secret'],
    ['HS256', 'your-256-bit-secret'],
    ['HS384', 'changeme'],
    ['HS512', 'password123'],
    ['HS256', ''],
  ] as const)('%s with the built-in secret %j → exit 1, names it', async (alg, secret) => {
    const r = await runCli(['jwt', 'crack', hs(alg, secret)]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      new RegExp(
        `^weak: the ${alg} secret is ${JSON.stringify(JSON.stringify(secret)).slice(1, -1)} \\(built-in list`,
      ),
    );
  });

  it('a strong secret is not found → exit 0', async () => {
    const r = await runCli(['jwt', 'crack', '--json'], {
      stdin: hs('HS256', 'Zq3vK9pLmN2xR7tY5wB8cD1eF4gH6jK0-strong') + '\n',
    });
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ alg: 'HS256', cracked: false, secret: null, source: null });
    expect(doc.tried).toBeGreaterThan(100);
  });

  it('--wordlist adds candidates', async () => {
    const list = write(dir, 'words.txt', 'alpha\r\nbeta\ncorrect-horse-battery\ngamma\n');
    const r = await runCli([
      'jwt',
      'crack',
      hs('HS256', 'correct-horse-battery'),
      '--wordlist',
      list,
      '--json',
    ]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({
      cracked: true,
      secret: 'correct-horse-battery',
      source: 'wordlist',
    });
  });

  it.each([
    ['an ES256 token', `${b64u({ alg: 'ES256' })}.${b64u({})}.c2ln`, [], /only HS256\/HS384\/HS512/],
    ['alg none', `${b64u({ alg: 'none' })}.${b64u({})}.`, [], /only HS256/],
    ['garbage', 'nope', [], /cannot crack token/],
    [
      'missing wordlist',
      hs('HS256', 'x-unlikely-secret-value'),
      ['--wordlist', '/nonexistent/list'],
      /no such file/,
    ],
  ])('%s → exit 2', async (_name, token, args, message) => {
    const r = await runCli(['jwt', 'crack', token, ...args]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(hasStackTrace(r.stderr)).toBe(false);
  });
});
