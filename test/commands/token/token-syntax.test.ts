import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasStackTrace, runCli, tempDir } from '../../helpers/cli.js';
import { startHostileAs, type HostileAs, type TokenReply } from '../../helpers/hostile-as.js';
import { configDir, loginProfile } from './profile-fixture.js';

/**
 * A token value is checked against its RFC syntax before apikit prints, stores or sends it: a Bearer access token
 * is an RFC 6750 b64token, any other access token and a refresh token RFC 6749 VSCHARs, token_type a type name or
 * URI. Anything else from a token endpoint is exit 3 naming the field — in `token client-credentials`, in
 * `token`'s refresh and in `login` (all parse the answer in src/oauth/token-endpoint.ts).
 */
let as: HostileAs;
let reply: TokenReply;
const cleanups: Array<() => void> = [];
beforeAll(async () => {
  as = await startHostileAs({ token: () => reply });
});
afterAll(async () => {
  await as.close();
  cleanups.forEach((c) => c());
});

function freshDir(): string {
  const t = tempDir('apikit-syntax-');
  cleanups.push(t.cleanup);
  return t.dir;
}

const ok = { access_token: 'good-token-0123456789', token_type: 'Bearer', expires_in: 300 };

const HOSTILE = [
  { field: 'access_token', body: { ...ok, access_token: 'abc\ndef: x' } },
  { field: 'access_token', body: { ...ok, access_token: 'abc\r\nSet-Cookie: a=b' } },
  { field: 'access_token', body: { ...ok, access_token: 'two words' } },
  { field: 'access_token', body: { ...ok, access_token: 'abc\u001b[2Jdef' } },
  { field: 'access_token', body: { ...ok, access_token: 'tök€n' } },
  { field: 'token_type', body: { ...ok, token_type: 'Bearer\nX-Injected: 1' } },
  { field: 'token_type', body: { ...ok, token_type: 'Bearer x' } },
  { field: 'refresh_token', body: { ...ok, refresh_token: 'refresh\nX-Injected: 1' } },
];

const cc = (dir: string, ...extra: string[]) =>
  runCli(
    [
      'token',
      'client-credentials',
      '--issuer',
      as.issuer,
      '--client-id',
      'ci-bot',
      '--client-secret-env',
      'SECRET',
      ...extra,
    ],
    { env: { SECRET: 'client-secret-value', APIKIT_CONFIG_DIR: dir } },
  );

describe('token client-credentials', () => {
  it.each(HOSTILE)(
    'an invalid $field → exit 3 naming it, nothing printed or cached',
    async ({ field, body }) => {
      reply = { body };
      const dir = freshDir();
      for (const format of ['bare', 'header', 'json']) {
        const res = await cc(dir, '--format', format);
        expect(res.code, res.stderr).toBe(3);
        expect(res.stdout).toBe('');
        expect(res.stderr).toMatch(
          new RegExp(`^error: token endpoint 127\\.0\\.0\\.1:\\d+ answered with an invalid ${field} \\(`),
        );
        expect(res.stderr.trim().split('\n')).toHaveLength(1);
        expect(hasStackTrace(res.stderr)).toBe(false);
        // The value itself is not echoed (it is a credential, and it is the hostile part).
        expect(res.stderr).not.toContain('X-Injected');
        expect(res.stderr).not.toContain('def: x');
      }
      expect(existsSync(join(dir, 'token-cache.json'))).toBe(false);
    },
  );

  it('a valid token still prints as one header line; a non-Bearer type allows any VSCHAR token', async () => {
    reply = { body: ok };
    const bearer = await cc(freshDir(), '--format', 'header');
    expect(bearer).toMatchObject({ code: 0, stdout: 'Authorization: Bearer good-token-0123456789\n' });
    reply = { body: { ...ok, token_type: 'N_A', access_token: 'app|opaque:value with space' } };
    const other = await cc(freshDir(), '--format', 'header');
    expect(other).toMatchObject({ code: 0, stdout: 'Authorization: N_A app|opaque:value with space\n' });
  });

  it('a cached token that breaks the syntax (an old or edited cache) is a miss, not printed', async () => {
    reply = { body: ok };
    const dir = freshDir();
    expect((await cc(dir)).code).toBe(0);
    const path = join(dir, 'token-cache.json');
    const cache = JSON.parse(readFileSync(path, 'utf8'));
    for (const entry of Object.values(cache.entries) as Array<{ response: Record<string, unknown> }>)
      entry.response.access_token = 'abc\ndef: x';
    writeFileSync(path, JSON.stringify(cache));
    const before = as.requests.length;
    reply = { body: { ...ok, access_token: 'renewed-token-0123456789' } };
    const res = await cc(dir, '--format', 'header');
    expect(res).toMatchObject({ code: 0, stdout: 'Authorization: Bearer renewed-token-0123456789\n' });
    expect(as.requests.slice(before).filter((r) => r.path === '/token')).toHaveLength(1);
  });
});

