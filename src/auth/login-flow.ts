import type { Readable } from 'node:stream';
import type { Context } from '../context.js';
import { AuthError, InputError, InterruptedError } from '../errors.js';
import { buildAuthorizationUrl } from '../lib/oauth/authorize-url.js';
import { parsePastedResponse, readCallback, type CallbackExpectations } from '../lib/oauth/callback.js';
import { createPkce, randomValue } from '../lib/oauth/pkce.js';
import { pollDeviceToken, requestDeviceAuthorization } from '../oauth/device-flow.js';
import { startLoopback } from '../oauth/loopback.js';
import { requestToken, type TokenResponse } from '../oauth/token-endpoint.js';
import { shouldOpenBrowser } from './browser.js';

/**
 * The interactive parts of `apikit login`: the authorization code flow with PKCE through a loopback callback
 * or a pasted redirect (--manual), and the device authorization grant (--device). Each returns the token
 * response plus the nonce it sent; the caller validates the ID token and stores the profile.
 */
export interface LoginEndpoints {
  issuer?: string;
  authorizationEndpoint?: string;
  tokenEndpoint: string;
  deviceAuthorizationEndpoint?: string;
  /** RFC 9207: the issuer promises `iss` in every authorization response. */
  issRequired: boolean;
}

export interface LoginRequest {
  clientId: string;
  scope?: string;
  resource: string[];
  audience?: string;
  params: Record<string, string>;
  /** Send a nonce (OIDC Core §3.1.2.1) — when `openid` is in scope. */
  wantNonce: boolean;
}

export interface CodeFlowOptions {
  callbackHost: '127.0.0.1' | 'localhost';
  port?: number;
  listen?: { host: string; port: number };
  openBrowser: boolean;
  manual: boolean;
}

export interface FlowResult {
  response: TokenResponse;
  nonce?: string;
}

/**
 * `complete` validates and stores the result while the browser's request is still held open, so that the page
 * the user sees says whether the login really succeeded.
 */
export async function runCodeFlow<T>(
  ctx: Context,
  ep: LoginEndpoints,
  req: LoginRequest,
  opts: CodeFlowOptions,
  signal: AbortSignal,
  complete: (result: FlowResult) => Promise<T>,
): Promise<T> {
  if (!ep.authorizationEndpoint) {
    throw new InputError(
      'the issuer advertises no authorization_endpoint',
      'ERR_LOGIN_NO_AUTHORIZATION_ENDPOINT',
      {
        hint: 'try apikit login --device, or give --authorization-endpoint',
      },
    );
  }
  const pkce = createPkce();
  const state = randomValue(256);
  const nonce = req.wantNonce ? randomValue(256) : undefined;
  ctx.redactor.add(pkce.verifier);
  const expect: CallbackExpectations = { state, issuer: ep.issuer, issRequired: ep.issRequired };
  const authorize = (redirectUri: string): string =>
    buildAuthorizationUrl({
      authorizationEndpoint: ep.authorizationEndpoint!,
      clientId: req.clientId,
      redirectUri,
      state,
      nonce,
      codeChallenge: pkce.challenge,
      scope: req.scope,
      resource: req.resource,
      audience: req.audience,
      params: req.params,
    });

  let code: string;
  let redirectUri: string;
  let finish: (ok: boolean, message: string) => void = () => undefined;
  let close: () => Promise<void> = async () => undefined;
  try {
    if (opts.manual) {
      // Nothing listens: the browser (maybe on another machine) fails to load this URL and the user copies it.
      redirectUri = `http://${opts.callbackHost}${opts.port ? `:${opts.port}` : ''}/callback`;
      const url = authorize(redirectUri);
      showUrl(ctx, url);
      ctx.io.stderr.write(
        'After signing in, your browser is sent to a page that does not load. Copy its full address (or just the code)\n' +
          'and paste it here, then press Enter:\n',
      );
      code = await readPasted(ctx, expect, signal);
    } else {
      const receiver = await startLoopback({
        bindHost: opts.listen?.host ?? '127.0.0.1',
        bindPort: opts.listen?.port ?? opts.port ?? 0,
        advertiseHost: opts.callbackHost,
        advertisePort: opts.listen ? (opts.port ?? opts.listen.port) : undefined,
        expect,
        onIgnored: (why) => ctx.out.warn(why),
      });
      close = () => receiver.close();
      redirectUri = receiver.redirectUri;
      const url = authorize(redirectUri);
      showUrl(ctx, url);
      if (shouldOpenBrowser(ctx, opts.openBrowser)) {
        await ctx
          .openUrl(url)
          .catch(() => ctx.out.warn('could not open a browser; open the URL above yourself'));
      }
      ctx.out.progress('Waiting for the sign-in to complete in the browser…');
      const got = await untilAborted(receiver.result, signal);
      code = got.code;
      finish = got.finish;
    }
    ctx.redactor.add(code);
    const response = await requestToken(ctx, ep.tokenEndpoint, {
      grant_type: 'authorization_code',
      code,
      redirect_uri: redirectUri,
      client_id: req.clientId,
      code_verifier: pkce.verifier,
      resource: req.resource.length > 0 ? req.resource : undefined,
    });
    const result = await complete({ response, nonce });
    finish(true, 'You are signed in to apikit.');
    return result;
  } catch (err) {
    finish(false, 'The sign-in could not be completed.');
    throw err;
  } finally {
    await close();
  }
}

