import type { Context } from '../context.js';
import { AuthError, InputError, InterruptedError } from '../errors.js';
import { buildAuthorizationUrl } from '../lib/oauth/authorize-url.js';
import { parsePastedResponse, readCallback, type CallbackExpectations } from '../lib/oauth/callback.js';
import type { DeviceAuthorization } from '../lib/oauth/device.js';
import { createPkce, randomValue } from '../lib/oauth/pkce.js';
import { pollDeviceToken, requestDeviceAuthorization } from './device-flow.js';
import { refusedLoginError } from './login-errors.js';
import { startLoopback } from './loopback.js';
import { requestToken, type TokenResponse } from './token-endpoint.js';

/**
 * The interactive parts of `apikit login`: the authorization code flow with PKCE through a loopback callback
 * or a pasted redirect (--manual), and the device authorization grant (--device). Each returns the token
 * response plus the nonce it sent; the caller validates the ID token and stores the profile. The flows never
 * write to a terminal: everything the person at it sees or types goes through the caller's LoginUI.
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

/**
 * How a flow talks to the user, implemented by the command. Messages about what happens while the flow runs
 * (`warn`, `waiting`) are worded here; what the user must act on is shown by the UI in its own words.
 */
export interface LoginUI {
  /** The authorization URL to open. Shown unredacted: state and nonce are not secrets and must survive. */
  showUrl(url: string): void;
  /**
   * The device flow's instructions. The values come from the server as they are: the UI makes them safe for a
   * terminal (they may carry escape sequences).
   */
  showDeviceCode(code: DeviceCodePrompt): void;
  /** --manual: asks for the redirect URL (or code) and resolves with the line pasted, undefined at end of input. */
  askForPaste(): Promise<string | undefined>;
  /** Something the user should know that does not stop the login. */
  warn(message: string): void;
  /** The flow is waiting for the user (progress). */
  waiting(message: string): void;
  /** Opens a URL in the user's browser; rejects when it cannot. */
  openBrowser(url: string): Promise<void>;
}

export type DeviceCodePrompt = Pick<
  DeviceAuthorization,
  'verificationUri' | 'userCode' | 'verificationUriComplete'
>;

export interface CodeFlowOptions {
  callbackHost: '127.0.0.1' | 'localhost';
  port?: number;
  listen?: { host: string; port: number };
  /** Whether to open the browser (decided by the command). */
  openBrowser: boolean;
  manual: boolean;
}

export interface DeviceFlowOptions {
  /** Whether to open the browser (decided by the command); only a web address is ever opened. */
  openBrowser: boolean;
  /** Epoch milliseconds (ctx.clock) after which polling stops. */
  deadline: number;
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
  ui: LoginUI,
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
      ui.showUrl(authorize(redirectUri));
      code = await readPasted(ctx, ui, expect, signal);
    } else {
      const receiver = await startLoopback({
        bindHost: opts.listen?.host ?? '127.0.0.1',
        bindPort: opts.listen?.port ?? opts.port ?? 0,
        advertiseHost: opts.callbackHost,
        advertisePort: opts.listen ? (opts.port ?? opts.listen.port) : undefined,
        expect,
        onIgnored: (why) => ui.warn(why),
      });
      close = () => receiver.close();
      redirectUri = receiver.redirectUri;
      const url = authorize(redirectUri);
      ui.showUrl(url);
      if (opts.openBrowser) {
        await ui
          .openBrowser(url)
          .catch(() => ui.warn('could not open a browser; open the URL above yourself'));
      }
      ui.waiting('Waiting for the sign-in to complete in the browser…');
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
  opts: DeviceFlowOptions,
  ui: LoginUI,
  signal: AbortSignal,
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
  // The user code and URL are meant for the person at the terminal: shown, not redacted (the UI makes them safe).
  ui.showDeviceCode({
    verificationUri: auth.verificationUri,
    userCode: auth.userCode,
    verificationUriComplete: auth.verificationUriComplete,
  });
  // Only a web address is handed to the system opener: a server could name a file: or custom-scheme URL.
  const toOpen = auth.verificationUriComplete ?? auth.verificationUri;
  if (opts.openBrowser && /^https?:\/\//i.test(toOpen)) {
    await ui.openBrowser(toOpen).catch(() => undefined);
  }
  ui.waiting('Waiting for the sign-in to be approved…');
  const response = await pollDeviceToken(
    ctx,
    ep.tokenEndpoint,
    auth,
    { client_id: req.clientId, resource: base.resource },
    opts.deadline,
    signal,
  );
  return { response };
}

async function readPasted(
  ctx: Context,
  ui: LoginUI,
  expect: CallbackExpectations,
  signal: AbortSignal,
): Promise<string> {
  const line = await untilAborted(ui.askForPaste(), signal);
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
      throw refusedLoginError(outcome.error, outcome.description);
    case 'no-code':
      throw new AuthError('the pasted URL has neither "code" nor "error"', 'ERR_LOGIN_NO_CODE');
  }
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
