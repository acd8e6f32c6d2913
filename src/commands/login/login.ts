import { Option, type Command } from 'commander';
import type { Context } from '../../context.js';
import { AuthError, InputError, InterruptedError, NetworkError, UsageError } from '../../errors.js';
import { collect } from '../../http/options.js';
import { getProfile, resolveProfileName, saveProfile, type Profile } from '../../auth/profile.js';
import { summarize, type ProfileSummary } from '../../auth/summary.js';
import { jwtSubject, tokensFromResponse } from '../../auth/tokens.js';
import {
  runCodeFlow,
  runDeviceFlow,
  type FlowResult,
  type LoginEndpoints,
  type LoginRequest,
} from '../../auth/login-flow.js';
import { parseParams } from '../../lib/oauth/authorize-url.js';
import { requireSecureUrl, type ServerMetadata } from '../../lib/oauth/metadata.js';
import { formatDuration, formatRelative, parseDurationFlag } from '../../lib/time/duration.js';

export interface LoginOptions {
  issuer?: string;
  authorizationEndpoint?: string;
  tokenEndpoint?: string;
  clientId: string;
  scope?: string;
  resource: string[];
  audience?: string;
  params: Record<string, string>;
  port?: number;
  callbackHost: '127.0.0.1' | 'localhost';
  listen?: { host: string; port: number };
  browser: boolean;
  manual: boolean;
  device: boolean;
  timeoutMs: number;
  profile: string;
}

export type LoginResult = ProfileSummary;

interface LoginFlags {
  issuer?: string;
  authorizationEndpoint?: string;
  tokenEndpoint?: string;
  clientId: string;
  scope?: string;
  resource?: string[];
  audience?: string;
  param?: string[];
  port?: string;
  callbackHost: '127.0.0.1' | 'localhost';
  listen?: string;
  browser: boolean;
  manual?: boolean;
  device?: boolean;
  timeout: string;
  profile?: string;
}

export function registerLogin(program: Command, ctx: Context): Command {
  return program
    .command('login')
    .description(
      'sign in with OAuth 2.0 Authorization Code + PKCE (RFC 7636, RFC 8252) or the device flow (RFC 8628)',
    )
    .usage(
      '{--issuer <url> | --authorization-endpoint <url> --token-endpoint <url>} --client-id <id> [--scope <scopes>] ' +
        '[--resource <url> ...] [--audience <audience>] [--param <k=v> ...] [--port <n>] [--callback-host {127.0.0.1 | localhost}] ' +
        '[--listen <addr:port>] [--no-browser] [--manual] [--device] [--timeout <duration>] [--profile <name>] [--json]',
    )
    .option('--issuer <url>', 'the authorization server (discovery: RFC 8414, then OpenID Connect)')
    .option('--authorization-endpoint <url>', 'authorization endpoint, for servers without discovery')
    .option('--token-endpoint <url>', 'token endpoint, for servers without discovery')
    .requiredOption('--client-id <id>', 'the (public, native) client registered for apikit')
    .option('--scope <scopes>', 'space-separated scopes (default: "openid offline_access" where supported)')
    .option('--resource <url>', 'resource indicator, RFC 8707 (repeatable)', collect)
    .option('--audience <audience>', 'audience parameter (for servers that use it instead of --resource)')
    .option('--param <k=v>', 'extra authorization request parameter (repeatable)', collect)
    .option('--port <n>', 'fixed port for the loopback callback (default: a free one)')
    .addOption(
      new Option('--callback-host <host>', 'host name in the redirect URI')
        .choices(['127.0.0.1', 'localhost'])
        .default('127.0.0.1'),
    )
    .option(
      '--listen <addr:port>',
      'bind the callback server here instead (e.g. 0.0.0.0:8400 in a container)',
    )
    .option('--no-browser', 'do not open a browser; just print the URL')
    .option('--manual', 'no callback server: paste the redirect URL (or code) from any browser')
    .option('--device', 'use the device authorization grant (enter a code on another device)')
    .option('--timeout <duration>', 'give up when nobody completes the login in time', '5m')
    .option('--profile <name>', 'profile to store the session in (default: $APIKIT_PROFILE or "default")')
    .addHelpText(
      'after',
      `
Examples:
  $ apikit login --issuer https://auth.example.com --client-id apikit-cli
  $ apikit login --issuer https://auth.example.com --client-id apikit-cli --scope "openid read:reports" --resource https://api.example.com
  $ apikit login --issuer https://auth.example.com --client-id apikit-cli --manual      # over SSH
  $ apikit login --issuer https://auth.example.com --client-id apikit-cli --device --profile staging
  $ apikit login --authorization-endpoint https://gh.example/authorize --token-endpoint https://gh.example/token --client-id abc --no-browser
`,
    )
    .action(async (flags: LoginFlags) => {
      const result = await runLogin(toOptions(flags, ctx), ctx);
      renderLogin(result, ctx);
    });
}

