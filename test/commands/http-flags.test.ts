import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hasStackTrace, runCli, tempDir, type RunResult } from '../helpers/cli.js';
import { CLIENT_ID, DISCOVERY, startRecordingAs, type RecordingAs } from './http-flags-server.js';
import { configPath, makeExpiring, readConfig, startCli } from './login/harness.js';

/**
 * Issue 9, item 13: every verb that makes HTTP requests takes the shared transport flags (README "HTTP options"):
 * `-H` reaches the server on each of the verb's requests, `--timeout` ends a request that never gets an answer
 * (exit 3 — logout warns instead — well within the bound), `--max-body` lowers a cap but never raises it, and a
 * flag the verb does not take stays exit 2.
 */
let as: RecordingAs;
const cleanups: Array<() => void> = [];
afterAll(() => cleanups.forEach((c) => c()));
beforeEach(async () => {
  as = await startRecordingAs();
});
afterEach(async () => {
  await as.close();
});

function configDir(): string {
  const t = tempDir('apikit-http-flags-');
  cleanups.push(t.cleanup);
  return t.dir;
}

/** Far below every default (30 s, JWKS and revocation 10 s): a run that ends sooner was ended by --timeout. */
const BOUND_MS = 5_000;

async function timed(run: Promise<RunResult>): Promise<RunResult & { ms: number }> {
  const t0 = Date.now();
  const r = await run;
  return { ...r, ms: Date.now() - t0 };
}

function expectOneLineError(r: RunResult, code: number, message: RegExp): void {
  expect(r.code, r.stderr).toBe(code);
  expect(r.stderr).toMatch(message);
  expect(
    r.stderr
      .trim()
      .split('\n')
      .filter((l) => l.startsWith('error:')),
  ).toHaveLength(1);
  expect(hasStackTrace(r.stderr)).toBe(false);
}

const sentTest = (requests: { headers: Record<string, unknown> }[]): unknown[] =>
  requests.map((r) => r.headers['x-test']);

/** A login through the recording server's /authorize (which answers at once), with `extra` flags. */
async function login(dir: string, ...extra: string[]): Promise<RunResult> {
  const run = startCli(
    [
      'login',
      '--issuer',
      as.issuer,
      '--client-id',
      CLIENT_ID,
      '--no-browser',
      '--scope',
      'openid read',
      ...extra,
    ],
    { env: { APIKIT_CONFIG_DIR: dir } },
  );
  const url = await run.authorizationUrl();
  const redirect = await fetch(url, { redirect: 'manual' });
  const callback = redirect.headers.get('location')!;
  expect((await fetch(callback)).status).toBe(200);
  return run.done;
}

describe('login', () => {
  it("-H reaches discovery, the token endpoint and the ID token's JWKS", async () => {
    const dir = configDir();
    const r = await login(dir, '-H', 'X-Test: 1');
    expect(r.code, r.stderr).toBe(0);
    expect(readConfig(dir).profiles?.default?.subject).toBe('alice');
    for (const path of [DISCOVERY, '/token', '/jwks']) {
      expect(as.at(path).length, path).toBeGreaterThan(0);
      expect(sentTest(as.at(path)), path).toEqual(as.at(path).map(() => '1'));
    }
  });

  it('--timeout 300ms: a discovery that never answers ends with exit 3 well within the bound', async () => {
    as.hang.add(DISCOVERY);
    const dir = configDir();
    const r = await timed(
      runCli(
        ['login', '--issuer', as.issuer, '--client-id', CLIENT_ID, '--no-browser', '--timeout', '300ms'],
        {
          env: { APIKIT_CONFIG_DIR: dir },
        },
      ),
    );
    expectOneLineError(r, 3, /timed out after 300 ms/);
    expect(r.ms).toBeLessThan(BOUND_MS);
    expect(readConfig(dir).profiles).toBeUndefined();
  });

  it('--connect-timeout and --max-body are taken; --max-body lowers the cap of a request', async () => {
    const r = await runCli(
      ['login', '--issuer', as.issuer, '--client-id', CLIENT_ID, '--no-browser', '--max-body', '64'],
      { env: { APIKIT_CONFIG_DIR: configDir() } },
    );
    expectOneLineError(r, 3, /larger than 64 bytes/);
    const ok = await login(configDir(), '--connect-timeout', '2s', '--max-body', '100000000');
    expect(ok.code, ok.stderr).toBe(0);
  });

  it('-H Authorization is refused (a second client authentication): exit 2, nothing sent', async () => {
    const r = await runCli(
      ['login', '--issuer', as.issuer, '--client-id', CLIENT_ID, '-H', 'authorization: Basic eHg6eXk='],
      { env: { APIKIT_CONFIG_DIR: configDir() } },
    );
    expectOneLineError(r, 2, /-H Authorization would be a second client authentication method/);
    expect(r.stderr).not.toContain('eHg6eXk=');
    expect(as.seen).toEqual([]);
  });
});

