import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../../helpers/cli.js';
import { startOidcProvider, type OidcFixture } from '../../helpers/oidc-provider.js';
import { assertHygiene, configPath, login, readConfig, secretsOf } from '../login/harness.js';

let as: OidcFixture;
let dir: string;
const cleanups: Array<() => void> = [];
beforeAll(async () => {
  as = await startOidcProvider({ accessTokenTtl: 600 });
  const t = tempDir('apikit-profiles-');
  cleanups.push(t.cleanup);
  dir = t.dir;
  for (const p of ['default', 'staging'])
    expect((await login(as, dir, ['--profile', p])).result.code).toBe(0);
});
afterAll(async () => {
  await as.close();
  for (const c of cleanups) c();
});

describe('apikit profiles', () => {
  it.each([
    {
      tty: false,
      want: /^PROFILE\tISSUER\tCLIENT\tSUBJECT\tSTATUS\ndefault\thttp:\/\/127\.0\.0\.1:\d+\tapikit-cli\talice\tvalid, expires in (9|10)m\d*s?, refreshable\nstaging\t/,
    },
    { tty: true, want: /│ default\s+│ http:\/\/127\.0\.0\.1:\d+ │ apikit-cli │ alice\s+│ valid, expires in/ },
  ])('list (tty: $tty)', async ({ tty, want }) => {
    const result = await runCli(['profiles', 'list', '--no-color'], { env: { APIKIT_CONFIG_DIR: dir }, tty });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(want);
    assertHygiene(dir, [result.stdout, result.stderr], secretsOf(as, dir));
  });

  it('list --json: summaries, never tokens', async () => {
    const result = await runCli(['profiles', 'list', '--json'], { env: { APIKIT_CONFIG_DIR: dir } });
    const doc = JSON.parse(result.stdout);
    expect(doc.profiles.map((p: { name: string }) => p.name)).toEqual(['default', 'staging']);
    expect(doc.profiles[0]).toMatchObject({
      grant: 'authorization_code',
      clientId: 'apikit-cli',
      subject: 'alice',
      loggedIn: true,
      expired: false,
      refreshable: true,
    });
    assertHygiene(dir, [result.stdout], secretsOf(as, dir));
  });

  it('show: expiry, scopes, storage path and file mode; never tokens', async () => {
    const result = await runCli(['profiles', 'show', 'staging'], { env: { APIKIT_CONFIG_DIR: dir } });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^profile\s+staging$/m);
    expect(result.stdout).toMatch(/^scope\s+openid/m);
    expect(result.stdout).toMatch(/^expires at\s+\d{4}-/m);
    expect(result.stdout).toMatch(/^stored in\s+(\S+) \(mode 0600\)$/m);
    expect(/^stored in\s+(\S+)/m.exec(result.stdout)![1]).toBe(configPath(dir));
    const json = JSON.parse(
      (await runCli(['profiles', 'show', 'staging', '--json'], { env: { APIKIT_CONFIG_DIR: dir } })).stdout,
    );
    expect(json.storage).toEqual({
      path: configPath(dir),
      fileMode: '0600',
      directory: dir,
      directoryMode: '0700',
    });
    assertHygiene(dir, [result.stdout, JSON.stringify(json)], secretsOf(as, dir));
  });

  it.each([
    { argv: ['profiles', 'show', 'nope'], code: 2, want: /there is no profile "nope"/ },
    { argv: ['profiles', 'remove', 'nope'], code: 2, want: /there is no profile "nope"/ },
    { argv: ['profiles', 'show', '../etc'], code: 2, want: /invalid profile name/ },
  ])('$argv → exit $code', async ({ argv, code, want }) => {
    const result = await runCli(argv, { env: { APIKIT_CONFIG_DIR: dir } });
    expect(result.code).toBe(code);
    expect(result.stderr).toMatch(want);
  });

  it('remove deletes the profile and its tokens', async () => {
    const t = tempDir();
    cleanups.push(t.cleanup);
    expect((await login(as, t.dir, ['--profile', 'scratch'])).result.code).toBe(0);
    const result = await runCli(['profiles', 'remove', 'scratch', '--json'], {
      env: { APIKIT_CONFIG_DIR: t.dir },
    });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ name: 'scratch', removed: true });
    expect(readConfig(t.dir).profiles).toEqual({});
    assertHygiene(t.dir, [result.stdout, result.stderr], secretsOf(as, t.dir));
  });
});
