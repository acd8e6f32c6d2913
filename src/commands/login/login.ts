import { Option, type Command } from 'commander';
import type { Context } from '../../context.js';
import { AuthError, InputError, InterruptedError, NetworkError, UsageError } from '../../errors.js';
import type { Rendered, View } from '../../io/render.js';
import { isLoopbackHost, requireSecureUrl, type ServerMetadata } from '../../lib/oauth/metadata.js';
import { terminalSafe } from '../../lib/text/terminal-safe.js';
import { formatDuration, formatRelative } from '../../lib/time/duration.js';
import {
  runCodeFlow,
  runDeviceFlow,
  type FlowResult,
  type LoginEndpoints,
  type LoginRequest,
  type LoginUI,
} from '../../oauth/login-flow.js';
import { saveLoginProfile } from '../../profiles/login-profile.js';
import type { ProfileSummary } from '../../profiles/summary.js';
import { tokensFromResponse } from '../../profiles/tokens.js';
import { collect } from '../shared/flags.js';
import { addHttpOptions, httpUsage, withHttpFlags, type HttpOptionSet } from '../shared/http-flags.js';
import { shouldOpenBrowser } from './browser.js';
import { resolveLoginOptions, type LoginFlags, type LoginOptions } from './options.js';
import { terminalLoginUI } from './ui.js';

/**
 * `apikit login`: flags → options (./options.ts), the interactive flow (src/oauth/login-flow.ts, talking to the
 * user through ./ui.ts), the checks of what the token endpoint returned, then the profile is stored
 * (src/profiles/login-profile.ts) — only when every check passed.
 */
export type { LoginOptions };

export type LoginResult = ProfileSummary;

/**
 * Discovery, the token endpoint (code exchange, device polls), the device authorization endpoint and the JWKS
 * that validates the ID token: transport flags only, each request keeping its own body cap as a ceiling. No
 * --timeout from the shared set: login's own --timeout is the deadline of the whole login, and it bounds every
 * request too. No --follow-redirects: a redirected token request would re-send the code and its verifier, and a
 * redirected discovery document or JWKS would choose the endpoints and keys apikit trusts. No API-auth flags.
 */
const HTTP_OPTIONS: HttpOptionSet = {
  transport: true,
  timeout: false,
  help: { maxBody: 'lowers the ceilings: 1048576 for token responses, 524288 for discovery and the JWKS' },
};

export function registerLogin(program: Command, ctx: Context): Command {
  const cmd = program
    .command('login')
    .description(
      'sign in with OAuth 2.0 Authorization Code + PKCE (RFC 7636, RFC 8252) or the device flow (RFC 8628)',
    )
    .usage(
      '{--issuer <url> | --authorization-endpoint <url> --token-endpoint <url>} --client-id <id> [--jwks-uri <url>] [--scope <scopes>] ' +
        '[--resource <url> ...] [--audience <audience>] [--param <k=v> ...] [--port <n>] [--callback-host {127.0.0.1 | localhost}] ' +
        `[--listen <addr:port>] [--no-browser] [--manual] [--device] [--timeout <duration>] ${httpUsage(HTTP_OPTIONS)} ` +
        '[--profile <name>] [--json]',
    )
    .option('--issuer <url>', 'the authorization server (discovery: RFC 8414, then OpenID Connect)')
    .option('--authorization-endpoint <url>', 'authorization endpoint, for servers without discovery')
    .option('--token-endpoint <url>', 'token endpoint, for servers without discovery')
    .option(
      '--jwks-uri <url>',
      "the server's JWKS, to validate ID tokens of a login without --issuer (https, or http on loopback)",
    )
    .option(
      '--client-id <id>',
      "the (public, native) client registered for apikit (default: the profile's, when it exists)",
    )
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
    .option(
      '--timeout <duration>',
      'give up when nobody completes the login in time (no request takes longer either)',
      '5m',
    )
    .option(
      '--profile <name>',
      'profile to store the session in (default: $APIKIT_PROFILE or "default"); an existing one lends its ' +
        'server, client id, scope, resource, audience and params to flags not given',
    );
  return addHttpOptions(cmd, HTTP_OPTIONS)
    .addHelpText(
      'after',
      `
Examples:
  $ apikit login --issuer https://auth.example.com --client-id apikit-cli
  $ apikit login --issuer https://auth.example.com --client-id apikit-cli --scope "openid read:reports" --resource https://api.example.com
  $ apikit login --issuer https://auth.example.com --client-id apikit-cli --manual      # over SSH
  $ apikit login --issuer https://auth.example.com --client-id apikit-cli --device --profile staging
  $ apikit login --authorization-endpoint https://gh.example/authorize --token-endpoint https://gh.example/token --client-id abc --no-browser
  $ apikit login --authorization-endpoint https://as.example/authorize --token-endpoint https://as.example/token --jwks-uri https://as.example/jwks --client-id abc --scope openid
  $ apikit login --profile staging      # again, with the profile's issuer, client id and scopes
  $ apikit login --issuer https://auth.example.com --client-id apikit-cli -H 'X-Tenant: acme' --connect-timeout 3s
`,
    )
    .action(async (flags: LoginFlags) => {
      await ctx.finish(await runLogin(await resolveLoginOptions(flags, ctx), ctx), renderLogin);
    });
}

