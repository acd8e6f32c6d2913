import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { Browser } from '../../helpers/browser.js';
import { runCli, tempDir } from '../../helpers/cli.js';
import { startHostileAs, type HostileAs, type HostileOptions } from '../../helpers/hostile-as.js';
import { assertHygiene, assertNothingStored, readConfig, startCli } from './harness.js';

/** What oidc-provider never does, from a small scripted server: every failure is exit 3/4 and stores nothing. */
let as: HostileAs | undefined;
const cleanups: Array<() => void> = [];
afterEach(async () => {
  await as?.close();
  as = undefined;
  for (const c of cleanups.splice(0)) c();
});

async function loginAgainst(options: HostileOptions, extra: string[] = []) {
  as = await startHostileAs(options);
  const t = tempDir('apikit-hostile-');
  cleanups.push(t.cleanup);
  const run = startCli(
    ['login', '--issuer', as.issuer, '--client-id', 'apikit-cli', '--no-browser', ...extra],
    {
      env: { APIKIT_CONFIG_DIR: t.dir },
    },
  );
  let page: { status: number } | undefined;
  try {
    const url = await run.authorizationUrl();
    const browser = new Browser();
    page = await browser.request(await browser.authorize(url));
  } catch {
    // the login ended before printing a URL (discovery failures)
  }
  return { result: await run.done, dir: t.dir, page, as };
}

const idClaims = (as: HostileAs, over: Record<string, unknown> = {}) => ({
  iss: as.issuer,
  aud: 'apikit-cli',
  sub: 'mallory',
  nonce: as.lastAuthorize()?.nonce,
  iat: Math.floor(Date.now() / 1000),
  exp: Math.floor(Date.now() / 1000) + 300,
  ...over,
});

describe('apikit login against a hostile authorization server', () => {
  it('a discovery document naming another issuer: exit 2, nothing stored', async () => {
    const { result, dir } = await loginAgainst({ discoveryIssuer: 'https://login.evil.example' });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/names issuer "https:\/\/login\.evil\.example"/);
    assertNothingStored(dir);
  });

  it('an issuer that offers PKCE only as "plain": refused before any browser, exit 3', async () => {
    const { result, dir, as: server } = await loginAgainst({ codeChallengeMethods: ['plain'] });
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/does not support PKCE with S256/);
    expect(server.requests.some((r) => r.path === '/authorize')).toBe(false);
    assertNothingStored(dir);
  });

  it.each([
    { name: 'malformed JSON', reply: { body: '{"access_token": "abc' }, code: 3, want: /not a JSON object/ },
    {
      name: 'no access_token',
      reply: { body: { token_type: 'Bearer' } },
      code: 3,
      want: /without an access_token/,
    },
    {
      name: 'negative expires_in',
      reply: { body: { access_token: 'tok-0123456789', token_type: 'Bearer', expires_in: -5 } },
      code: 3,
      want: /invalid expires_in/,
    },
    {
      name: 'a DPoP token',
      reply: { body: { access_token: 'tok-0123456789', token_type: 'DPoP', expires_in: 60 } },
      code: 4,
      want: /only use Bearer/,
    },
    {
      name: 'invalid_grant',
      reply: { status: 400, body: { error: 'invalid_grant', error_description: 'code reused' } },
      code: 4,
      want: /invalid_grant \(code reused\)/,
    },
    { name: 'HTTP 500', reply: { status: 500, body: 'oops' }, code: 3, want: /HTTP 500/ },
  ])('token response with $name: exit $code, nothing stored', async ({ reply, code, want }) => {
    const { result, dir, page } = await loginAgainst({ token: () => reply }, ['--scope', 'read']);
    expect(result.code).toBe(code);
    expect(result.stderr).toMatch(want);
    expect(page?.status).toBe(400);
    assertNothingStored(dir);
    assertHygiene(dir, [result.stdout, result.stderr], ['tok-0123456789']);
  });

  it('no expires_in: the login succeeds with a warning; the expiry is unknown', async () => {
    const { result, dir } = await loginAgainst(
      { token: () => ({ body: { access_token: 'opaque-token-without-expiry', token_type: 'bearer' } }) },
      ['--scope', 'read', '--json'],
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/warning: the server did not say when the access token expires/);
    expect(JSON.parse(result.stdout)).toMatchObject({ expiresAt: null, loggedIn: true, refreshable: false });
    expect(readConfig(dir).profiles!.default!.tokens!.expiresAt).toBeUndefined();
    const token = await runCli(['token'], { env: { APIKIT_CONFIG_DIR: dir } });
    expect(token.stdout).toBe('opaque-token-without-expiry\n');
    assertHygiene(dir, [result.stdout, result.stderr], ['opaque-token-without-expiry']);
  });

  it.each([
    { name: 'a wrong nonce', claims: { nonce: 'replayed-nonce-value' }, otherKey: false, want: /nonce/ },
    { name: 'no nonce', claims: { nonce: undefined }, otherKey: false, want: /has no "nonce"/ },
    { name: 'another audience', claims: { aud: 'someone-else' }, otherKey: false, want: /"aud"/ },
    { name: 'another issuer', claims: { iss: 'https://evil.example' }, otherKey: false, want: /"iss"/ },
    {
      name: 'an expired token',
      claims: { exp: Math.floor(Date.now() / 1000) - 3600 },
      otherKey: false,
      want: /expired/,
    },
    {
      name: 'a key the issuer does not publish',
      claims: {},
      otherKey: true,
      want: /signature does not verify/,
    },
  ])('an ID token with $name: exit 4, nothing stored', async ({ claims, otherKey, want }) => {
    const { result, dir } = await loginAgainst(
      {
        token: async (_p, server) => ({
          body: {
            access_token: 'access-0123456789abcdef',
            token_type: 'Bearer',
            expires_in: 300,
            id_token: await server.idToken(idClaims(server, claims), { otherKey }),
          },
        }),
      },
      ['--scope', 'openid'],
    );
    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(want);
    assertNothingStored(dir);
    assertHygiene(dir, [result.stdout, result.stderr], ['access-0123456789abcdef']);
  });

  it('a valid ID token from the hostile server is accepted (the checks are not vacuous)', async () => {
    const { result, dir } = await loginAgainst(
      {
        token: async (_p, server) => ({
          body: {
            access_token: 'access-0123456789abcdef',
            token_type: 'Bearer',
            expires_in: 300,
            id_token: await server.idToken(idClaims(server)),
          },
        }),
      },
      ['--scope', 'openid'],
    );
    expect(result.code, result.stderr).toBe(0);
    expect(readConfig(dir).profiles!.default!.subject).toBe('mallory');
  });

  it('openid requested but no ID token returned: exit 4', async () => {
    const { result, dir } = await loginAgainst({}, ['--scope', 'openid']);
    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(/no ID token/);
    assertNothingStored(dir);
  });

  it('no iss on the response is fine when the issuer never promised one', async () => {
    const { result } = await loginAgainst({ responseIss: null, issParameterSupported: false }, [
      '--scope',
      'read',
    ]);
    expect(result.code, result.stderr).toBe(0);
  });

  it('a missing iss when the issuer promises one: exit 4', async () => {
    const { result, dir } = await loginAgainst({ responseIss: null, issParameterSupported: true }, [
      '--scope',
      'read',
    ]);
    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(/has no "iss"/);
    assertNothingStored(dir);
  });
});

