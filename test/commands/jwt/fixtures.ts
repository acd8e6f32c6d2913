import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CompactSign } from 'jose';
import { afterAll, beforeAll } from 'vitest';
import { tempDir } from '../../helpers/cli.js';

/**
 * Key files for the jwt tests, generated once per test file into a temp dir: every algorithm family, the
 * public halves in several formats (SPKI, PKCS#1, JWK, JWKS), and HMAC secrets of each hash size.
 */
export const FIXED_NOW = Date.parse('2026-01-15T12:00:00Z');
export const FIXED_S = FIXED_NOW / 1000;
export const clock = { now: () => FIXED_NOW };

export interface KeyFiles {
  dir: string;
  /** private PEM (PKCS#8) per algorithm family */
  priv: Record<Family, string>;
  /** public PEM (SPKI) per family */
  pub: Record<Family, string>;
  /** public JWK per family */
  jwk: Record<Family, string>;
  /** KeyObjects, for building tokens by other means in tests */
  objects: Record<Family, { privateKey: KeyObject; publicKey: KeyObject }>;
  rsaPkcs1Pub: string;
  rsaPkcs1Priv: string;
  rsa1024: string;
  /** Binary DER files: what `openssl pkey -outform DER` writes. */
  rsaDerPub: string;
  ecDerPriv: string;
  jwks: string;
  /** HMAC secret files of 32, 48 and 64 bytes, and a short one. */
  hs256: string;
  hs384: string;
  hs512: string;
  short: string;
  secrets: { hs256: string; hs384: string; hs512: string; short: string };
}

export type Family = 'rsa' | 'ec256' | 'ec384' | 'ec521' | 'ed25519' | 'rsa2';

export const ALG_FAMILY: Record<string, Family | 'hs256' | 'hs384' | 'hs512'> = {
  HS256: 'hs256',
  HS384: 'hs384',
  HS512: 'hs512',
  RS256: 'rsa',
  RS384: 'rsa',
  RS512: 'rsa',
  PS256: 'rsa',
  PS384: 'rsa',
  PS512: 'rsa',
  ES256: 'ec256',
  ES384: 'ec384',
  ES512: 'ec521',
  EdDSA: 'ed25519',
};

export const ALL_ALGS = Object.keys(ALG_FAMILY);

export function makeKeyFiles(dir: string): KeyFiles {
  const gen = {
    rsa: () => generateKeyPairSync('rsa', { modulusLength: 2048 }),
    rsa2: () => generateKeyPairSync('rsa', { modulusLength: 2048 }),
    ec256: () => generateKeyPairSync('ec', { namedCurve: 'P-256' }),
    ec384: () => generateKeyPairSync('ec', { namedCurve: 'P-384' }),
    ec521: () => generateKeyPairSync('ec', { namedCurve: 'P-521' }),
    ed25519: () => generateKeyPairSync('ed25519'),
  } as const;
  const priv = {} as Record<Family, string>;
  const pub = {} as Record<Family, string>;
  const jwk = {} as Record<Family, string>;
  const objects = {} as KeyFiles['objects'];
  for (const [family, make] of Object.entries(gen) as [
    Family,
    () => { privateKey: KeyObject; publicKey: KeyObject },
  ][]) {
    const pair = make();
    objects[family] = pair;
    priv[family] = write(
      dir,
      `${family}.key.pem`,
      pair.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string,
    );
    pub[family] = write(
      dir,
      `${family}.pub.pem`,
      pair.publicKey.export({ format: 'pem', type: 'spki' }) as string,
    );
    jwk[family] = write(
      dir,
      `${family}.pub.jwk.json`,
      JSON.stringify(pair.publicKey.export({ format: 'jwk' })),
    );
  }
  const rsa = objects.rsa;
  const rsaPkcs1Pub = write(
    dir,
    'rsa.pkcs1.pub.pem',
    rsa.publicKey.export({ format: 'pem', type: 'pkcs1' }) as string,
  );
  const rsaPkcs1Priv = write(
    dir,
    'rsa.pkcs1.key.pem',
    rsa.privateKey.export({ format: 'pem', type: 'pkcs1' }) as string,
  );
  const small = generateKeyPairSync('rsa', { modulusLength: 1024 });
  const rsa1024 = write(
    dir,
    'rsa1024.key.pem',
    small.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string,
  );
  const rsaDerPub = join(dir, 'rsa.pub.der');
  writeFileSync(rsaDerPub, rsa.publicKey.export({ format: 'der', type: 'spki' }), { mode: 0o600 });
  const ecDerPriv = join(dir, 'ec256.key.der');
  writeFileSync(ecDerPriv, objects.ec256.privateKey.export({ format: 'der', type: 'pkcs8' }), {
    mode: 0o600,
  });
  const jwks = write(
    dir,
    'keys.jwks.json',
    JSON.stringify({
      keys: [
        { ...objects.ec256.publicKey.export({ format: 'jwk' }), kid: 'k1', use: 'sig', alg: 'ES256' },
        { ...objects.rsa.publicKey.export({ format: 'jwk' }), kid: 'k-rsa', use: 'sig' },
        { ...objects.ed25519.publicKey.export({ format: 'jwk' }), kid: 'k-ed' },
      ],
    }),
  );
  const secrets = {
    hs256: 'a'.repeat(8) + 'Zq3vK9pLmN2xR7tY5wB8cD1eF4gH6jK0',
    hs384: 'b'.repeat(16) + 'Zq3vK9pLmN2xR7tY5wB8cD1eF4gH6jK0',
    hs512: 'c'.repeat(32) + 'Zq3vK9pLmN2xR7tY5wB8cD1eF4gH6jK0',
    short: 'only-17-chars-xyz',
  };
  return {
    dir,
    priv,
    pub,
    jwk,
    objects,
    rsaPkcs1Pub,
    rsaPkcs1Priv,
    rsa1024,
    rsaDerPub,
    ecDerPriv,
    jwks,
    hs256: write(dir, 'hs256.secret', secrets.hs256 + '\n'),
    hs384: write(dir, 'hs384.secret', secrets.hs384 + '\n'),
    hs512: write(dir, 'hs512.secret', secrets.hs512 + '\n'),
    short: write(dir, 'short.secret', secrets.short + '\n'),
    secrets,
  };
}

