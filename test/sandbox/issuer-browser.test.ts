import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser as Chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS, CHROMIUM_PATH, requireChromium } from '../helpers/chromium.js';
import { tempDir } from '../helpers/cli.js';
import { readConfig, startCli } from '../commands/login/harness.js';
import { startIssuer, type RunningIssuer } from './issuer-harness.js';

/**
 * A real browser on the sandbox's own pages: headless Chromium signs in through the sign-in form (typing, clicking)
 * and walks the device flow from verification_uri_complete, and every Content-Security-Policy violation, page
 * error and request to another origin is recorded — there must be none. The point is what only a browser
 * enforces: the style hash, `default-src 'none'`, form-action over the redirects after a POST (Chromium checks
 * each hop, so the sign-in page must allow the loopback callback's origin), and the provider's auto-submitting
 * form with its script hash added to `script-src`. Screenshots go to test-artifacts/ (gitignored).
 */

const need = requireChromium();
/** The one DOM call made in the page (tsconfig has no DOM lib). */
type StyleWindow = { getComputedStyle(element: unknown): { textTransform: string } };
const ARTIFACTS = join(import.meta.dirname, '..', '..', 'test-artifacts', 'sandbox-issuer');
const ALICE = { username: 'alice', password: 'wonderland' };

let is: RunningIssuer;
let browser: Chromium;
const contexts: BrowserContext[] = [];
const cleanups: Array<() => void> = [];

beforeAll(async () => {
  if (need.skip) return;
  mkdirSync(ARTIFACTS, { recursive: true });
  is = await startIssuer();
  browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    chromiumSandbox: false,
    args: [...CHROMIUM_ARGS],
    timeout: 30_000,
  });
});
afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  await is?.close();
  for (const c of cleanups) c();
});

function configDir(): string {
  const t = tempDir('apikit-sandbox-chromium-');
  cleanups.push(t.cleanup);
  return t.dir;
}

/**
 * A page in a fresh profile (no session from an earlier test) that records CSP violations (Chromium logs each
 * one), page errors and requests off the machine. The one console error expected — the 401 of a wrong password,
 * which Chromium logs as "Failed to load resource" — is left out.
 */