describe('logout', () => {
  it('-H reaches the revocation endpoint (both tokens)', async () => {
    const dir = configDir();
    expect((await login(dir)).code).toBe(0);
    const r = await runCli(['logout', '-H', 'X-Test: 1'], { env: { APIKIT_CONFIG_DIR: dir } });
    expect(r.code, r.stderr).toBe(0);
    expect(sentTest(as.at('/revoke'))).toEqual(['1', '1']);
  });

  it('--timeout 300ms: a revocation that never answers is a warning within the bound; the tokens are forgotten', async () => {
    const dir = configDir();
    expect((await login(dir)).code).toBe(0);
    as.hang.add('/revoke');
    const r = await timed(
      runCli(['logout', '--timeout', '300ms', '--json'], { env: { APIKIT_CONFIG_DIR: dir } }),
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.ms).toBeLessThan(BOUND_MS);
    expect(r.stderr).toMatch(
      /warning: profile "default": could not revoke the refresh token \(.*timed out after 300 ms\)/,
    );
    const doc = JSON.parse(r.stdout) as { profiles: { revoked: unknown; forgotten: boolean }[] };
    expect(doc.profiles[0]).toMatchObject({
      revoked: { refreshToken: false, accessToken: false },
      forgotten: true,
    });
    expect(readConfig(dir).profiles?.default?.tokens).toBeUndefined();
  });

  it('-H Authorization is refused: exit 2, the tokens stay', async () => {
    const dir = configDir();
    expect((await login(dir)).code).toBe(0);
    const r = await runCli(['logout', '-H', 'Authorization: Bearer x'], { env: { APIKIT_CONFIG_DIR: dir } });
    expectOneLineError(r, 2, /-H Authorization would be a second client authentication method/);
    expect(as.at('/revoke')).toEqual([]);
    expect(readConfig(dir).profiles?.default?.tokens).toBeDefined();
  });
});

