import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../../helpers/cli.js';
import { startOidcProvider, type OidcFixture } from '../../helpers/oidc-provider.js';
import { assertHygiene, configPath, login, readConfig, secretsOf } from '../login/harness.js';

let as: OidcFixture;
const cleanups: Array<() => void> = [];
beforeAll(async () => {
  as = await startOidcProvider();
});
afterAll(async () => {
  await as.close();
  for (const c of cleanups) c();
});

async function loggedIn(...profiles: string[]): Promise<string> {
  const t = tempDir('apikit-logout-');
  cleanups.push(t.cleanup);
  for (const p of profiles) expect((await login(as, t.dir, ['--profile', p])).result.code).toBe(0);
  return t.dir;
}
const tokensOf = (dir: string, p: string) =>
  readConfig(dir).profiles![p]!.tokens as { accessToken: string; refreshToken: string };

describe('apikit logout', () => {
  it.each([{ json: false }, { json: true }])(
    'revokes at the issuer (introspection: inactive) and forgets the tokens (json: $json)',
    async ({ json }) => {
      const dir = await loggedIn('default');
      const { accessToken, refreshToken } = tokensOf(dir, 'default');
      expect(await as.introspect(refreshToken)).toMatchObject({ active: true });
      const secrets = secretsOf(as, dir);
      const result = await runCli(['logout', ...(json ? ['--json'] : [])], {
        env: { APIKIT_CONFIG_DIR: dir },
      });
      expect(result.code, result.stderr).toBe(0);
      expect(await as.introspect(refreshToken)).toMatchObject({ active: false });
      expect(await as.introspect(accessToken)).toMatchObject({ active: false });
      expect(readConfig(dir).profiles!.default!.tokens).toBeUndefined();
      if (json) {
        expect(JSON.parse(result.stdout)).toEqual({
          profiles: [
            {
              name: 'default',
              wasLoggedIn: true,
              revoked: { refreshToken: true, accessToken: true },
              forgotten: true,
              warnings: [],
            },
          ],
        });
      } else {
        expect(result.stderr).toBe('Logged out of profile "default" (tokens revoked at the issuer).\n');
      }
      const after = await runCli(['token'], { env: { APIKIT_CONFIG_DIR: dir } });
      expect(after.code).toBe(4);
      assertHygiene(dir, [result.stdout, result.stderr], secrets);
    },
  );

  it('--all logs out of every profile', async () => {
    const dir = await loggedIn('a', 'b');
    const b = tokensOf(dir, 'b');
    const result = await runCli(['logout', '--all', '--json'], { env: { APIKIT_CONFIG_DIR: dir } });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).profiles.map((p: { name: string }) => p.name)).toEqual(['a', 'b']);
    expect(await as.introspect(b.refreshToken)).toMatchObject({ active: false });
    expect(Object.values(readConfig(dir).profiles!).every((p) => p.tokens === undefined)).toBe(true);
  });

  it('offline: still deletes the tokens and warns, exit 0', async () => {
    const dir = await loggedIn('default');
    const secrets = secretsOf(as, dir);
    // Point the revocation endpoint at a closed port.
    const doc = JSON.parse(readFileSync(configPath(dir), 'utf8'));
    doc.profiles.default.revocationEndpoint = 'http://127.0.0.1:9/revoke';
    writeFileSync(configPath(dir), JSON.stringify(doc));
    const result = await runCli(['logout'], { env: { APIKIT_CONFIG_DIR: dir } });
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(
      /warning: profile "default": could not revoke the refresh token \(.*connection refused\)/,
    );
    expect(result.stderr).toMatch(/deleted locally only/);
    expect(readConfig(dir).profiles!.default!.tokens).toBeUndefined();
    assertHygiene(dir, [result.stdout, result.stderr], secrets);
  });

  it.each([
    { argv: ['logout', '--profile', 'nope'], code: 2, want: /there is no profile "nope"/ },
    { argv: ['logout', '--profile', 'x', '--all'], code: 2, want: /choose one of --profile and --all/ },
  ])('$argv → exit $code', async ({ argv, code, want }) => {
    const t = tempDir();
    cleanups.push(t.cleanup);
    const result = await runCli(argv, { env: { APIKIT_CONFIG_DIR: t.dir } });
    expect(result.code).toBe(code);
    expect(result.stderr).toMatch(want);
  });
});
