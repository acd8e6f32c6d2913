import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser } from '../helpers/browser.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { makeExpiring, readConfig, startCli } from '../commands/login/harness.js';
import { basic, clientCredentials, startIssuer, tokenRequest, type RunningIssuer } from './issuer-harness.js';

/**
 * The sandbox issuer against apikit's own commands: login (PKCE, completed over HTTP through the sandbox's sign-in
 * form), token (refresh with rotation), logout (revocation), login --device, token client-credentials (basic, post,
 * private_key_jwt), doctor. Every access token is checked the way the reference API will check it: a JWT verified
 * against the issuer's JWKS, iss, aud = the resource, scope.
 */

let is: RunningIssuer;
const cleanups: Array<() => void> = [];
const ALICE = { username: 'alice', password: 'wonderland' };

beforeAll(async () => {
  is = await startIssuer();
});
afterAll(async () => {
  await is?.close();
  for (const c of cleanups) c();
});

function configDir(): string {
  const t = tempDir('apikit-sandbox-cli-');
  cleanups.push(t.cleanup);
  return t.dir;
}

function loginArgv(...extra: string[]): string[] {
  return ['login', '--issuer', is.url, '--client-id', 'apikit-cli', '--no-browser', ...extra];
}

/** `apikit login` completed by the scripted browser through the sandbox's sign-in form. */
async function login(dir: string, extra: string[] = [], browser = new Browser()) {
  const run = startCli(loginArgv(...extra), { env: { APIKIT_CONFIG_DIR: dir } });
  const url = await run.authorizationUrl();
  const callback = await browser.authorize(url, { credentials: ALICE });
  const page = await browser.request(callback);
  const result = await run.done;
  return { result, browser, url, callback, page };
}

const tokensOf = (dir: string) =>
  readConfig(dir).profiles!.default!.tokens as { accessToken: string; refreshToken: string };

function secretOf(): string {
  return readFileSync(is.issuer.clients.confidential.secret_file, 'utf8').replace(/\n$/, '');
}

async function introspect(token: string): Promise<Record<string, unknown>> {
  const res = await fetch(`${is.url}/token/introspection`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      ...basic('sandbox-service', secretOf()),
    },
    body: new URLSearchParams({ token }).toString(),
    signal: AbortSignal.timeout(10_000),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as Record<string, unknown>;
}