describe('token (refresh)', () => {
  async function expiringLogin(): Promise<string> {
    const dir = configDir();
    expect((await login(dir)).code).toBe(0);
    makeExpiring(dir, 'default', 5_000);
    return dir;
  }
  const refreshes = (): RecordingAs['seen'] => as.at('/token').slice(1); // the first was the login's code exchange

  it('-H reaches the token endpoint on a refresh', async () => {
    const dir = await expiringLogin();
    const r = await runCli(['token', '-H', 'X-Test: 1'], { env: { APIKIT_CONFIG_DIR: dir } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toMatch(/^rec-access-/);
    expect(sentTest(refreshes())).toEqual(['1']);
  });

  it('--timeout 300ms: a token endpoint that never answers ends with exit 3 within the bound', async () => {
    const dir = await expiringLogin();
    as.hang.add('/token');
    const r = await timed(runCli(['token', '--timeout', '300ms'], { env: { APIKIT_CONFIG_DIR: dir } }));
    expectOneLineError(r, 3, /timed out after 300 ms/);
    expect(r.ms).toBeLessThan(BOUND_MS);
  });

  it('-H Authorization is refused: exit 2, no refresh', async () => {
    const dir = await expiringLogin();
    const before = readFileSync(configPath(dir), 'utf8');
    const r = await runCli(['token', '-H', 'Authorization: Bearer x'], { env: { APIKIT_CONFIG_DIR: dir } });
    expectOneLineError(r, 2, /-H Authorization would be a second client authentication method/);
    expect(refreshes()).toEqual([]);
    expect(readFileSync(configPath(dir), 'utf8')).toBe(before);
  });
});

describe('token client-credentials', () => {
  const cc = (...extra: string[]): Promise<RunResult> =>
    runCli(
      [
        'token',
        'client-credentials',
        '--issuer',
        as.issuer,
        '--client-id',
        'ci',
        '--client-secret-env',
        'S',
        '--no-cache',
        ...extra,
      ],
      { env: { S: 'ci-secret-0123456789', APIKIT_CONFIG_DIR: configDir() } },
    );

  it('-H (given twice, after the subcommand) reaches discovery and the token endpoint', async () => {
    const r = await cc('-H', 'X-Test: 1', '-H', 'X-Two: 2');
    expect(r.code, r.stderr).toBe(0);
    for (const path of [DISCOVERY, '/token']) {
      expect(sentTest(as.at(path)), path).toEqual(['1']);
      expect(as.at(path)[0]!.headers['x-two'], path).toBe('2');
    }
  });

  it('--timeout 300ms: a token endpoint that never answers ends with exit 3 within the bound', async () => {
    as.hang.add('/token');
    const r = await timed(cc('--timeout', '300ms'));
    expectOneLineError(r, 3, /timed out after 300 ms/);
    expect(r.ms).toBeLessThan(BOUND_MS);
  });

  it('--max-body lowers the 1 MiB cap', async () => {
    expectOneLineError(await cc('--max-body', '64'), 3, /larger than 64 bytes/);
  });
});

describe('jwt verify with --jwks URL or --issuer', () => {
  const verify = async (...extra: string[]): Promise<RunResult> =>
    runCli(['jwt', 'verify', await as.sign(), ...extra]);

  it('--jwks URL: -H reaches the JWKS', async () => {
    const r = await verify('--jwks', `${as.issuer}/jwks`, '-H', 'X-Test: 1');
    expect(r.code, r.stderr).toBe(0);
    expect(sentTest(as.at('/jwks'))).toEqual(['1']);
  });

  it('--issuer: -H reaches discovery and the JWKS', async () => {
    const r = await verify('--issuer', as.issuer, '-H', 'X-Test: 1');
    expect(r.code, r.stderr).toBe(0);
    expect(sentTest(as.at(DISCOVERY))).toEqual(['1']);
    expect(sentTest(as.at('/jwks'))).toEqual(['1']);
  });

  it.each([
    ['--jwks', '/jwks'],
    ['--issuer', DISCOVERY],
  ])(
    '%s: --timeout 300ms ends a fetch that never answers with exit 3 within the bound',
    async (flag, path) => {
      as.hang.add(path);
      const r = await timed(
        verify(flag, flag === '--jwks' ? `${as.issuer}/jwks` : as.issuer, '--timeout', '300ms'),
      );
      expectOneLineError(r, 3, /timed out after 300 ms/);
      expect(r.ms).toBeLessThan(BOUND_MS);
    },
  );

  it('--max-body lowers the JWKS cap, and cannot raise it above 512 KiB', async () => {
    expectOneLineError(
      await verify('--jwks', `${as.issuer}/jwks`, '--max-body', '64'),
      3,
      /larger than 64 bytes/,
    );
    as.replies.set('/jwks', { status: 200, body: JSON.stringify({ keys: [], pad: 'x'.repeat(600 * 1024) }) });
    expectOneLineError(
      await verify('--jwks', `${as.issuer}/jwks`, '--max-body', '100000000'),
      3,
      /larger than 524288 bytes/,
    );
  });

  it('a JWKS that redirects is not followed: exit 3, saying so', async () => {
    as.replies.set('/jwks', { status: 302, headers: { location: `${as.issuer}/jwks-elsewhere` }, body: '' });
    const r = await verify('--jwks', `${as.issuer}/jwks`);
    expectOneLineError(
      r,
      3,
      /HTTP 302 \(a redirect: apikit does not follow redirects for keys or metadata\)/,
    );
    expect(as.at('/jwks-elsewhere')).toEqual([]);
  });

  it('--issuer: a credential header never goes to a jwks_uri on another origin; other -H lines do', async () => {
    const keys = await startRecordingAs();
    const issuer = await startRecordingAs({ jwksUri: `${keys.issuer}/jwks` });
    try {
      const token = await keys.sign({ iss: issuer.issuer });
      const r = await runCli([
        'jwt',
        'verify',
        token,
        '--issuer',
        issuer.issuer,
        '-H',
        'Authorization: Bearer gateway-0123456789',
        '-H',
        'X-Test: 1',
      ]);
      expect(r.code, r.stderr).toBe(0);
      expect(issuer.at(DISCOVERY)[0]!.headers).toMatchObject({
        authorization: 'Bearer gateway-0123456789',
        'x-test': '1',
      });
      expect(keys.at('/jwks')[0]!.headers['x-test']).toBe('1');
      expect(keys.at('/jwks')[0]!.headers.authorization).toBeUndefined();
    } finally {
      await keys.close();
      await issuer.close();
    }
  });

  it.each([
    ['--timeout', '1s'],
    ['-H', 'X-Test: 1'],
    ['--connect-timeout', '1s'],
    ['--max-body', '1000'],
  ])('with a key file, %s is exit 2 (nothing is fetched)', async (flag, value) => {
    const dir = configDir();
    const jwks = join(dir, 'k.jwks.json');
    writeFileSync(jwks, JSON.stringify((await (await fetch(`${as.issuer}/jwks`)).json()) as object));
    as.seen.length = 0;
    const r = await runCli(['jwt', 'verify', await as.sign(), '--jwks', jwks, flag, value]);
    expectOneLineError(r, 2, /applies only to --jwks <URL> and --issuer: with these keys nothing is fetched/);
  });
});
