import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Browser } from '../helpers/browser.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { makeExpiring, startCli } from '../commands/login/harness.js';
import { clientCredentials, startIssuer, type RunningIssuer } from './issuer-harness.js';

/**
 * oidc-provider talks on the console: "Unsupported runtime" on Node 20 (lib/index.js, at import), "quick start
 * development-only" warnings for the in-memory adapter, keys and devInteractions, "you SHOULD change it" notices
 * the first time a default page or policy runs, and Koa prints unhandled errors. The sandbox must print none of
 * it on the user's terminal — without silencing the console itself. Every console method is watched from before
 * oidc-provider is first imported (this file's own module graph) through every kind of page and grant.
 */

const LEVELS = ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const;
const spies = LEVELS.map((level) => vi.spyOn(console, level).mockImplementation(() => undefined));
const warnings: Error[] = [];
const onWarning = (w: Error): void => void warnings.push(w);
let is: RunningIssuer;
const cleanups: Array<() => void> = [];

beforeAll(async () => {
  process.on('warning', onWarning);
  is = await startIssuer();
});
afterAll(async () => {
  process.off('warning', onWarning);
  await is?.close();
  for (const c of cleanups) c();
  for (const spy of spies) spy.mockRestore();
});

const calls = (): unknown[][] => spies.flatMap((s) => s.mock.calls);
const ALICE = { username: 'alice', password: 'wonderland' };
function configDir(): string {
  const t = tempDir('apikit-sandbox-quiet-');
  cleanups.push(t.cleanup);
  return t.dir;
}

describe('nothing on the console', () => {
  it('through login, refresh, logout, the device flow, client credentials, error pages and 404s', async () => {
    const dir = configDir();
    const run = startCli(['login', '--issuer', is.url, '--client-id', 'apikit-cli', '--no-browser'], {
      env: { APIKIT_CONFIG_DIR: dir },
    });
    const browser = new Browser();
    await browser.request(await browser.authorize(await run.authorizationUrl(), { credentials: ALICE }));
    expect((await run.done).code).toBe(0);
    makeExpiring(dir, 'default', 10_000);
    expect((await runCli(['token'], { env: { APIKIT_CONFIG_DIR: dir } })).code).toBe(0);
    expect((await runCli(['logout'], { env: { APIKIT_CONFIG_DIR: dir } })).code).toBe(0);

    const device = startCli(['login', '--issuer', is.url, '--client-id', 'apikit-cli', '--device'], {
      env: { APIKIT_CONFIG_DIR: configDir() },
    });
    const m = await device.waitFor(/\(or open (http\S+)\)/);
    await new Browser().approveDevice(m[1]!, undefined, { credentials: ALICE });
    expect((await device.done).code).toBe(0);

    const cc = await clientCredentials(
      is.url,
      configDir(),
      '--client-id',
      'sandbox-signer',
      '--private-key',
      is.issuer.clients.private_key_jwt.key_file,
    );
    expect(cc.code, cc.stderr).toBe(0);

    // The provider's error page (renderError), a JSON error, a CORS request to discovery, unknown paths.
    const bad = await fetch(`${is.url}/auth?client_id=nobody&response_type=code`, {
      headers: { accept: 'text/html' },
    });
    expect(bad.status).toBe(400);
    const badHtml = await bad.text();
    expect(badHtml).toMatch(/apikit sandbox/);
    expect(badHtml).toMatch(/invalid_client/);
    expect(bad.headers.get('content-security-policy')).toMatch(/^default-src 'none'; style-src 'sha256-/);
    const json = await fetch(`${is.url}/token`, { method: 'POST' });
    expect(json.status).toBe(400);
    const cors = await fetch(`${is.url}/.well-known/openid-configuration`, {
      headers: { origin: 'http://localhost:3000' },
    });
    expect(cors.status).toBe(200);
    const tokenCors = await fetch(`${is.url}/token`, {
      method: 'POST',
      headers: { origin: 'http://localhost:3000', 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials&client_id=apikit-cli',
    });
    expect(tokenCors.headers.get('access-control-allow-origin')).toBeNull();
    for (const path of ['/favicon.ico', '/interaction/', '/nope']) {
      const res = await fetch(`${is.url}${path}`);
      expect(res.status).toBe(404);
    }
    expect(is.errors).toEqual([]);
    expect(calls()).toEqual([]);
    expect(warnings.map((w) => w.message)).toEqual([]);
  });

  it('the watch works: the package main entry does print its runtime warning on Node < 22 LTS', async () => {
    const lts = process.release.lts ?? '';
    await import('oidc-provider');
    const printed = calls().map((c) => String(c[0]));
    if (lts !== '' && lts < 'Jod') {
      expect(printed).toEqual([expect.stringContaining('oidc-provider WARNING: Unsupported runtime')]);
    } else {
      expect(printed).toEqual([]);
    }
  });
});
