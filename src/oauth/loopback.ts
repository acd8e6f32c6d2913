import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AuthError, UsageError } from '../errors.js';
import { readCallback, type CallbackExpectations } from '../lib/oauth/callback.js';

/**
 * The loopback redirect receiver of RFC 8252 §7.3: an HTTP server on 127.0.0.1 (never a wildcard address unless
 * --listen asks for it) that waits for the one authorization response of this login. Stale or forged requests
 * (wrong `state`) get a 400 page and the wait goes on; the first valid response settles the login; anything
 * after that is turned away. Pages are self-contained: no external assets (nothing else learns the callback
 * URL), `Referrer-Policy: no-referrer` and `Cache-Control: no-store` (the code is in the address bar).
 */
export interface LoopbackOptions {
  /** Address the socket binds to (127.0.0.1 unless --listen). */
  bindHost: string;
  /** 0 for an ephemeral port. */
  bindPort: number;
  /** Host written into the redirect URI: 127.0.0.1 or localhost. */
  advertiseHost: string;
  /** Port written into the redirect URI (--listen behind a port mapping); the bound port by default. */
  advertisePort?: number;
  expect: CallbackExpectations;
  /** Called for each request that was not for this login (shown as a warning). */
  onIgnored?: (why: string) => void;
}

export interface CallbackCode {
  code: string;
  /** Answers the browser (held open while the code is exchanged) and lets the server close. */
  finish(ok: boolean, message: string): void;
}

export interface LoopbackReceiver {
  redirectUri: string;
  port: number;
  /** Resolves with the first valid authorization response; rejects (exit 4) on an error response or iss failure. */
  result: Promise<CallbackCode>;
  close(): Promise<void>;
}

/** How long the browser's request is held open at most while the code is exchanged. */
const HOLD_MS = 60_000;

export async function startLoopback(options: LoopbackOptions): Promise<LoopbackReceiver> {
  let settled = false;
  let resolveResult!: (value: CallbackCode) => void;
  let rejectResult!: (err: unknown) => void;
  const result = new Promise<CallbackCode>((resolve, reject) => {
    resolveResult = resolve;
    rejectResult = reject;
  });
  // Nobody may be awaiting yet when a callback fails; the caller still sees the rejection when it does.
  result.catch(() => undefined);

  const server: Server = createServer((req, res) => {
    handle(req, res);
  });

  function handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://loopback.invalid');
    if (url.pathname !== '/callback') {
      page(res, 404, 'Not found', 'This address only receives the sign-in response for apikit.');
      return;
    }
    if (req.method !== 'GET') {
      res.setHeader('allow', 'GET');
      page(res, 405, 'Method not allowed', 'apikit expects the sign-in response as a GET request.');
      return;
    }
    if (settled) {
      page(res, 400, 'Already completed', 'This sign-in has already been handled. Return to your terminal.');
      return;
    }
    const outcome = readCallback(url.searchParams, options.expect);
    switch (outcome.kind) {
      case 'wrong-state':
        options.onIgnored?.(
          'ignored a sign-in response that does not belong to this login (a stale browser tab?)',
        );
        page(
          res,
          400,
          'Not this sign-in',
          'This response does not belong to the sign-in apikit is waiting for (perhaps an old tab). apikit is still waiting: use the link it printed in your terminal.',
        );
        return;
      case 'iss-mismatch':
        fail(
          res,
          new AuthError(
            `the authorization response came from issuer "${outcome.iss.slice(0, 200)}", not "${options.expect.issuer ?? '(none given)'}"`,
            'ERR_LOGIN_ISS_MISMATCH',
            {
              hint: 'this can be a mix-up attack (RFC 9207); nothing was stored. Check --issuer and try again',
            },
          ),
        );
        return;
      case 'iss-missing':
        fail(
          res,
          new AuthError(
            `the authorization response has no "iss" although issuer ${options.expect.issuer} promises one (RFC 9207)`,
            'ERR_LOGIN_ISS_MISSING',
            { hint: 'the response may not come from your issuer; nothing was stored' },
          ),
        );
        return;
      case 'error':
        fail(
          res,
          new AuthError(
            `the authorization server refused the login: ${outcome.error}${outcome.description ? ` (${outcome.description})` : ''}`,
            `ERR_LOGIN_${outcome.error.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`,
            { hint: 'try again, or check --client-id, --scope and the client registration' },
          ),
        );
        return;
      case 'no-code':
        fail(
          res,
          new AuthError('the authorization response has neither "code" nor "error"', 'ERR_LOGIN_NO_CODE'),
        );
        return;
      case 'code': {
        settled = true;
        let answered = false;
        const finish = (ok: boolean, message: string): void => {
          if (answered) return;
          answered = true;
          clearTimeout(timer);
          if (ok)
            page(res, 200, 'Signed in', `${message} You can close this tab and return to your terminal.`);
          else page(res, 400, 'Sign-in failed', `${message} Return to your terminal for details.`);
        };
        const timer = setTimeout(() => finish(false, 'apikit did not finish the sign-in in time.'), HOLD_MS);
        timer.unref();
        resolveResult({ code: outcome.code, finish });
        return;
      }
    }
  }

  function fail(res: ServerResponse, err: AuthError): void {
    settled = true;
    page(res, 400, 'Sign-in failed', `${err.message}. Return to your terminal.`);
    rejectResult(err);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      const where = `${options.bindHost}:${options.bindPort}`;
      if (err.code === 'EADDRINUSE') {
        reject(
          new UsageError(
            `port ${options.bindPort} on ${options.bindHost} is already in use`,
            'ERR_LOGIN_PORT_IN_USE',
            {
              hint: 'choose another --port, or leave it out for a free one',
            },
          ),
        );
      } else if (err.code === 'EACCES' || err.code === 'EADDRNOTAVAIL') {
        reject(
          new UsageError(`cannot listen on ${where}: ${err.code}`, 'ERR_LOGIN_LISTEN', {
            hint: 'choose another --port or --listen',
          }),
        );
      } else {
        reject(err);
      }
    });
    server.listen(options.bindPort, options.bindHost, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const redirectPort = options.advertisePort ?? port;
  return {
    redirectUri: `http://${options.advertiseHost}:${redirectPort}/callback`,
    port,
    result,
    async close() {
      server.closeIdleConnections();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        // A browser keeping a connection alive must not hold the CLI open.
        setTimeout(() => {
          server.closeAllConnections();
          resolve();
        }, 1000).unref();
      });
    },
  };
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(res: ServerResponse, status: number, title: string, message: string): void {
  const body = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>apikit: ${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#222}h1{font-size:1.4rem}</style>
</head><body><h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p></body></html>
`;
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    pragma: 'no-cache',
    'referrer-policy': 'no-referrer',
    // Self-contained: nothing may be loaded from anywhere (inline style only).
    'content-security-policy':
      "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'",
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    connection: 'close',
  });
  res.end(body);
}