describe('discovery', () => {
  it('advertises exactly the issuer, S256 only, RFC 9207 iss, and the endpoints apikit uses', async () => {
    const res = await fetch(`${is.url}/.well-known/openid-configuration`);
    expect(res.status).toBe(200);
    const meta = (await res.json()) as Record<string, unknown>;
    expect(meta).toMatchObject({
      issuer: is.url,
      jwks_uri: is.issuer.jwksUri,
      code_challenge_methods_supported: ['S256'],
      authorization_response_iss_parameter_supported: true,
      authorization_endpoint: `${is.url}/auth`,
      token_endpoint: `${is.url}/token`,
      revocation_endpoint: `${is.url}/token/revocation`,
      introspection_endpoint: `${is.url}/token/introspection`,
      device_authorization_endpoint: `${is.url}/device/auth`,
      response_types_supported: ['code'],
    });
    expect(meta.grant_types_supported).toEqual([
      'authorization_code',
      'refresh_token',
      'client_credentials',
      'urn:ietf:params:oauth:grant-type:device_code',
    ]);
    expect(meta.token_endpoint_auth_methods_supported).toEqual([
      'none',
      'client_secret_basic',
      'client_secret_post',
      'private_key_jwt',
    ]);
    expect(meta.scopes_supported).toEqual(expect.arrayContaining(['openid', ...is.issuer.scopes]));
    expect(is.issuer.scopes).toEqual(['read:posts', 'write:posts', 'delete:posts']);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('apikit doctor --client-id apikit-cli: no failed item, no warning', async () => {
    const result = await runCli(['doctor', '--issuer', is.url, '--client-id', 'apikit-cli', '--json']);
    expect(result.code, result.stderr).toBe(0);
    const doc = JSON.parse(result.stdout) as { checks: Array<{ id: string; status: string }> };
    const notPassed = doc.checks.filter((c) => c.status !== 'pass');
    expect(notPassed).toEqual([]);
    expect(doc.checks.map((c) => c.id)).toContain('loopback-redirect');
  });
});

describe('apikit login through the sandbox sign-in page', () => {
  it('PKCE login → a JWT access token for the resource with the scope asked for, verified against the JWKS', async () => {
    const dir = configDir();
    const { result, browser, page, url } = await login(dir, [
      '--scope',
      'openid offline_access read:posts',
      '--resource',
      is.resource,
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/Logged in as alice/);
    expect(browser.prompts).toEqual(['login']);
    expect(page.status).toBe(200);
    expect(new URL(url).searchParams.get('code_challenge_method')).toBe('S256');

    const profile = readConfig(dir).profiles!.default!;
    expect(profile).toMatchObject({ issuer: is.url, clientId: 'apikit-cli', subject: 'alice' });
    const { accessToken, refreshToken } = tokensOf(dir);
    expect(refreshToken).toBeTruthy();
    const claims = await is.verify(accessToken);
    expect(claims).toMatchObject({ iss: is.url, aud: is.resource, sub: 'alice', client_id: 'apikit-cli' });
    expect(claims.scope).toBe('read:posts');
    expect(claims.exp! - claims.iat!).toBe(600);
    expect(decodeProtectedHeader(accessToken).alg).toBe('RS256');
  });

  it('--callback-host localhost: the other registered loopback redirect works too', async () => {
    const dir = configDir();
    const { result, callback } = await login(dir, [
      '--callback-host',
      'localhost',
      '--scope',
      'openid read:posts',
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(new URL(callback).hostname).toBe('localhost');
    expect((await is.verify(tokensOf(dir).accessToken)).scope).toBe('read:posts');
  });

  it('without --resource the API is the default audience; all three scopes can be granted', async () => {
    const dir = configDir();
    const { result } = await login(dir, ['--scope', 'openid read:posts write:posts delete:posts']);
    expect(result.code, result.stderr).toBe(0);
    const claims = await is.verify(tokensOf(dir).accessToken);
    expect((claims.scope as string).split(' ').sort()).toEqual(['delete:posts', 'read:posts', 'write:posts']);
  });

  it('the sign-in page: says it is the apikit sandbox, names the client and scopes, strict CSP, escaped', async () => {
    const browser = new Browser();
    const run = startCli(loginArgv('--scope', 'openid read:posts'), {
      env: { APIKIT_CONFIG_DIR: configDir() },
    });
    const url = await run.authorizationUrl();
    const first = await browser.request(url);
    expect(first.status).toBe(303);
    const page = await browser.request(new URL(first.headers.get('location')!, url).href);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.body).toMatch(/apikit sandbox/);
    expect(page.body).toMatch(/<strong>apikit CLI<\/strong> \(<code>apikit-cli<\/code>\) asks for:/);
    expect(page.body).toMatch(/<code>read:posts<\/code> — read posts/);
    expect(page.body).toMatch(/<label for="username">Username<\/label>/);
    expect(page.body).toMatch(
      /<input id="password" name="password" type="password" autocomplete="current-password"/,
    );
    expect(page.body).not.toMatch(/<script|\son\w+=|(src|href)=|@import|url\(/i);
    const csp = page.headers.get('content-security-policy')!;
    expect(csp).toMatch(/^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/]+=*'; base-uri 'none'; /);
    const callbackOrigin = new URL(new URL(url).searchParams.get('redirect_uri')!).origin;
    expect(csp).toContain(`form-action 'self' ${callbackOrigin};`);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toMatch(/unsafe/);
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    // Finish it, so the command ends.
    const callback = await browser.authorize(url, { credentials: ALICE });
    await browser.request(callback);
    expect((await run.done).code).toBe(0);
  });

  it('a wrong password: 401 and the form again ("Wrong username or password"), no code; then the right one works', async () => {
    const browser = new Browser();
    const dir = configDir();
    const run = startCli(loginArgv('--scope', 'openid read:posts'), { env: { APIKIT_CONFIG_DIR: dir } });
    const url = await run.authorizationUrl();
    const first = await browser.request(url);
    const formUrl = new URL(first.headers.get('location')!, url).href;
    await browser.request(formUrl);
    for (const creds of [
      { username: 'alice', password: 'not-wonderland' },
      { username: 'bob', password: 'wonderland' },
      { username: '', password: '' },
    ]) {
      const wrong = await browser.request(formUrl, { method: 'POST', form: creds });
      expect(wrong.status).toBe(401);
      expect(wrong.headers.get('location')).toBeNull();
      expect(wrong.body).toMatch(/role="alert">Wrong username or password\./);
      expect(wrong.body).toMatch(/aria-invalid="true"/);
    }
    // The typed username comes back escaped.
    const hostile = await browser.request(formUrl, {
      method: 'POST',
      form: { username: '"><script>alert(1)</script>', password: 'x' },
    });
    expect(hostile.status).toBe(401);
    expect(hostile.body).not.toContain('<script>');
    expect(hostile.body).toContain('value="&#34;&#62;&#60;script&#62;alert(1)&#60;/script&#62;"');

    const ok = await browser.request(formUrl, { method: 'POST', form: ALICE });
    expect(ok.status).toBe(303);
    const callback = await browser.authorize(new URL(ok.headers.get('location')!, formUrl).href, {
      credentials: ALICE,
    });
    await browser.request(callback);
    const result = await run.done;
    expect(result.code, result.stderr).toBe(0);
    expect((await is.verify(tokensOf(dir).accessToken)).sub).toBe('alice');
  });

  it('Cancel on the sign-in page: access_denied back to apikit login (exit 4), nothing stored', async () => {
    const dir = configDir();
    const browser = new Browser();
    const run = startCli(loginArgv(), { env: { APIKIT_CONFIG_DIR: dir } });
    const callback = await browser.authorize(await run.authorizationUrl(), { abort: true });
    expect(new URL(callback).searchParams.get('error')).toBe('access_denied');
    expect(new URL(callback).searchParams.get('iss')).toBe(is.url);
    await browser.request(callback);
    const result = await run.done;
    expect(result.code).toBe(4);
    expect(readConfig(dir).profiles?.default).toBeUndefined();
  });

  it('interaction routes: another browser (no cookie) gets a 400 page; other methods 405', async () => {
    const browser = new Browser();
    const run = startCli(loginArgv(), { env: { APIKIT_CONFIG_DIR: configDir() } });
    const url = await run.authorizationUrl();
    const first = await browser.request(url);
    const formUrl = new URL(first.headers.get('location')!, url).href;
    const stranger = new Browser();
    const noCookie = await stranger.request(formUrl, { method: 'POST', form: ALICE });
    expect(noCookie.status).toBe(400);
    expect(noCookie.body).toMatch(/expired/);
    const put = await fetch(formUrl, { method: 'PUT' });
    expect(put.status).toBe(405);
    expect(put.headers.get('allow')).toBe('GET, POST');
    const abortGet = await fetch(`${formUrl}/abort`);
    expect(abortGet.status).toBe(405);
    // The real browser is unaffected.
    await browser.request(await browser.authorize(url, { credentials: ALICE }));
    expect((await run.done).code).toBe(0);
    expect(is.errors).toEqual([]);
  });
});

describe('apikit token and logout', () => {
  it('token refreshes with rotation: a new refresh token each time, and reusing an old one revokes the grant', async () => {
    const dir = configDir();
    expect((await login(dir, ['--scope', 'openid offline_access read:posts'])).result.code).toBe(0);
    const before = tokensOf(dir);
    makeExpiring(dir, 'default', 10_000);
    const result = await runCli(['token'], { env: { APIKIT_CONFIG_DIR: dir } });
    expect(result.code, result.stderr).toBe(0);
    const after = tokensOf(dir);
    expect(result.stdout.trim()).toBe(after.accessToken);
    expect(after.accessToken).not.toBe(before.accessToken);
    expect(after.refreshToken).not.toBe(before.refreshToken);
    expect((await is.verify(after.accessToken)).scope).toBe('read:posts');

    // A script replays the rotated refresh token: refused, and the whole grant goes (RFC 9700 §4.14.2).
    const replay = await tokenRequest(is.url, {
      grant_type: 'refresh_token',
      refresh_token: before.refreshToken,
      client_id: 'apikit-cli',
    });
    expect(replay.status).toBe(400);
    expect(replay.body.error).toBe('invalid_grant');
    expect(await introspect(after.refreshToken)).toMatchObject({ active: false });
  });

  it('logout revokes the refresh token at the issuer (RFC 7009)', async () => {
    const dir = configDir();
    expect((await login(dir, ['--scope', 'openid offline_access read:posts'])).result.code).toBe(0);
    const { refreshToken } = tokensOf(dir);
    expect(await introspect(refreshToken)).toMatchObject({
      active: true,
      client_id: 'apikit-cli',
      sub: 'alice',
    });
    const result = await runCli(['logout', '--json'], { env: { APIKIT_CONFIG_DIR: dir } });
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).profiles[0].revoked.refreshToken).toBe(true);
    expect(await introspect(refreshToken)).toMatchObject({ active: false });
  });
});

describe('apikit login --device', () => {
  it('the device flow: code page, confirmation, sign-in form, success page; a JWT for the resource', async () => {
    const dir = configDir();
    const run = startCli(loginArgv('--device', '--scope', 'openid read:posts', '--json'), {
      env: { APIKIT_CONFIG_DIR: dir },
    });
    const m = await run.waitFor(/open (http\S+) and enter the code (\S+)\n {2}\(or open (http\S+)\)/);
    expect(m[1]).toBe(`${is.url}/device`);
    const browser = new Browser();
    // The code typed in by hand (verification_uri), as a person on another device would.
    const entry = await browser.request(m[1]!);
    expect(entry.status).toBe(200);
    expect(entry.body).toMatch(/Connect a device/);
    expect(entry.headers.get('content-security-policy')).toMatch(/^default-src 'none'; style-src 'sha256-/);
    expect(entry.body).not.toMatch(/<script|\son\w+=/i);
    const page = await browser.approveDevice(m[1]!, m[2]!, { credentials: ALICE });
    expect(page.status).toBe(200);
    expect(page.body).toMatch(/Signed in/);
    expect(page.body).toMatch(/return to your terminal/);
    expect(browser.prompts).toEqual(['login']);
    const result = await run.done;
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ grant: 'device_code', subject: 'alice' });
    const claims = await is.verify(tokensOf(dir).accessToken);
    expect(claims).toMatchObject({ sub: 'alice', scope: 'read:posts', client_id: 'apikit-cli' });
  });

  it('verification_uri_complete, a wrong code first, and the confirmation page names the client and code', async () => {
    const dir = configDir();
    const run = startCli(loginArgv('--device', '--scope', 'openid read:posts'), {
      env: { APIKIT_CONFIG_DIR: dir },
    });
    const m = await run.waitFor(/open (http\S+) and enter the code (\S+)\n {2}\(or open (http\S+)\)/);
    const browser = new Browser();
    const entry = await browser.request(m[1]!);
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(entry.body)![1]!;
    const wrong = await browser.request(`${is.url}/device`, {
      method: 'POST',
      form: { xsrf, user_code: 'WXYZ-WXYZ' },
    });
    expect(wrong.status).toBe(400);
    expect(wrong.body).toMatch(/role="alert">That code is not valid/);
    expect(wrong.body).toContain('value="WXYZ-WXYZ"');
    const xsrf2 = /name="xsrf" value="([^"]+)"/.exec(wrong.body)![1]!;
    const confirm = await browser.request(`${is.url}/device`, {
      method: 'POST',
      form: { xsrf: xsrf2, user_code: m[2]! },
    });
    expect(confirm.status).toBe(200);
    expect(confirm.body).toMatch(
      /<strong>apikit CLI<\/strong> \(<code>apikit-cli<\/code>\) wants to sign in/,
    );
    expect(confirm.body).toContain(`<code>${m[2]}</code>`);
    // Now the complete URI in a fresh browser (the code is not used yet: it was only shown).
    const page = await new Browser().approveDevice(m[3]!, undefined, { credentials: ALICE });
    expect(page.body).toMatch(/Signed in/);
    expect((await run.done).code).toBe(0);
  });
});

