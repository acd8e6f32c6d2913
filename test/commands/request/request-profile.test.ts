import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/cli.js';
import { startOidcProvider, type OidcFixture } from '../../helpers/oidc-provider.js';
import { assertHygiene, configDirs, configPath, login, readConfig, secretsOf } from '../login/harness.js';
import { sendJson, startRecordingServer, type RecordingServer } from './harness.js';

/**
 * Issue 14: `apikit request --profile NAME` sends the profile's access token, refreshed first when it is about to
 * expire (the real provider of test/helpers/oidc-provider.ts, the refresh under the profile's lock), and a
 * session the provider no longer honours is exit 4 with the way back (apikit login).
 */
const TTL = 300;
let as: OidcFixture;
let api: RecordingServer;
const newDir = configDirs('apikit-request-profile-');

beforeAll(async () => {
  as = await startOidcProvider({ accessTokenTtl: TTL });
  api = await startRecordingServer({
    '/v1/me': (req, res) =>
      sendJson(res, 200, { ok: true, sawAuth: typeof req.headers.authorization === 'string' }),
  });
});
afterAll(async () => {
  await Promise.all([as.close(), api.close()]);
});
beforeEach(() => {
  api.seen.length = 0;
});

const tokens = (dir: string) =>
  readConfig(dir).profiles!.default!.tokens as { accessToken: string; refreshToken: string };

/** A clock `ms` ahead of real time (the provider keeps real time). */
const ahead = (ms: number) => ({ now: () => Date.now() + ms });

async function loggedIn(): Promise<string> {
  const dir = newDir();
  const { result } = await login(as, dir);
  expect(result.code, result.stderr).toBe(0);
  return dir;
}

describe('request --profile', () => {
  it('sends the stored access token as it is while it is fresh (no request to the provider)', async () => {
    const dir = await loggedIn();
    as.requests.reset();
    const r = await runCli(['request', 'GET', `${api.url}/v1/me`, '--profile', 'default'], {
      env: { APIKIT_CONFIG_DIR: dir },
    });
    expect(r.code, r.stderr).toBe(0);
    expect(api.seen).toHaveLength(1);
    expect(api.seen[0]!.headers.authorization).toBe(`Bearer ${tokens(dir).accessToken}`);
    expect(as.requests.count()).toBe(0);
    assertHygiene(dir, [r.stdout, r.stderr], secretsOf(as, dir));
  });

  it('refreshes an expiring token first (one refresh, rotated), then sends the new one', async () => {
    const dir = await loggedIn();
    const before = tokens(dir);
    as.requests.reset();
    const r = await runCli(['request', 'GET', `${api.url}/v1/me`, '--profile', 'default', '--json'], {
      env: { APIKIT_CONFIG_DIR: dir },
      overrides: { clock: ahead((TTL + 30) * 1000) },
    });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ status: 200, body: { ok: true, sawAuth: true } });
    const after = tokens(dir);
    expect(after.accessToken).not.toBe(before.accessToken);
    expect(after.refreshToken).not.toBe(before.refreshToken);
    expect(as.requests.exact('/token', 'POST')).toBe(1);
    expect(api.seen).toHaveLength(1);
    expect(api.seen[0]!.headers.authorization).toBe(`Bearer ${after.accessToken}`);
    assertHygiene(dir, [r.stdout, r.stderr], secretsOf(as, dir, [before.refreshToken]));
  });

  it('a refresh the provider refuses: exit 4 with the way back, and nothing sent to the API', async () => {
    const dir = await loggedIn();
    const doc = JSON.parse(readFileSync(configPath(dir), 'utf8'));
    doc.profiles.default.tokens.refreshToken = 'not-a-refresh-token-the-provider-issued';
    writeFileSync(configPath(dir), JSON.stringify(doc, null, '\t'));
    const r = await runCli(['request', 'GET', `${api.url}/v1/me`, '--profile', 'default'], {
      env: { APIKIT_CONFIG_DIR: dir },
      overrides: { clock: ahead((TTL + 30) * 1000) },
    });
    expect(r.code, r.stderr).toBe(4);
    expect(r.stderr).toMatch(/apikit login/);
    expect(api.seen).toHaveLength(0);
    assertHygiene(dir, [r.stdout, r.stderr], secretsOf(as, dir));
  });
});
