import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A tiny limiter on 127.0.0.1 for the CLI tests of `apikit probe ratelimit` (the real limiters — nginx, Redis,
 * express-rate-limit — are the engine's and the fixtures' business): a fixed window of `limit` requests per
 * `windowMs`, anchored at the window's first request; over the limit it answers 429 with `Retry-After` (whole
 * seconds until the window ends, at least `retryAfterS`) and `X-RateLimit-Limit/Remaining/Reset`. It records every
 * request as the server saw it. `hangAfter: n` leaves every request after the n-th unanswered (a per-request
 * timeout must end the probe); `unlimited` answers 200 to everything.
 */
export interface SeenRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** Epoch ms when the server got the request. */
  at: number;
}

export interface TinyLimiterOptions {
  limit?: number;
  windowMs?: number;
  /** The smallest Retry-After sent (seconds); a longer one keeps a probe waiting. */
  retryAfterS?: number;
  unlimited?: boolean;
  hangAfter?: number;
  /** Called on every request as it arrives (before the answer). */
  onRequest?: (seen: SeenRequest, index: number) => void;
}

export interface TinyLimiter {
  url: string;
  port: number;
  seen: SeenRequest[];
  /** How many 429s were sent. */
  readonly limited: number;
  close(): Promise<void>;
}

export async function startTinyLimiter(options: TinyLimiterOptions = {}): Promise<TinyLimiter> {
  const limit = options.limit ?? 5;
  const windowMs = options.windowMs ?? 1000;
  const seen: SeenRequest[] = [];
  let windowStart = -Infinity;
  let used = 0;
  let limited = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const at = Date.now();
      const one: SeenRequest = {
        method: req.method ?? 'GET',
        path: req.url ?? '/',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        at,
      };
      seen.push(one);
      options.onRequest?.(one, seen.length - 1);
      if (options.hangAfter !== undefined && seen.length > options.hangAfter) return; // never answers
      if (options.unlimited) {
        res.writeHead(200, { 'content-type': 'text/plain' });
        return res.end('ok');
      }
      if (at - windowStart >= windowMs) {
        windowStart = at;
        used = 0;
      }
      const resetS = Math.max(1, Math.ceil((windowStart + windowMs - at) / 1000));
      const headers = {
        'content-type': 'text/plain',
        'x-ratelimit-limit': String(limit),
        'x-ratelimit-remaining': String(Math.max(0, limit - used - 1)),
        'x-ratelimit-reset': String(resetS),
      };
      if (used >= limit) {
        limited++;
        res.writeHead(429, {
          ...headers,
          'x-ratelimit-remaining': '0',
          'retry-after': String(Math.max(resetS, options.retryAfterS ?? 0)),
        });
        return res.end('slow down');
      }
      used++;
      res.writeHead(200, headers);
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/`,
    port,
    seen,
    get limited() {
      return limited;
    },
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
