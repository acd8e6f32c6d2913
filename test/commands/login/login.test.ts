import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser } from '../../helpers/browser.js';
import { RESOURCE, startOidcProvider, type OidcFixture } from '../../helpers/oidc-provider.js';
import {
  assertHygiene,
  assertNothingStored,
  configPath,
  login,
  loginArgs,
  readConfig,
  secretsOf,
  startCli,
  configDirs,
} from './harness.js';

let as: OidcFixture;
const configDir = configDirs('apikit-login-');

beforeAll(async () => {
  as = await startOidcProvider({ accessTokenTtl: 300 });
});
afterAll(async () => {
  await as.close();
});

describe('apikit login (authorization code + PKCE, real oidc-provider)', () => {
  it.each([
    {
      name: 'TTY with a display: opens the browser',
      tty: true,
      env: { DISPLAY: ':0' },
      extra: [],
      opens: true,
      json: false,
    },
    {
      name: 'TTY with --no-browser',
      tty: true,
      env: { DISPLAY: ':0' },
      extra: ['--no-browser'],
      opens: false,
      json: false,
    },
    { name: 'TTY without a display (SSH)', tty: true, env: {}, extra: [], opens: false, json: false },
    { name: 'not a TTY (script)', tty: false, env: { DISPLAY: ':0' }, extra: [], opens: false, json: false },
    { name: '--json', tty: false, env: { DISPLAY: ':0' }, extra: ['--json'], opens: false, json: true },
  ])('full login — $name', async ({ tty, env, extra, opens, json }) => {
    const dir = configDir();
    const browser = new Browser();
    const run = startCli(
      [...loginArgs(as, '--scope', 'openid read:reports', '--resource', RESOURCE), ...extra],
      {
        tty,
        env: { APIKIT_CONFIG_DIR: dir, ...env },
      },
    );
    const url = await run.authorizationUrl();
    const auth = new URL(url);
    // RFC 7636 S256, ≥128-bit state, a nonce because openid is in scope, loopback redirect on 127.0.0.1.
    expect(auth.origin + auth.pathname).toBe(`${as.issuer}/auth`);
    expect(auth.searchParams.get('code_challenge_method')).toBe('S256');
    expect(auth.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(auth.searchParams.get('state')!.length).toBeGreaterThanOrEqual(22);
    expect(auth.searchParams.get('nonce')!.length).toBeGreaterThanOrEqual(22);
    expect(auth.searchParams.get('redirect_uri')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/);
    expect(auth.searchParams.getAll('resource')).toEqual([RESOURCE]);
    expect(run.opened).toEqual(opens ? [url] : []);

    const callbackUrl = await browser.authorize(url);
    const page = await browser.request(callbackUrl);
    const result = await run.done;
    expect(result.code, result.stderr).toBe(0);

    // The callback page: self-contained, no referrer, not cached.
    expect(page.status).toBe(200);
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(page.body).toMatch(/return to your terminal/i);
    expect(page.body).not.toMatch(/(src|href)=|@import|url\(/i);

    const profile = readConfig(dir).profiles!.default!;
    expect(profile).toMatchObject({
      issuer: as.issuer,
      clientId: 'apikit-cli',
      subject: 'alice',
      resource: [RESOURCE],
    });
    const tokens = profile.tokens as { accessToken: string; refreshToken: string; expiresAt: number };
    expect(tokens.refreshToken).toBeTruthy();
    expect(await as.introspect(tokens.accessToken)).toMatchObject({
      active: true,
      aud: RESOURCE,
      sub: 'alice',
    });

    if (json) {
      const doc = JSON.parse(result.stdout);
      expect(doc).toMatchObject({
        name: 'default',
        subject: 'alice',
        issuer: as.issuer,
        loggedIn: true,
        refreshable: true,
      });
      expect(doc.scope).toContain('read:reports');
      expect(JSON.stringify(doc)).not.toMatch(/accessToken|refreshToken|idToken/);
    } else {
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(
        /Logged in as alice \(profile "default"; scopes: [^;]*read:reports[^;]*; access token expires in \dm/,
      );
    }
    const code = new URL(callbackUrl).searchParams.get('code')!;
    const secrets = secretsOf(as, dir, [code]);
    // code, verifier, access, refresh and ID token at least: the check below is not vacuous.
    expect(secrets.length).toBeGreaterThanOrEqual(5);
    assertHygiene(dir, [result.stdout, result.stderr], secrets);
  });

  it('a second login reuses the browser session (no login form) and replaces the tokens', async () => {
    const dir = configDir();
    const first = await login(as, dir, ['--profile', 'work']);
    expect(first.result.code).toBe(0);
    const before = readConfig(dir).profiles!.work!.tokens!.accessToken;
    expect(first.browser.prompts).toContain('login');
    const answered = first.browser.prompts.length;
    const second = await login(as, dir, ['--profile', 'work'], first.browser);
    expect(second.result.code, second.result.stderr).toBe(0);
    // The provider's session cookie signed the user in: no login form this time.
    expect(first.browser.prompts.slice(answered)).not.toContain('login');
    expect(readConfig(dir).profiles!.work!.tokens!.accessToken).not.toBe(before);
    assertHygiene(dir, [second.result.stdout, second.result.stderr], secretsOf(as, dir));
  });

  it('--verbose traces the token exchange with every secret redacted', async () => {
    const dir = configDir();
    const { result, callbackUrl } = await login(as, dir, ['--verbose']);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/> POST http:\/\/127\.0\.0\.1:\d+\/token/);
    expect(result.stderr).toContain('[REDACTED]');
    assertHygiene(
      dir,
      [result.stdout, result.stderr],
      secretsOf(as, dir, [new URL(callbackUrl).searchParams.get('code')!]),
    );
  });

  it('endpoints given by hand (no --issuer): the login works, with a warning that iss cannot be checked', async () => {
    const dir = configDir();
    const browser = new Browser();
    const run = startCli(
      [
        'login',
        '--authorization-endpoint',
        `${as.issuer}/auth`,
        '--token-endpoint',
        `${as.issuer}/token`,
        '--client-id',
        'apikit-cli',
        '--scope',
        'read:reports',
        '--resource',
        RESOURCE,
        '--no-browser',
      ],
      { env: { APIKIT_CONFIG_DIR: dir } },
    );
    const url = await run.authorizationUrl();
    const callbackUrl = await browser.authorize(url);
    // oidc-provider always sends iss (RFC 9207): without an issuer to compare with, it must not end the login.
    expect(new URL(callbackUrl).searchParams.get('iss')).toBe(as.issuer);
    const page = await browser.request(callbackUrl);
    const result = await run.done;
    expect(page.status, result.stderr + page.body).toBe(200);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/warning: no --issuer: .*RFC 9207 mix-up defence is off/);
    expect(readConfig(dir).profiles!.default!.tokens).toBeDefined();
    assertHygiene(
      dir,
      [result.stdout, result.stderr],
      secretsOf(as, dir, [new URL(callbackUrl).searchParams.get('code')!]),
    );
  });

  it('a callback with the wrong state gets a 400 page and the login keeps waiting', async () => {
    const dir = configDir();
    const browser = new Browser();
    const run = startCli(loginArgs(as, '--no-browser'), { env: { APIKIT_CONFIG_DIR: dir } });
    const url = await run.authorizationUrl();
    const callbackUrl = await browser.authorize(url);
    const stale = new URL(callbackUrl);
    stale.searchParams.set('state', 'an-old-tab-state-value-0123456789');
    const stalePage = await browser.request(stale.href);
    expect(stalePage.status).toBe(400);
    expect(stalePage.headers.get('referrer-policy')).toBe('no-referrer');
    await run.waitFor(/does not belong to this login/);
    // Still waiting: the real callback completes the login.
    const page = await browser.request(callbackUrl);
    expect(page.status).toBe(200);
    const result = await run.done;
    expect(result.code, result.stderr).toBe(0);
    expect(readConfig(dir).profiles!.default!.tokens).toBeDefined();
    // Only the first valid callback counts; the server is gone afterwards.
    await expect(browser.request(callbackUrl)).rejects.toThrow();
    assertHygiene(
      dir,
      [result.stdout, result.stderr],
      secretsOf(as, dir, [new URL(callbackUrl).searchParams.get('code')!]),
    );
  });

  it('error=access_denied from the server: exit 4 with its error and description, nothing stored', async () => {
    const dir = configDir();
    const run = startCli(loginArgs(as, '--no-browser'), { env: { APIKIT_CONFIG_DIR: dir } });
    const page = await new Browser().login(await run.authorizationUrl(), { abort: true });
    expect(page.status).toBe(400);
    const result = await run.done;
    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(
      /error: the authorization server refused the login: access_denied \(End-User aborted interaction\)/,
    );
    assertNothingStored(dir);
    assertHygiene(dir, [result.stdout, result.stderr], secretsOf(as, dir));
  });

  it.each([
    {
      name: 'an iss that is not the issuer (RFC 9207 mix-up)',
      tamper: (u: URL) => u.searchParams.set('iss', 'https://evil.example'),
      want: /came from issuer "https:\/\/evil\.example"/,
    },
    {
      name: 'a missing iss although the issuer advertises it',
      tamper: (u: URL) => u.searchParams.delete('iss'),
      want: /has no "iss"/,
    },
  ])('$name: exit 4, nothing stored, the code is never redeemed', async ({ tamper, want }) => {
    const dir = configDir();
    const browser = new Browser();
    const run = startCli(loginArgs(as, '--no-browser'), { env: { APIKIT_CONFIG_DIR: dir } });
    const callback = new URL(await browser.authorize(await run.authorizationUrl()));
    tamper(callback);
    as.requests.reset();
    const page = await browser.request(callback.href);
    expect(page.status).toBe(400);
    const result = await run.done;
    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(want);
    expect(as.requests.exact('/token')).toBe(0);
    assertNothingStored(dir);
    assertHygiene(
      dir,
      [result.stdout, result.stderr],
      secretsOf(as, dir, [callback.searchParams.get('code')!]),
    );
  });

  it('--timeout ends a login nobody completes: exit 4, nothing stored, port closed', async () => {
    const dir = configDir();
    const run = startCli(loginArgs(as, '--no-browser', '--timeout', '1s'), {
      env: { APIKIT_CONFIG_DIR: dir },
    });
    const redirect = new URL(new URL(await run.authorizationUrl()).searchParams.get('redirect_uri')!);
    const result = await run.done;
    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(/error: nobody completed the login within 1s; nothing was stored/);
    expect(result.stderr).toMatch(/hint: run apikit login again/);
    assertNothingStored(dir);
    await expect(fetch(redirect.href)).rejects.toThrow();
  });

  it('a busy --port is a one-line error naming the port, exit 2', async () => {
    const dir = configDir();
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const port = (blocker.address() as { port: number }).port;
    try {
      const run = startCli(loginArgs(as, '--no-browser', '--port', String(port)), {
        env: { APIKIT_CONFIG_DIR: dir },
      });
      const result = await run.done;
      expect(result.code).toBe(2);
      expect(result.stderr.split('\n')[0]).toBe(`error: port ${port} on 127.0.0.1 is already in use`);
      assertNothingStored(dir);
    } finally {
      blocker.close();
    }
  });

  it('--port, --callback-host localhost: the redirect URI says so and the server is on loopback', async () => {
    const dir = configDir();
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
    const port = (probe.address() as { port: number }).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const run = startCli(
      loginArgs(as, '--no-browser', '--port', String(port), '--callback-host', 'localhost'),
      {
        env: { APIKIT_CONFIG_DIR: dir },
      },
    );
    const url = new URL(await run.authorizationUrl());
    expect(url.searchParams.get('redirect_uri')).toBe(`http://localhost:${port}/callback`);
    const browser = new Browser();
    const callback = new URL(await browser.authorize(url.href));
    expect(callback.host).toBe(`localhost:${port}`);
    callback.hostname = '127.0.0.1';
    expect((await browser.request(callback.href)).status).toBe(200);
    expect((await run.done).code).toBe(0);
    expect(readConfig(dir).profiles!.default!.tokens).toBeDefined();
  });

  it('--listen binds elsewhere while the redirect URI stays on loopback (e.g. a container port mapping)', async () => {
    const dir = configDir();
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.2', () => r()));
    const port = (probe.address() as { port: number }).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const run = startCli(loginArgs(as, '--no-browser', '--listen', `127.0.0.2:${port}`), {
      env: { APIKIT_CONFIG_DIR: dir },
    });
    const url = new URL(await run.authorizationUrl());
    expect(url.searchParams.get('redirect_uri')).toBe(`http://127.0.0.1:${port}/callback`);
    const browser = new Browser();
    const callback = new URL(await browser.authorize(url.href));
    // The advertised address is not where apikit listens: the "mapping" is this test rewriting the host.
    await expect(fetch(callback.href)).rejects.toThrow();
    callback.hostname = '127.0.0.2';
    expect((await browser.request(callback.href)).status).toBe(200);
    const result = await run.done;
    expect(result.code, result.stderr).toBe(0);
    expect(readConfig(dir).profiles!.default!.tokens).toBeDefined();
  });

  it('--manual: the pasted redirect URL is checked (state, iss) and exchanged', async () => {
    const dir = configDir();
    const run = startCli(loginArgs(as, '--manual', '--port', '8765'), { env: { APIKIT_CONFIG_DIR: dir } });
    const url = new URL(await run.authorizationUrl());
    expect(url.searchParams.get('redirect_uri')).toBe('http://127.0.0.1:8765/callback');
    await run.waitFor(/paste it here/);
    const callback = await new Browser().authorize(url.href);
    run.type(callback + '\n');
    const result = await run.done;
    expect(result.code, result.stderr).toBe(0);
    expect(readConfig(dir).profiles!.default!.subject).toBe('alice');
    assertHygiene(
      dir,
      [result.stdout, result.stderr],
      secretsOf(as, dir, [new URL(callback).searchParams.get('code')!]),
    );
  });

  it('--manual with a URL from another login: exit 4, nothing stored', async () => {
    const dir = configDir();
    const run = startCli(loginArgs(as, '--manual'), { env: { APIKIT_CONFIG_DIR: dir } });
    const url = new URL(await run.authorizationUrl());
    const callback = new URL(await new Browser().authorize(url.href));
    callback.searchParams.set('state', 'somebody-elses-state-0123456789abcdef');
    run.type(callback.href + '\n');
    const result = await run.done;
    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(/belongs to another login/);
    assertNothingStored(dir);
  });

  it('--device: the device authorization grant with the real provider', async () => {
    const dir = configDir();
    const run = startCli(loginArgs(as, '--device', '--scope', 'openid', '--json'), {
      env: { APIKIT_CONFIG_DIR: dir },
    });
    const m = await run.waitFor(/open (http\S+) and enter the code (\S+)\n {2}\(or open (http\S+)\)/);
    expect(m[1]).toBe(`${as.issuer}/device`);
    const page = await new Browser().approveDevice(m[1]!, m[2]!);
    expect(page.body).toMatch(/Sign-in Success/);
    const result = await run.done;
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      name: 'default',
      grant: 'device_code',
      subject: 'alice',
      loggedIn: true,
    });
    assertHygiene(dir, [result.stdout, result.stderr], secretsOf(as, dir));
  });

  it('--device denied by the user: exit 4, nothing stored', async () => {
    const dir = configDir();
    const run = startCli(loginArgs(as, '--device'), { env: { APIKIT_CONFIG_DIR: dir } });
    const m = await run.waitFor(/\(or open (http\S+)\)/);
    await new Browser().approveDevice(m[1]!, undefined, { abort: true });
    const result = await run.done;
    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(/denied/);
    assertNothingStored(dir);
  });

  it.each([
    { argv: ['login', '--client-id', 'x'], want: /give either --issuer/ },
    {
      argv: [
        'login',
        '--issuer',
        'https://a.example',
        '--token-endpoint',
        'https://a.example/t',
        '--client-id',
        'x',
      ],
      want: /give either --issuer/,
    },
    {
      argv: ['login', '--issuer', 'https://a.example', '--client-id', 'x', '--param', 'state=fixed'],
      want: /--param state is set by apikit/,
    },
    {
      argv: ['login', '--issuer', 'https://a.example', '--client-id', 'x', '--port', '99999'],
      want: /is not a port number/,
    },
    {
      argv: ['login', '--issuer', 'https://a.example', '--client-id', 'x', '--device', '--manual'],
      want: /choose one of --device and --manual/,
    },
    { argv: ['login', '--issuer', 'http://auth.example', '--client-id', 'x'], want: /must use https/ },
    {
      argv: ['login', '--issuer', 'https://a.example', '--client-id', 'x', '--listen', '8400'],
      want: /--listen "8400" is not ADDR:PORT/,
    },
    {
      argv: [
        'login',
        '--issuer',
        'https://a.example',
        '--client-id',
        'x',
        '--manual',
        '--listen',
        '0.0.0.0:8400',
      ],
      want: /--listen applies only to the loopback callback/,
    },
    {
      argv: ['login', '--issuer', 'https://a.example', '--client-id', 'x', '--resource', 'https://api#frag'],
      want: /without a fragment/,
    },
  ])('usage error: $argv.4 $argv.5 $argv.6 → exit 2', async ({ argv, want }) => {
    const dir = configDir();
    const result = await startCli(argv, { env: { APIKIT_CONFIG_DIR: dir } }).done;
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(want);
    assertNothingStored(dir);
    void configPath;
  });
});
