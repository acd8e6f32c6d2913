import type { HttpClient, HttpResponse } from '../http/client.js';
import { NetworkError } from '../errors.js';
import { setCookies } from '../lib/set-cookie.js';

/**
 * The sandbox's test user signing in over plain HTTP, as a person at a browser would: open the authorization URL,
 * follow the issuer's redirects by hand (keeping its cookies), fill in the sign-in form, and follow on until the
 * issuer redirects to another origin — the client's loopback callback — which is then requested, so that the
 * waiting `apikit login` receives its code. Only for the sandbox's own pages (`apikit demo`): it knows their one
 * form (username, password) and nothing else. Bounded: at most MAX_HOPS requests.
 */
const MAX_HOPS = 12;

export interface SignInResult {
  /** The callback URL the issuer redirected to (with code, state, iss). */
  callbackUrl: string;
  /** The status of apikit's callback page. */
  callbackStatus: number;
}

export async function signInAsTestUser(
  http: HttpClient,
  authorizationUrl: string,
  user: { username: string; password: string },
): Promise<SignInResult> {
  const issuerOrigin = new URL(authorizationUrl).origin;
  const cookies = new Map<string, string>();
  let next: { url: string; method: 'GET' | 'POST'; body?: string } = { url: authorizationUrl, method: 'GET' };
  for (let hop = 0; hop < MAX_HOPS; hop++) {
    const res = await http.request({
      url: next.url,
      method: next.method,
      body: next.body,
      followRedirects: false,
      headers: {
        ...(cookies.size > 0 ? { cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; ') } : {}),
        ...(next.body !== undefined ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
    });
    keepCookies(res, cookies);
    const location = res.header('location');
    if (res.status >= 300 && res.status < 400 && location) {
      const target = new URL(location, res.url).href;
      if (new URL(target).origin !== issuerOrigin) {
        const callback = await http.request({ url: target, followRedirects: false });
        return { callbackUrl: target, callbackStatus: callback.status };
      }
      next = { url: target, method: 'GET' };
      continue;
    }
    const action = signInFormAction(res);
    if (res.status >= 400 || action === null) {
      throw new NetworkError(
        `the sandbox's sign-in did not go as expected: ${res.status} at ${res.url}`,
        'ERR_SANDBOX_SIGN_IN',
      );
    }
    next = {
      url: new URL(action, res.url).href,
      method: 'POST',
      body: new URLSearchParams({ username: user.username, password: user.password }).toString(),
    };
  }
  throw new NetworkError(`the sandbox's sign-in took more than ${MAX_HOPS} requests`, 'ERR_SANDBOX_SIGN_IN');
}

/** The action of the page's sign-in form (the first POST form with a password field), or null. */
function signInFormAction(res: HttpResponse): string | null {
  if (!/^text\/html/i.test(res.header('content-type') ?? '')) return null;
  const html = res.text();
  if (!/<input[^>]*\bname="password"/i.test(html)) return null;
  const form = /<form\b[^>]*\bmethod="post"[^>]*\baction="([^"]*)"/i.exec(html);
  return form ? form[1]!.replace(/&amp;/g, '&') : null;
}

/** name=value of each Set-Cookie, read by the audit's RFC 6265bis parser (attributes ignored: every cookie here
 *  is the issuer's own, on one origin). */
function keepCookies(res: HttpResponse, jar: Map<string, string>): void {
  const raw = res.headers['set-cookie'];
  for (const cookie of setCookies(Array.isArray(raw) ? raw : raw === undefined ? [] : [raw])) {
    jar.set(cookie.name, cookie.value);
  }
}
