import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import cors, { type CorsOptions } from 'cors';

/**
 * Small CORS servers on 127.0.0.1 for the CLI and probe tests of `apikit probe cors` (the full set of real stacks
 * and their verdicts is test/fixtures/cors, the fixtures engineer's): the npm `cors` middleware over node:http,
 * configured as given, answering every non-preflight request 200 with a small JSON body. Every request is recorded
 * as the server saw it, so tests count the budget and check the methods and headers at the server.
 * - `reflecting()`: `origin: true, credentials: true`, the misconfiguration everyone ships;
 * - `allowList()`: the correct one — an allow-list of TRUSTED, credentials, Max-Age 600, the rate-limit headers
 *   exposed;
 * - `hangAfter: n`: every request after the n-th is left unanswered (a per-request timeout must end the probe);
 * - `raw`: a handler of one's own instead of the middleware (hostile header values);
 * - `advertise: false`: no RateLimit headers (which a rate-limit probe would take for an advertised quota).
 */
export const TRUSTED = 'https://app.example.com';

export interface SeenRequest {
  method: string;
  path: string;
  origin: string | null;
  headers: IncomingHttpHeaders;
}

export interface CorsServer {
  url: string;
  port: number;
  seen: SeenRequest[];
  /** Requests of this method. */
  count(method: string): number;
  close(): Promise<void>;
}

export interface CorsServerOptions {
  cors?: CorsOptions;
  hangAfter?: number;
  raw?: (req: SeenRequest, res: ServerResponse) => void;
  onRequest?: (seen: SeenRequest, index: number) => void;
  /** Send the IETF RateLimit headers (a quota of 100) on every answer (default true). */
  advertise?: boolean;
}

export const REFLECTING: CorsOptions = { origin: true, credentials: true };
export const ALLOW_LIST: CorsOptions = {
  origin: [TRUSTED],
  credentials: true,
  maxAge: 600,
  methods: ['GET', 'POST', 'DELETE'],
  allowedHeaders: ['Authorization', 'Content-Type', 'X-API-Key'],
  exposedHeaders: ['RateLimit', 'RateLimit-Policy', 'Retry-After'],
};

export async function startCorsServer(options: CorsServerOptions = {}): Promise<CorsServer> {
  const seen: SeenRequest[] = [];
  const middleware = cors(options.cors ?? REFLECTING);
  const server = createServer((req, res) => {
    const one: SeenRequest = {
      method: req.method ?? 'GET',
      path: req.url ?? '/',
      origin: typeof req.headers.origin === 'string' ? req.headers.origin : null,
      headers: req.headers,
    };
    seen.push(one);
    options.onRequest?.(one, seen.length - 1);
    req.resume();
    if (options.hangAfter !== undefined && seen.length > options.hangAfter) return; // never answers
    if (options.raw) return options.raw(one, res);
    middleware(req, res, () => {
      res.setHeader('content-type', 'application/json');
      if (options.advertise !== false) {
        res.setHeader('ratelimit', '"default";r=99;t=60');
        res.setHeader('ratelimit-policy', '"default";q=100;w=60');
      }
      res.end('{"me":"alice"}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/v1/me`,
    port,
    seen,
    count: (method) => seen.filter((s) => s.method === method).length,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