describe('apikit token (refresh) and the stored profile', () => {
  const NOW = Date.now();
  const stored = {
    accessToken: 'old-access-token-0123456789',
    tokenType: 'Bearer',
    refreshToken: 'old-refresh-token-0123456789',
    obtainedAt: NOW - 600_000,
    expiresAt: NOW - 1_000,
  };

  it.each(HOSTILE)(
    'a refresh answered with an invalid $field → exit 3, the profile unchanged',
    async ({ field, body }) => {
      reply = { body };
      const dir = configDir(
        [loginProfile('work', stored, { tokenEndpoint: `${as.issuer}/token` })],
        cleanups,
      );
      const before = readFileSync(join(dir, 'config.json'), 'utf8');
      const res = await runCli(['token', '--profile', 'work', '--format', 'header'], {
        env: { APIKIT_CONFIG_DIR: dir },
      });
      expect(res.code, res.stderr).toBe(3);
      expect(res.stdout).toBe('');
      expect(res.stderr).toMatch(new RegExp(`answered with an invalid ${field} \\(`));
      expect(readFileSync(join(dir, 'config.json'), 'utf8')).toBe(before);
    },
  );

  it.each([
    { field: 'access_token', tokens: { ...stored, expiresAt: NOW + 3_600_000, accessToken: 'abc\ndef: x' } },
    { field: 'refresh_token', tokens: { ...stored, expiresAt: NOW + 3_600_000, refreshToken: 'r\nX: y' } },
  ])(
    'a stored $field that breaks the syntax is exit 2 naming the file, never printed',
    async ({ field, tokens }) => {
      const dir = configDir([loginProfile('work', tokens)], cleanups);
      const res = await runCli(['token', '--profile', 'work', '--format', 'header'], {
        env: { APIKIT_CONFIG_DIR: dir },
      });
      expect(res.code, res.stderr).toBe(2);
      expect(res.stdout).toBe('');
      expect(res.stderr).toContain(
        `config file "${join(dir, 'config.json')}": profile "work" holds an invalid ${field}`,
      );
      expect(res.stderr).toContain('hint: apikit login --profile work');
    },
  );
});

describe('apikit login', () => {
  // One per field (each device login waits one poll interval).
  const onePerField = HOSTILE.filter((h, i) => HOSTILE.findIndex((o) => o.field === h.field) === i);
  it.each(onePerField)(
    'a device-flow token response with an invalid $field → exit 3, nothing stored',
    async ({ field, body }) => {
      const device = await startHostileAs({ devicePolls: [{ body }] });
      try {
        const dir = freshDir();
        const res = await runCli(
          ['login', '--issuer', device.issuer, '--client-id', 'apikit-cli', '--device', '--scope', 'read'],
          { env: { APIKIT_CONFIG_DIR: dir } },
        );
        expect(res.code, res.stderr).toBe(3);
        expect(res.stdout).toBe('');
        expect(res.stderr).toMatch(new RegExp(`answered with an invalid ${field} \\(`));
        const config = join(dir, 'config.json');
        if (existsSync(config))
          expect(JSON.parse(readFileSync(config, 'utf8')).profiles?.default).toBeUndefined();
      } finally {
        await device.close();
      }
    },
  );
});
