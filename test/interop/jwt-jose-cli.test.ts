import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBinary, runCli, tempDir } from '../helpers/cli.js';
import { ALG_FAMILY, ALL_ALGS, keyPairFor, makeKeyFiles, type KeyFiles } from '../commands/jwt/fixtures.js';

/**
 * Interop with the Debian `jose` CLI (latchset José v11), both directions. It has no Ed25519, so EdDSA is
 * skipped; its token input must not end in a newline. It is used only to show ACCEPTANCE — its alg checks
 * are one-way, so no rejection is ever proved with it.
 */
const jose = requireBinary('jose', () => spawnSync('jose', ['alg'], { stdio: 'ignore' }).status === 0);
const ALGS = ALL_ALGS.filter((a) => a !== 'EdDSA');

let k: KeyFiles;
let cleanup: () => void;

/** A JWK file for jose: the private (or public) key with "alg" pinned. */
function jwkFile(alg: string, which: 'private' | 'public'): string {
  const fam = ALG_FAMILY[alg]!;
  let jwk: Record<string, unknown>;
  if (fam.startsWith('hs')) {
    jwk = { kty: 'oct', k: Buffer.from(k.secrets[fam as 'hs256']).toString('base64url') };
  } else {
    const pair = k.objects[fam as 'rsa'];
    jwk = (which === 'private' ? pair.privateKey : pair.publicKey).export({ format: 'jwk' }) as Record<
      string,
      unknown
    >;
  }
  const path = join(k.dir, `jose-${alg}-${which}.jwk`);
  writeFileSync(path, JSON.stringify({ ...jwk, alg }));
  return path;
}

describe.skipIf(jose.skip)('interop: Debian jose CLI', () => {
  beforeAll(() => {
    const t = tempDir('apikit-jwt-jose-');
    cleanup = t.cleanup;
    k = makeKeyFiles(t.dir);
  });
  afterAll(() => cleanup?.());

  it.each(ALGS)('%s: jose signs, apikit verifies', async (alg) => {
    const now = Math.floor(Date.now() / 1000);
    const msg = join(k.dir, `jose-msg-${alg}.json`);
    writeFileSync(msg, JSON.stringify({ sub: `jose-${alg}`, iat: now, exp: now + 600 }));
    const token = execFileSync(
      'jose',
      ['jws', 'sig', '-I', msg, '-k', jwkFile(alg, 'private'), '-c', '-o', '-'],
      { encoding: 'utf8' },
    ).trim();
    const r = await runCli(['jwt', 'verify', token, '--key', keyPairFor(k, alg).verify, '--json']);
    const doc = JSON.parse(r.stdout);
    expect(doc.code).toBe('valid');
    expect(doc.payload.sub).toBe(`jose-${alg}`);
  });

  it.each(ALGS)('%s: apikit mints, jose verifies', async (alg) => {
    const r = await runCli([
      'jwt',
      'mint',
      '--key',
      keyPairFor(k, alg).sign,
      '--alg',
      alg,
      '--sub',
      `ak-${alg}`,
    ]);
    expect(r.code).toBe(0);
    const tokenPath = join(k.dir, `ak-${alg}.jwt`);
    writeFileSync(tokenPath, r.stdout.trim()); // no trailing newline: jose v11 fails on one
    const out = spawnSync('jose', ['jws', 'ver', '-i', tokenPath, '-k', jwkFile(alg, 'public'), '-O', '-'], {
      encoding: 'utf8',
    });
    expect(out.status).toBe(0);
    expect(JSON.parse(out.stdout).sub).toBe(`ak-${alg}`);
  });

  it('control: jose rejects an apikit token checked against another key (so the test above can fail)', async () => {
    const r = await runCli(['jwt', 'mint', '--key', keyPairFor(k, 'ES256').sign]);
    const tokenPath = join(k.dir, 'ctl.jwt');
    writeFileSync(tokenPath, r.stdout.trim());
    const other = join(k.dir, 'other.jwk');
    writeFileSync(other, execFileSync('jose', ['jwk', 'gen', '-i', '{"alg":"ES256"}'], { encoding: 'utf8' }));
    const out = spawnSync('jose', ['jws', 'ver', '-i', tokenPath, '-k', other], { encoding: 'utf8' });
    expect(out.status).not.toBe(0);
  });
});
