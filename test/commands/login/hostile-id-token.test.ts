import { afterEach, describe, expect, it } from 'vitest';
import { Browser } from '../../helpers/browser.js';
import { tempDir } from '../../helpers/cli.js';
import { startHostileAs, type HostileAs } from '../../helpers/hostile-as.js';
import { assertHygiene, assertNothingStored, readConfig, startCli } from './harness.js';

/**
 * ID tokens that a correct server never sends, signed by the scripted server's own published key (so only the
 * claim under test is wrong): `azp` (OIDC Core §3.1.3.7 steps 4–5), and a bad signature when the keys come from
 * --jwks-uri instead of discovery. Every failure is exit 4 and stores nothing.
 */
let as: HostileAs | undefined;
const cleanups: Array<() => void> = [];
afterEach(async () => {
  await as?.close();
  as = undefined;
  for (const c of cleanups.splice(0)) c();
});

const ACCESS = 'access-0123456789abcdef';

interface IdTokenCase {
  claims?: Record<string, unknown>;
  otherKey?: boolean;
}

/**
 * Logs in against a scripted server whose token endpoint answers with an ID token built from `idToken`; `server`
 * picks how apikit is told where the server is: --issuer (discovery), or the endpoints and --jwks-uri by hand.
 */
async function loginWithIdToken(idToken: IdTokenCase, server: 'issuer' | 'by-hand') {
  as = await startHostileAs({
    token: async (_p, s) => ({
      body: {
        access_token: ACCESS,
        token_type: 'Bearer',
        expires_in: 300,
        id_token: await s.idToken(
          {
            iss: s.issuer,
            aud: 'apikit-cli',
            sub: 'mallory',
            nonce: s.lastAuthorize()?.nonce,
            iat: Math.floor(Date.now() / 1000),
            exp: Math.floor(Date.now() / 1000) + 300,
            ...idToken.claims,
          },
          { otherKey: idToken.otherKey },
        ),
      },
    }),
  });
  const t = tempDir('apikit-idtoken-');
  cleanups.push(t.cleanup);
  const where =
    server === 'issuer'
      ? ['--issuer', as.issuer]
      : [
          '--authorization-endpoint',
          `${as.issuer}/authorize`,
          '--token-endpoint',
          `${as.issuer}/token`,
          '--jwks-uri',
          `${as.issuer}/jwks`,
        ];
  const run = startCli(
    ['login', ...where, '--client-id', 'apikit-cli', '--scope', 'openid', '--no-browser'],
    { env: { APIKIT_CONFIG_DIR: t.dir } },
  );
  const browser = new Browser();
  const page = await browser.request(await browser.authorize(await run.authorizationUrl()));
  const result = await run.done;
  return { result, dir: t.dir, page };
}

describe('ID-token azp (hostile server, --issuer)', () => {
  it.each([
    {
      name: 'aud [client, other] and no azp',
      claims: { aud: ['apikit-cli', 'other-client'], azp: undefined },
      want: /error: the ID token has several audiences but no "azp" \(it must be apikit-cli\)/,
    },
    {
      name: 'aud [client, other] and azp the other client',
      claims: { aud: ['apikit-cli', 'other-client'], azp: 'other-client' },
      want: /error: the ID token's "azp" is not apikit-cli/,
    },
    {
      name: 'aud the client and azp another client',
      claims: { aud: 'apikit-cli', azp: 'other-client' },
      want: /error: the ID token's "azp" is not apikit-cli/,
    },
  ])('$name: exit 4, nothing stored', async ({ claims, want }) => {
    const { result, dir, page } = await loginWithIdToken({ claims }, 'issuer');
    expect(result.code, result.stderr).toBe(4);
    expect(result.stderr).toMatch(want);
    expect(page.status).toBe(400);
    assertNothingStored(dir);
    assertHygiene(dir, [result.stdout, result.stderr], [ACCESS]);
  });

  it.each([
    {
      name: 'aud [client, other] with azp the client',
      claims: { aud: ['apikit-cli', 'x'], azp: 'apikit-cli' },
    },
    { name: 'aud the client with azp the client', claims: { azp: 'apikit-cli' } },
  ])('$name is accepted (the azp checks are not vacuous)', async ({ claims }) => {
    const { result, dir } = await loginWithIdToken({ claims }, 'issuer');
    expect(result.code, result.stderr).toBe(0);
    expect(readConfig(dir).profiles!.default!.subject).toBe('mallory');
  });
});

describe('ID token checked against --jwks-uri (hostile server, endpoints by hand)', () => {
  it.each([
    {
      name: 'signed with a key the JWKS does not hold',
      idToken: { otherKey: true },
      want: /error: the ID token's signature does not verify with the keys at --jwks-uri/,
    },
    {
      name: 'no iss',
      idToken: { claims: { iss: undefined } },
      want: /error: the ID token's "iss" is wrong/,
    },
    {
      name: 'another audience',
      idToken: { claims: { aud: 'someone-else' } },
      want: /error: the ID token's "aud" is wrong/,
    },
    {
      name: 'aud [client, other] and no azp',
      idToken: { claims: { aud: ['apikit-cli', 'other-client'] } },
      want: /no "azp"/,
    },
    {
      name: 'a wrong nonce',
      idToken: { claims: { nonce: 'replayed-nonce-value' } },
      want: /"nonce" is not the one this login sent/,
    },
    {
      name: 'an expired token',
      idToken: { claims: { exp: Math.floor(Date.now() / 1000) - 3600 } },
      want: /the ID token has expired/,
    },
  ])('$name: exit 4, nothing stored', async ({ idToken, want }) => {
    const { result, dir, page } = await loginWithIdToken(idToken, 'by-hand');
    expect(result.code, result.stderr).toBe(4);
    expect(result.stderr).toMatch(want);
    expect(page.status).toBe(400);
    assertNothingStored(dir);
    assertHygiene(dir, [result.stdout, result.stderr], [ACCESS]);
  });

  it('a valid one is stored, with the iss it names recorded (and said to be unchecked)', async () => {
    const { result, dir } = await loginWithIdToken({ claims: { iss: 'https://whoever.example' } }, 'by-hand');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/its iss "https:\/\/whoever\.example" could not be compared with anything/);
    expect(readConfig(dir).profiles!.default).toMatchObject({
      subject: 'mallory',
      idTokenIssuer: 'https://whoever.example',
    });
  });
});
