import { generateKeyPairSync } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { calculateJwkThumbprint } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasStackTrace, runCli, tempDir } from '../../helpers/cli.js';

/**
 * `apikit keys rotate` in-process (real files in a temp dir, a real loopback server for --jwks-url, a frozen
 * clock): the JWKS gains the new key last, the key files are keys generate's, the timeline and its --json.
 */
let tmp: ReturnType<typeof tempDir>;
beforeAll(() => {
  tmp = tempDir('apikit-rotate-');
});
afterAll(() => tmp.cleanup());

const NOW = Date.UTC(2026, 0, 2, 3, 4, 5);
const clock = { now: () => NOW };
const rotate = (...argv: string[]) => runCli(['keys', 'rotate', ...argv], { overrides: { clock } });

let n = 0;
const path = (name: string): string => join(tmp.dir, `${++n}-${name}`);
function ecJwk(kid: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { ...publicKey.export({ format: 'jwk' }), kid, alg: 'ES256', use: 'sig', ...extra };
}
function jwksFile(keys: unknown[], doc: Record<string, unknown> = {}): string {
  const file = path('jwks.json');
  writeFileSync(file, JSON.stringify({ ...doc, keys }, null, 2) + '\n');
  return file;
}
type Jwks = { keys: Record<string, unknown>[] };
const readJson = (file: string): Jwks => JSON.parse(readFileSync(file, 'utf8')) as Jwks;
const mode = (file: string): number => statSync(file).mode & 0o777;

interface RotateJson {
  jwks: { path: string; mode: string; kids: string[] };
  added: { kid: string; alg: string; kty: string; thumbprint: string };
  files: { path: string; mode: string; contents: string }[];
  cacheTtl: { seconds: number; source: string; url: string | null; cacheControl: string | null };
  maxTokenLife: { seconds: number; source: string };
  timeline: {
    publishAt: string;
    signAt: string;
    retireAt: string | null;
    newKid: string;
    retireKids: string[];
  };
  warnings: string[];
}

