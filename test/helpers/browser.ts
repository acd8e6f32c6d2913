/**
 * A tiny scripted "browser" for tests: follows redirects by hand, keeps cookies (with their paths), fills in
 * oidc-provider's devInteractions login and consent forms, the apikit sandbox's username/password form
 * (`credentials`) and the device-flow user-code forms, the way a person would — then hands the final redirect
 * (apikit's loopback callback) back to the test, or requests it.
 * Every loop is bounded (MAX_STEPS hops) and every request has a timeout.
 */
const MAX_STEPS = 25;
const TIMEOUT_MS = 10_000;

interface Cookie {
  name: string;
  value: string;
  path: string;
}

export interface BrowserResponse {
  url: string;
  status: number;
  headers: Headers;
  body: string;
}

export interface AuthorizeOptions {
  /** Account name typed into the login form (oidc-provider's dev login accepts any). Default "alice". */
  account?: string;
  /** Press "Cancel" on the first interaction page: the server redirects back with error=access_denied. */
  abort?: boolean;
  /**
   * Typed into a sign-in form that asks for a username and a password (the apikit sandbox's, src/sandbox/):
   * required for such a form. devInteractions' form ignores it.
   */
  credentials?: { username: string; password: string };
}

export class Browser {
  readonly #cookies = new Map<string, Cookie>();
  /** Every URL requested, in order (to assert what the user's browser saw). */
  readonly visited: string[] = [];
  /** The interaction prompts answered ("login", "consent"), in order. */
  readonly prompts: string[] = [];

  /**
   * Opens `authorizationUrl` and plays the user until the server redirects away from its own origin; returns
   * that redirect target (apikit's callback URL with code/state/iss, or error=...) without requesting it.
   */
  async authorize(authorizationUrl: string, options: AuthorizeOptions = {}): Promise<string> {
    const origin = new URL(authorizationUrl).origin;
    let res = await this.request(authorizationUrl);
    for (let step = 0; step < MAX_STEPS; step++) {
      const location = res.headers.get('location');
      if (res.status >= 300 && res.status < 400 && location) {
        const next = new URL(location, res.url).href;
        if (new URL(next).origin !== origin) return next;
        res = await this.request(next);
        continue;
      }
      if (res.status !== 200)
        throw new Error(`browser: ${res.url} answered ${res.status}: ${res.body.slice(0, 300)}`);
      res = await this.submitInteraction(res, options);
    }
    throw new Error(`browser: no redirect to the client after ${MAX_STEPS} steps`);
  }

  /** authorize() and then request the callback like the browser would; returns apikit's callback page. */
  async login(authorizationUrl: string, options: AuthorizeOptions = {}): Promise<BrowserResponse> {
    return this.request(await this.authorize(authorizationUrl, options));
  }

  /**
   * The device flow's user side (RFC 8628 §3.3): opens verification_uri_complete (or verification_uri and types
   * `userCode`), confirms, logs in and consents. Returns the final page (oidc-provider's success page).
   */
  async approveDevice(
    verificationUri: string,
    userCode: string | undefined,
    options: AuthorizeOptions = {},
  ): Promise<BrowserResponse> {
    let res = await this.request(verificationUri);
    for (let step = 0; step < MAX_STEPS; step++) {
      const location = res.headers.get('location');
      if (res.status >= 300 && res.status < 400 && location) {
        res = await this.request(new URL(location, res.url).href);
        continue;
      }
      if (res.status !== 200) return res;
      const form = parseForm(res.body);
      if (!form) return res;
      const fields = form.fields;
      if ('xsrf' in fields) {
        if (!fields.user_code) fields.user_code = userCode ?? '';
        if (options.abort && 'confirm' in fields) {
          delete fields.confirm;
          fields.abort = 'yes';
          return this.request(new URL(form.action, res.url).href, { method: 'POST', form: fields });
        }
        res = await this.request(new URL(form.action, res.url).href, { method: 'POST', form: fields });
        continue;
      }
      if (!('prompt' in fields) && !isPasswordForm(fields)) return res;
      res = await this.submitInteraction(res, { ...options, abort: false });
    }
    throw new Error(`browser: device approval did not finish after ${MAX_STEPS} steps`);
  }

