import { spawnSync } from 'node:child_process';
import {
  chromium,
  type Browser,
  type BrowserContext,
  type CDPSession,
  type Frame,
  type Page,
} from 'playwright-core';
import { requireBinary } from './cli.js';

/**
 * Debian's headless Chromium as the judge of CORS: a page "served from" any origin — `https://evil.example`, a
 * look-alike with odd characters, a plain-http twin, `null` from a sandboxed iframe — fetches a target on
 * 127.0.0.1 the way it would fetch a public API, and reports what the browser let it read or send.
 *
 * How the page gets its origin: a DevTools `Fetch` interception that matches Document requests only and fulfils
 * the navigation with a tiny HTML page, so no name is ever resolved and the page's origin is exactly the URL's.
 * Not Playwright's `page.route`: while any route is set, Playwright answers every intercepted CORS preflight
 * itself (204 with ACAO = the request's Origin, ACAC true, ACAM/ACAH echoed), so the preflight never reaches the
 * server and a page "may send" a DELETE to a server with no CORS at all (measured: the DELETE arrived).
 *
 * Every byte stays on the machine: the host-resolver rules map every name to nowhere (the pages need no DNS;
 * the target is an IP literal), and the background-networking flags keep Chromium's own services quiet.
 */

export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Skips locally without Debian's chromium (the reason says what to install); throws under CI=true. */
export function requireChromium(): { skip: boolean; reason: string } {
  // Debian's /usr/bin/chromium is a shell script that probes the machine before it starts the browser; on a loaded
  // machine (a suite with two workers, a Chromium test beside it) that once took over 10 s. Whether Chromium is
  // installed is the question here, so it gets time and a second try.
  const answers = () =>
    spawnSync(CHROMIUM_PATH, ['--version'], { stdio: 'ignore', timeout: 30_000 }).status === 0;
  return requireBinary('chromium', () => answers() || answers());
}

/**
 * Added to Playwright's own defaults (which already give --headless, --no-sandbox — CI runs as root —, a fresh
 * temporary --user-data-dir removed on close, --disable-background-networking, --disable-component-update,
 * --disable-sync, --no-first-run; repeated here so the list stands on its own).
 */
export const CHROMIUM_ARGS: readonly string[] = [
  '--disable-gpu',
  // No UDP to anywhere: QUIC would bypass nothing here, but it is one less protocol to account for.
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-domain-reliability',
  // Every name resolves to nothing; 127.0.0.1 / localhost (the targets) stay reachable.
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost',
  // One --disable-features wins over Playwright's (the last one does), so it lists everything that matters:
  // - LocalNetworkAccessChecks: Chromium 156 blocks a public page's fetch of a loopback address ("Permission was
  //   denied for this request to access the `loopback` address space") before CORS runs. Granting the
  //   local-network-access permission is not enough: it is refused to insecure contexts, so the http:// twin
  //   could never fetch. With the check off, 127.0.0.1 is fetched as a public API would be; CORS is still
  //   enforced (a target without ACAO stays unreadable: test/browser/chromium-helper.test.ts).
  // - HttpsUpgrades, HttpsFirstBalancedModeAutoEnable: otherwise http://app.example.com is silently upgraded to
  //   https:// and the insecure-twin page would have the trusted origin.
  // - OptimizationHints, NetworkTimeServiceQuerying, AimEnabled, PreconnectToSearch, MediaRouter: Playwright's
  //   own list of features that call Google at startup.
  '--disable-features=' +
    [
      'LocalNetworkAccessChecks',
      'HttpsUpgrades',
      'HttpsFirstBalancedModeAutoEnable',
      'OptimizationHints',
      'NetworkTimeServiceQuerying',
      'AimEnabled',
      'PreconnectToSearch',
      'MediaRouter',
    ].join(','),
];

const LAUNCH_TIMEOUT_MS = 30_000;
const NAVIGATION_TIMEOUT_MS = 10_000;
/** Per fetch, enforced inside the page (AbortSignal.timeout), so page.evaluate never waits longer. */
export const FETCH_TIMEOUT_MS = 5_000;

/** The page the parent of a `null` origin's sandboxed iframe is served from (any origin does). */
const SANDBOX_PARENT = 'https://sandbox-parent.evil.example/';

const PAGE_HTML = '<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><title>origin</title>';
// allow-scripts without allow-same-origin: the iframe's origin is opaque and its requests say `Origin: null`.
const SANDBOX_HTML =
  '<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><title>sandbox parent</title>' +
  '<iframe sandbox="allow-scripts" srcdoc="<!doctype html><title>null</title>"></iframe>';

/** One fetch from the page: readable when it resolved and its body was read. */
export interface FetchOutcome {
  readable: boolean;
  status: number | null;
  /** The page's error (Chromium says only "Failed to fetch"; the CORS reason is in `console`). */
  error: string | null;
}

/** The four requests a page at the origin makes, in this order. */
export interface CorsAttempt {
  /** `method` without credentials (credentials: 'omit'). */
  simple: FetchOutcome;
  /** `method` with credentials: 'include'. */
  credentialed: FetchOutcome;
  /** `method` with Authorization, Content-Type: application/json, X-API-Key and credentials: 'include'. */
  preflighted: FetchOutcome;
  /** DELETE with Authorization and credentials: 'include' (whether it was SENT: the server's log says). */
  stateChanging: FetchOutcome;
}

export type OpenResult =
  | { ok: true; page: OriginPage }
  /** No page can have this origin in Chromium: why (refused URL, or the origin the page got instead). */
  | { ok: false; origin: string; reason: string };