describe('keys rotate: the new key appended, the old ones kept', () => {
  it('--json: the key files, the set, the timeline with ISO-8601 instants', async () => {
    const k1 = ecJwk('k1');
    const file = jwksFile([k1], { note: 'kept' });
    const out = path('next');
    const r = await rotate('--jwks', file, '--alg', 'ES256', '--out', out, '--kid', 'k2', '--json');
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout) as RotateJson;
    const after = readJson(file);
    expect(after.keys.map((k) => k.kid)).toEqual(['k1', 'k2']);
    expect(after.keys[0]).toEqual(k1); // the old key untouched
    expect((after as unknown as Record<string, unknown>).note).toBe('kept');
    expect(Object.keys(after)).toEqual(['note', 'keys']);
    expect(after.keys[1]).toMatchObject({ kty: 'EC', crv: 'P-256', kid: 'k2', alg: 'ES256', use: 'sig' });
    expect(after.keys[1]).not.toHaveProperty('d');
    expect(j).toEqual({
      jwks: { path: file, mode: '0644', kids: ['k1', 'k2'] },
      added: {
        kid: 'k2',
        alg: 'ES256',
        kty: 'EC',
        thumbprint: await calculateJwkThumbprint(after.keys[1] as never),
      },
      files: [
        { path: `${out}.key.pem`, mode: '0600', contents: 'private-key' },
        { path: `${out}.pub.pem`, mode: '0644', contents: 'public-key' },
        { path: `${out}.jwks.json`, mode: '0644', contents: 'jwks' },
      ],
      cacheTtl: { seconds: 3600, source: 'default', url: null, cacheControl: null },
      maxTokenLife: { seconds: 3600, source: 'default' },
      timeline: {
        publishAt: '2026-01-02T03:04:05Z',
        signAt: '2026-01-02T04:04:05Z',
        retireAt: '2026-01-02T05:04:05Z',
        newKid: 'k2',
        retireKids: ['k1'],
      },
      warnings: [],
    });
    expect(mode(`${out}.key.pem`)).toBe(0o600);
    expect(mode(file)).toBe(0o644);
    // The companion JWKS holds the new key alone, so `jwt mint --key next.key.pem` signs with kid k2.
    expect(readJson(`${out}.jwks.json`).keys).toEqual([after.keys[1]]);
    // No lock or temporary file is left behind.
    expect(readdirSync(tmp.dir).filter((f) => f.endsWith('.lock') || f.endsWith('.tmp'))).toEqual([]);
  });

  it('the default kid is the thumbprint; --cache-ttl and --max-token-life move the timeline', async () => {
    const file = jwksFile([ecJwk('a'), ecJwk('b')]);
    const r = await rotate(
      '--jwks',
      file,
      '--alg',
      'EdDSA',
      '--out',
      path('ed'),
      '--cache-ttl',
      '10m',
      '--max-token-life',
      '24h',
      '--json',
    );
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout) as RotateJson;
    expect(j.added.kid).toBe(j.added.thumbprint);
    expect(j.cacheTtl).toMatchObject({ seconds: 600, source: 'flag' });
    expect(j.maxTokenLife).toEqual({ seconds: 86400, source: 'flag' });
    expect(j.timeline).toMatchObject({
      signAt: '2026-01-02T03:14:05Z',
      retireAt: '2026-01-03T03:14:05Z',
      retireKids: ['a', 'b'],
    });
    expect(j.warnings).toEqual([
      'the algorithm changes from ES256 to EdDSA: verifiers that pin an algorithm must allow EdDSA before signing starts',
    ]);
    expect(readJson(file).keys.map((k) => k.kid)).toEqual(['a', 'b', j.added.kid]);
  });

  it('human output: the timeline on stdout, what was written on stderr', async () => {
    const file = jwksFile([ecJwk('k1')]);
    const out = path('k2');
    const r = await rotate('--jwks', file, '--alg', 'ES256', '--out', out, '--kid', 'k2');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(
      [
        `1. publish  now   2026-01-02T03:04:05Z  ${file} with the new kid "k2"`,
        `2. sign     from  2026-01-02T04:04:05Z  with kid "k2" (after the verifiers' JWKS cache TTL: 1h, the default; set --cache-ttl)`,
        `3. retire   after 2026-01-02T05:04:05Z  kid "k1" (after the longest token lifetime: 1h, the default; set --max-token-life)`,
        `   apikit keys retire --jwks ${file} --kid k1`,
        '',
      ].join('\n'),
    );
    expect(r.stderr).toContain(`wrote ${out}.key.pem  (mode 0600)`);
    expect(r.stderr).toContain(`updated ${file}  (2 keys, oldest first: "k1", "k2"; mode 0644)`);
  });

  it('two rotations at once lose no key (the edit runs under a lock)', async () => {
    const file = jwksFile([ecJwk('k1')]);
    const [a, b] = await Promise.all([
      rotate('--jwks', file, '--alg', 'ES256', '--out', path('a'), '--kid', 'a'),
      rotate('--jwks', file, '--alg', 'ES256', '--out', path('b'), '--kid', 'b'),
    ]);
    expect([a.code, b.code]).toEqual([0, 0]);
    expect(
      readJson(file)
        .keys.map((k) => k.kid)
        .sort(),
    ).toEqual(['a', 'b', 'k1']);
  });

  it('RSA with --bits, into a set emptied by retire --force: nothing to retire', async () => {
    const file = jwksFile([]);
    const r = await rotate(
      '--jwks',
      file,
      '--alg',
      'PS256',
      '--bits',
      '3072',
      '--out',
      path('rsa'),
      '--json',
    );
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout) as RotateJson;
    expect(j.timeline).toMatchObject({ retireAt: null, retireKids: [] });
    const jwk = readJson(file).keys[0]!;
    expect(jwk).toMatchObject({ kty: 'RSA', alg: 'PS256', use: 'sig' });
    expect(Buffer.from(jwk.n as string, 'base64url')).toHaveLength(384);
  });
});

