import type { Context } from '../context.js';
import { AuthError, InterruptedError, NetworkError } from '../errors.js';
import {
  readDeviceAuthorization,
  SLOW_DOWN_STEP_SECONDS,
  type DeviceAuthorization,
} from '../lib/oauth/device.js';
import { OAuthError, requestToken, type TokenResponse } from './token-endpoint.js';

/**
 * The device authorization grant (RFC 8628): ask for a user code, show it, poll the token endpoint at the
 * server's interval (+5 s after each slow_down), stop on access_denied / expired_token, at the code's expiry
 * or at the caller's deadline.
 */
export const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

export async function requestDeviceAuthorization(
  ctx: Context,
  endpoint: string,
  params: Record<string, string | string[] | undefined>,
): Promise<DeviceAuthorization> {
  const body = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined) continue;
    for (const one of Array.isArray(v) ? v : [v]) body.append(k, one);
  }
  const http = await ctx.http({ maxBodyBytes: 64 * 1024 });
  const res = await http.request({
    method: 'POST',
    url: endpoint,
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: body.toString(),
  });
  const host = new URL(endpoint).host;
  let doc: unknown;
  try {
    doc = JSON.parse(res.text());
  } catch {
    doc = undefined;
  }
  const obj = doc as Record<string, unknown> | undefined;
  if (res.status >= 400 && obj && typeof obj.error === 'string') {
    throw new OAuthError(
      obj.error,
      typeof obj.error_description === 'string' ? obj.error_description : undefined,
      res.status,
      endpoint,
    );
  }
  if (res.status !== 200)
    throw new NetworkError(`device authorization at ${host} failed: HTTP ${res.status}`, 'ERR_DEVICE_HTTP');
  const auth = readDeviceAuthorization(doc);
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
  const expiresAt = Date.now() + auth.expiresIn * 1000;
  const end = Math.min(expiresAt, deadline);
  // Bounded: at most one poll per second until the code expires or the deadline passes.
  for (let polls = 0; polls < 100_000; polls++) {
    if (Date.now() + interval * 1000 > end) break;
    await sleep(interval * 1000, signal);
    try {
      return await requestToken(ctx, tokenEndpoint, {
        ...params,
        grant_type: DEVICE_GRANT,
        device_code: auth.deviceCode,
      });
    } catch (err) {
      if (!(err instanceof OAuthError)) throw err;
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
    Date.now() >= expiresAt || expiresAt <= deadline
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
