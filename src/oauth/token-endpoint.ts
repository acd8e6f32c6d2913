import type { Context } from '../context.js';
import { ApikitError, ExitCode, NetworkError } from '../errors.js';
import type { HttpClient } from '../http/client.js';
import { tokenSyntaxProblem } from '../lib/oauth/token-syntax.js';
import { terminalSafe } from '../lib/text/terminal-safe.js';

/**
 * One POST to a token endpoint (RFC 6749 §3.2) and the strict reading of its answer. Shared by login
 * (code exchange, refresh), device flow and client credentials. Every token it sees is registered with the
 * redactor before anything can log it, and checked against its RFC syntax before anyone can use it.
 */
export interface TokenResponse {
  access_token: string;
  token_type: string;
  expires_in?: number;
  refresh_token?: string;
  id_token?: string;
  scope?: string;
  /** The whole JSON answer, for `--format json`. */
  raw: Record<string, unknown>;
}

/** Extra pieces a client-authentication method adds to the request. */
export interface ClientAuthParts {
  headers?: Record<string, string>;
  params?: Record<string, string>;
}

/**
 * An OAuth error response (RFC 6749 §5.2). invalid_client & co are authentication failures (exit 4). Its code
 * is ERR_OAUTH_<ERROR>; `error` is the server's error code as sent, for callers that switch on it (through
 * isOAuthError, not instanceof). The server's texts are made terminal-safe before they enter the message.
 */
export class OAuthError extends ApikitError {
  constructor(
    readonly error: string,
    readonly description: string | undefined,
    readonly status: number,
    endpoint: string,
  ) {
    const auth = ['invalid_client', 'unauthorized_client', 'invalid_grant', 'access_denied'].includes(error);
    super(
      `${new URL(endpoint).host} refused the token request: ${terminalSafe(error, 100)}${description ? ` (${terminalSafe(description)})` : ''}`,
      `ERR_OAUTH_${error.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`,
      auth ? ExitCode.AUTH : ExitCode.NETWORK,
    );
    this.name = 'OAuthError';
  }
}

/** Whether `err` is an OAuth error response from a token (or device authorization) endpoint. */
export function isOAuthError(err: unknown): err is OAuthError {
  const e = err as { name?: unknown; error?: unknown; code?: unknown } | null | undefined;
  return (
    e?.name === 'OAuthError' &&
    typeof e.error === 'string' &&
    typeof e.code === 'string' &&
    e.code.startsWith('ERR_OAUTH_')
  );
}

/** What an OAuth endpoint answered to a form POST: the status and the JSON object, if the body was one. */
export interface OAuthFormAnswer {
  status: number;
  host: string;
  obj: Record<string, unknown> | undefined;
}

/**
 * POSTs form parameters to an OAuth endpoint (token, device authorization, ...) and reads the answer. A 4xx/5xx
 * carrying an OAuth error object becomes an OAuthError (RFC 6749 §5.2); every other status is the caller's to judge.
 * Parameters that carry secrets are registered with the redactor before anything is sent.
 */
export async function postOAuthForm(
  ctx: Context,
  endpoint: string,
  params: Record<string, string | string[] | undefined>,
  auth: ClientAuthParts = {},
  http?: HttpClient,
): Promise<OAuthFormAnswer> {
  const body = new URLSearchParams();
  for (const [k, v] of Object.entries({ ...params, ...(auth.params ?? {}) })) {
    if (v === undefined) continue;
    for (const one of Array.isArray(v) ? v : [v]) body.append(k, one);
  }
  // The one list of secret fields (src/io/redact.ts): what we send and what we get back.
  ctx.redactor.addSecretFields(body);
  const client = http ?? (await ctx.http({ maxBodyBytes: 1024 * 1024 }));
  const res = await client.request({
    method: 'POST',
    url: endpoint,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
      ...(auth.headers ?? {}),
    },
    body: body.toString(),
  });
  let json: unknown;
  try {
    json = JSON.parse(res.text());
  } catch {
    json = undefined;
  }
  const obj =
    typeof json === 'object' && json !== null && !Array.isArray(json)
      ? (json as Record<string, unknown>)
      : undefined;
  if (obj) {
    ctx.redactor.addSecretFields(obj);
  }
  if (res.status >= 400 && obj && typeof obj.error === 'string') {
    throw new OAuthError(
      obj.error,
      // The server's words go into apikit's message: any secret of ours it echoes goes first (src/io/redact.ts).
      typeof obj.error_description === 'string' ? ctx.redactor.redact(obj.error_description) : undefined,
      res.status,
      endpoint,
    );
  }
  return { status: res.status, host: new URL(endpoint).host, obj };
}

export async function requestToken(
  ctx: Context,
  endpoint: string,
  params: Record<string, string | string[] | undefined>,
  auth: ClientAuthParts = {},
  http?: HttpClient,
): Promise<TokenResponse> {
  const { status, host, obj } = await postOAuthForm(ctx, endpoint, params, auth, http);
  if (status >= 500)
    throw new NetworkError(`token endpoint ${host} failed: HTTP ${status}`, 'ERR_TOKEN_HTTP');
  if (status !== 200) {
    throw new NetworkError(
      `token endpoint ${host} answered HTTP ${status} without an OAuth error`,
      'ERR_TOKEN_HTTP',
    );
  }
  if (!obj)
    throw new NetworkError(
      `token endpoint ${host} answered with something that is not a JSON object`,
      'ERR_TOKEN_RESPONSE',
    );
  if (typeof obj.access_token !== 'string' || obj.access_token === '') {
    throw new NetworkError(`token endpoint ${host} answered without an access_token`, 'ERR_TOKEN_RESPONSE');
  }
  if (typeof obj.token_type !== 'string') {
    throw new NetworkError(`token endpoint ${host} answered without a token_type`, 'ERR_TOKEN_RESPONSE');
  }
  const refreshToken = typeof obj.refresh_token === 'string' ? obj.refresh_token : undefined;
  // Before anything prints, stores or sends them: a line break in a token would inject a header line.
  const problem = tokenSyntaxProblem({
    accessToken: obj.access_token,
    tokenType: obj.token_type,
    refreshToken,
  });
  if (problem) {
    throw new NetworkError(
      `token endpoint ${host} answered with an invalid ${problem.field} (${problem.rule})`,
      'ERR_TOKEN_RESPONSE',
    );
  }
  const expiresIn = obj.expires_in;
  if (
    expiresIn !== undefined &&
    (typeof expiresIn !== 'number' || !Number.isFinite(expiresIn) || expiresIn < 0)
  ) {
    throw new NetworkError(
      `token endpoint ${host} answered with an invalid expires_in`,
      'ERR_TOKEN_RESPONSE',
    );
  }
  return {
    access_token: obj.access_token,
    token_type: obj.token_type,
    expires_in: expiresIn as number | undefined,
    refresh_token: refreshToken,
    id_token: typeof obj.id_token === 'string' ? obj.id_token : undefined,
    scope: typeof obj.scope === 'string' ? obj.scope : undefined,
    raw: obj,
  };
}