describe('keys rotate refuses (exit 2, one line, the JWKS unchanged, no key files)', () => {
  const privateEc = (): Record<string, unknown> => ({
    ...generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' }),
    kid: 'p',
  });
  const cases: [string, () => unknown[], string[], RegExp][] = [
    ['a private key in the JWKS', () => [ecJwk('a'), privateEc()], [], /holds private key material \("d"\)/],
    ['a duplicate kid', () => [ecJwk('a'), ecJwk('a')], [], /kid "a" appears twice/],
    ['mixed use', () => [ecJwk('a'), ecJwk('b', { use: 'enc' })], [], /mixes keys with use "sig" and "enc"/],
    ['a kid already there', () => [ecJwk('a')], ['--kid', 'a'], /kid "a" is already in/],
    ['an HMAC algorithm', () => [ecJwk('a')], ['--alg', 'HS256'], /argument 'HS256' is invalid|HMAC/],
    ['a bad duration', () => [ecJwk('a')], ['--cache-ttl', 'soon'], /--cache-ttl "soon" is not a duration/],
    ['--bits for EC', () => [ecJwk('a')], ['--bits', '3072'], /--bits applies to RSA keys/],
  ];
  it.each(cases)('%s', async (_name, keys, extra, want) => {
    const file = jwksFile(keys());
    const before = readFileSync(file);
    const out = path('x');
    const argv = ['--jwks', file, '--alg', 'ES256', '--out', out, ...extra];
    const r = await rotate(...argv);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(want);
    expect(hasStackTrace(r.stderr)).toBe(false);
    expect(readFileSync(file)).toEqual(before);
    expect(existsSync(`${out}.key.pem`)).toBe(false);
  });

  it('--out that would overwrite the --jwks file itself', async () => {
    const dir = path('d');
    const file = `${dir}.jwks.json`;
    writeFileSync(file, JSON.stringify({ keys: [ecJwk('a')] }, null, 2) + '\n');
    const before = readFileSync(file);
    const r = await rotate('--jwks', file, '--alg', 'ES256', '--out', dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('the --jwks file itself');
    expect(readFileSync(file)).toEqual(before);
    expect(existsSync(`${dir}.key.pem`)).toBe(false);
  });

  it('existing key files are kept without --force (and the JWKS is not changed)', async () => {
    const file = jwksFile([ecJwk('a')]);
    const before = readFileSync(file);
    const out = path('taken');
    writeFileSync(`${out}.key.pem`, 'mine');
    const r = await rotate('--jwks', file, '--alg', 'ES256', '--out', out);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('already exists');
    expect(readFileSync(`${out}.key.pem`, 'utf8')).toBe('mine');
    expect(readFileSync(file)).toEqual(before);
  });

  it('a missing JWKS file, and stdin', async () => {
    for (const name of ['none.json', 'no-dir/jwks.json']) {
      const missing = await rotate('--jwks', path(name), '--alg', 'ES256', '--out', path('m'));
      expect(missing.code).toBe(2);
      expect(missing.stderr).toMatch(/jwks?\.json": no such file|none\.json": no such file/);
    }
    const stdin = await rotate('--jwks', '-', '--alg', 'ES256', '--out', path('s'));
    expect(stdin.code).toBe(2);
    expect(stdin.stderr).toContain('--jwks must name a file');
  });
});

describe('keys rotate --jwks-url: the cache TTL from the published JWKS (loopback server)', () => {
  let server: Server;
  let base = '';
  const responses = new Map<string, { status: number; headers: Record<string, string>; body: string }>();
  beforeAll(async () => {
    server = createServer((req, res) => {
      const r = responses.get(req.url ?? '') ?? { status: 404, headers: {}, body: 'no' };
      res.writeHead(r.status, { 'content-type': 'application/json', ...r.headers }).end(r.body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  function publish(name: string, keys: unknown[], headers: Record<string, string>, status = 200): string {
    responses.set(`/${name}`, { status, headers, body: JSON.stringify({ keys }) });
    return `${base}/${name}`;
  }

  it('max-age sets the wait before signing', async () => {
    const keys = [ecJwk('a')];
    const url = publish('ok', keys, { 'cache-control': 'public, max-age=300' });
    const r = await rotate(
      '--jwks',
      jwksFile(keys),
      '--alg',
      'ES256',
      '--out',
      path('u'),
      '--jwks-url',
      url,
      '--json',
    );
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout) as RotateJson;
    expect(j.cacheTtl).toEqual({
      seconds: 300,
      source: 'jwks-url',
      url,
      cacheControl: 'public, max-age=300',
    });
    expect(j.timeline.signAt).toBe('2026-01-02T03:09:05Z');
    expect(j.warnings).toEqual([]);
  });

  it('human output names the Cache-Control it read', async () => {
    const keys = [ecJwk('a')];
    const url = publish('human', keys, { 'cache-control': 'max-age=600' });
    const r = await rotate('--jwks', jwksFile(keys), '--alg', 'ES256', '--out', path('h'), '--jwks-url', url);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`(after the verifiers' JWKS cache TTL: 10m, Cache-Control "max-age=600")`);
  });

  it('with --cache-ttl as well, the longer counts', async () => {
    const keys = [ecJwk('a')];
    const url = publish('both', keys, { 'cache-control': 'max-age=300' });
    const longer = await rotate(
      '--jwks',
      jwksFile(keys),
      '--alg',
      'ES256',
      '--out',
      path('b1'),
      '--jwks-url',
      url,
      '--cache-ttl',
      '1h',
      '--json',
    );
    expect((JSON.parse(longer.stdout) as RotateJson).cacheTtl).toMatchObject({
      seconds: 3600,
      source: 'flag',
    });
    const shorter = await rotate(
      '--jwks',
      jwksFile(keys),
      '--alg',
      'ES256',
      '--out',
      path('b2'),
      '--jwks-url',
      url,
      '--cache-ttl',
      '1m',
      '--json',
    );
    expect((JSON.parse(shorter.stdout) as RotateJson).cacheTtl).toMatchObject({
      seconds: 300,
      source: 'jwks-url',
    });
  });

  it('a URL that does not serve the file’s kids: a warning', async () => {
    const url = publish('other', [ecJwk('zz')], { 'cache-control': 'max-age=60' });
    const r = await rotate(
      '--jwks',
      jwksFile([ecJwk('a')]),
      '--alg',
      'ES256',
      '--out',
      path('w'),
      '--jwks-url',
      url,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`warning: ${url} does not serve kid "a" of`);
  });

  it('no max-age: exit 2 asking for --cache-ttl, nothing written', async () => {
    const keys = [ecJwk('a')];
    const url = publish('none', keys, {});
    const file = jwksFile(keys);
    const before = readFileSync(file);
    const r = await rotate('--jwks', file, '--alg', 'ES256', '--out', path('n'), '--jwks-url', url);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('sends no Cache-Control max-age');
    expect(r.stderr).toContain('--cache-ttl');
    expect(readFileSync(file)).toEqual(before);
  });

  it('no-store: 0 from HTTP, with a warning that JWKS libraries cache anyway', async () => {
    const keys = [ecJwk('a')];
    const url = publish('nostore', keys, { 'cache-control': 'no-store' });
    const r = await rotate(
      '--jwks',
      jwksFile(keys),
      '--alg',
      'ES256',
      '--out',
      path('ns'),
      '--jwks-url',
      url,
      '--json',
    );
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout) as RotateJson;
    expect(j.cacheTtl.seconds).toBe(0);
    expect(j.warnings[0]).toContain('no-store/no-cache');
  });

  it('HTTP 404: exit 3, nothing written; a redirect is not followed', async () => {
    const file = jwksFile([ecJwk('a')]);
    const before = readFileSync(file);
    const missing = await rotate(
      '--jwks',
      file,
      '--alg',
      'ES256',
      '--out',
      path('e'),
      '--jwks-url',
      `${base}/gone`,
    );
    expect(missing.code).toBe(3);
    expect(missing.stderr).toContain('HTTP 404');
    const moved = publish('moved', [], { location: `${base}/ok`, 'cache-control': 'max-age=1' }, 302);
    const redirect = await rotate('--jwks', file, '--alg', 'ES256', '--out', path('e2'), '--jwks-url', moved);
    expect(redirect.code).toBe(3);
    expect(redirect.stderr).toContain('does not follow redirects');
    expect(readFileSync(file)).toEqual(before);
  });

  it('plain http off loopback is refused before any request', async () => {
    const r = await rotate(
      '--jwks',
      jwksFile([ecJwk('a')]),
      '--alg',
      'ES256',
      '--out',
      path('i'),
      '--jwks-url',
      'http://example.com/jwks',
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('must use https');
  });
});
