import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBin, tempDir } from '../../helpers/cli.js';
import { startOidcProvider, type OidcFixture } from '../../helpers/oidc-provider.js';
import { assertHygiene, configPath, login, makeExpiring, readConfig, secretsOf } from '../login/harness.js';

/**
 * Twenty `apikit token` processes (the built binary) on an expiring profile against a strict server (rotating
 * refresh tokens; reusing a rotated one revokes the grant): exactly one refresh, one token for all, grant alive.
 */
let as: OidcFixture;
let cleanup: () => void = () => undefined;

beforeAll(async () => {
  execFileSync('npm', ['run', 'build'], {
    cwd: join(import.meta.dirname, '..', '..', '..'),
    stdio: 'ignore',
  });
  as = await startOidcProvider({ accessTokenTtl: 120 });
}, 120_000);
afterAll(async () => {
  await as.close();
  cleanup();
});

describe('apikit token: twenty processes at once', () => {
  it('exactly one refresh; all print the same valid token; the grant survives; the config stays valid', async () => {
    const t = tempDir('apikit-concurrency-');
    cleanup = t.cleanup;
    const { result } = await login(as, t.dir);
    expect(result.code, result.stderr).toBe(0);
    const before = readConfig(t.dir).profiles!.default!.tokens as {
      accessToken: string;
      refreshToken: string;
    };
    // Expiring within the default --min-ttl (60s), though still valid at the server.
    makeExpiring(t.dir, 'default', 10_000);
    as.requests.reset();

    const runs = await Promise.all(
      Array.from({ length: 20 }, () =>
        runBin(['token'], { env: { APIKIT_CONFIG_DIR: t.dir }, timeoutMs: 60_000 }),
      ),
    );
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
    const printed = new Set(runs.map((r) => r.stdout));
    expect(printed.size).toBe(1);
    const token = [...printed][0]!.trim();

    expect(as.requests.exact('/token', 'POST')).toBe(1);
    const after = readConfig(t.dir).profiles!.default!.tokens as {
      accessToken: string;
      refreshToken: string;
    };
    expect(token).toBe(after.accessToken);
    expect(token).not.toBe(before.accessToken);
    expect(after.refreshToken).not.toBe(before.refreshToken);
    expect(await as.introspect(token)).toMatchObject({ active: true, sub: 'alice' });
    // Not revoked by a second use of the rotated refresh token.
    expect(await as.introspect(after.refreshToken)).toMatchObject({ active: true });

    JSON.parse(readFileSync(configPath(t.dir), 'utf8'));
    expect(statSync(configPath(t.dir)).mode & 0o777).toBe(0o600);
    assertHygiene(
      t.dir,
      runs.map((r) => r.stderr),
      secretsOf(as, t.dir, [before.refreshToken]),
    );
  }, 120_000);
});
