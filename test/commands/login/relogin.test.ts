import { mkdirSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser } from '../../helpers/browser.js';
import { runCli } from '../../helpers/cli.js';
import { RESOURCE, startOidcProvider, type OidcFixture } from '../../helpers/oidc-provider.js';
import {
  assertHygiene,
  assertNothingStored,
  configPath,
  login,
  readConfig,
  secretsOf,
  startCli,
  configDirs,
} from './harness.js';

/**
 * `apikit login --profile NAME` into an existing profile — the hint apikit prints when a session is gone — starts
 * from what that profile stores: its server, client id, scope, resource, audience and params, each unless given
 * again. A new profile still needs a server and a client id (exit 2 naming what is missing).
 */
let as: OidcFixture;
const configDir = configDirs('apikit-relogin-');

beforeAll(async () => {
  as = await startOidcProvider();
});
afterAll(async () => {
  await as.close();
});

/** Runs `argv` (a login), plays the browser, and returns the authorization URL apikit built with the result. */
async function relogin(dir: string, argv: string[], browser = new Browser()) {
  const run = startCli(argv, { env: { APIKIT_CONFIG_DIR: dir } });
  const url = new URL(await run.authorizationUrl());
  const page = await browser.request(await browser.authorize(url.href));
  const result = await run.done;
  return { url, page, result };
}