  async request(
    url: string,
    init: { method?: string; form?: Record<string, string> } = {},
  ): Promise<BrowserResponse> {
    this.visited.push(url);
    const target = new URL(url);
    const headers: Record<string, string> = { accept: 'text/html' };
    const cookie = this.cookieHeader(target);
    if (cookie) headers.cookie = cookie;
    let body: string | undefined;
    if (init.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(init.form).toString();
    }
    const res = await fetch(url, {
      method: init.method ?? 'GET',
      headers,
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    for (const line of res.headers.getSetCookie()) this.storeCookie(line, target);
    return { url, status: res.status, headers: res.headers, body: await res.text() };
  }

  private async submitInteraction(res: BrowserResponse, options: AuthorizeOptions): Promise<BrowserResponse> {
    const form = parseForm(res.body);
    if (!form) throw new Error(`browser: no form on ${res.url}: ${res.body.slice(0, 300)}`);
    const action = new URL(form.action, res.url);
    const fields = form.fields;
    if (isPasswordForm(fields)) {
      // The sandbox's sign-in form: Cancel is a POST to <action>/abort.
      if (options.abort)
        return this.request(new URL(`${action.pathname}/abort`, action).href, { method: 'POST', form: {} });
      if (!options.credentials)
        throw new Error(`browser: ${res.url} asks for a username and password: pass \`credentials\``);
      this.prompts.push('login');
      fields.username = options.credentials.username;
      fields.password = options.credentials.password;
      return this.request(action.href, { method: 'POST', form: fields });
    }
    if (options.abort)
      return this.request(new URL(`${action.pathname.replace(/\/$/, '')}/abort`, action).href);
    if (fields.prompt) this.prompts.push(fields.prompt);
    if (fields.prompt === 'login') {
      fields.login = options.account ?? 'alice';
      fields.password = 'any-password';
    }
    return this.request(action.href, { method: 'POST', form: fields });
  }

  private cookieHeader(url: URL): string {
    return [...this.#cookies.values()]
      .filter(
        (c) =>
          url.pathname === c.path || url.pathname.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`),
      )
      .map((c) => `${c.name}=${c.value}`)
      .join('; ');
  }

  private storeCookie(line: string, url: URL): void {
    const [pair, ...attrs] = line.split(';');
    const eq = pair!.indexOf('=');
    const name = pair!.slice(0, eq).trim();
    const value = pair!.slice(eq + 1).trim();
    let path = '/';
    let expired = value === '';
    for (const attr of attrs) {
      const [k, v] = attr.split('=').map((s) => s.trim());
      if (k?.toLowerCase() === 'path' && v) path = v;
      if (k?.toLowerCase() === 'max-age' && Number(v) <= 0) expired = true;
      if (k?.toLowerCase() === 'expires' && v && Date.parse(v) < Date.now()) expired = true;
    }
    void url;
    const key = `${name}|${path}`;
    if (expired) this.#cookies.delete(key);
    else this.#cookies.set(key, { name, value, path });
  }
}

/** A sign-in form with username and password fields (the sandbox's), not devInteractions' (login, password). */
function isPasswordForm(fields: Record<string, string>): boolean {
  return 'username' in fields && 'password' in fields && !('prompt' in fields);
}

function decodeEntities(s: string): string {
  return s
    .replace(/&amp;/g, '&')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>');
}

/** The first <form> of a page: its action and the name/value of its inputs (enough for oidc-provider's pages). */
function parseForm(html: string): { action: string; fields: Record<string, string> } | undefined {
  const form = /<form\b([^>]*)>([\s\S]*?)<\/form>/i.exec(html);
  if (!form) return undefined;
  const action = /\baction="([^"]*)"/i.exec(form[1]!)?.[1] ?? '';
  const fields: Record<string, string> = {};
  for (const input of form[2]!.matchAll(/<input\b([^>]*)>/gi)) {
    const name = /\bname="([^"]*)"/i.exec(input[1]!)?.[1];
    if (!name) continue;
    fields[name] = decodeEntities(/\bvalue="([^"]*)"/i.exec(input[1]!)?.[1] ?? '');
  }
  return { action: decodeEntities(action), fields };
}