export function write(dir: string, name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content, { mode: 0o600 });
  return path;
}

/** The signing key file and the verifying key file for an algorithm. */
export function keyPairFor(k: KeyFiles, alg: string): { sign: string; verify: string } {
  const fam = ALG_FAMILY[alg]!;
  if (fam === 'hs256' || fam === 'hs384' || fam === 'hs512') return { sign: k[fam], verify: k[fam] };
  return { sign: k.priv[fam], verify: k.pub[fam] };
}

export function b64u(value: unknown): string {
  return Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
}

const ROOT = join(import.meta.dirname, '..', '..', '..');
/** What bin/apikit.js runs: src/ bundled by scripts/bundle.js. */
export const BUNDLE = join(ROOT, 'dist', 'bundle', 'apikit.js');

/**
 * Builds the binary when its bundle is missing or older than any file under src/, so binary tests never
 * pass (or fail) against stale code.
 */
export function ensureBuilt(): void {
  const newest = (dir: string): number =>
    Math.max(
      0,
      ...readdirSync(dir, { withFileTypes: true }).map((e) =>
        e.isDirectory() ? newest(join(dir, e.name)) : statSync(join(dir, e.name)).mtimeMs,
      ),
    );
  if (existsSync(BUNDLE) && statSync(BUNDLE).mtimeMs >= newest(join(ROOT, 'src'))) return;
  execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'ignore' });
}

/**
 * Signs any header/payload with jose directly (ES256 with the fixture P-256 key unless told otherwise): the
 * verify tests build tokens apikit itself would refuse to mint.
 */
export async function signWith(
  k: KeyFiles,
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

/**
 * Key files in a temporary directory for one test file (made in beforeAll, removed in afterAll), and `sign`,
 * which signs any header/payload with jose directly: the tests build tokens apikit itself would refuse to mint.
 */
export function suiteKeyFiles(prefix: string): {
  k: KeyFiles;
  sign: (payload: unknown, header?: Record<string, unknown>, key?: KeyObject) => Promise<string>;
} {
  const k = {} as KeyFiles;
  let cleanup = (): void => undefined;
  beforeAll(() => {
    const t = tempDir(prefix);
    cleanup = t.cleanup;
    Object.assign(k, makeKeyFiles(t.dir));
  });
  afterAll(() => cleanup());
  return { k, sign: (payload, header = {}, key) => signWith(k, payload, header, key) };
}