function toOptions(flags: LoginFlags, ctx: Context): LoginOptions {
  const hasEndpoints = flags.authorizationEndpoint !== undefined || flags.tokenEndpoint !== undefined;
  if ((flags.issuer === undefined) === !hasEndpoints) {
    throw new UsageError(
      'give either --issuer, or --authorization-endpoint and --token-endpoint',
      'ERR_USAGE_LOGIN_SERVER',
      {
        hint: 'apikit login --issuer https://auth.example.com --client-id apikit-cli',
      },
    );
  }
  if (hasEndpoints && (!flags.authorizationEndpoint || !flags.tokenEndpoint) && !flags.device) {
    throw new UsageError(
      '--authorization-endpoint and --token-endpoint go together',
      'ERR_USAGE_LOGIN_SERVER',
    );
  }
  if (flags.device && !flags.issuer) {
    throw new UsageError(
      '--device needs --issuer (the device endpoint comes from discovery)',
      'ERR_USAGE_LOGIN_DEVICE',
    );
  }
  if (flags.device && flags.manual)
    throw new UsageError('choose one of --device and --manual', 'ERR_USAGE_CONFLICT');
  if (flags.listen && (flags.manual || flags.device)) {
    throw new UsageError(
      '--listen applies only to the loopback callback (not --manual or --device)',
      'ERR_USAGE_CONFLICT',
    );
  }
  const timeoutMs = parseDurationFlag('--timeout', flags.timeout, { positive: true });
  const resource = flags.resource ?? [];
  for (const r of resource) {
    let url: URL | undefined;
    try {
      url = new URL(r);
    } catch {
      url = undefined;
    }
    // RFC 8707 §2: an absolute URI without a fragment.
    if (!url || url.hash || r.includes('#')) {
      throw new UsageError(
        `--resource "${r}" must be an absolute URI without a fragment`,
        'ERR_USAGE_RESOURCE',
      );
    }
  }
  return {
    issuer: flags.issuer,
    authorizationEndpoint: flags.authorizationEndpoint,
    tokenEndpoint: flags.tokenEndpoint,
    clientId: flags.clientId,
    scope: flags.scope?.trim().split(/\s+/).filter(Boolean).join(' ') || undefined,
    resource,
    audience: flags.audience,
    params: parseParams(flags.param ?? []),
    port: flags.port === undefined ? undefined : parsePort(flags.port, '--port'),
    callbackHost: flags.callbackHost,
    listen: flags.listen === undefined ? undefined : parseListen(flags.listen),
    browser: flags.browser,
    manual: flags.manual === true,
    device: flags.device === true,
    timeoutMs,
    profile: resolveProfileName(flags.profile, ctx.env),
  };
}

function parsePort(value: string, flag: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isInteger(n) || n < 1 || n > 65535) {
    throw new UsageError(`${flag} "${value}" is not a port number (1-65535)`, 'ERR_USAGE_PORT');
  }
  return n;
}

