import type { Context } from '../context.js';
import { AuthError, InterruptedError, NetworkError } from '../errors.js';
import {
  readDeviceAuthorization,
  SLOW_DOWN_STEP_SECONDS,
  type DeviceAuthorization,
} from '../lib/oauth/device.js';
import { isOAuthError, postOAuthForm, requestToken, type TokenResponse } from './token-endpoint.js';

/**
 * The device authorization grant (RFC 8628): ask for a user code, show it, poll the token endpoint at the
 * server's interval (+5 s after each slow_down), stop on access_denied / expired_token, at the code's expiry
 * or at the caller's deadline. Time is read from ctx.clock (the deadline is on the same clock).
 */
export const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

export async function requestDeviceAuthorization(
  ctx: Context,
  endpoint: string,
  params: Record<string, string | string[] | undefined>,
): Promise<DeviceAuthorization> {
  const { status, host, obj } = await postOAuthForm(ctx, endpoint, params);
  if (status !== 200)
    throw new NetworkError(`device authorization at ${host} failed: HTTP ${status}`, 'ERR_DEVICE_HTTP');
  const auth = readDeviceAuthorization(obj);
  if (typeof auth === 'string')
    throw new NetworkError(`device authorization at ${host}: ${auth}`, 'ERR_DEVICE_RESPONSE');
  ctx.redactor.add(auth.deviceCode);
  return auth;
}

export async function pollDeviceToken(
  ctx: Context,
  tokenEndpoint: string,
  auth: DeviceAuthorization,
  params: Record<string, string | string[] | undefined>,
  deadline: number,
  signal: AbortSignal,
): Promise<TokenResponse> {
  let interval = auth.interval;
  const expiresAt = ctx.clock.now() + auth.expiresIn * 1000;
  const end = Math.min(expiresAt, deadline);
  // Bounded: at most one poll per second until the code expires or the deadline passes.
  for (let polls = 0; polls < 100_000; polls++) {
    if (ctx.clock.now() + interval * 1000 > end) break;
    await sleep(interval * 1000, signal);
    try {
      return await requestToken(ctx, tokenEndpoint, {
        ...params,
        grant_type: DEVICE_GRANT,
        device_code: auth.deviceCode,
      });
    } catch (err) {
      if (!isOAuthError(err)) throw err;
      switch (err.error) {
        case 'authorization_pending':
          continue;
        case 'slow_down':
          interval += SLOW_DOWN_STEP_SECONDS;
          continue;
        case 'access_denied':
          throw new AuthError(
            'the device login was denied by the user or the server',
            'ERR_LOGIN_ACCESS_DENIED',
            {
              hint: 'run apikit login --device again and approve the request',
            },
          );
        case 'expired_token':
          throw new AuthError(
            'the device code expired before the login was approved',
            'ERR_LOGIN_DEVICE_EXPIRED',
            {
              hint: 'run apikit login --device again and approve it sooner',
            },
          );
        default:
          throw err;
      }
    }
  }
  throw new AuthError(
    ctx.clock.now() >= expiresAt || expiresAt <= deadline
      ? 'the device code expired before the login was approved'
      : 'the login timed out before it was approved',
    expiresAt <= deadline ? 'ERR_LOGIN_DEVICE_EXPIRED' : 'ERR_LOGIN_TIMEOUT',
    { hint: 'run apikit login --device again' },
  );
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason instanceof Error ? signal.reason : new InterruptedError());
      return;
    }
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal.reason instanceof Error ? signal.reason : new InterruptedError());
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
