import { generateKeyPairSync } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasStackTrace, runCli, tempDir } from '../../helpers/cli.js';

/** `apikit keys retire` in-process, on real files: one key out, the rest in order, the refusals. */
let tmp: ReturnType<typeof tempDir>;
beforeAll(() => {
  tmp = tempDir('apikit-retire-');
});
afterAll(() => tmp.cleanup());

const retire = (...argv: string[]) => runCli(['keys', 'retire', ...argv]);
let n = 0;
function ecJwk(kid: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { ...publicKey.export({ format: 'jwk' }), kid, alg: 'ES256', use: 'sig', ...extra };
}
function jwksFile(keys: unknown[]): string {
  const file = join(tmp.dir, `${++n}-jwks.json`);
  writeFileSync(file, JSON.stringify({ keys }, null, 2) + '\n');
  return file;
}
const kidsIn = (file: string): unknown[] =>
  (JSON.parse(readFileSync(file, 'utf8')) as { keys: { kid: string }[] }).keys.map((k) => k.kid);

describe('keys retire', () => {
  it('removes the kid, keeps the others in order and byte-identical; stdout empty, stderr says what changed', async () => {
    const keys = [ecJwk('k1'), ecJwk('k2'), ecJwk('k3')];
    const file = jwksFile(keys);
    const r = await retire('--jwks', file, '--kid', 'k1');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`retired kid "k1" from ${file}  (2 left: "k2", "k3"; mode 0644)\n`);
    expect(readFileSync(file, 'utf8')).toBe(JSON.stringify({ keys: keys.slice(1) }, null, 2) + '\n');
    expect(statSync(file).mode & 0o777).toBe(0o644);
  });

  it('--json', async () => {
    const file = jwksFile([ecJwk('k1'), ecJwk('k2'), ecJwk('k3')]);
    const r = await retire('--jwks', file, '--kid', 'k2', '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      jwks: { path: file, mode: '0644', kids: ['k1', 'k3'] },
      retired: { kid: 'k2', kty: 'EC', alg: 'ES256', thumbprint: expect.stringMatching(/^[\w-]{43}$/) },
      forced: [],
    });
  });

  it.each([
    ['the newest key', ['k1', 'k2'], 'k2', /kid "k2" is the newest key/, ['k1'], 'newest'],
    ['the only key', ['k1'], 'k1', /kid "k1" is the only key/, [], 'last'],
  ] as const)(
    'refuses %s without --force (exit 2), removes it with --force',
    async (_n, kids, kid, want, left, forced) => {
      const file = jwksFile(kids.map((k) => ecJwk(k)));
      const before = readFileSync(file);
      const r = await retire('--jwks', file, '--kid', kid);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(want);
      expect(r.stderr).toContain('--force');
      expect(hasStackTrace(r.stderr)).toBe(false);
      expect(readFileSync(file)).toEqual(before);

      const f = await retire('--jwks', file, '--kid', kid, '--force', '--json');
      expect(f.code, f.stderr).toBe(0);
      expect((JSON.parse(f.stdout) as { forced: string[] }).forced).toEqual([forced]);
      expect(f.stderr).toMatch(/^warning: /);
      expect(kidsIn(file)).toEqual(left);
    },
  );

  it.each([
    ['an unknown kid', [ecJwk('a'), ecJwk('b')], 'zz', /kid "zz" is not in .* \(it has "a", "b"\)/],
    ['a duplicate kid', [ecJwk('a'), ecJwk('a'), ecJwk('b')], 'b', /kid "a" appears twice/],
    ['mixed use', [ecJwk('a'), ecJwk('b', { use: 'enc' })], 'a', /mixes keys with use/],
    [
      'a private key',
      [ecJwk('a'), { ...generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' }), kid: 'p' }],
      'a',
      /holds private key material/,
    ],
  ])('refuses %s: exit 2, the file unchanged', async (_n, keys, kid, want) => {
    const file = jwksFile(keys);
    const before = readFileSync(file);
    const r = await retire('--jwks', file, '--kid', kid, '--force');
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(want);
    expect(r.stderr.trim().split('\n').length).toBeLessThanOrEqual(2); // the line, and a hint
    expect(readFileSync(file)).toEqual(before);
  });

  it('a file that is not a JWKS, with --json: one error document', async () => {
    const file = join(tmp.dir, 'garbage.json');
    writeFileSync(file, 'not json');
    const r = await retire('--jwks', file, '--kid', 'a', '--json');
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toMatchObject({ error: { code: 'ERR_KEYS_JWKS_JSON', exit_code: 2 } });
  });
});