function parseListen(value: string): { host: string; port: number } {
  const m = /^(\[[0-9a-fA-F:.]+\]|[^:]+):(\d+)$/.exec(value);
  if (!m)
    throw new UsageError(`--listen "${value}" is not ADDR:PORT`, 'ERR_USAGE_LISTEN', {
      hint: '--listen 0.0.0.0:8400',
    });
  return { host: m[1]!.replace(/^\[|\]$/g, ''), port: parsePort(m[2]!, '--listen') };
}

export async function runLogin(opts: LoginOptions, ctx: Context): Promise<LoginResult> {
  const meta = opts.issuer ? await discoverIssuer(ctx, opts.issuer) : undefined;
  if (meta?.code_challenge_methods_supported && !meta.code_challenge_methods_supported.includes('S256')) {
    // RFC 9700 §2.1.1: PKCE with S256; a server that only offers "plain" would expose the verifier's value.
    throw new NetworkError(
      `issuer ${meta.issuer} does not support PKCE with S256 (it offers: ${meta.code_challenge_methods_supported.join(', ') || 'none'})`,
      'ERR_LOGIN_PKCE_UNSUPPORTED',
      { hint: 'apikit always uses S256; ask the server operator to enable it' },
    );
  }
  const ep: LoginEndpoints = {
    issuer: meta?.issuer,
    authorizationEndpoint:
      meta?.authorization_endpoint ?? checkedUrl(opts.authorizationEndpoint, '--authorization-endpoint'),
    tokenEndpoint: meta?.token_endpoint ?? checkedUrl(opts.tokenEndpoint, '--token-endpoint') ?? '',
    deviceAuthorizationEndpoint: meta?.device_authorization_endpoint,
    issRequired: meta?.authorization_response_iss_parameter_supported === true,
  };
  if (!ep.tokenEndpoint) {
    throw new InputError(`issuer ${opts.issuer} advertises no token_endpoint`, 'ERR_DISCOVERY_ENDPOINT');
  }
  if (!ep.issuer) {
    ctx.out.warn(
      'no --issuer: the authorization response cannot be checked against an issuer (RFC 9207 mix-up defence is off)',
    );
  }
  const scope = opts.scope ?? defaultScope(meta);
  const scopes = scope?.split(' ') ?? [];
  const req: LoginRequest = {
    clientId: opts.clientId,
    scope,
    resource: opts.resource,
    audience: opts.audience,
    params: opts.params,
    wantNonce: scopes.includes('openid'),
  };

  // One deadline for the whole interactive part: --timeout, or Ctrl-C.
  const timeout = new AbortController();
  const timer = setTimeout(
    () =>
      timeout.abort(
        new AuthError(
          `nobody completed the login within ${formatDuration(opts.timeoutMs)}; nothing was stored`,
          'ERR_LOGIN_TIMEOUT',
          {
            hint: 'run apikit login again (or raise --timeout)',
          },
        ),
      ),
    opts.timeoutMs,
  );
  const interrupted = new AbortController();
  const onInterrupt = (): void => interrupted.abort(new InterruptedError());
  ctx.signal.addEventListener('abort', onInterrupt, { once: true });
  const signal = AbortSignal.any([timeout.signal, interrupted.signal]);
  const complete = (result: FlowResult): Promise<LoginResult> =>
    completeLogin(ctx, opts, ep, meta, req, result);
  try {
    if (opts.device) {
      const result = await runDeviceFlow(ctx, ep, req, opts.browser, signal, Date.now() + opts.timeoutMs);
      return await complete(result);
    }
    return await runCodeFlow(
      ctx,
      ep,
      req,
      {
        callbackHost: opts.callbackHost,
        port: opts.port,
        listen: opts.listen,
        openBrowser: opts.browser,
        manual: opts.manual,
      },
      signal,
      complete,
    );
  } finally {
    clearTimeout(timer);
    ctx.signal.removeEventListener('abort', onInterrupt);
  }
}