describe('apikit login --profile NAME reuses the stored profile', () => {
  it('after a login, `login --profile NAME` with no other flag completes against the provider', async () => {
    const dir = configDir();
    const first = await login(as, dir, [
      '--profile',
      'work',
      '--scope',
      'openid read:reports',
      '--resource',
      RESOURCE,
      '--param',
      'ui_locales=de',
    ]);
    expect(first.result.code, first.result.stderr).toBe(0);
    const before = readConfig(dir).profiles!.work!;

    // Not a terminal: no browser is opened, the URL is printed (as with --no-browser).
    const { url, page, result } = await relogin(dir, ['login', '--profile', 'work'], first.browser);
    expect(result.code, result.stderr).toBe(0);
    expect(page.status).toBe(200);
    // The request carries the profile's client, scope, resource and params; discovery ran again for its issuer.
    expect(url.origin + url.pathname).toBe(`${as.issuer}/auth`);
    expect(url.searchParams.get('client_id')).toBe('apikit-cli');
    expect(url.searchParams.get('scope')).toBe('openid read:reports');
    expect(url.searchParams.getAll('resource')).toEqual([RESOURCE]);
    expect(url.searchParams.get('ui_locales')).toBe('de');
    expect(url.searchParams.get('nonce')).toBeTruthy();
    const after = readConfig(dir).profiles!.work!;
    expect(after).toMatchObject({
      issuer: as.issuer,
      clientId: 'apikit-cli',
      scope: 'openid read:reports',
      resource: [RESOURCE],
      params: { ui_locales: 'de' },
      subject: 'alice',
      createdAt: before.createdAt,
    });
    expect(after.tokens!.accessToken).not.toBe(before.tokens!.accessToken);
    expect(result.stderr).toMatch(/Logged in as alice \(profile "work"/);
    assertHygiene(dir, [result.stdout, result.stderr], secretsOf(as, dir));
  });

  it('after logout, APIKIT_PROFILE alone is enough too; a flag given again wins over the stored value', async () => {
    const dir = configDir();
    expect((await login(as, dir, ['--profile', 'ci', '--scope', 'openid read:reports'])).result.code).toBe(0);
    const out = await runCli(['logout', '--profile', 'ci'], { env: { APIKIT_CONFIG_DIR: dir } });
    expect(out.code, out.stderr).toBe(0);
    expect(readConfig(dir).profiles!.ci!.tokens).toBeUndefined();

    const run = startCli(['login', '--scope', 'openid', '--no-browser'], {
      env: { APIKIT_CONFIG_DIR: dir, APIKIT_PROFILE: 'ci' },
    });
    const url = new URL(await run.authorizationUrl());
    expect(url.searchParams.get('client_id')).toBe('apikit-cli');
    expect(url.searchParams.get('scope')).toBe('openid');
    const browser = new Browser();
    expect((await browser.request(await browser.authorize(url.href))).status).toBe(200);
    const result = await run.done;
    expect(result.code, result.stderr).toBe(0);
    expect(readConfig(dir).profiles!.ci).toMatchObject({ scope: 'openid', subject: 'alice' });
  });

  it('a profile of endpoints given by hand reuses them and its --jwks-uri (the ID token is validated again)', async () => {
    const dir = configDir();
    const byHand = [
      '--authorization-endpoint',
      `${as.issuer}/auth`,
      '--token-endpoint',
      `${as.issuer}/token`,
      '--jwks-uri',
      `${as.issuer}/jwks`,
    ];
    const first = await relogin(dir, [
      'login',
      ...byHand,
      '--client-id',
      'apikit-cli',
      '--scope',
      'openid',
      '--profile',
      'manual',
      '--no-browser',
    ]);
    expect(first.result.code, first.result.stderr).toBe(0);

    const { url, result } = await relogin(dir, ['login', '--profile', 'manual', '--no-browser']);
    expect(result.code, result.stderr).toBe(0);
    expect(url.origin + url.pathname).toBe(`${as.issuer}/auth`);
    expect(result.stderr).toMatch(/checked against --jwks-uri/);
    expect(readConfig(dir).profiles!.manual).toMatchObject({
      authorizationEndpoint: `${as.issuer}/auth`,
      tokenEndpoint: `${as.issuer}/token`,
      jwksUri: `${as.issuer}/jwks`,
      idTokenIssuer: as.issuer,
      subject: 'alice',
    });
    expect(readConfig(dir).profiles!.manual!.tokens!.idToken).toBeTruthy();
  });

  it.each([
    {
      name: 'a new profile with neither server nor client',
      argv: ['login', '--profile', 'fresh'],
      want: 'error: give either --issuer, or --authorization-endpoint and --token-endpoint, and --client-id (no profile "fresh" to take them from)',
    },
    {
      name: 'a new profile without --client-id',
      argv: ['login', '--issuer', 'https://auth.example', '--profile', 'fresh'],
      want: 'error: give --client-id (no profile "fresh" to take it from)',
    },
    {
      name: 'a new profile without a server',
      argv: ['login', '--client-id', 'apikit-cli', '--profile', 'fresh'],
      want: 'error: give either --issuer, or --authorization-endpoint and --token-endpoint (no profile "fresh" to take it from)',
    },
    {
      name: 'a client-credentials profile',
      argv: ['login', '--profile', 'machine'],
      want: 'error: give either --issuer, or --authorization-endpoint and --token-endpoint, and --client-id (profile "machine" holds client credentials, not a login)',
    },
    {
      name: 'an existing profile with another --issuer and no --client-id',
      argv: ['login', '--profile', 'known', '--issuer', 'https://other.example'],
      want: 'error: give --client-id (profile "known" is for another server: nothing is taken from it)',
    },
  ])('$name: exit 2 naming what is missing, nothing sent or stored', async ({ argv, want }) => {
    const dir = configDir();
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const stored = {
      machine: {
        name: 'machine',
        grant: 'client_credentials',
        tokenEndpoint: `${as.issuer}/token`,
        clientId: 'svc',
        clientAuth: { method: 'client_secret_basic', secretEnv: 'SVC_SECRET' },
        createdAt: 1,
        updatedAt: 1,
      },
      known: {
        name: 'known',
        grant: 'authorization_code',
        issuer: as.issuer,
        tokenEndpoint: `${as.issuer}/token`,
        clientId: 'apikit-cli',
        createdAt: 1,
        updatedAt: 1,
      },
    };
    writeFileSync(configPath(dir), JSON.stringify({ profiles: stored }), { mode: 0o600 });
    as.requests.reset();
    const result = await startCli(argv, { env: { APIKIT_CONFIG_DIR: dir } }).done;
    expect(result.code).toBe(2);
    expect(result.stderr.split('\n')[0]).toBe(want);
    expect(as.requests.count()).toBe(0);
    assertNothingStored(dir, 'fresh');
    expect(readConfig(dir).profiles).toEqual(stored);
  });
});