async function watchedPage(): Promise<{ page: Page; problems: string[] }> {
  const context = await browser.newContext();
  contexts.push(context);
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  const problems: string[] = [];
  page.on('console', (m) => {
    if (/status of 401 \(Unauthorized\)/.test(m.text())) return;
    if (m.type() === 'error' || /Content Security Policy|Refused to/i.test(m.text()))
      problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('request', (r) => {
    const host = new URL(r.url()).hostname;
    if (host !== '127.0.0.1' && host !== 'localhost') problems.push(`request to ${r.url()}`);
  });
  return { page, problems };
}

describe.skipIf(need.skip)(
  `the sandbox sign-in in Chromium${need.skip ? ` (skipped: ${need.reason})` : ''}`,
  () => {
    it('apikit login: the sign-in page, typed credentials, the redirects to the loopback callback — no CSP violation', async () => {
      const dir = configDir();
      const run = startCli(
        [
          'login',
          '--issuer',
          is.url,
          '--client-id',
          'apikit-cli',
          '--no-browser',
          '--scope',
          'openid read:posts',
        ],
        { env: { APIKIT_CONFIG_DIR: dir } },
      );
      const url = await run.authorizationUrl();
      const { page, problems } = await watchedPage();
      await page.goto(url);
      expect(await page.title()).toBe('Sign in · apikit sandbox');
      await expect(page.locator('main').innerText()).resolves.toMatch(/apikit CLI \(apikit-cli\) asks for:/);
      // The stylesheet applied (its hash is in the CSP): the badge is upper-cased by CSS, not in the markup.
      expect(
        await page
          .locator('.badge')
          .evaluate((e) => (globalThis as unknown as StyleWindow).getComputedStyle(e).textTransform),
      ).toBe('uppercase');
      await page.screenshot({ path: join(ARTIFACTS, 'sign-in.png') });

      await page.getByLabel('Username').fill('alice');
      await page.getByLabel('Password').fill('not-the-password');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await expect(page.getByRole('alert').innerText()).resolves.toBe('Wrong username or password.');
      await page.screenshot({ path: join(ARTIFACTS, 'sign-in-wrong-password.png') });

      await page.getByLabel('Password').fill(ALICE.password);
      const callback = new URL(new URL(url).searchParams.get('redirect_uri')!);
      await Promise.all([
        page.waitForURL((u) => u.origin === callback.origin && u.pathname === callback.pathname),
        page.getByRole('button', { name: 'Sign in' }).click(),
      ]);
      expect(new URL(page.url()).searchParams.get('iss')).toBe(is.url);
      // apikit's own callback page: rendered under its CSP, nothing fetched, and it sends the user back.
      await expect(page.locator('body').innerText()).resolves.toMatch(
        /Signed in[\s\S]*return to your terminal/,
      );
      await page.screenshot({ path: join(ARTIFACTS, 'callback-success.png') });
      const result = await run.done;
      expect(result.code, result.stderr).toBe(0);
      expect(readConfig(dir).profiles!.default!.subject).toBe('alice');
      expect(problems).toEqual([]);
      await page.close();
    });

    it('Cancel on the sign-in page: apikit’s error page tells the user to go back to the terminal; exit 4', async () => {
      const run = startCli(['login', '--issuer', is.url, '--client-id', 'apikit-cli', '--no-browser'], {
        env: { APIKIT_CONFIG_DIR: configDir() },
      });
      const url = await run.authorizationUrl();
      const { page, problems } = await watchedPage();
      // The error page is a 400, which Chromium logs as a failed resource: expected, not a problem.
      page.removeAllListeners('console');
      page.on('console', (m) => {
        if (/Content Security Policy|Refused to/i.test(m.text())) problems.push(`console: ${m.text()}`);
      });
      await page.goto(url);
      const callback = new URL(new URL(url).searchParams.get('redirect_uri')!);
      await Promise.all([
        page.waitForURL((u) => u.origin === callback.origin && u.pathname === callback.pathname),
        page.getByRole('button', { name: 'Cancel' }).click(),
      ]);
      expect(new URL(page.url()).searchParams.get('error')).toBe('access_denied');
      await expect(page.locator('body').innerText()).resolves.toMatch(/Sign-in failed[\s\S]*terminal/);
      await page.screenshot({ path: join(ARTIFACTS, 'callback-error.png') });
      const result = await run.done;
      expect(result.code).toBe(4);
      expect(result.stderr).toMatch(/access_denied/);
      expect(problems).toEqual([]);
      await page.close();
    });

    it('apikit login --device from verification_uri_complete: auto-submit, confirm, sign in, success — no violation', async () => {
      const run = startCli(['login', '--issuer', is.url, '--client-id', 'apikit-cli', '--device'], {
        env: { APIKIT_CONFIG_DIR: configDir() },
      });
      const m = await run.waitFor(/\(or open (http\S+)\)/);
      const { page, problems } = await watchedPage();
      // The provider's auto-submitting form (script hash added to script-src) lands on the confirmation page.
      await page.goto(m[1]!);
      await page.waitForSelector('h1:text("Confirm the device")');
      await page.screenshot({ path: join(ARTIFACTS, 'device-confirm.png') });
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.waitForSelector('h1:text("Sign in")');
      await page.getByLabel('Username').fill(ALICE.username);
      await page.getByLabel('Password').fill(ALICE.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForSelector('h1:text("Signed in")');
      await expect(page.locator('main').innerText()).resolves.toMatch(/return to your terminal/);
      await page.screenshot({ path: join(ARTIFACTS, 'device-success.png') });
      expect((await run.done).code).toBe(0);
      expect(problems).toEqual([]);
      await page.close();
    });

    it('the code entry page (verification_uri): typed code, then the confirmation — no violation', async () => {
      const run = startCli(['login', '--issuer', is.url, '--client-id', 'apikit-cli', '--device'], {
        env: { APIKIT_CONFIG_DIR: configDir() },
      });
      const m = await run.waitFor(/open (http\S+) and enter the code (\S+)\n/);
      const { page, problems } = await watchedPage();
      await page.goto(m[1]!);
      await page.screenshot({ path: join(ARTIFACTS, 'device-code.png') });
      await page.getByLabel('Code').fill(m[2]!);
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.waitForSelector('h1:text("Confirm the device")');
      // Cancel: the CLI is told the user denied it.
      await page.getByRole('button', { name: 'Cancel' }).click();
      await page.waitForSelector('text=The sign-in was cancelled');
      expect((await run.done).code).toBe(4);
      expect(problems).toEqual([]);
      await page.close();
    });
  },
);
