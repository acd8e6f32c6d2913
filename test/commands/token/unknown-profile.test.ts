import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveHttpFlags } from '../../../src/commands/shared/http-flags.js';
import { createContext } from '../../../src/context.js';
import { createIO } from '../../../src/io/io.js';
import { hasStackTrace, runCli } from '../../helpers/cli.js';
import { configDir, frozen, loginProfile, NOW } from './profile-fixture.js';

/**
 * One rule for a profile that is not there, in every verb that takes a profile name (README, exit codes): a
 * profile that does not exist is bad input — exit 2, `there is no profile "NAME"`, hint `apikit profiles list`;
 * a profile that exists without a usable session is authentication needed — exit 4, hint `apikit login`.
 */
const cleanups: Array<() => void> = [];
afterAll(() => cleanups.forEach((c) => c()));

const NOT_FOUND = 'error: there is no profile "nope"\nhint: apikit profiles list\n';

describe('a profile that does not exist: exit 2 in every verb', () => {
  it.each([
    { argv: ['token', '--profile', 'nope'], env: {} },
    { argv: ['token'], env: { APIKIT_PROFILE: 'nope' } },
    { argv: ['token', '--format', 'header', '--profile', 'nope'], env: {} },
    { argv: ['token', '--check', '--verbose', '--profile', 'nope'], env: {} },
    { argv: ['logout', '--profile', 'nope'], env: {} },
    { argv: ['logout'], env: { APIKIT_PROFILE: 'nope' } },
    { argv: ['profiles', 'show', 'nope'], env: {} },
    { argv: ['profiles', 'remove', 'nope'], env: {} },
  ])('$argv $env → exit 2, the same two lines', async ({ argv, env }) => {
    // Another profile exists: "nope" is a typo, not an empty config.
    const dir = configDir([loginProfile('work')], cleanups);
    const res = await runCli(argv, { env: { APIKIT_CONFIG_DIR: dir, ...env }, overrides: frozen });
    expect(res.code, res.stderr).toBe(2);
    expect(res.stdout).toBe('');
    expect(res.stderr).toBe(NOT_FOUND);
    expect(hasStackTrace(res.stderr)).toBe(false);
  });

  it('token --check without --verbose: exit 2 and silent', async () => {
    const dir = configDir([], cleanups);
    const res = await runCli(['token', '--check', '--profile', 'nope'], { env: { APIKIT_CONFIG_DIR: dir } });
    expect(res).toEqual({ code: 2, stdout: '', stderr: '' });
  });

  it('--profile of the HTTP flags: exit 2, ERR_PROFILE_NOT_FOUND', async () => {
    const dir = configDir([loginProfile('work')], cleanups);
    const io = createIO(
      { stdin: new PassThrough(), stdout: new PassThrough(), stderr: new PassThrough() },
      {},
    );
    const ctx = createContext(io, { APIKIT_CONFIG_DIR: dir }, frozen);
    await expect(resolveHttpFlags({ profile: 'nope' }, ctx)).rejects.toMatchObject({
      exitCode: 2,
      code: 'ERR_PROFILE_NOT_FOUND',
      message: 'there is no profile "nope"',
      hint: 'apikit profiles list',
    });
    await ctx.dispose();
  });
});

describe('a profile that exists without a usable session: exit 4', () => {
  const expired = {
    accessToken: 'expired-access-token',
    tokenType: 'Bearer',
    obtainedAt: NOW - 7_200_000,
    expiresAt: NOW - 3_600_000,
  };
  it.each([
    {
      name: 'logged out',
      tokens: undefined,
      want: 'error: profile "ci" is not logged in\nhint: apikit login --profile ci\n',
    },
    {
      name: 'expired, no refresh token',
      tokens: expired,
      want: 'error: the access token of profile "ci" has expired and there is no refresh token\nhint: apikit login --profile ci\n',
    },
  ])('token: $name → exit 4 with the login hint', async ({ tokens, want }) => {
    const dir = configDir([loginProfile('ci', tokens)], cleanups);
    const res = await runCli(['token', '--profile', 'ci'], {
      env: { APIKIT_CONFIG_DIR: dir },
      overrides: frozen,
    });
    expect(res.code, res.stderr).toBe(4);
    expect(res.stdout).toBe('');
    expect(res.stderr).toBe(want);
  });

  it('--profile of the HTTP flags: exit 4, ERR_PROFILE_NO_SESSION', async () => {
    const dir = configDir([loginProfile('ci')], cleanups);
    const io = createIO(
      { stdin: new PassThrough(), stdout: new PassThrough(), stderr: new PassThrough() },
      {},
    );
    const ctx = createContext(io, { APIKIT_CONFIG_DIR: dir }, frozen);
    await expect(resolveHttpFlags({ profile: 'ci' }, ctx)).rejects.toMatchObject({
      exitCode: 4,
      code: 'ERR_PROFILE_NO_SESSION',
      hint: 'apikit login --profile ci',
    });
    await ctx.dispose();
  });

  it('logout and profiles show of such a profile succeed (it exists)', async () => {
    const dir = configDir([loginProfile('ci')], cleanups);
    const env = { APIKIT_CONFIG_DIR: dir };
    expect((await runCli(['profiles', 'show', 'ci'], { env, overrides: frozen })).code).toBe(0);
    const out = await runCli(['logout', '--profile', 'ci'], { env, overrides: frozen });
    expect(out.code, out.stderr).toBe(0);
    expect(out.stderr).toMatch(/was not logged in/);
  });
});
