import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser } from '../../helpers/browser.js';
import { startHostileAs } from '../../helpers/hostile-as.js';
import { startOidcProvider, type OidcFixture } from '../../helpers/oidc-provider.js';
import {
  assertHygiene,
  assertNothingStored,
  configPath,
  readConfig,
  secretsOf,
  startCli,
  configDirs,
} from './harness.js';

/**
 * `apikit login` with the endpoints given by hand (no --issuer, so no discovery) and `openid` in scope, against
 * the real oidc-provider: with --jwks-uri the ID token is validated against that JWKS; without it the login still
 * succeeds and the ID token, which nothing can vouch for, is dropped.
 */
let as: OidcFixture;
const configDir = configDirs('apikit-endpoints-');

beforeAll(async () => {
  as = await startOidcProvider();
});
afterAll(async () => {
  await as.close();
});

function byHand(...extra: string[]): string[] {
  return [
    'login',
    '--authorization-endpoint',
    `${as.issuer}/auth`,
    '--token-endpoint',
    `${as.issuer}/token`,
    '--client-id',
    'apikit-cli',
    '--scope',
    'openid',
    '--no-browser',
    ...extra,
  ];
}

async function loginByHand(dir: string, extra: string[] = []) {
  const run = startCli(byHand(...extra), { env: { APIKIT_CONFIG_DIR: dir } });
  const url = await run.authorizationUrl();
  // openid is in scope: a nonce is sent whether or not the ID token can be validated.
  expect(new URL(url).searchParams.get('nonce')).toMatch(/^[A-Za-z0-9_-]{43,}$/);
  const browser = new Browser();
  const callbackUrl = await browser.authorize(url);
  const page = await browser.request(callbackUrl);
  const result = await run.done;
  return { result, page, code: new URL(callbackUrl).searchParams.get('code')! };
}

/** A compact JWS anywhere in a text (the provider's access tokens without a resource are opaque). */
const JWT = /eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+/;

describe('login with --authorization-endpoint/--token-endpoint and openid (real oidc-provider)', () => {
  it('without --jwks-uri: exit 0, the ID token is discarded (never stored) with a warning', async () => {
    const dir = configDir();
    const { result, page, code } = await loginByHand(dir);
    expect(result.code, result.stderr).toBe(0);
    expect(page.status).toBe(200);
    expect(result.stderr).toMatch(
      /warning: no --issuer and no --jwks-uri: the ID token in the answer cannot be validated, so it was discarded \(not stored\); give --jwks-uri to validate it/,
    );
    const profile = readConfig(dir).profiles!.default!;
    expect(profile.tokens!.accessToken).toBeTruthy();
    expect(profile.tokens!.idToken).toBeUndefined();
    expect(profile.subject).toBeUndefined();
    expect(profile.idTokenIssuer).toBeUndefined();
    // The provider did send one: it is nowhere in the file.
    expect(as.secrets().some((s) => JWT.test(s))).toBe(true);
    expect(readFileSync(configPath(dir), 'utf8')).not.toMatch(JWT);
    assertHygiene(dir, [result.stdout, result.stderr], secretsOf(as, dir, [code]));
  });

  it('with --jwks-uri: the ID token is validated against it and stored; its iss is recorded as seen', async () => {
    const dir = configDir();
    const { result, code } = await loginByHand(dir, ['--jwks-uri', `${as.issuer}/jwks`, '--json']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(
      `warning: no --issuer: the ID token's signature, aud, azp, exp and nonce were checked against --jwks-uri, but its iss "${as.issuer}" could not be compared with anything`,
    );
    expect(JSON.parse(result.stdout)).toMatchObject({ name: 'default', subject: 'alice', issuer: null });
    const profile = readConfig(dir).profiles!.default!;
    expect(profile).toMatchObject({
      subject: 'alice',
      jwksUri: `${as.issuer}/jwks`,
      idTokenIssuer: as.issuer,
    });
    expect(profile.issuer).toBeUndefined();
    expect(profile.tokens!.idToken).toMatch(JWT);
    assertHygiene(dir, [result.stdout, result.stderr], secretsOf(as, dir, [code]));
  });

  it('--jwks-uri naming a JWKS without the signing key: exit 4, nothing stored', async () => {
    const dir = configDir();
    // A real JWKS endpoint, but not this provider's: keys that vouch for nobody here.
    const stranger = await startHostileAs();
    try {
      const { result } = await loginByHand(dir, ['--jwks-uri', `${stranger.issuer}/jwks`]);
      expect(result.code).toBe(4);
      expect(result.stderr).toMatch(/error: no key in the JWKS at --jwks-uri matches the ID token/);
      expect(result.stderr).toMatch(/hint: nothing was stored; check --jwks-uri and --client-id/);
      assertNothingStored(dir);
    } finally {
      await stranger.close();
    }
  });

  it.each([
    { jwks: 'http://keys.example/jwks', want: /--jwks-uri "http:\/\/keys\.example\/jwks" must use https/ },
    { jwks: 'not a url', want: /--jwks-uri "not a url" is not a URL/ },
  ])('--jwks-uri $jwks: exit 2 before any request', async ({ jwks, want }) => {
    const dir = configDir();
    as.requests.reset();
    const result = await startCli(byHand('--jwks-uri', jwks), { env: { APIKIT_CONFIG_DIR: dir } }).done;
    expect(result.code).toBe(2);
    expect(result.stderr.split('\n')[0]).toMatch(want);
    expect(as.requests.count()).toBe(0);
    assertNothingStored(dir);
  });

  it('--issuer with a --jwks-uri that is not the one discovery names: exit 2, no browser', async () => {
    const dir = configDir();
    const result = await startCli(
      [
        'login',
        '--issuer',
        as.issuer,
        '--client-id',
        'apikit-cli',
        '--jwks-uri',
        'https://keys.example/jwks',
        '--no-browser',
      ],
      { env: { APIKIT_CONFIG_DIR: dir } },
    ).done;
    expect(result.code).toBe(2);
    expect(result.stderr.split('\n')[0]).toBe(
      `error: --jwks-uri https://keys.example/jwks is not the JWKS issuer ${as.issuer} publishes (${as.issuer}/jwks)`,
    );
    expect(result.stderr).not.toMatch(/Open this URL/);
    assertNothingStored(dir);
  });
});
