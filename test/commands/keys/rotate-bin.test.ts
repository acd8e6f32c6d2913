import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasStackTrace, runBin, tempDir, type RunResult } from '../../helpers/cli.js';

/**
 * Rotation end to end through the built binary (`npm run build` first), as the issue asks: a first key published,
 * rotate twice (the second time reading the cache TTL from the JWKS as a loopback server publishes it), mint with
 * each kid, `jwt verify --jwks` (file and URL) accepts every published kid — and so does jose, an independent
 * verifier — then retire the oldest: its tokens are refused with kid_not_found, the others still verify.
 */
let tmp: ReturnType<typeof tempDir>;
let server: Server;
let jwksUrl = '';
beforeAll(async () => {
  tmp = tempDir('apikit-rotate-e2e-');
  // Serves public/jwks.json as it is on disk at each request, the way a static file server publishes it.
  server = createServer((_req, res) => {
    res
      .writeHead(200, { 'content-type': 'application/json', 'cache-control': 'public, max-age=120' })
      .end(readFileSync(join(tmp.dir, 'public', 'jwks.json')));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  tmp.cleanup();
});

const apikit = (...argv: string[]): Promise<RunResult> =>
  runBin(argv, { cwd: tmp.dir, env: { APIKIT_CONFIG_DIR: join(tmp.dir, '.config') } });
const publishedJwks = (): JSONWebKeySet =>
  JSON.parse(readFileSync(join(tmp.dir, 'public', 'jwks.json'), 'utf8')) as JSONWebKeySet;
const headerOf = (token: string): Record<string, unknown> =>
  JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString('utf8')) as Record<string, unknown>;

interface Verdict {
  valid: boolean;
  code: string;
  reason: string;
}
async function verify(token: string, jwks: string): Promise<{ code: number | null; verdict: Verdict }> {
  const r = await apikit('jwt', 'verify', token, '--jwks', jwks, '--json');
  return { code: r.code, verdict: JSON.parse(r.stdout) as Verdict };
}

describe('keys rotate → jwt mint → jwt verify → keys retire (built binary)', () => {
  const tokens: Record<string, string> = {};
  let thirdKid = '';

  it('publishes a first key, then rotates twice', async () => {
    expect((await apikit('keys', 'generate', '--alg', 'ES256', '--kid', 'k1', '--out', 'keys/k1')).code).toBe(
      0,
    );
    expect((await apikit('keys', 'jwks', 'keys/k1.pub.pem', '--out', 'public/jwks.json')).code).toBe(0);

    const second = await apikit(
      'keys',
      'rotate',
      '--jwks',
      'public/jwks.json',
      '--alg',
      'ES256',
      '--out',
      'keys/k2',
      '--kid',
      'k2',
    );
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toMatch(
      /^1\. publish {2}now {3}\S+Z {2}public\/jwks\.json with the new kid "k2"\n/,
    );
    expect(second.stdout).toContain('apikit keys retire --jwks public/jwks.json --kid k1');

    // The second rotation reads the verifiers' cache TTL from the published JWKS: max-age=120.
    const third = await apikit(
      'keys',
      'rotate',
      '--jwks',
      'public/jwks.json',
      '--alg',
      'RS256',
      '--out',
      'keys/k3',
      '--jwks-url',
      jwksUrl,
      '--max-token-life',
      '15m',
      '--json',
    );
    expect(third.code, third.stderr).toBe(0);
    const j = JSON.parse(third.stdout) as {
      added: { kid: string };
      cacheTtl: { seconds: number; source: string };
      timeline: { publishAt: string; signAt: string; retireAt: string; retireKids: string[] };
    };
    thirdKid = j.added.kid;
    expect(j.cacheTtl).toMatchObject({ seconds: 120, source: 'jwks-url' });
    const at = (s: string): number => Date.parse(s);
    expect(at(j.timeline.signAt) - at(j.timeline.publishAt)).toBe(120_000);
    expect(at(j.timeline.retireAt) - at(j.timeline.signAt)).toBe(15 * 60_000);
    expect(j.timeline.retireKids).toEqual(['k1', 'k2']);
    expect(publishedJwks().keys.map((k) => k.kid)).toEqual(['k1', 'k2', thirdKid]);
  });

  it('mints with each kid (the PEM takes its kid from the companion JWKS rotate wrote)', async () => {
    for (const [name, alg] of [
      ['k1', 'ES256'],
      ['k2', 'ES256'],
      ['k3', 'RS256'],
    ] as const) {
      const r = await apikit('jwt', 'mint', '--key', `keys/${name}.key.pem`, '--alg', alg, '--sub', name);
      expect(r.code, r.stderr).toBe(0);
      tokens[name] = r.stdout.trim();
    }
    expect(headerOf(tokens.k1!).kid).toBe('k1');
    expect(headerOf(tokens.k2!).kid).toBe('k2');
    expect(headerOf(tokens.k3!).kid).toBe(thirdKid);
  });

  it('jwt verify --jwks (the file and the URL) accepts the tokens of every published kid; so does jose', async () => {
    const keySet = createLocalJWKSet(publishedJwks());
    for (const name of ['k1', 'k2', 'k3']) {
      for (const source of ['public/jwks.json', jwksUrl]) {
        const r = await verify(tokens[name]!, source);
        expect(r.verdict, `${name} via ${source}`).toMatchObject({ valid: true, code: 'valid' });
        expect(r.code).toBe(0);
      }
      await expect(jwtVerify(tokens[name]!, keySet)).resolves.toMatchObject({ payload: { sub: name } });
    }
  });

  it('retire refuses the newest key, then retires the oldest', async () => {
    const newest = await apikit('keys', 'retire', '--jwks', 'public/jwks.json', '--kid', thirdKid);
    expect(newest.code).toBe(2);
    expect(newest.stderr).toContain('is the newest key');
    expect(hasStackTrace(newest.stderr)).toBe(false);

    const r = await apikit('keys', 'retire', '--jwks', 'public/jwks.json', '--kid', 'k1');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
    expect(publishedJwks().keys.map((k) => k.kid)).toEqual(['k2', thirdKid]);
  });

  it("the retired kid's tokens are refused with kid_not_found (exit 1); the others still verify", async () => {
    for (const source of ['public/jwks.json', jwksUrl]) {
      const gone = await verify(tokens.k1!, source);
      expect(gone.code).toBe(1);
      expect(gone.verdict).toMatchObject({ valid: false, code: 'kid_not_found' });
      expect(gone.verdict.reason).toContain('kid "k1" not in JWKS');
      for (const name of ['k2', 'k3']) {
        const ok = await verify(tokens[name]!, source);
        expect(ok.verdict, `${name} via ${source}`).toMatchObject({ valid: true });
        expect(ok.code).toBe(0);
      }
    }
    const keySet = createLocalJWKSet(publishedJwks());
    await expect(jwtVerify(tokens.k1!, keySet)).rejects.toMatchObject({ code: 'ERR_JWKS_NO_MATCHING_KEY' });
    await expect(jwtVerify(tokens.k2!, keySet)).resolves.toBeDefined();
  });

  it('a JWKS with a private key is refused by both verbs: exit 2, one line, no stack trace', async () => {
    const leaked = await apikit('keys', 'convert', 'keys/k2.key.pem', '--to', 'jwk', '--kid', 'k2');
    expect(leaked.code, leaked.stderr).toBe(0);
    const bad = join(tmp.dir, 'leaked.json');
    writeFileSync(bad, JSON.stringify({ keys: [JSON.parse(leaked.stdout)] }));
    for (const argv of [
      ['keys', 'rotate', '--jwks', bad, '--alg', 'ES256', '--out', 'keys/never'],
      ['keys', 'retire', '--jwks', bad, '--kid', 'k2', '--force'],
    ]) {
      const r = await apikit(...argv);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain('holds private key material');
      expect(r.stderr).not.toContain((JSON.parse(leaked.stdout) as { d: string }).d);
      expect(hasStackTrace(r.stderr)).toBe(false);
    }
  });

  it.each(['rotate', 'retire'])('keys %s --help ends with examples', async (verb) => {
    const r = await apikit('keys', verb, '--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`Examples:\\n(  \\$ .*apikit keys ${verb} .+\\n)+$`));
  });
});
