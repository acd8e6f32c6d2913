import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * CORS with an allow-list and credentials (Fetch standard §3.2): `Access-Control-Allow-Origin` echoes the
 * request's Origin only when it is, byte for byte, one of the configured origins — never a prefix, suffix or
 * pattern match — together with `Access-Control-Allow-Credentials: true`. `Vary: Origin` goes on every answer,
 * allowed or not, since the answer depends on the Origin and a cache must not hand one origin's to another.
 * Rate-limit, lifecycle and challenge headers are not CORS-safelisted, so they are exposed by name (`*` would
 * not cover credentialed requests). A preflight is answered without a credential and is not rate-limited:
 * browsers send it on their own, and counting it would halve what a page may do.
 */

/** Local development servers' usual origins (create-react-app / Next.js, Vite). */
export const DEFAULT_CORS_ORIGINS: readonly string[] = ['http://localhost:3000', 'http://127.0.0.1:5173'];

export const ALLOWED_METHODS = ['GET', 'HEAD', 'POST', 'DELETE'] as const;
export const ALLOWED_REQUEST_HEADERS = ['Authorization', 'Content-Type', 'X-API-Key'] as const;
export const EXPOSED_HEADERS = [
  'RateLimit',
  'RateLimit-Policy',
  'X-RateLimit-Limit',
  'X-RateLimit-Remaining',
  'X-RateLimit-Reset',
  'Retry-After',
  'Deprecation',
  'Sunset',
  'Link',
  'Location',
  'WWW-Authenticate',
] as const;
/** Seconds a browser may cache the preflight: below Chromium's 2 h cap, so every browser honours it. */
export const PREFLIGHT_MAX_AGE_S = 600;

export interface CorsPolicy {
  allows(origin: string): boolean;
}

export function corsPolicy(origins: readonly string[]): CorsPolicy {
  const set = new Set(origins);
  return { allows: (origin) => set.has(origin) };
}

function originOf(req: IncomingMessage): string | undefined {
  const o = req.headers.origin;
  return typeof o === 'string' && o !== '' ? o : undefined;
}

/** The headers of every answer (not a preflight): Vary always, the rest for an allowed origin. */
export function setCorsHeaders(req: IncomingMessage, res: ServerResponse, policy: CorsPolicy): void {
  res.setHeader('vary', 'Origin');
  const origin = originOf(req);
  if (origin === undefined || !policy.allows(origin)) return;
  res.setHeader('access-control-allow-origin', origin);
  res.setHeader('access-control-allow-credentials', 'true');
  res.setHeader('access-control-expose-headers', EXPOSED_HEADERS.join(', '));
}

/** A CORS preflight (Fetch: OPTIONS with Origin and Access-Control-Request-Method), not a plain OPTIONS. */
export function isPreflight(req: IncomingMessage): boolean {
  return (
    req.method === 'OPTIONS' &&
    originOf(req) !== undefined &&
    typeof req.headers['access-control-request-method'] === 'string'
  );
}

/**
 * The preflight's answer: 204, and for an allowed origin what it may send. A disallowed origin gets a 204
 * without any Access-Control-Allow-* header, which browsers treat as a refusal; nothing more is said to it.
 */
export function answerPreflight(req: IncomingMessage, res: ServerResponse, policy: CorsPolicy): void {
  res.setHeader('vary', 'Origin');
  const origin = originOf(req)!;
  if (policy.allows(origin)) {
    res.setHeader('access-control-allow-origin', origin);
    res.setHeader('access-control-allow-credentials', 'true');
    res.setHeader('access-control-allow-methods', ALLOWED_METHODS.join(', '));
    res.setHeader('access-control-allow-headers', ALLOWED_REQUEST_HEADERS.join(', '));
    res.setHeader('access-control-max-age', String(PREFLIGHT_MAX_AGE_S));
  }
  res.writeHead(204);
  res.end();
}
