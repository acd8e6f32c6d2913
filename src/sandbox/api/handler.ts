import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from '../../server/loopback-server.js';
import { rateLimitHeaders, type BucketDecision } from '../limiter/index.js';
import { createAuthenticator, type AuthFailure } from './auth.js';
import { answerPreflight, corsPolicy, isPreflight, setCorsHeaders } from './cors.js';
import { routeTable } from './endpoints.js';
import { createLab } from './lab.js';
import { API_POLICIES } from './policies.js';
import { bearerChallenge, sendProblem, type ProblemOptions, type ProblemSlug } from './problems.js';
import { sendEmpty } from './reply.js';
import { matchRoute, type Match } from './router.js';
import { setSecurityHeaders } from './security-headers.js';
import type { ApiOptions, Identity } from './types.js';
import { DEPRECATED_VERSION, deprecatedHeaders, retiredHeaders, versionDates } from './versions.js';

/**
 * The reference API as one node:http handler (no framework: it ships inside the CLI). Every request, in order:
 *
 * 1. /lab/… goes to the deliberately broken endpoints (./lab.ts) and nothing below applies;
 * 2. the security headers and the CORS headers (Vary: Origin always) are set, so that every answer — errors
 *    included — carries them; a CORS preflight is answered here, without a credential and without counting;
 * 3. the credential, if any, is verified (a bad one is reported even on a public route);
 * 4. the rate limit: one token from the caller's bucket — its API key, else its token's subject, else its
 *    address — under the route's policy; the headers go on the answer whatever it is, 429 when empty;
 * 5. the route: 404, 405 with Allow, 410 for a retired version, 401/403 for a missing credential or scope
 *    (RFC 6750 §3 challenges), else the endpoint. Every error is problem+json (./problems.ts).
 * v0 answers carry their Deprecation, Sunset and Link headers from step 2 on. Nothing thrown reaches the
 * server: it becomes a 500 problem and `onError`.
 */