export async function runDeviceFlow(
  ctx: Context,
  ep: LoginEndpoints,
  req: LoginRequest,
  openBrowser: boolean,
  signal: AbortSignal,
  deadline: number,
): Promise<FlowResult> {
  if (!ep.deviceAuthorizationEndpoint) {
    throw new InputError(
      'the issuer does not offer the device flow (no device_authorization_endpoint)',
      'ERR_LOGIN_NO_DEVICE_FLOW',
      {
        hint: 'log in without --device (use --manual over SSH)',
      },
    );
  }
  const base = {
    client_id: req.clientId,
    scope: req.scope,
    resource: req.resource.length > 0 ? req.resource : undefined,
    audience: req.audience,
  };
  const auth = await requestDeviceAuthorization(ctx, ep.deviceAuthorizationEndpoint, {
    ...base,
    ...req.params,
  });
  // The user code and URL are meant for the person at the terminal: printed, not redacted — but they come from
  // the server, so control characters (terminal escape sequences) are replaced before they reach the terminal.
  ctx.io.stderr.write(
    `To sign in, open ${terminalSafe(auth.verificationUri)} and enter the code ${terminalSafe(auth.userCode)}\n` +
      (auth.verificationUriComplete ? `  (or open ${terminalSafe(auth.verificationUriComplete)})\n` : ''),
  );
  // Only a web address is handed to the system opener: a server could name a file: or custom-scheme URL.
  const toOpen = auth.verificationUriComplete ?? auth.verificationUri;
  if (shouldOpenBrowser(ctx, openBrowser) && /^https?:\/\//i.test(toOpen)) {
    await ctx.openUrl(toOpen).catch(() => undefined);
  }
  ctx.out.progress('Waiting for the sign-in to be approved…');
  const response = await pollDeviceToken(
    ctx,
    ep.tokenEndpoint,
    auth,
    { client_id: req.clientId, resource: base.resource },
    deadline,
    signal,
  );
  return { response };
}

/** Server-supplied text for the terminal: no control characters (C0, DEL, C1), at most 500 characters. */
function terminalSafe(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?').slice(0, 500);
}

/** The authorization URL always goes to stderr, unredacted (state and nonce are not secrets and must survive). */
function showUrl(ctx: Context, url: string): void {
  ctx.io.stderr.write(`Open this URL in a browser to sign in:\n\n  ${url}\n\n`);
}

async function readPasted(ctx: Context, expect: CallbackExpectations, signal: AbortSignal): Promise<string> {
  const line = await untilAborted(readLine(ctx.io.stdin, 16 * 1024), signal);
  if (line === undefined) {
    throw new InputError('nothing was pasted (stdin ended)', 'ERR_LOGIN_MANUAL_EMPTY', {
      hint: 'paste the full redirect URL on stdin',
    });
  }
  ctx.redactor.add(line.trim());
  const pasted = parsePastedResponse(line);
  if (!pasted) {
    throw new InputError('what was pasted is neither a redirect URL nor a code', 'ERR_LOGIN_MANUAL_INPUT', {
      hint: 'copy the whole address from the browser, starting with http://',
    });
  }
  // A bare code carries no state/iss to check; PKCE still binds it to this login's verifier.
  if ('code' in pasted) return pasted.code;
  const outcome = readCallback(pasted.query, expect);
  switch (outcome.kind) {
    case 'code':
      return outcome.code;
    case 'wrong-state':
      throw new AuthError(
        'the pasted URL belongs to another login (its state does not match)',
        'ERR_LOGIN_STATE_MISMATCH',
        {
          hint: 'paste the address from the sign-in started by this command',
        },
      );
    case 'iss-mismatch':
      throw new AuthError(
        `the pasted response came from issuer "${outcome.iss.slice(0, 200)}", not "${expect.issuer}"`,
        'ERR_LOGIN_ISS_MISMATCH',
        {
          hint: 'this can be a mix-up attack (RFC 9207); nothing was stored',
        },
      );
    case 'iss-missing':
      throw new AuthError(
        `the pasted response has no "iss" although issuer ${expect.issuer} promises one (RFC 9207)`,
        'ERR_LOGIN_ISS_MISSING',
      );
    case 'error':
      throw new AuthError(
        `the authorization server refused the login: ${outcome.error}${outcome.description ? ` (${outcome.description})` : ''}`,
        `ERR_LOGIN_${outcome.error.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`,
      );
    case 'no-code':
      throw new AuthError('the pasted URL has neither "code" nor "error"', 'ERR_LOGIN_NO_CODE');
  }
}

/** One line from a stream (without the newline), or undefined at end of input. Bounded by `limit` bytes. */
function readLine(stream: Readable, limit: number): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const done = (value: string | undefined, err?: unknown): void => {
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onError);
      stream.pause();
      if (err) reject(err);
      else resolve(value);
    };
    const onData = (chunk: Buffer | string): void => {
      buf += chunk.toString();
      const nl = buf.indexOf('\n');
      if (nl >= 0) done(buf.slice(0, nl).replace(/\r$/, ''));
      else if (buf.length > limit)
        done(undefined, new InputError('the pasted line is too long', 'ERR_LOGIN_MANUAL_INPUT'));
    };
    const onEnd = (): void => done(buf.length > 0 ? buf : undefined);
    const onError = (err: unknown): void => done(undefined, err);
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('error', onError);
    stream.resume();
  });
}

/** Races a promise against the login's signal (timeout or Ctrl-C); the signal's reason is what is thrown. */
export function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void =>
      reject(signal.reason instanceof Error ? signal.reason : new InterruptedError());
    if (signal.aborted) {
      onAbort();
      return;
    }
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}