/** One Chromium (one context) for a whole test file; pages per origin. */
export class OriginBrowser {
  private constructor(
    private readonly browser: Browser,
    private readonly context: BrowserContext,
  ) {}

  static async launch(): Promise<OriginBrowser> {
    const browser = await chromium.launch({
      executablePath: CHROMIUM_PATH,
      headless: true,
      chromiumSandbox: false,
      args: [...CHROMIUM_ARGS],
      timeout: LAUNCH_TIMEOUT_MS,
    });
    try {
      return new OriginBrowser(browser, await browser.newContext());
    } catch (err) {
      await browser.close();
      throw err;
    }
  }

  /**
   * A page whose origin is exactly `origin` (`null`: a sandboxed iframe's), or why Chromium cannot have one: the
   * URL `${origin}/` is refused, or the page's origin is not `origin` byte for byte (Chromium lower-cases,
   * drops a path, percent-encodes some host characters and decodes others).
   */
  async open(origin: string): Promise<OpenResult> {
    const page = await this.context.newPage();
    page.setDefaultTimeout(NAVIGATION_TIMEOUT_MS);
    const lines: string[] = [];
    // A network error's text does not name the URL; its location does.
    page.on('console', (m) => lines.push(`${m.text()} [${m.location().url}]`));
    try {
      const cdp = await this.context.newCDPSession(page);
      await serveDocuments(cdp, origin === 'null' ? SANDBOX_HTML : PAGE_HTML);
      // No HTTP cache and no CORS-preflight cache: every fetch is judged on its own exchange, as apikit judges
      // each origin's (a cached response of a server without Vary: Origin would carry another origin's ACAO; a
      // cached GET preflight would answer for the DELETE).
      await cdp.send('Network.enable');
      await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
      const url = origin === 'null' ? SANDBOX_PARENT : `${origin}/`;
      try {
        await page.goto(url, { waitUntil: 'load' });
      } catch (err) {
        await page.close();
        return {
          ok: false,
          origin,
          reason: `Chromium refuses the URL ${JSON.stringify(url)}: ${firstLine(err)}`,
        };
      }
      const frame = origin === 'null' ? await sandboxedFrame(page) : page.mainFrame();
      const actual = await frame.evaluate(() => (globalThis as unknown as { origin: string }).origin);
      if (actual !== origin) {
        await page.close();
        return {
          ok: false,
          origin,
          reason: `a page at ${JSON.stringify(url)} has origin ${JSON.stringify(actual)}`,
        };
      }
      return { ok: true, page: new OriginPage(origin, page, frame, lines) };
    } catch (err) {
      await page.close().catch(() => undefined);
      throw err;
    }
  }

  async close(): Promise<void> {
    await this.context.close().catch(() => undefined);
    await this.browser.close();
  }
}

export class OriginPage {
  constructor(
    readonly origin: string,
    private readonly page: Page,
    private readonly frame: Frame,
    private readonly consoleLines: string[],
  ) {}

  /** The four requests against `url`, one after another (the method under test: `method`). */
  attempt(url: string, method = 'GET'): Promise<CorsAttempt> {
    return this.frame.evaluate(
      async ({ url, method, timeoutMs }) => {
        const one = async (init: RequestInit) => {
          try {
            const res = await fetch(url, { ...init, mode: 'cors', signal: AbortSignal.timeout(timeoutMs) });
            await res.text();
            return { readable: true, status: res.status, error: null };
          } catch (err) {
            return { readable: false, status: null, error: err instanceof Error ? err.message : String(err) };
          }
        };
        const headers = {
          Authorization: 'Bearer browser-test',
          'Content-Type': 'application/json',
          'X-API-Key': 'k',
        };
        return {
          simple: await one({ method, credentials: 'omit' }),
          credentialed: await one({ method, credentials: 'include' }),
          preflighted: await one({ method, credentials: 'include', headers }),
          stateChanging: await one({
            method: 'DELETE',
            credentials: 'include',
            headers: { Authorization: 'Bearer browser-test' },
          }),
        };
      },
      { url, method, timeoutMs: FETCH_TIMEOUT_MS },
    );
  }

  /** What Chromium logged to the console about `url` (its CORS error messages say why a fetch failed). */
  console(url: string): string[] {
    return this.consoleLines.filter((line) => line.includes(url));
  }

  close(): Promise<void> {
    return this.page.close();
  }
}

/** Fulfils every Document request of this page with `html`; nothing else is intercepted (preflights included). */
async function serveDocuments(cdp: CDPSession, html: string): Promise<void> {
  const body = Buffer.from(html).toString('base64');
  cdp.on('Fetch.requestPaused', (event) => {
    const answer =
      event.resourceType === 'Document'
        ? cdp.send('Fetch.fulfillRequest', {
            requestId: event.requestId,
            responseCode: 200,
            responseHeaders: [{ name: 'Content-Type', value: 'text/html; charset=utf-8' }],
            body,
          })
        : cdp.send('Fetch.continueRequest', { requestId: event.requestId });
    answer.catch(() => undefined); // the page may be closing
  });
  await cdp.send('Fetch.enable', {
    patterns: [{ urlPattern: '*', resourceType: 'Document', requestStage: 'Request' }],
  });
}

async function sandboxedFrame(page: Page): Promise<Frame> {
  const handle = await page.waitForSelector('iframe');
  const frame = await handle.contentFrame();
  if (!frame) throw new Error('chromium: the sandboxed iframe has no frame');
  await frame.waitForLoadState('load');
  return frame;
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0]!;
}
