import type { IncomingMessage, ServerResponse } from 'node:http';
import { AuthError, UsageError } from '../errors.js';
import { refusedLoginError } from './login-errors.js';
import { readCallback, type CallbackExpectations } from '../lib/oauth/callback.js';
import { isListenError, startServer, type RunningServer } from '../server/loopback-server.js';
import { escapeHtml, sendHtml } from '../server/respond.js';

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
          refusedLoginError(outcome.error, outcome.description, {
            hint: 'try again, or check --client-id, --scope and the client registration',
          }),
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

  let server: RunningServer;
  try {
    server = await startServer({ host: options.bindHost, port: options.bindPort, handler: handle });
  } catch (err) {
    throw listenError(err, options);
  }
  const redirectPort = options.advertisePort ?? server.port;
  return {
    redirectUri: `http://${options.advertiseHost}:${redirectPort}/callback`,
    port: server.port,
    result,
    // A browser keeping a connection alive must not hold the CLI open: the helper cuts it after a second.
    close: () => server.close(),
  };
}

/** The login's own wording for a bind failure (its hints name login's flags); anything else as it came. */
function listenError(err: unknown, options: LoopbackOptions): unknown {
  if (!isListenError(err)) return err;
  if (err.reason === 'EADDRINUSE') {
    return new UsageError(
      `port ${options.bindPort} on ${options.bindHost} is already in use`,
      'ERR_LOGIN_PORT_IN_USE',
      { hint: 'choose another --port, or leave it out for a free one' },
    );
  }
  if (err.reason === 'EACCES' || err.reason === 'EADDRNOTAVAIL') {
    return new UsageError(
      `cannot listen on ${options.bindHost}:${options.bindPort}: ${err.reason}`,
      'ERR_LOGIN_LISTEN',
      {
        hint: 'choose another --port or --listen',
      },
    );
  }
  // Before the shared helper, other bind failures (an unknown --listen host) surfaced unwrapped; they still do.
  return err.cause;
}

function page(res: ServerResponse, status: number, title: string, message: string): void {
  const body = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>apikit: ${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#222}h1{font-size:1.4rem}</style>
</head><body><h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p></body></html>
`;
  // The code is in the address bar: the helper's page headers keep it out of caches, referrers and frames.
  sendHtml(res, status, body, { connection: 'close' });
}
