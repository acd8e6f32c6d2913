import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/cli.js';
import { configDir, frozen, loginProfile, NOW } from './profile-fixture.js';

/**
 * `apikit token --check` answers with its exit code alone — 0 a token valid for --min-ttl is stored, 4 none, 2
 * no such profile — and prints nothing, on a terminal or piped, unless --verbose asks why. And `apikit token`'s
 * --format and --json cannot contradict each other.
 */
const cleanups: Array<() => void> = [];
afterAll(() => cleanups.forEach((c) => c()));

const tokens = (expiresInMs: number, refresh = true) => ({
  accessToken: 'stored-access-token-0123456789',
  tokenType: 'Bearer',
  ...(refresh ? { refreshToken: 'stored-refresh-token-0123456789' } : {}),
  obtainedAt: NOW - 60_000,
  expiresAt: NOW + expiresInMs,
});

function dir(): string {
  return configDir(
    [
      loginProfile('fresh', tokens(3_600_000)),
      loginProfile('expiring', tokens(30_000)),
      loginProfile('expiring-no-refresh', tokens(30_000, false)),
      loginProfile('logged-out'),
    ],
    cleanups,
  );
}

describe('token --check is silent', () => {
  it.each([
    { profile: 'fresh', code: 0 },
    { profile: 'expiring', code: 4 },
    { profile: 'expiring-no-refresh', code: 4 },
    { profile: 'logged-out', code: 4 },
    { profile: 'nope', code: 2 },
  ])(
    '--profile $profile → exit $code, nothing on stdout or stderr (tty and piped)',
    async ({ profile, code }) => {
      const d = dir();
      for (const tty of [true, false]) {
        const res = await runCli(['token', '--check', '--profile', profile], {
          tty,
          env: { APIKIT_CONFIG_DIR: d },
          overrides: frozen,
        });
        expect(res, `tty=${tty}`).toEqual({ code, stdout: '', stderr: '' });
      }
    },
  );

  it.each([
    {
      profile: 'expiring',
      code: 4,
      want: 'error: the access token of profile "expiring" expires within 60s\nhint: apikit token --profile expiring (refreshes it)\n',
    },
    {
      profile: 'expiring-no-refresh',
      code: 4,
      want: 'error: the access token of profile "expiring-no-refresh" expires within 60s\nhint: apikit login --profile expiring-no-refresh\n',
    },
    {
      profile: 'logged-out',
      code: 4,
      want: 'error: profile "logged-out" is not logged in\nhint: apikit login --profile logged-out\n',
    },
    { profile: 'nope', code: 2, want: 'error: there is no profile "nope"\nhint: apikit profiles list\n' },
  ])('--verbose says why: $profile → exit $code', async ({ profile, code, want }) => {
    const res = await runCli(['token', '--check', '--verbose', '--profile', profile], {
      env: { APIKIT_CONFIG_DIR: dir() },
      overrides: frozen,
    });
    expect(res).toEqual({ code, stdout: '', stderr: want });
  });

  it('a usage error is still reported: it is not the answer to --check', async () => {
    const res = await runCli(['token', '--check', '--min-ttl', 'soon'], {
      env: { APIKIT_CONFIG_DIR: dir() },
    });
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/^error: --min-ttl "soon" is not a duration/);
  });
});

describe('token --format and --json', () => {
  it.each([
    { argv: ['token', '--format', 'header', '--json'], format: 'header' },
    { argv: ['--json', 'token', '--format', 'bare'], format: 'bare' },
    { argv: ['token', '--json', '--format', 'header', '--profile', 'fresh'], format: 'header' },
  ])('$argv → exit 2 naming both flags', async ({ argv, format }) => {
    const res = await runCli(argv, {
      env: { APIKIT_CONFIG_DIR: dir(), APIKIT_PROFILE: 'fresh' },
      overrides: frozen,
    });
    expect(res.code, res.stderr).toBe(2);
    expect(res.stderr.split('\n')[0]).toBe(`error: --json conflicts with --format ${format}`);
    expect(res.stdout).not.toContain('stored-access-token');
  });

  it.each([
    [['token', '--json']],
    [['token', '--format', 'json', '--json']],
    [['token', '--format', 'json']],
  ])('%j → the JSON document', async (argv) => {
    const res = await runCli(argv, {
      env: { APIKIT_CONFIG_DIR: dir(), APIKIT_PROFILE: 'fresh' },
      overrides: frozen,
    });
    expect(res.code, res.stderr).toBe(0);
    expect(JSON.parse(res.stdout)).toMatchObject({
      access_token: 'stored-access-token-0123456789',
      profile: 'fresh',
    });
  });
});
