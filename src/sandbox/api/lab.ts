import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock } from '../../lib/time/clock.js';
import { fixedWindowLimiter } from '../limiter/index.js';
import { sendProblem } from './problems.js';
import { sendEmpty, sendJson } from './reply.js';
import { setSecurityHeaders } from './security-headers.js';

/**
 * `/lab/`: endpoints that are wrong ON PURPOSE, so that a user can see what apikit's findings look like on a
 * real server (and compare them with /v1, which does each thing right). Each one breaks one area and keeps the
 * rest right where it can, so its findings are about that area:
 *
 * - /lab/cors — reflects ANY Origin into Access-Control-Allow-Origin, with Access-Control-Allow-Credentials:
 *   true, and answers every preflight with whatever it asked for; no Vary: Origin. Any web page can read
 *   what this endpoint returns to a logged-in user. (`apikit probe cors`: cors.origin-reflected, high.)
 * - /lab/headers — none of the security headers of /v1 (no CSP, nosniff, X-Frame-Options, Cache-Control), and
 *   the classic leaks: Server with a version, X-Powered-By, X-AspNet-Version, X-XSS-Protection: 1 (the
 *   removed, abusable XSS filter), Cache-Control: public on data, and a cookie without HttpOnly or SameSite.
 *   (`apikit audit`: grade D or F.)
 * - /lab/ratelimit — a fixed window (LAB_WINDOW.limit per LAB_WINDOW.windowSeconds, per client) whose 429
 *   says Retry-After: 1 however long the window still has to run: a client that obeys it is refused again.
 *   The X-RateLimit-* headers are honest, so the lie shows against them. (`apikit probe ratelimit`:
 *   ratelimit.retry-after-too-short, high.) The window is the limiter's; the lie is this file's.
 */

// 4 s: three times the lie, long enough to show it, short enough that `apikit demo` need not wait long.
export const LAB_WINDOW = { limit: 5, windowSeconds: 4 } as const;
/** What /lab/ratelimit claims, whatever the truth. */
export const LAB_RETRY_AFTER_S = 1;

export interface LabDeps {
  apiUrl: string;
  clock: Clock;
  /** The caller's rate-limit key (its verified credential, else its address). */
  clientKey(req: IncomingMessage, url: URL): Promise<string>;
}

export type LabHandler = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void>;

export function labEntries(apiUrl: string): Record<string, unknown>[] {
  return [
    {
      path: '/lab/cors',
      url: `${apiUrl}/lab/cors`,
      broken: 'reflects any Origin with Access-Control-Allow-Credentials: true (and no Vary: Origin)',
      try: `apikit probe cors ${apiUrl}/lab/cors --origin http://localhost:3000`,
      expect: 'cors.origin-reflected (high): any site reads credentialed responses',
    },
    {
      path: '/lab/headers',
      url: `${apiUrl}/lab/headers`,
      broken:
        'no security headers; Server and X-Powered-By name the software; Cache-Control: public; a cookie without HttpOnly/SameSite',
      try: `apikit audit ${apiUrl}/lab/headers`,
      expect: 'grade D or F (compare: apikit audit <api>/v1/posts grades A+)',
    },
    {
      path: '/lab/ratelimit',
      url: `${apiUrl}/lab/ratelimit`,
      broken: `a fixed window of ${LAB_WINDOW.limit} requests per ${LAB_WINDOW.windowSeconds} s whose 429 always says Retry-After: ${LAB_RETRY_AFTER_S}`,
      try: `apikit probe ratelimit ${apiUrl}/lab/ratelimit`,
      expect: 'ratelimit.retry-after-too-short (high): clients that obey Retry-After are refused again',
    },
  ];
}

export function createLab(deps: LabDeps): LabHandler {
  const { apiUrl } = deps;
  const windowLimiter = fixedWindowLimiter(deps.clock, { ...LAB_WINDOW });
  const notAllowed = (res: ServerResponse, method: string, allow: string): void =>
    sendProblem(res, apiUrl, 'method-not-allowed', `${method.slice(0, 20)} is not answered here`, {
      headers: { allow },
    });

  return async (req, res, url) => {
    const method = req.method ?? 'GET';
    const readOnly = method === 'GET' || method === 'HEAD';
    switch (url.pathname) {
      case '/lab':
      case '/lab/':
        setSecurityHeaders(res);
        if (!readOnly) return notAllowed(res, method, 'GET, HEAD');
        return sendJson(res, 200, {
          lab: 'endpoints broken on purpose, to show what the findings look like',
          endpoints: labEntries(apiUrl),
        });

      case '/lab/cors': {
        // BROKEN ON PURPOSE: the Origin is echoed whatever it is, with credentials, and no Vary: Origin.
        setSecurityHeaders(res);
        const origin = req.headers.origin;
        if (typeof origin === 'string') {
          res.setHeader('access-control-allow-origin', origin);
          res.setHeader('access-control-allow-credentials', 'true');
        }
        if (method === 'OPTIONS') {
          const askedMethod = req.headers['access-control-request-method'];
          const askedHeaders = req.headers['access-control-request-headers'];
          if (typeof askedMethod === 'string') res.setHeader('access-control-allow-methods', askedMethod);
          if (typeof askedHeaders === 'string') res.setHeader('access-control-allow-headers', askedHeaders);
          res.setHeader('access-control-max-age', '600');
          return sendEmpty(res, 204);
        }
        if (!readOnly) return notAllowed(res, method, 'GET, HEAD, OPTIONS');
        return sendJson(res, 200, {
          lab: 'cors',
          account: { user: 'alice', email: 'alice@example.test' },
          note: 'any web page can read this with the visitor’s credentials',
        });
      }

      case '/lab/headers':
        // BROKEN ON PURPOSE: no security header at all, and every header OWASP says to remove or fix.
        if (!readOnly) return notAllowed(res, method, 'GET, HEAD');
        res.setHeader('server', 'nginx/1.18.0');
        res.setHeader('x-powered-by', 'Express');
        res.setHeader('x-aspnet-version', '4.0.30319');
        res.setHeader('x-xss-protection', '1; mode=block');
        res.setHeader('cache-control', 'public, max-age=3600');
        res.setHeader('set-cookie', 'lab_session=not-a-real-session; Path=/');
        return sendJson(res, 200, { lab: 'headers', account: { user: 'alice', plan: 'free' } });

      case '/lab/ratelimit': {
        setSecurityHeaders(res);
        if (!readOnly) return notAllowed(res, method, 'GET, HEAD');
        const decision = windowLimiter.take(await deps.clientKey(req, url));
        res.setHeader('x-ratelimit-limit', String(decision.limit));
        res.setHeader('x-ratelimit-remaining', String(decision.remaining));
        res.setHeader('x-ratelimit-reset', String(decision.resetSeconds));
        if (!decision.allowed) {
          // BROKEN ON PURPOSE: the truth is decision.resetSeconds; the header says 1.
          return sendProblem(res, apiUrl, 'rate-limited', 'the fixed window is used up', {
            headers: { 'retry-after': String(LAB_RETRY_AFTER_S) },
          });
        }
        return sendJson(res, 200, { lab: 'ratelimit', remaining: decision.remaining });
      }

      default:
        setSecurityHeaders(res);
        return sendProblem(res, apiUrl, 'not-found', 'no such lab endpoint: GET /lab/ lists them');
    }
  };
}