describe('apikit token client-credentials', () => {
  const cc = (dir: string, ...argv: string[]) => clientCredentials(is.url, dir, ...argv);

  it.each([
    {
      name: 'client_secret_basic (--client-secret-file)',
      client: 'sandbox-service',
      argv: () => ['--client-secret-file', is.issuer.clients.confidential.secret_file],
    },
    {
      name: 'client_secret_post',
      client: 'sandbox-service',
      argv: () => [
        '--client-secret-file',
        is.issuer.clients.confidential.secret_file,
        '--auth-method',
        'client_secret_post',
      ],
    },
    {
      name: 'private_key_jwt (--private-key, kid from signer.jwks.json)',
      client: 'sandbox-signer',
      argv: () => ['--private-key', is.issuer.clients.private_key_jwt.key_file],
    },
  ])('$name → a JWT for the resource, sub = client_id', async ({ client, argv }) => {
    const dir = configDir();
    const result = await cc(
      dir,
      '--client-id',
      client,
      ...argv(),
      '--scope',
      'read:posts write:posts delete:posts',
      '--resource',
      is.resource,
    );
    expect(result.code, result.stderr).toBe(0);
    const token = result.stdout.trim();
    const claims = await is.verify(token);
    expect(claims).toMatchObject({ iss: is.url, aud: is.resource, client_id: client, sub: client });
    expect((claims.scope as string).split(' ').sort()).toEqual(['delete:posts', 'read:posts', 'write:posts']);
    expect(result.stdout + result.stderr).not.toContain(secretOf());
  });

  it('without --resource: the API is the default audience; one scope', async () => {
    const result = await cc(
      configDir(),
      '--client-id',
      'sandbox-service',
      '--client-secret-file',
      is.issuer.clients.confidential.secret_file,
      '--scope',
      'read:posts',
    );
    expect(result.code, result.stderr).toBe(0);
    expect((await is.verify(result.stdout.trim())).scope).toBe('read:posts');
  });

  it('a wrong secret, an unknown resource: refused (exit 4 / 3), nothing printed on stdout', async () => {
    const t = tempDir('apikit-sandbox-secret-');
    cleanups.push(t.cleanup);
    const wrongFile = join(t.dir, 'wrong');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(wrongFile, 'x'.repeat(43) + '\n', { mode: 0o600 });
    const wrong = await cc(configDir(), '--client-id', 'sandbox-service', '--client-secret-file', wrongFile);
    expect(wrong.code).toBe(4);
    expect(wrong.stdout).toBe('');
    expect(wrong.stderr).toMatch(/invalid_client/);
    const elsewhere = await cc(
      configDir(),
      '--client-id',
      'sandbox-service',
      '--client-secret-file',
      is.issuer.clients.confidential.secret_file,
      '--resource',
      'https://api.example.com',
    );
    expect(elsewhere.code).not.toBe(0);
    expect(elsewhere.stdout).toBe('');
    expect(elsewhere.stderr).toMatch(/invalid_target/);
  });

  it('introspection: the confidential client may introspect; a public client only its own tokens', async () => {
    const dir = configDir();
    expect((await login(dir, ['--scope', 'openid read:posts'])).result.code).toBe(0);
    const { refreshToken } = tokensOf(dir);
    expect(await introspect(refreshToken)).toMatchObject({ active: true, sub: 'alice' });
    // Another public client does not exist; the public client itself sees its own refresh token.
    const own = await fetch(`${is.url}/token/introspection`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: refreshToken, client_id: 'apikit-cli' }).toString(),
    });
    expect(((await own.json()) as { active: boolean }).active).toBe(true);
  });
});

describe('housekeeping', () => {
  it('nothing went wrong inside the provider during the whole file', () => {
    expect(is.errors).toEqual([]);
  });

  it("after close() the handler answers 503 (the listener is the caller's to close)", async () => {
    const other = await startIssuer();
    try {
      await other.issuer.close();
      const res = await fetch(`${other.url}/.well-known/openid-configuration`);
      expect(res.status).toBe(503);
      expect(res.headers.get('content-security-policy')).toMatch(/^default-src 'none'/);
    } finally {
      await other.close();
    }
  });

  it('createIssuer refuses an issuer that is not an origin, and a resource that is not a URL', async () => {
    await expect(startIssuer({ resource: 'not a url' })).rejects.toMatchObject({ code: 'ERR_USAGE' });
    const { createIssuer } = await import('../../src/sandbox/issuer.js');
    const { systemClock } = await import('../../src/io/clock.js');
    for (const issuer of ['http://127.0.0.1:1/path', 'ftp://127.0.0.1:1', 'nope']) {
      await expect(
        createIssuer({ issuer, resource: 'http://127.0.0.1:2', stateDir: is.stateDir, clock: systemClock }),
      ).rejects.toMatchObject({ code: 'ERR_USAGE', exitCode: 2 });
    }
  });
});
