import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContext } from '../../../src/context.js';
import { resolveHttpFlags } from '../../../src/commands/shared/http-flags.js';
import { createIO } from '../../../src/io/io.js';
import { runCli, tempDir } from '../../helpers/cli.js';
import { startOidcProvider, type OidcFixture } from '../../helpers/oidc-provider.js';
import { assertHygiene, login, readConfig, secretsOf } from '../login/harness.js';

let as: OidcFixture;
const cleanups: Array<() => void> = [];
const TTL = 300;

beforeAll(async () => {
  as = await startOidcProvider({ accessTokenTtl: TTL });
});
afterAll(async () => {
  await as.close();
  for (const c of cleanups) c();
});

async function loggedIn(profile = 'default'): Promise<string> {
  const t = tempDir('apikit-token-');
  cleanups.push(t.cleanup);
  const { result } = await login(as, t.dir, ['--profile', profile]);
  expect(result.code, result.stderr).toBe(0);
  return t.dir;
}

function stored(dir: string, profile = 'default') {
  return readConfig(dir).profiles![profile]!.tokens as {
    accessToken: string;
    refreshToken: string;
    expiresAt: number;
    obtainedAt: number;
  };
}

/** A clock `ms` ahead of real time (the provider keeps real time). */
const ahead = (ms: number) => ({ now: () => Date.now() + ms });

describe('apikit token', () => {
  it.each([
    { format: [], want: (t: string) => `${t}\n` },
    { format: ['--format', 'bare'], want: (t: string) => `${t}\n` },
    { format: ['--format', 'header'], want: (t: string) => `Authorization: Bearer ${t}\n` },
  ])('prints the stored token without a network call: $format', async ({ format, want }) => {
    const dir = await loggedIn();
    as.requests.reset();
    const result = await runCli(['token', ...format], { env: { APIKIT_CONFIG_DIR: dir } });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe(want(stored(dir).accessToken));
    expect(result.stderr).toBe('');
    expect(as.requests.count()).toBe(0);
  });

  it.each([{ argv: ['--format', 'json'] }, { argv: ['--json'] }])('JSON output: $argv', async ({ argv }) => {
    const dir = await loggedIn();
    const result = await runCli(['token', ...argv], { env: { APIKIT_CONFIG_DIR: dir } });
    expect(result.code).toBe(0);
    const doc = JSON.parse(result.stdout);
    expect(doc).toMatchObject({
      access_token: stored(dir).accessToken,
      token_type: 'Bearer',
      profile: 'default',
      refreshed: false,
    });
    expect(doc.expires_in).toBeGreaterThan(TTL - 30);
    expect(doc.expires_at).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it('refreshes an expired token with the refresh token, stores the rotated refresh token, then reuses it', async () => {
    const dir = await loggedIn();
    const before = stored(dir);
    as.requests.reset();
    const later = ahead((TTL + 30) * 1000);
    const result = await runCli(['token', '--format', 'json'], {
      env: { APIKIT_CONFIG_DIR: dir },
      overrides: { clock: later },
    });
    expect(result.code, result.stderr).toBe(0);
    const after = stored(dir);
    const doc = JSON.parse(result.stdout);
    expect(doc.refreshed).toBe(true);
    expect(doc.access_token).toBe(after.accessToken);
    expect(after.accessToken).not.toBe(before.accessToken);
    expect(after.refreshToken).not.toBe(before.refreshToken);
    expect(as.requests.exact('/token', 'POST')).toBe(1);
    expect(await as.introspect(after.accessToken)).toMatchObject({ active: true });
    expect(await as.introspect(after.refreshToken)).toMatchObject({ active: true });
    expect(await as.introspect(before.refreshToken)).toMatchObject({ active: false });
    // The fresh token is used as it is: no second refresh.
    const again = await runCli(['token'], { env: { APIKIT_CONFIG_DIR: dir }, overrides: { clock: later } });
    expect(again.stdout.trim()).toBe(after.accessToken);
    expect(as.requests.exact('/token', 'POST')).toBe(1);
    assertHygiene(dir, [result.stderr, again.stderr], secretsOf(as, dir, [before.refreshToken]));
  });

  it('--min-ttl decides when to refresh', async () => {
    const dir = await loggedIn();
    as.requests.reset();
    const keep = await runCli(['token', '--min-ttl', '1m'], { env: { APIKIT_CONFIG_DIR: dir } });
    expect(keep.code).toBe(0);
    expect(as.requests.exact('/token')).toBe(0);
    const refresh = await runCli(['token', '--min-ttl', '10m', '--verbose'], {
      env: { APIKIT_CONFIG_DIR: dir },
    });
    expect(refresh.code).toBe(0);
    expect(as.requests.exact('/token')).toBe(1);
    expect(refresh.stderr).toMatch(/> POST .*\/token/);
    assertHygiene(
      dir,
      [refresh.stdout.replace(stored(dir).accessToken, ''), refresh.stderr],
      secretsOf(as, dir),
    );
  });

  it.each([
    { name: 'fresh token', setup: 'fresh', minTtl: '60s', code: 0 },
    { name: 'expiring token (refresh needs the network)', setup: 'fresh', minTtl: '1h', code: 4 },
    // Item 17 of issue 9: a profile that does not exist is bad input (2), as in every verb.
    { name: 'no such profile', setup: 'none', minTtl: '60s', code: 2 },
  ])('--check: $name → exit $code, nothing on stdout, no request', async ({ setup, minTtl, code }) => {
    const dir = setup === 'none' ? tempDir().dir : await loggedIn();
    as.requests.reset();
    const result = await runCli(['token', '--check', '--min-ttl', minTtl], {
      env: { APIKIT_CONFIG_DIR: dir },
    });
    expect(result.code).toBe(code);
    expect(result.stdout).toBe('');
    expect(as.requests.count()).toBe(0);
  });

  it('no session: exit 4 with the login hint', async () => {
    // A profile that exists without a session (logged out); one that does not exist is exit 2 (issue 9, item 17).
    const dir = await loggedIn('ci');
    expect((await runCli(['logout', '--profile', 'ci'], { env: { APIKIT_CONFIG_DIR: dir } })).code).toBe(0);
    const result = await runCli(['token', '--profile', 'ci'], { env: { APIKIT_CONFIG_DIR: dir } });
    expect(result.code).toBe(4);
    expect(result.stderr).toBe('error: profile "ci" is not logged in\nhint: apikit login --profile ci\n');
  });

  it('APIKIT_PROFILE selects the profile', async () => {
    const dir = await loggedIn('staging');
    const result = await runCli(['token'], { env: { APIKIT_CONFIG_DIR: dir, APIKIT_PROFILE: 'staging' } });
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe(stored(dir, 'staging').accessToken);
  });

  it('a refresh rejected with invalid_grant (session revoked): exit 4 and the login hint', async () => {
    const dir = await loggedIn('work');
    const { refreshToken } = stored(dir, 'work');
    const res = await fetch(`${as.issuer}/token/revocation`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: refreshToken, client_id: 'apikit-cli' }).toString(),
    });
    expect(res.status).toBe(200);
    const result = await runCli(['token', '--profile', 'work'], {
      env: { APIKIT_CONFIG_DIR: dir },
      overrides: { clock: ahead((TTL + 30) * 1000) },
    });
    expect(result.code).toBe(4);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/invalid_grant/);
    expect(result.stderr).toMatch(/hint: apikit login --profile work/);
    assertHygiene(dir, [result.stderr], secretsOf(as, dir));
  });
});