/** `ui` is how the flow talks to the user: the terminal unless a caller (a test, an embedder) brings its own. */
export async function runLogin(
  opts: LoginOptions,
  context: Context,
  ui: LoginUI = terminalLoginUI(context),
): Promise<LoginResult> {
  // Every request of the login (discovery, token, device, JWKS) gets the user's -H, --connect-timeout and
  // --max-body, and none outlives --timeout.
  const ctx = withHttpFlags(context, opts.http ?? { clientOptions: {}, headers: {} }, {
    maxTimeoutMs: opts.timeoutMs,
  });
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
  const jwksUri = idTokenKeys(meta, checkedUrl(opts.jwksUri, '--jwks-uri'));
  if (!ep.issuer) {
    ctx.out.warn(
      'no --issuer: the authorization response cannot be checked against an issuer (RFC 9207 mix-up defence is off)',
    );
  }
  if (opts.listen && !isLoopbackHost(opts.listen.host)) {
    // RFC 8252 §8.3: a callback on a non-loopback address can be reached, and its code raced for, from elsewhere.
    ctx.out.warn(
      `--listen ${opts.listen.host}: the callback server is exposed beyond this machine (anyone who can reach ` +
        `port ${opts.listen.port} can send it requests); PKCE and state still protect the login`,
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
    completeLogin(ctx, opts, ep, meta, jwksUri, req, result);
  try {
    if (opts.device) {
      const result = await runDeviceFlow(
        ctx,
        ep,
        req,
        { openBrowser: shouldOpenBrowser(ctx, opts.browser), deadline: ctx.clock.now() + opts.timeoutMs },
        ui,
        signal,
      );
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
        openBrowser: shouldOpenBrowser(ctx, opts.browser),
        manual: opts.manual,
      },
      ui,
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
  jwksUri: string | undefined,
  req: LoginRequest,
  flow: FlowResult,
): Promise<LoginResult> {
  const { nonce } = flow;
  let response = flow.response;
  let subject: string | undefined;
  let idTokenIssuer: string | undefined;
  if (response.id_token) {
    ctx.redactor.add(response.id_token);
    if (!jwksUri) {
      // Unvalidated, it proves nothing: it is dropped (never stored) rather than ending a login that needs no ID token.
      ctx.out.warn(
        `${ep.issuer ? `issuer ${ep.issuer} publishes no jwks_uri` : 'no --issuer and no --jwks-uri'}: ` +
          'the ID token in the answer cannot be validated, so it was discarded (not stored); give --jwks-uri to validate it',
      );
      response = { ...response, id_token: undefined };
    } else {
      const { validateIdToken } = await import('../../oauth/id-token.js');
      const claims = await validateIdToken(ctx, response.id_token, {
        issuer: ep.issuer,
        clientId: req.clientId,
        jwksUri,
        nonce,
        algorithms: meta?.id_token_signing_alg_values_supported,
      });
      subject = claims.sub;
      if (!ep.issuer) {
        idTokenIssuer = claims.iss;
        ctx.out.warn(
          `no --issuer: the ID token's signature, aud, azp, exp and nonce were checked against --jwks-uri, but its ` +
            `iss "${terminalSafe(claims.iss ?? '', 200)}" could not be compared with anything (recorded as the token says)`,
        );
      }
    }
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
  return saveLoginProfile(
    await ctx.config(),
    {
      name: opts.profile,
      grant: opts.device ? 'device_code' : 'authorization_code',
      issuer: ep.issuer,
      authorizationEndpoint: ep.authorizationEndpoint,
      tokenEndpoint: ep.tokenEndpoint,
      revocationEndpoint: meta?.revocation_endpoint,
      deviceAuthorizationEndpoint: ep.deviceAuthorizationEndpoint,
      jwksUri: meta?.jwks_uri ?? jwksUri,
      idTokenIssuer,
      clientId: opts.clientId,
      scope: req.scope,
      resource: opts.resource,
      audience: opts.audience,
      params: opts.params,
      subject,
      tokens,
    },
    ctx.clock.now(),
  );
}

export function renderLogin(result: LoginResult, view: View): Rendered {
  const doc = view.doc();
  if (view.json) return doc.json(result).blocks;
  const who = result.subject ? ` as ${result.subject}` : '';
  const scopes = result.scope ? `scopes: ${result.scope}` : 'no scopes';
  const expiry = result.expiresAt
    ? `access token expires ${formatRelative(Date.parse(result.expiresAt), view.now)}`
    : 'access token expiry unknown';
  return doc.notice(`Logged in${who} (profile "${result.name}"; ${scopes}; ${expiry}).`).blocks;
}

async function discoverIssuer(ctx: Context, issuer: string): Promise<ServerMetadata> {
  const { discover } = await import('../../oauth/discovery.js');
  return discover(ctx, issuer);
}

/**
 * The JWKS that validates the ID token: the issuer's (discovery), else --jwks-uri. With both, they must agree —
 * keys from anywhere but the issuer's own document would let another party vouch for the issuer's users.
 */
function idTokenKeys(meta: ServerMetadata | undefined, flag: string | undefined): string | undefined {
  if (meta?.jwks_uri && flag !== undefined && flag !== meta.jwks_uri) {
    throw new UsageError(
      `--jwks-uri ${flag} is not the JWKS issuer ${meta.issuer} publishes (${meta.jwks_uri})`,
      'ERR_USAGE_LOGIN_JWKS',
      { hint: 'leave --jwks-uri out: with --issuer the JWKS comes from discovery' },
    );
  }
  return meta?.jwks_uri ?? flag;
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
