import { mkdir } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock } from '../lib/time/clock.js';
import { startServer, type RequestHandler, type RunningServer } from '../server/loopback-server.js';
import { createApiHandler, DEFAULT_CORS_ORIGINS, type ApiKeyRecord } from './api/index.js';
import { ensureApiKeys } from './api-keys.js';
import { createIssuer, type SandboxIssuer } from './issuer.js';
import { memoryLimiter, redisLimiter, type RateLimiter } from './limiter/index.js';

/**
 * The sandbox: a real OpenID provider (oidc-provider) and the reference API, each on its own 127.0.0.1 port,
 * wired to each other — the API trusts tokens of this issuer for its own URL (the resource indicator), and the
 * issuer's clients, secret, keys and the API key live in `stateDir` and survive restarts.
 *
 * Order matters: both servers listen first (with a handler that answers 503 until it is ready), so that the issuer
 * knows the API's URL (its resource indicator) and the API knows the issuer's, whatever ports were asked for.
 */
export interface SandboxOptions {
  /** API port; 0 for a free one. */
  port: number;
  /** Issuer port; 0 for a free one. */
  issuerPort: number;
  /** Share the rate limiter's buckets in this Redis (several sandbox processes, one limit). */
  redisUrl?: string;
  /** `<config dir>/sandbox`: secrets, keys and the API key store. */
  stateDir: string;
  clock: Clock;
  signal?: AbortSignal;
  corsOrigins?: readonly string[];
  onError?: (err: unknown) => void;
  /** Told about every answered request (the request log). */
  onRequest?: (entry: SandboxRequestEntry) => void;
}

/** One answered request: never its query string, which may carry a key the API refused. */
export interface SandboxRequestEntry {
  server: 'api' | 'issuer';
  method: string;
  path: string;
  status: number;
  ms: number;
}

/** What `apikit sandbox --json` prints: stable, documented in the README. */
export interface SandboxInfo {
  issuer: string;
  api_url: string;
  clients: SandboxIssuer['clients'];
  user: SandboxIssuer['user'];
  resource: string;
  scopes: string[];
  api_key_file: string;
  cors_origins: string[];
  rate_limiter: 'memory' | 'redis';
  state_dir: string;
}

export interface RunningSandbox {
  info: SandboxInfo;
  /** Makes the API accept one more key (its stored hash, as `apikit apikey hash` prints it), from now on. */
  registerApiKey(record: ApiKeyRecord): void;
  /** Stops both servers, the issuer and the limiter; idempotent. */
  close(): Promise<void>;
}

export async function startSandbox(options: SandboxOptions): Promise<RunningSandbox> {
  const closers: Array<() => Promise<void>> = [];
  const closeAll = async (): Promise<void> => {
    for (const close of closers.splice(0).reverse()) await close().catch(() => undefined);
  };
  try {
    await mkdir(options.stateDir, { recursive: true, mode: 0o700 });
    const limiter: RateLimiter = options.redisUrl
      ? await redisLimiter(options.redisUrl, options.clock)
      : memoryLimiter(options.clock);
    closers.push(() => limiter.close());

    const api = await listen('api', options.port, options, closers);
    const issuerServer = await listen('issuer', options.issuerPort, options, closers);
    const issuer = await createIssuer({
      issuer: issuerServer.server.url,
      resource: api.server.url,
      stateDir: options.stateDir,
      clock: options.clock,
    });
    closers.push(() => issuer.close());
    const keys = await ensureApiKeys(options.stateDir);
    const corsOrigins = [...(options.corsOrigins ?? DEFAULT_CORS_ORIGINS)];

    api.ready(
      createApiHandler({
        apiUrl: api.server.url,
        issuer: issuerServer.server.url,
        jwksUri: issuer.jwksUri,
        apiKeys: keys.records,
        limiter,
        corsOrigins,
        clock: options.clock,
        onError: options.onError,
      }),
    );
    issuerServer.ready(issuer.handler);

    let closing: Promise<void> | undefined;
    return {
      info: {
        issuer: issuerServer.server.url,
        api_url: api.server.url,
        clients: issuer.clients,
        user: issuer.user,
        resource: api.server.url,
        scopes: issuer.scopes,
        api_key_file: keys.keyFile,
        cors_origins: corsOrigins,
        rate_limiter: limiter.kind,
        state_dir: options.stateDir,
      },
      // The handler reads the records on every request: a key pushed here counts from the next one.
      registerApiKey: (record) => void keys.records.push(record),
      close: () => (closing ??= closeAll()),
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}

interface PendingServer {
  server: RunningServer;
  ready(handler: RequestHandler): void;
}

/** A listening server that answers 503 until its handler is ready (only in the moment between listen and wiring). */
async function listen(
  name: SandboxRequestEntry['server'],
  port: number,
  options: SandboxOptions,
  closers: Array<() => Promise<void>>,
): Promise<PendingServer> {
  let handler: RequestHandler | undefined;
  const server = await startServer({
    port,
    signal: options.signal,
    onError: options.onError,
    handler: (req: IncomingMessage, res: ServerResponse) => {
      const { onRequest, clock } = options;
      if (onRequest) {
        const start = clock.now();
        res.once('finish', () => {
          onRequest({
            server: name,
            method: req.method ?? '?',
            path: (req.url ?? '/').split('?')[0]!,
            status: res.statusCode,
            ms: Math.max(0, Math.round(clock.now() - start)),
          });
        });
      }
      if (handler) return handler(req, res);
      res.statusCode = 503;
      res.setHeader('Retry-After', '1');
      res.end();
    },
  });
  closers.push(() => server.close());
  return {
    server,
    ready: (h) => {
      handler = h;
    },
  };
}