/** Validates what the token endpoint returned and stores the profile — only when every check passed. */
async function completeLogin(
  ctx: Context,
  opts: LoginOptions,
  ep: LoginEndpoints,
  meta: ServerMetadata | undefined,
  req: LoginRequest,
  { response, nonce }: FlowResult,
): Promise<LoginResult> {
  let subject: string | undefined;
  if (response.id_token) {
    if (!meta?.jwks_uri || !ep.issuer) {
      throw new AuthError(
        'the server sent an ID token that cannot be validated without --issuer (no JWKS)',
        'ERR_LOGIN_ID_TOKEN_UNVERIFIABLE',
        {
          hint: 'log in with --issuer, or leave "openid" out of --scope',
        },
      );
    }
    const { validateIdToken } = await import('../../oauth/id-token.js');
    const claims = await validateIdToken(ctx, response.id_token, {
      issuer: ep.issuer,
      clientId: req.clientId,
      jwksUri: meta.jwks_uri,
      nonce,
      algorithms: meta.id_token_signing_alg_values_supported,
    });
    subject = claims.sub;
  } else if (req.wantNonce && !opts.device) {
    // OIDC Core §3.1.3.3: with openid in scope the token response must carry an ID token.
    throw new AuthError(
      'the token response has no ID token although "openid" was requested',
      'ERR_LOGIN_ID_TOKEN_MISSING',
      {
        hint: 'the server may not be an OpenID Provider: leave "openid" out of --scope',
      },
    );
  }
  const tokens = await tokensFromResponse(ctx, response);
  if (tokens.expiresAt === undefined) {
    ctx.out.warn(
      'the server did not say when the access token expires (no expires_in); apikit cannot refresh it ahead of time',
    );
  }
  subject ??= await jwtSubject(tokens.accessToken);
  const store = await ctx.config();
  const now = ctx.clock.now();
  const previous = getProfile(store, opts.profile);
  const profile: Profile = {
    name: opts.profile,
    grant: opts.device ? 'device_code' : 'authorization_code',
    issuer: ep.issuer,
    authorizationEndpoint: ep.authorizationEndpoint,
    tokenEndpoint: ep.tokenEndpoint,
    revocationEndpoint: meta?.revocation_endpoint,
    deviceAuthorizationEndpoint: ep.deviceAuthorizationEndpoint,
    jwksUri: meta?.jwks_uri,
    clientId: opts.clientId,
    scope: req.scope,
    resource: opts.resource.length > 0 ? opts.resource : undefined,
    audience: opts.audience,
    params: Object.keys(opts.params).length > 0 ? opts.params : undefined,
    subject,
    tokens,
    createdAt: previous?.createdAt ?? now,
    updatedAt: now,
  };
  await saveProfile(store, profile);
  return summarize(profile, now);
}

export function renderLogin(result: LoginResult, ctx: Context): void {
  if (ctx.flags.json) {
    ctx.out.json(result);
    return;
  }
  const who = result.subject ? ` as ${result.subject}` : '';
  const scopes = result.scope ? `scopes: ${result.scope}` : 'no scopes';
  const expiry = result.expiresAt
    ? `access token expires ${formatRelative(Date.parse(result.expiresAt), ctx.clock.now())}`
    : 'access token expiry unknown';
  ctx.out.notice(`Logged in${who} (profile "${result.name}"; ${scopes}; ${expiry}).`);
}

async function discoverIssuer(ctx: Context, issuer: string): Promise<ServerMetadata> {
  const { discover } = await import('../../oauth/discovery.js');
  return discover(ctx, issuer);
}

function checkedUrl(value: string | undefined, what: string): string | undefined {
  if (value === undefined) return undefined;
  requireSecureUrl(value, what);
  return value;
}

/** openid (+ offline_access for a refresh token) when the issuer lists them; no scope parameter otherwise. */
function defaultScope(meta: ServerMetadata | undefined): string | undefined {
  const supported = meta?.scopes_supported;
  if (!supported) return undefined;
  const wanted = ['openid', 'offline_access'].filter((s) => supported.includes(s));
  return wanted.length > 0 ? wanted.join(' ') : undefined;
}