export function createApiHandler(options: ApiOptions): RequestHandler {
  const apiUrl = options.apiUrl.replace(/\/+$/, '');
  const cors = corsPolicy(options.corsOrigins);
  const authenticate = createAuthenticator({
    issuer: options.issuer,
    audience: apiUrl,
    jwksUri: options.jwksUri,
    apiKeys: options.apiKeys,
    clock: options.clock,
  });
  const dates = versionDates(options.clock);
  const table = routeTable({ apiUrl, clock: options.clock, dates });
  const report = (err: unknown): void => {
    try {
      options.onError?.(err);
    } catch {
      // A failing error sink must not turn one failure into two.
    }
  };
  const lab = createLab({
    apiUrl,
    clock: options.clock,
    clientKey: async (req, url) => {
      const auth = await authenticate(req, url).catch(() => undefined);
      return auth?.kind === 'ok' ? auth.identity.bucket : addressKey(req);
    },
  });
  const problem = (res: ServerResponse, slug: ProblemSlug, detail: string, opts?: ProblemOptions): void =>
    sendProblem(res, apiUrl, slug, detail, opts);

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = requestUrl(req, apiUrl);
    if (url === null) {
      setSecurityHeaders(res);
      // RFC 9110 §9.3.7: `OPTIONS *` asks about the server as a whole.
      if (req.method === 'OPTIONS' && req.url === '*') return sendEmpty(res, 204, { allow: SERVER_ALLOW });
      return problem(res, 'bad-request', 'the request target is not a path');
    }
    const path = url.pathname;
    if (path === '/lab' || path.startsWith('/lab/')) return lab(req, res, url);

    setSecurityHeaders(res);
    setCorsHeaders(req, res, cors);
    if (isPreflight(req)) return answerPreflight(req, res, cors);

    const method = req.method ?? 'GET';
    const match = matchRoute(table, method, path);
    if (match.kind === 'route' && match.version === DEPRECATED_VERSION) {
      for (const [k, v] of Object.entries(deprecatedHeaders(apiUrl, match.rest, dates))) res.setHeader(k, v);
    }

    const auth = await authenticate(req, url);
    if (auth.kind === 'unavailable') {
      report(auth.cause);
      return problem(res, 'upstream-unavailable', auth.detail, { headers: { 'retry-after': '5' } });
    }
    const policy = match.kind === 'route' ? API_POLICIES[match.route.policy] : API_POLICIES.default;
    let decision: BucketDecision;
    try {
      decision = await options.limiter.take(
        auth.kind === 'ok' ? auth.identity.bucket : addressKey(req),
        policy,
      );
    } catch (err) {
      report(err);
      return problem(res, 'upstream-unavailable', 'the rate limiter is unavailable', {
        headers: { 'retry-after': '5' },
      });
    }
    for (const [k, v] of Object.entries(rateLimitHeaders(decision))) res.setHeader(k, v);
    if (!decision.allowed) {
      if (!res.hasHeader('retry-after')) res.setHeader('retry-after', String(decision.retryAfterSeconds));
      return problem(
        res,
        'rate-limited',
        `the "${policy.name}" bucket is empty (${policy.capacity} at once, ${policy.refillPerSecond} per second): retry in ${decision.retryAfterSeconds} s`,
      );
    }
    if (auth.kind === 'refused') return refuse(res, auth);
    return route(req, res, url, match, auth.kind === 'ok' ? auth.identity : null);
  }

  function refuse(res: ServerResponse, failure: AuthFailure): void {
    problem(res, failure.problem, failure.detail, { headers: { 'www-authenticate': failure.challenge } });
  }

  async function route(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    match: Match,
    identity: Identity | null,
  ): Promise<void> {
    switch (match.kind) {
      case 'not-found':
        return problem(res, 'not-found', `nothing at ${url.pathname.slice(0, 200)}: GET / lists the routes`);
      case 'gone':
        return problem(res, 'gone', 'v-1 was retired at its sunset: use v1', {
          headers: retiredHeaders(apiUrl, match.rest, dates),
        });
      case 'method-not-allowed':
        return problem(res, 'method-not-allowed', `${match.method.slice(0, 20)} is not answered here`, {
          headers: { allow: match.allow },
        });
      case 'options':
        return sendEmpty(res, 204, { allow: match.allow });
      case 'route': {
        const { route: r } = match;
        if (r.scope !== null && identity === null) {
          return problem(res, 'unauthorized', 'this route needs a bearer token or an API key', {
            headers: { 'www-authenticate': bearerChallenge() },
          });
        }
        if (r.scope !== null && r.scope !== '' && !identity!.scopes.includes(r.scope)) {
          return problem(res, 'insufficient-scope', `this route needs the scope ${r.scope}`, {
            headers: {
              'www-authenticate': bearerChallenge(
                'insufficient_scope',
                `the ${r.scope} scope is required`,
                r.scope,
              ),
            },
          });
        }
        return r.run({
          req,
          res,
          url,
          params: match.params,
          identity,
          version: match.version,
          rest: match.rest,
        });
      }
    }
  }

  return async (req, res) => {
    try {
      await handle(req, res);
    } catch (err) {
      report(err);
      if (!res.headersSent) problem(res, 'internal', 'an unexpected error; it has been reported');
      else res.destroy();
    }
  };
}

const SERVER_ALLOW = 'GET, HEAD, POST, DELETE, OPTIONS';

/** The bucket of a caller without a verified credential. */
function addressKey(req: IncomingMessage): string {
  return `addr:${req.socket.remoteAddress ?? 'unknown'}`;
}

/**
 * The request target as a URL on this API: origin-form (`/v1/posts?x`), or absolute-form, which RFC 9112
 * §3.2.2 says a server MUST accept (only its path and query are used: this server is its own origin); null for
 * anything else (`*`, garbage).
 */
function requestUrl(req: IncomingMessage, apiUrl: string): URL | null {
  const target = req.url ?? '/';
  try {
    if (/^https?:\/\//i.test(target)) {
      const absolute = new URL(target);
      return new URL(`${absolute.pathname}${absolute.search}`, apiUrl);
    }
    if (!target.startsWith('/') || target.startsWith('//')) return null;
    return new URL(target, apiUrl);
  } catch {
    return null;
  }
}