describe('apikit login --device against a scripted server', () => {
  async function device(options: HostileOptions) {
    as = await startHostileAs(options);
    const t = tempDir('apikit-device-');
    cleanups.push(t.cleanup);
    const result = await runCli(
      ['login', '--issuer', as.issuer, '--client-id', 'apikit-cli', '--device', '--scope', 'read'],
      {
        env: { APIKIT_CONFIG_DIR: t.dir },
      },
    );
    const polls = as.requests.filter((r) => r.path === '/token').map((r) => r.at);
    return { result, dir: t.dir, polls };
  }
  const pending = { status: 400, body: { error: 'authorization_pending' } };
  const ok = { body: { access_token: 'device-access-0123456789', token_type: 'Bearer', expires_in: 300 } };

  it('honours interval and slow_down (+5 s), then succeeds', async () => {
    const { result, polls, dir } = await device({
      deviceInterval: 1,
      devicePolls: [pending, { status: 400, body: { error: 'slow_down' } }, ok],
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/enter the code WXYZ-1234/);
    expect(polls).toHaveLength(3);
    // Lower bounds only: never faster than the server allows.
    expect(polls[1]! - polls[0]!).toBeGreaterThanOrEqual(950);
    expect(polls[2]! - polls[1]!).toBeGreaterThanOrEqual(5950);
    assertHygiene(
      dir,
      [result.stdout, result.stderr],
      ['device-access-0123456789', 'hostile-device-code-0123456789'],
    );
  }, 20_000);

  it.each([
    { error: 'access_denied', want: /denied/ },
    { error: 'expired_token', want: /expired/ },
  ])('$error ends the login: exit 4, nothing stored', async ({ error, want }) => {
    const { result, dir } = await device({ devicePolls: [pending, { status: 400, body: { error } }] });
    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(want);
    assertNothingStored(dir);
  });
});

describe('what apikit sends (captured by the scripted server)', () => {
  it('a fresh 43–128-character verifier whose S256 is the challenge, and fresh ≥128-bit state and nonce per login', async () => {
    const sent: Array<{ authorize: Record<string, string>; token: Record<string, string> }> = [];
    for (let i = 0; i < 2; i++) {
      const { result, as: server } = await loginAgainst(
        {
          token: async (_p, s) => ({
            body: {
              access_token: `access-${i}-0123456789abcdef`,
              token_type: 'Bearer',
              expires_in: 300,
              id_token: await s.idToken(idClaims(s)),
            },
          }),
        },
        ['--scope', 'openid'],
      );
      expect(result.code, result.stderr).toBe(0);
      const token = server.requests.find((r) => r.path === '/token')!.params;
      sent.push({ authorize: server.lastAuthorize()!, token });
      // The verifier never leaves apikit except to the token endpoint.
      expect(result.stderr).not.toContain(token.code_verifier);
      await server.close();
      as = undefined;
    }
    for (const { authorize, token } of sent) {
      expect(token.grant_type).toBe('authorization_code');
      expect(token.code_verifier).toMatch(/^[A-Za-z0-9._~-]{43,128}$/);
      expect(createHash('sha256').update(token.code_verifier!).digest('base64url')).toBe(
        authorize.code_challenge,
      );
      expect(authorize.code_challenge_method).toBe('S256');
      expect(token.redirect_uri).toBe(authorize.redirect_uri);
      // 256 bits of base64url: 43 characters.
      expect(authorize.state).toMatch(/^[A-Za-z0-9_-]{43,}$/);
      expect(authorize.nonce).toMatch(/^[A-Za-z0-9_-]{43,}$/);
    }
    expect(sent[0]!.token.code_verifier).not.toBe(sent[1]!.token.code_verifier);
    expect(sent[0]!.authorize.state).not.toBe(sent[1]!.authorize.state);
    expect(sent[0]!.authorize.nonce).not.toBe(sent[1]!.authorize.nonce);
  });

  it('an ID token in a refresh response is not stored (only the validated one from the login is kept)', async () => {
    const {
      result,
      dir,
      as: server,
    } = await loginAgainst(
      {
        token: async (p, s) => ({
          body: {
            access_token: `access-${p.grant_type}-${s.requests.length}-0123456789`,
            token_type: 'Bearer',
            expires_in: 300,
            refresh_token: `refresh-${s.requests.length}-0123456789`,
            // On refresh: an ID token for someone else, signed with a key the issuer does not publish.
            id_token:
              p.grant_type === 'refresh_token'
                ? await s.idToken(idClaims(s, { sub: 'eve' }), { otherKey: true })
                : await s.idToken(idClaims(s)),
          },
        }),
      },
      ['--scope', 'openid'],
    );
    expect(result.code, result.stderr).toBe(0);
    const before = readConfig(dir).profiles!.default!.tokens!;
    const refreshed = await runCli(['token', '--min-ttl', '10m'], { env: { APIKIT_CONFIG_DIR: dir } });
    expect(refreshed.code, refreshed.stderr).toBe(0);
    expect(server.requests.filter((r) => r.params.grant_type === 'refresh_token')).toHaveLength(1);
    const after = readConfig(dir).profiles!.default!;
    expect(after.tokens!.accessToken).not.toBe(before.accessToken);
    expect(after.tokens!.idToken).toBe(before.idToken);
    expect(after.subject).toBe('mallory');
  });
});

describe('device flow output from a hostile server', () => {
  it('control characters in the user code and URLs never reach the terminal; a non-web URL is not opened', async () => {
    as = await startHostileAs({
      deviceUserCode: 'AB\u001b]0;pwned\u0007CD',
      deviceVerificationUri: 'https://as.example/activate\u001b[2J',
      deviceVerificationUriComplete: 'file:///etc/passwd',
      devicePolls: [
        { body: { access_token: 'device-access-0123456789', token_type: 'Bearer', expires_in: 300 } },
      ],
    });
    const t = tempDir('apikit-device-');
    cleanups.push(t.cleanup);
    const run = startCli(
      [
        'login',
        '--issuer',
        as.issuer,
        '--client-id',
        'apikit-cli',
        '--device',
        '--scope',
        'read',
        '--no-color',
      ],
      {
        tty: true,
        env: { APIKIT_CONFIG_DIR: t.dir, DISPLAY: ':0' },
      },
    );
    const result = await run.done;
    expect(result.code, result.stderr).toBe(0);
    // eslint-disable-next-line no-control-regex
    expect(result.stderr).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
    expect(result.stderr).toContain('enter the code AB?]0;pwned?CD');
    expect(run.opened).toEqual([]);
  });
});