describe('--profile on HTTP commands (resolveHttpFlags → ctx.profileAccessToken)', () => {
  function ctxFor(dir: string, clock?: { now(): number }) {
    const io = createIO(
      { stdin: new PassThrough(), stdout: new PassThrough(), stderr: new PassThrough() },
      {},
    );
    return createContext(io, { APIKIT_CONFIG_DIR: dir }, { clock });
  }

  it('sends the profile token as a Bearer header and registers it for redaction', async () => {
    const dir = await loggedIn('api');
    const ctx = ctxFor(dir);
    const resolved = await resolveHttpFlags({ profile: 'api' }, ctx);
    expect(resolved.headers.Authorization).toBe(`Bearer ${stored(dir, 'api').accessToken}`);
    expect(ctx.redactor.redact(`x ${stored(dir, 'api').accessToken} y`)).toBe('x [REDACTED] y');
    await ctx.dispose();
  });

  it('refreshes an expired profile token like apikit token does', async () => {
    const dir = await loggedIn('api');
    const before = stored(dir, 'api').accessToken;
    const ctx = ctxFor(dir, ahead((TTL + 30) * 1000));
    const resolved = await resolveHttpFlags({ profile: 'api' }, ctx);
    const after = stored(dir, 'api').accessToken;
    expect(after).not.toBe(before);
    expect(resolved.headers.Authorization).toBe(`Bearer ${after}`);
    await ctx.dispose();
  });

  it('a profile without a session is exit 4 with the login hint', async () => {
    // Logged out, so it exists without a session; one that does not exist is exit 2 (issue 9, item 17).
    const dir = await loggedIn('nobody');
    expect((await runCli(['logout', '--profile', 'nobody'], { env: { APIKIT_CONFIG_DIR: dir } })).code).toBe(
      0,
    );
    const ctx = ctxFor(dir);
    await expect(resolveHttpFlags({ profile: 'nobody' }, ctx)).rejects.toMatchObject({
      exitCode: 4,
      hint: 'apikit login --profile nobody',
    });
    await ctx.dispose();
  });
});
