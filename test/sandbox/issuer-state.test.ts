import {
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { calculateJwkThumbprint, type JWK } from 'jose';
import { afterAll, describe, expect, it } from 'vitest';
import { loadSandboxState, STATE_FILES } from '../../src/sandbox/state.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { clientCredentials, startIssuer } from './issuer-harness.js';

/**
 * The sandbox's state directory: made once, 0700, with its files 0600 (the public halves of the signer's key 0644,
 * as `apikit keys generate` writes them); reused on restart, so secrets, keys and tokens survive; a damaged file is
 * a one-line InputError naming it (exit 2).
 */

const cleanups: Array<() => void> = [];
afterAll(() => {
  for (const c of cleanups) c();
});
function freshDir(): string {
  const t = tempDir('apikit-sandbox-state-test-');
  cleanups.push(t.cleanup);
  // A directory that does not exist yet: the sandbox makes it.
  return join(t.dir, 'config', 'sandbox');
}
const mode = (path: string): number => statSync(path).mode & 0o777;

describe('first start', () => {
  it('creates the directory 0700 and each file with its mode, atomically (no temporary files left)', async () => {
    const dir = freshDir();
    const state = await loadSandboxState(dir);
    expect(mode(dir)).toBe(0o700);
    expect(readdirSync(dir).sort()).toEqual(
      [
        'client-secret',
        'cookie-keys.json',
        'issuer-keys.json',
        'signer.jwks.json',
        'signer.key.pem',
        'signer.pub.pem',
      ].sort(),
    );
    expect({
      'client-secret': mode(join(dir, STATE_FILES.clientSecret)),
      'signer.key.pem': mode(join(dir, STATE_FILES.signerKey)),
      'signer.pub.pem': mode(join(dir, STATE_FILES.signerPublicKey)),
      'signer.jwks.json': mode(join(dir, STATE_FILES.signerJwks)),
      'issuer-keys.json': mode(join(dir, STATE_FILES.issuerKeys)),
      'cookie-keys.json': mode(join(dir, STATE_FILES.cookieKeys)),
    }).toEqual({
      'client-secret': 0o600,
      'signer.key.pem': 0o600,
      'signer.pub.pem': 0o644,
      'signer.jwks.json': 0o644,
      'issuer-keys.json': 0o600,
      'cookie-keys.json': 0o600,
    });
    // 32 random bytes, base64url, one newline — what --client-secret-file reads as the secret.
    const secretFile = readFileSync(state.clientSecretFile, 'utf8');
    expect(secretFile).toMatch(/^[A-Za-z0-9_-]{43}\n$/);
    expect(state.clientSecret).toBe(secretFile.slice(0, -1));
    // The provider's keys: private, RS256 and ES256, kid = RFC 7638 thumbprint.
    const issuerKeys = JSON.parse(readFileSync(join(dir, STATE_FILES.issuerKeys), 'utf8')) as { keys: JWK[] };
    expect(issuerKeys.keys.map((k) => [k.alg, k.kty, typeof k.d, k.use])).toEqual([
      ['RS256', 'RSA', 'string', 'sig'],
      ['ES256', 'EC', 'string', 'sig'],
    ]);
    for (const k of issuerKeys.keys) expect(k.kid).toBe(await calculateJwkThumbprint(k));
    const cookies = JSON.parse(readFileSync(join(dir, STATE_FILES.cookieKeys), 'utf8')) as { keys: string[] };
    expect(cookies.keys).toEqual([expect.stringMatching(/^[A-Za-z0-9_-]{43}$/)]);
  });

  it('the signer files are what `apikit keys generate --alg ES256 --out <dir>/signer` writes', async () => {
    const dir = freshDir();
    const state = await loadSandboxState(dir);
    const t = tempDir('apikit-sandbox-keysgen-');
    cleanups.push(t.cleanup);
    const gen = await runCli([
      'keys',
      'generate',
      '--alg',
      'ES256',
      '--out',
      join(t.dir, 'signer'),
      '--json',
    ]);
    expect(gen.code, gen.stderr).toBe(0);
    const theirs = JSON.parse(gen.stdout) as { files: Array<{ path: string; mode: string }> };
    expect(theirs.files.map((f) => [f.path.slice(t.dir.length + 1), Number.parseInt(f.mode, 8)])).toEqual([
      ['signer.key.pem', mode(join(dir, 'signer.key.pem'))],
      ['signer.pub.pem', mode(join(dir, 'signer.pub.pem'))],
      ['signer.jwks.json', mode(join(dir, 'signer.jwks.json'))],
    ]);
    const shape = (path: string) => {
      const doc = JSON.parse(readFileSync(path, 'utf8')) as { keys: Array<Record<string, unknown>> };
      return doc.keys.map((k) => Object.keys(k));
    };
    expect(shape(join(dir, 'signer.jwks.json'))).toEqual(shape(join(t.dir, 'signer.jwks.json')));
    const pemHead = (p: string) => readFileSync(p, 'utf8').split('\n')[0];
    expect(pemHead(join(dir, 'signer.key.pem'))).toBe(pemHead(join(t.dir, 'signer.key.pem')));
    const jwk = JSON.parse(readFileSync(join(dir, 'signer.jwks.json'), 'utf8')).keys[0] as JWK;
    expect(jwk).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
    expect(jwk.kid).toBe(await calculateJwkThumbprint(jwk));
    expect(state.signer).toMatchObject({ kid: jwk.kid, publicJwk: { ...jwk } });
    expect(state.signer.publicJwk).not.toHaveProperty('d');
    // apikit reads the pair as one key with the companion's kid.
    const inspect = await runCli(['keys', 'inspect', join(dir, 'signer.key.pem'), '--json']);
    expect(inspect.code, inspect.stderr).toBe(0);
    expect(inspect.stdout).toContain(jwk.kid!);
  });
});

describe('restart with the same state directory', () => {
  it('keeps the secret, the signer and the issuer keys: a token from before the restart still verifies', async () => {
    const dir = freshDir();
    const first = await startIssuer({ stateDir: dir });
    const secret = readFileSync(first.issuer.clients.confidential.secret_file, 'utf8');
    const jwksBefore = await (await fetch(first.issuer.jwksUri)).json();
    const cc = (url: string) =>
      clientCredentials(
        url,
        join(dir, '..'),
        '--client-id',
        'sandbox-signer',
        '--private-key',
        join(dir, 'signer.key.pem'),
        '--scope',
        'read:posts',
      );
    const before = await cc(first.url);
    expect(before.code, before.stderr).toBe(0);
    const files = Object.fromEntries(readdirSync(dir).map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
    await first.close();

    // The stand-in API keeps its URL (the resource) across the restart, as `apikit sandbox --port` does.
    const second = await startIssuer({ stateDir: dir, resource: first.resource });
    try {
      expect(readFileSync(second.issuer.clients.confidential.secret_file, 'utf8')).toBe(secret);
      expect(
        Object.fromEntries(readdirSync(dir).map((f) => [f, readFileSync(join(dir, f), 'utf8')])),
      ).toEqual(files);
      expect(await (await fetch(second.issuer.jwksUri)).json()).toEqual(jwksBefore);
      // The issuer URL changed (port 0), so the old token's iss is the old URL; its signature still verifies.
      const { jwtVerify, createRemoteJWKSet } = await import('jose');
      await expect(
        jwtVerify(before.stdout.trim(), createRemoteJWKSet(new URL(second.issuer.jwksUri)), {
          issuer: first.url,
          audience: first.resource,
        }),
      ).resolves.toBeTruthy();
      const after = await cc(second.url);
      expect(after.code, after.stderr).toBe(0);
      expect((await second.verify(after.stdout.trim())).sub).toBe('sandbox-signer');
      const basic = await clientCredentials(
        second.url,
        join(dir, '..'),
        '--client-id',
        'sandbox-service',
        '--client-secret-file',
        join(dir, 'client-secret'),
      );
      expect(basic.code, basic.stderr).toBe(0);
    } finally {
      await second.close();
    }
  });

  it('a user-made RS256 signer (keys generate --force over it) is registered as it is', async () => {
    const dir = freshDir();
    await loadSandboxState(dir);
    const gen = await runCli([
      'keys',
      'generate',
      '--alg',
      'RS256',
      '--kid',
      'my-signer',
      '--out',
      join(dir, 'signer'),
      '--force',
    ]);
    expect(gen.code, gen.stderr).toBe(0);
    const is = await startIssuer({ stateDir: dir });
    try {
      const result = await clientCredentials(
        is.url,
        join(dir, '..'),
        '--client-id',
        'sandbox-signer',
        '--private-key',
        join(dir, 'signer.key.pem'),
      );
      expect(result.code, result.stderr).toBe(0);
      expect((await is.verify(result.stdout.trim())).client_id).toBe('sandbox-signer');
    } finally {
      await is.close();
    }
  });
});

describe('a damaged state file: one line naming it, exit 2, nothing replaced', () => {
  const RSA_PUBLIC_ONLY = async (): Promise<string> => {
    const { generateKeyPair, exportJWK } = await import('jose');
    const { publicKey } = await generateKeyPair('RS256', { extractable: true });
    return JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid: 'a', alg: 'RS256' }] });
  };
  it.each([
    { file: 'client-secret', data: async () => 'short\n', want: /shorter than 32 characters/ },
    {
      file: 'client-secret',
      data: async () => 'two words and more than thirty-two characters\n',
      want: /printable/,
    },
    { file: 'client-secret', data: async () => '', want: /printable/ },
    { file: 'signer.key.pem', data: async () => 'not a key', want: /signer\.key\.pem" is unusable: / },
    {
      file: 'signer.key.pem',
      data: async () => '-----BEGIN PRIVATE KEY-----\nAAAA\n',
      want: /truncated PEM/,
    },
    { file: 'signer.jwks.json', data: async () => '{"keys": []}', want: /holds no entry with a kid/ },
    { file: 'signer.jwks.json', data: async () => '{', want: /not valid JSON/ },
    { file: 'issuer-keys.json', data: async () => '{not json', want: /not valid JSON/ },
    { file: 'issuer-keys.json', data: async () => '{"keys": []}', want: /expected a JWKS/ },
    { file: 'issuer-keys.json', data: RSA_PUBLIC_ONLY, want: /key "a" is not a private key/ },
    { file: 'cookie-keys.json', data: async () => '{"keys": ["short"]}', want: /at least 32 characters/ },
  ])('$file: $want', async ({ file, data, want }) => {
    const dir = freshDir();
    await loadSandboxState(dir);
    const path = join(dir, file);
    const contents = await data();
    writeFileSync(path, contents);
    const err = await loadSandboxState(dir).then(
      () => undefined,
      (e: unknown) => e as { code: string; exitCode: number; message: string; hint?: string },
    );
    expect(err).toMatchObject({ code: 'ERR_SANDBOX_STATE', exitCode: 2 });
    expect(err!.message).toContain(`sandbox state file "${path}"`);
    expect(err!.message).toMatch(want);
    expect(err!.message).not.toContain('\n');
    expect(err!.hint).toMatch(/restart apikit sandbox/);
    expect(readFileSync(path, 'utf8')).toBe(contents);
  });

  it('half a key pair (the JWKS gone): names the missing file and the one that is there', async () => {
    const dir = freshDir();
    await loadSandboxState(dir);
    unlinkSync(join(dir, 'signer.jwks.json'));
    await expect(loadSandboxState(dir)).rejects.toMatchObject({
      code: 'ERR_SANDBOX_STATE',
      message: expect.stringMatching(/signer\.jwks\.json" is missing, but ".*signer\.key\.pem" .* is there/),
    });
  });

  it('a directory where a file should be, and a state "directory" that is a file', async () => {
    const dir = freshDir();
    await loadSandboxState(dir);
    unlinkSync(join(dir, 'cookie-keys.json'));
    mkdirSync(join(dir, 'cookie-keys.json'));
    await expect(loadSandboxState(dir)).rejects.toMatchObject({
      code: 'ERR_SANDBOX_STATE',
      message: expect.stringMatching(/cookie-keys\.json" is unusable: not a regular file/),
    });
    const file = join(freshDir(), '..');
    mkdirSync(file, { recursive: true });
    writeFileSync(join(file, 'sandbox'), 'x');
    await expect(loadSandboxState(join(file, 'sandbox'))).rejects.toMatchObject({
      code: 'ERR_SANDBOX_STATE',
      exitCode: 2,
      message: expect.stringMatching(/cannot create the sandbox state directory/),
    });
  });

  it('through createIssuer too: the issuer does not start', async () => {
    const dir = freshDir();
    await loadSandboxState(dir);
    writeFileSync(join(dir, 'issuer-keys.json'), '[]');
    await expect(startIssuer({ stateDir: dir })).rejects.toMatchObject({ code: 'ERR_SANDBOX_STATE' });
  });

  it('two starts at the same moment agree on one set of files', async () => {
    const dir = freshDir();
    const [a, b] = await Promise.all([loadSandboxState(dir), loadSandboxState(dir)]);
    expect(a.clientSecret).toBe(b.clientSecret);
    expect(a.signer.kid).toBe(b.signer.kid);
    expect(a.issuerKeys).toEqual(b.issuerKeys);
    expect(a.cookieKeys).toEqual(b.cookieKeys);
  });
});

describe('odd file system states', () => {
  it('a dangling symbolic link where the secret should be: one line naming it', async () => {
    const dir = freshDir();
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    symlinkSync(join(dir, 'nowhere'), join(dir, 'client-secret'));
    await expect(loadSandboxState(dir)).rejects.toMatchObject({
      code: 'ERR_SANDBOX_STATE',
      exitCode: 2,
      message: expect.stringMatching(
        /client-secret" is unusable: cannot be read back .*dangling symbolic link/,
      ),
    });
  });
});
