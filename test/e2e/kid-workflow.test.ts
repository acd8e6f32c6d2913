import { spawn } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, runBin, tempDir, type RunResult } from '../helpers/cli.js';
import { confidentialClient, startOidcProvider } from '../helpers/oidc-provider.js';

/**
 * The key workflow the README documents, exactly as a new user types it, in a fresh directory, through the built
 * binary (`npm run build` first): generate a key with a chosen kid, mint with the PEM, verify with the JWKS that
 * was written beside it, rebuild a JWKS from the PEMs with a shell glob, and authenticate a client with
 * private_key_jwt. The kid chosen at generation must follow the key through every step (issue 9, item 5), and
 * the missing directories keys/ and public/ are created (item 14).
 */
let tmp: ReturnType<typeof tempDir>;
let env: Record<string, string>;
beforeAll(() => {
  tmp = tempDir('apikit-e2e-kid-');
  env = { APIKIT_CONFIG_DIR: join(tmp.dir, '.config') };
});
afterAll(() => tmp.cleanup());

const apikit = (...argv: string[]): Promise<RunResult> => runBin(argv, { cwd: tmp.dir, env });

/** A command line run by /bin/sh in the work directory, so that `keys/*.key.pem` is expanded by the shell. */
function sh(command: string): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', command], {
      cwd: tmp.dir,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env, APIKIT: BIN },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 30_000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

type Jwks = { keys: Record<string, string>[] };
const readJwks = (path: string): Jwks => JSON.parse(readFileSync(join(tmp.dir, path), 'utf8')) as Jwks;
const headerOf = (token: string): Record<string, unknown> =>
  JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString('utf8')) as Record<string, unknown>;

describe('README key workflow: generate --kid, mint, verify --jwks, keys jwks, private_key_jwt', () => {
  let token = '';

  it('keys generate --alg RS256 --kid 2026-01 --out keys/api: creates keys/ (0700), reports on stderr', async () => {
    const r = await apikit('keys', 'generate', '--alg', 'RS256', '--kid', '2026-01', '--out', 'keys/api');
    expect(r.stderr).toContain('wrote keys/api.key.pem');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(''); // the files are the product; the report is for people (item 19)
    expect(r.stderr).toContain('kid: 2026-01');
    // keys/ did not exist: it is created, 0700 as it holds a private key.
    expect(statSync(join(tmp.dir, 'keys')).mode & 0o777).toBe(0o700);
    expect(readJwks('keys/api.jwks.json').keys.map((k) => k.kid)).toEqual(['2026-01']);
  });

  it('jwt mint --key keys/api.key.pem --alg RS256: the token carries the published kid', async () => {
    const r = await apikit('jwt', 'mint', '--key', 'keys/api.key.pem', '--alg', 'RS256', '--sub', 'alice');
    expect(r.code, r.stderr).toBe(0);
    token = r.stdout.trim();
    expect(headerOf(token)).toMatchObject({ alg: 'RS256', kid: '2026-01' });
  });

  it('jwt verify --jwks keys/api.jwks.json: valid, by kid "2026-01"', async () => {
    const r = await apikit('jwt', 'verify', token, '--jwks', 'keys/api.jwks.json');
    expect(r.stdout).toMatch(/^valid: RS256 signature by keys\/api\.jwks\.json kid "2026-01" \(RSA 2048\)/);
    expect(r.code).toBe(0);
  });

  it('jwt verify --key keys/api.pub.pem: valid as well', async () => {
    const r = await apikit('jwt', 'verify', token, '--key', 'keys/api.pub.pem');
    expect(r.stdout).toMatch(/^valid: RS256 signature by keys\/api\.pub\.pem/);
    expect(r.code).toBe(0);
  });

  it('keys inspect keys/api.key.pem: kid 2026-01, and where it came from', async () => {
    const r = await apikit('--json', 'keys', 'inspect', 'keys/api.key.pem');
    expect(r.code, r.stderr).toBe(0);
    const key = (JSON.parse(r.stdout) as { keys: { kid: string; notes: string[] }[] }).keys[0]!;
    expect(key.kid).toBe('2026-01');
    expect(key.notes).toContain('kid from keys/api.jwks.json, which holds the same key');
  });

  it('keys jwks keys/*.key.pem --out public/jwks.json: every kid kept, public/ created; verify with it', async () => {
    // A second key without --kid: its kid is its thumbprint, in its own JWKS.
    const g = await apikit('keys', 'generate', '--alg', 'ES256', '--out', 'keys/next');
    expect(g.code, g.stderr).toBe(0);
    const want = [readJwks('keys/api.jwks.json').keys[0]!.kid, readJwks('keys/next.jwks.json').keys[0]!.kid];

    const printed = await sh('node "$APIKIT" keys jwks keys/*.key.pem');
    expect(printed.code, printed.stderr).toBe(0);
    expect((JSON.parse(printed.stdout) as Jwks).keys.map((k) => k.kid)).toEqual(want);

    const r = await sh('node "$APIKIT" keys jwks keys/*.key.pem --out public/jwks.json');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('wrote public/jwks.json  (2 keys, mode 0644)');
    expect(readJwks('public/jwks.json').keys.map((k) => k.kid)).toEqual(want);
    expect(statSync(join(tmp.dir, 'public', 'jwks.json')).mode & 0o777).toBe(0o644);

    const v = await apikit('jwt', 'verify', token, '--jwks', 'public/jwks.json');
    expect(v.stdout).toMatch(/^valid: RS256 signature by public\/jwks\.json kid "2026-01"/);
    expect(v.code).toBe(0);
  });

  it('token client-credentials --private-key keys/api.key.pem: the server finds the registered kid', async () => {
    // The server knows the client by the JWKS it registered: keys/api.jwks.json, kid 2026-01 only.
    const as = await startOidcProvider({
      clients: [confidentialClient('e2e-bot', 'private_key_jwt', { jwks: readJwks('keys/api.jwks.json') })],
    });
    try {
      const r = await apikit(
        'token',
        'client-credentials',
        '--issuer',
        as.issuer,
        '--client-id',
        'e2e-bot',
        '--private-key',
        'keys/api.key.pem',
        '--no-cache',
      );
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout.trim()).not.toBe('');
    } finally {
      await as.close();
    }
  });
});

describe('an adopted kid labels a PEM key; it does not restrict what the key the user named verifies', () => {
  it('a token minted with another --kid still verifies with --key keys/api.pub.pem', async () => {
    const mint = await apikit(
      'jwt',
      'mint',
      '--key',
      'keys/api.key.pem',
      '--alg',
      'RS256',
      '--kid',
      'older',
      '--sub',
      'a',
    );
    expect(mint.code, mint.stderr).toBe(0);
    const token = mint.stdout.trim();
    expect(headerOf(token).kid).toBe('older');
    const v = await apikit('jwt', 'verify', token, '--key', 'keys/api.pub.pem');
    expect(v.stderr).not.toMatch(/not in/);
    expect(v.code, v.stdout + v.stderr).toBe(0);
    // A JWKS's kids stay binding: the same token against the published JWKS is refused by kid.
    const j = await apikit('jwt', 'verify', token, '--jwks', 'keys/api.jwks.json');
    expect(j.code).toBe(1);
    expect(j.stdout).toMatch(/kid "older"/);
  });
});
