import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { InterruptedError, isApikitError, UsageError } from '../errors.js';

/**
 * The one way apikit listens for HTTP: the login callback (RFC 8252 §7.3) and the local sandbox. It binds
 * 127.0.0.1 unless a caller explicitly asks for another address (a wildcard exposes the server, and whatever
 * codes or tokens pass through it, to the network), takes an ephemeral port by default, and always closes:
 * close() cuts idle keep-alive connections at once and in-flight ones after a grace period, so a browser that
 * keeps a socket open can never hold the CLI open.
 */

/** May be async; what it returns is ignored, except that a rejection is handled like a throw. */
export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => unknown;

export interface ServerOptions {
  /** Address to bind; 127.0.0.1 by default. Pass '0.0.0.0' or '::' only when the user asked for it. */
  host?: string;
  /** 0 (the default) for an ephemeral port. */
  port?: number;
  handler: RequestHandler;
  /** Closes the server when aborted (the user's Ctrl-C); already aborted means it never listens. */
  signal?: AbortSignal;
  /** How long close() lets requests in flight finish before cutting them (default 1000 ms). */
  closeGraceMs?: number;
  /** Told about a handler that threw (it got a 500) and about server errors after listening. */
  onError?: (err: unknown) => void;
}

export interface RunningServer {
  /** Where a client on this machine reaches it: `http://127.0.0.1:PORT` (a wildcard bind is reached on loopback). */
  url: string;
  /** The address bound, as asked for. */
  host: string;
  /** The port bound (the ephemeral one when 0 was asked for). */
  port: number;
  server: Server;
  /** Stops listening and ends every connection; idempotent (every call returns the same promise). */
  close(): Promise<void>;
}

/** The errno codes that mean "this host:port cannot be used here" — the user's choice, not a bug. */
const LISTEN_REASONS: Record<string, string> = {
  EADDRINUSE: 'the port is already in use',
  EACCES: 'permission denied',
  EADDRNOTAVAIL: 'the address is not available on this machine',
  ENOTFOUND: 'host not found',
};

/** A bind failure (exit 2). `reason` is the errno code, so callers can word their own message and hint. */
export class ListenError extends UsageError {
  constructor(
    readonly host: string,
    readonly port: number,
    readonly reason: string,
    cause: unknown,
  ) {
    super(
      `cannot listen on ${hostPort(host, port)}: ${LISTEN_REASONS[reason] ?? reason}`,
      'ERR_SERVER_LISTEN',
      {
        hint: 'use another port (or port 0 for a free one) or another address',
        cause,
      },
    );
    this.name = 'ListenError';
  }
}

/** The ListenError test by code (habit 5: codes survive bundling and duplicated module copies). */
export function isListenError(err: unknown): err is ListenError {
  return isApikitError(err) && err.code === 'ERR_SERVER_LISTEN';
}

const DEFAULT_CLOSE_GRACE_MS = 1000;

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 0;
  const { signal, onError } = options;
  if (signal?.aborted) throw new InterruptedError();

  const server = createServer((req, res) => {
    // A handler bug must not crash the CLI (an unhandled rejection would) nor leave the client hanging.
    const failed = (err: unknown): void => {
      onError?.(err);
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8', connection: 'close' });
        res.end('internal error\n');
      } else {
        res.destroy();
      }
    };
    try {
      Promise.resolve(options.handler(req, res)).catch(failed);
    } catch (err) {
      failed(err);
    }
  });

  await new Promise<void>((resolve, reject) => {
    const onListenError = (err: NodeJS.ErrnoException): void => {
      const code = err.code ?? '';
      reject(Object.hasOwn(LISTEN_REASONS, code) ? new ListenError(host, port, code, err) : err);
    };
    server.once('error', onListenError);
    server.listen(port, host, () => {
      server.off('error', onListenError);
      resolve();
    });
  });
  // After listening an 'error' event without a listener would throw; report it instead.
  server.on('error', (err) => onError?.(err));

  let closing: Promise<void> | undefined;
  const onAbort = (): void => void close();
  function close(): Promise<void> {
    closing ??= new Promise<void>((resolve) => {
      signal?.removeEventListener('abort', onAbort);
      const grace = setTimeout(() => {
        // Requests still in flight (a browser request held open) are cut rather than waited for.
        server.closeAllConnections();
        resolve();
      }, options.closeGraceMs ?? DEFAULT_CLOSE_GRACE_MS);
      // A closing server is never the reason the process stays up.
      grace.unref();
      server.close(() => {
        clearTimeout(grace);
        resolve();
      });
      // After close(): no new connections; the keep-alive ones that sit idle would otherwise delay the callback.
      server.closeIdleConnections();
    });
    return closing;
  }
  signal?.addEventListener('abort', onAbort, { once: true });
  if (signal?.aborted) {
    // Aborted while binding: the listener above came too late to see it.
    await close();
    throw new InterruptedError();
  }

  const bound = (server.address() as AddressInfo).port;
  return { url: serverUrl(host, bound), host, port: bound, server, close };
}

/** The URL a local client uses: a wildcard bind is reached over loopback; IPv6 literals get brackets. */
export function serverUrl(host: string, port: number): string {
  const reachable = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  return `http://${hostPort(reachable, port)}`;
}

function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
