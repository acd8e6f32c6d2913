import { Option, type Command } from 'commander';
import type { Profile } from '../../auth/profile.js';
import type { Context } from '../../context.js';
import { UsageError } from '../../errors.js';
import { collect, resolveHttpFlags } from '../../http/options.js';
import { formatInstant, parseDurationFlag } from '../../lib/time/duration.js';
import { isTokenEndpointAuthMethod, TOKEN_ENDPOINT_AUTH_METHODS } from '../../lib/oauth/client-auth.js';
import type { ClientCredentialsInput } from '../../oauth/client-credentials.js';

/**
 * `apikit token client-credentials`: a machine-to-machine access token (RFC 6749 §4.4) for CI jobs and
 * scripts — the token alone on stdout, a trustworthy exit code, and the secret nowhere in any output.
 */
export type TokenFormat = 'bare' | 'header' | 'json';

/** The flow's input (src/oauth/client-credentials.ts) plus what only the command deals with. */
export interface TokenClientCredentialsOptions extends Omit<ClientCredentialsInput, 'http'> {
  resource: string[];
  params: Record<string, string>;
  format: TokenFormat;
  saveProfile?: string | undefined;
  header: string[];
  timeout?: string | undefined;
  connectTimeout?: string | undefined;
}

export interface TokenClientCredentialsResult {
  format: TokenFormat;
  accessToken: string;
  tokenType: string;
  /** The token response, with expires_in counted from now for a cached token. */
  response: Record<string, unknown>;
  /** Epoch milliseconds, or undefined when the server gave no expires_in. */
  expiresAt: number | undefined;
  fromCache: boolean;
  savedProfile: string | undefined;
  now: number;
}

interface Flags {
  issuer?: string;
  tokenEndpoint?: string;
  clientId: string;
  clientSecret?: string;
  clientSecretEnv?: string;
  clientSecretFile?: string;
  clientSecretStdin?: boolean;
  privateKey?: string;
  authMethod?: string;
  scope?: string;
  resource?: string[];
  audience?: string;
  param?: string[];
  format?: string;
  minTtl: string;
  cache: boolean;
  saveProfile?: string;
  assertionAud?: string;
  header?: string[];
  timeout?: string;
  connectTimeout?: string;
}

/** Parameters apikit sets itself: a --param could otherwise add a second client authentication method. */
const RESERVED_PARAMS = new Set([
  'grant_type',
  'client_id',
  'client_secret',
  'client_assertion',
  'client_assertion_type',
  'scope',
  'resource',
  'audience',
]);

const EXAMPLES = `
Examples:
  $ TOKEN=$(apikit token client-credentials --issuer https://auth.example.com --client-id ci-bot --client-secret-env CI_SECRET --scope read:reports)
  $ apikit token client-credentials --token-endpoint https://auth.example.com/oauth/token --client-id ci-bot --client-secret-file secret.txt --auth-method client_secret_post
  $ apikit keys generate --alg ES256 --out ci-bot && apikit token client-credentials --issuer https://auth.example.com --client-id ci-bot --private-key ci-bot.key.pem
  $ apikit token client-credentials --issuer https://auth.example.com --client-id ci-bot --client-secret-env CI_SECRET --format header
  $ apikit token client-credentials --issuer https://auth.example.com --client-id ci-bot --client-secret-env CI_SECRET --resource https://api.example.com --format json
  $ apikit token client-credentials --issuer https://auth.example.com --client-id ci-bot --client-secret-env CI_SECRET --save-profile ci && apikit token --profile ci
`;

export function registerTokenClientCredentials(token: Command, ctx: Context): void {
  token
    .command('client-credentials')
    .summary('fetch a machine-to-machine access token (OAuth 2.0 client credentials)')
    .description(
      [
        'Fetch an access token with the client credentials grant (RFC 6749 §4.4) and print it on stdout.',
        'The client authenticates with exactly one method: client_secret_basic (default with a secret), ' +
          'client_secret_post, client_secret_jwt (HS256) or private_key_jwt (default with --private-key; RFC 7523).',
        'Secrets come from an env var, a file or stdin — never from the command line. Tokens are cached (0600, in ' +
          'the config dir) and reused while more than --min-ttl of their lifetime remains.',
      ].join('\n\n'),
    )
    .usage(
      '{--issuer <url> | --token-endpoint <url>} --client-id <id> ' +
        '{--client-secret-env <VAR> | --client-secret-file <file> | --client-secret-stdin | --private-key <file>} ' +
        '[--auth-method {client_secret_basic | client_secret_post | private_key_jwt | client_secret_jwt}] ' +
        '[--scope <scopes>] [--resource <url> ...] [--audience <aud>] [--param <k=v> ...] [--assertion-aud <aud>] ' +
        '[--format {bare | header | json}] [--min-ttl <duration>] [--no-cache] [--save-profile <name>] ' +
        '[-H <line> ...] [--timeout <duration>] [--connect-timeout <duration>]',
    )
    .option('--issuer <url>', 'the authorization server; its metadata gives the token endpoint and methods')
    .option('--token-endpoint <url>', 'the token endpoint, when there is no discovery')
    .requiredOption('--client-id <id>', 'the client id')
    .option('--client-secret-env <VAR>', 'read the client secret from environment variable VAR')
    .option(
      '--client-secret-file <file>',
      'read the client secret from a file (one trailing newline is ignored)',
    )
    .option('--client-secret-stdin', 'read the client secret from stdin')
    .option('--private-key <file>', 'sign a private_key_jwt assertion with this key (PEM, JWK)')
    .addOption(
      new Option(
        '--auth-method <method>',
        'client authentication method (default: from the credential and the server)',
      ).choices(TOKEN_ENDPOINT_AUTH_METHODS),
    )
    .option('--scope <scopes>', 'space-separated scopes to request')
    .option('--resource <url>', 'resource indicator, RFC 8707 (repeatable)', collect)
    .option('--audience <aud>', 'audience parameter (Auth0-style servers)')
    .option('--param <k=v>', 'extra token request parameter (repeatable)', collect)
    .addOption(
      new Option(
        '--format <format>',
        'bare token, an Authorization header line, or the JSON response',
      ).choices(['bare', 'header', 'json']),
    )
    .option('--min-ttl <duration>', 'reuse a cached token only while more than this remains', '60s')
    .option('--no-cache', 'neither read nor write the token cache')
    .option(
      '--save-profile <name>',
      'save the client (not its secret) as a profile that `apikit token --profile` renews',
    )
    .option(
      '--assertion-aud <aud>',
      'aud of JWT assertions (default: the issuer; for servers that want the token endpoint)',
    )
    .option('-H, --header <line>', "extra request header 'Name: value' (repeatable)", collect)
    .option('--timeout <duration>', 'give up on a request after this long (default 30s)')
    .option('--connect-timeout <duration>', 'give up connecting after this long (default 10s)')
    // Caught only to refuse it with a hint (and without echoing it): a secret on argv is visible to every
    // user of the machine (ps, /proc/PID/cmdline) and stays in shell history.
    .addOption(new Option('--client-secret <secret>').hideHelp())
    .addHelpText('after', EXAMPLES)
    .action(async (flags: Flags, cmd: Command) => {
      inheritSharedFlags(flags, cmd);
      const opts = parseTokenClientCredentialsFlags(flags, ctx);
      const result = await runTokenClientCredentials(opts, ctx);
      renderTokenClientCredentials(result, ctx);
    });
}

/**
 * `apikit token` has its own --format and --min-ttl. Commander lets a parent command take its options from
 * anywhere on the line unless EVERY ancestor enables positional options (the root cannot: global flags such as
 * --json must work after any subcommand), so `token client-credentials --format json` may reach the parent.
 * Such values were meant for this subcommand.
 */
function inheritSharedFlags(flags: Flags, cmd: Command): void {
  const parent = cmd.parent;
  if (!parent) return;
  for (const key of ['format', 'minTtl'] as const) {
    if (parent.getOptionValueSource(key) === 'cli' && cmd.getOptionValueSource(key) !== 'cli') {
      flags[key] = parent.getOptionValue(key) as string;
    }
  }
  // The parent's --profile and --check mean nothing here; taking them silently would mislead.
  for (const [key, flag] of [
    ['profile', '--profile'],
    ['check', '--check'],
  ] as const) {
    if (parent.getOptionValueSource(key) === 'cli') {
      throw new UsageError(`${flag} does not apply to \`token client-credentials\``, 'ERR_USAGE_FLAG', {
        hint: key === 'profile' ? 'use --save-profile NAME to store the client as a profile' : undefined,
      });
    }
  }
}

export function parseTokenClientCredentialsFlags(flags: Flags, ctx: Context): TokenClientCredentialsOptions {
  if (flags.clientSecret !== undefined) {
    ctx.redactor.add(flags.clientSecret);
    throw new UsageError(
      'refusing a client secret on the command line (--client-secret)',
      'ERR_SECRET_ON_ARGV',
      {
        hint: 'use --client-secret-env VAR, --client-secret-file FILE or --client-secret-stdin — and treat this secret as leaked if others share the machine',
      },
    );
  }
  if ((flags.issuer === undefined) === (flags.tokenEndpoint === undefined)) {
    throw new UsageError(
      'give exactly one of --issuer <url> and --token-endpoint <url>',
      'ERR_CLIENT_ENDPOINT',
    );
  }
  const secretGiven = [
    flags.clientSecretEnv,
    flags.clientSecretFile,
    flags.clientSecretStdin ? true : undefined,
  ].filter((v) => v !== undefined).length;
  if (secretGiven + (flags.privateKey !== undefined ? 1 : 0) !== 1) {
    throw new UsageError(
      'authenticate the client exactly one way: --client-secret-env, --client-secret-file, --client-secret-stdin or --private-key',
      'ERR_CLIENT_CREDENTIAL_SOURCE',
    );
  }
  const minTtlMs = parseDurationFlag('--min-ttl', flags.minTtl);
  const params: Record<string, string> = {};
  for (const pair of flags.param ?? []) {
    const eq = pair.indexOf('=');
    const name = eq > 0 ? pair.slice(0, eq) : '';
    if (!name) throw new UsageError(`--param "${pair.split('=')[0]}" is not k=v`, 'ERR_USAGE_PARAM');
    if (RESERVED_PARAMS.has(name)) {
      throw new UsageError(`--param ${name} is set by apikit`, 'ERR_USAGE_PARAM', {
        hint: 'use --scope, --resource, --audience and the credential flags instead',
      });
    }
    params[name] = pair.slice(eq + 1);
  }
  if ((flags.header ?? []).some((line) => /^\s*authorization\s*:/i.test(line))) {
    throw new UsageError(
      '-H Authorization would be a second client authentication method',
      'ERR_USAGE_AUTH_CONFLICT',
      {
        hint: 'authenticate the client with the secret or key flags and --auth-method',
      },
    );
  }
  const authMethod = flags.authMethod;
  if (authMethod !== undefined && !isTokenEndpointAuthMethod(authMethod)) {
    throw new UsageError(
      `--auth-method "${authMethod}" is not one of ${TOKEN_ENDPOINT_AUTH_METHODS.join(', ')}`,
      'ERR_USAGE',
    );
  }
  let format: TokenFormat = (flags.format as TokenFormat | undefined) ?? (ctx.flags.json ? 'json' : 'bare');
  if (ctx.flags.json && format !== 'json') {
    throw new UsageError(`--json conflicts with --format ${format}`, 'ERR_USAGE');
  }
  if (ctx.flags.json) format = 'json';
  return {
    issuer: flags.issuer,
    tokenEndpoint: flags.tokenEndpoint,
    clientId: flags.clientId,
    credentials: {
      secret:
        flags.privateKey === undefined
          ? {
              env: flags.clientSecretEnv,
              file: flags.clientSecretFile,
              stdin: flags.clientSecretStdin === true ? true : undefined,
            }
          : undefined,
      privateKeyFile: flags.privateKey,
    },
    authMethod,
    scope: flags.scope,
    resource: flags.resource ?? [],
    audience: flags.audience,
    params,
    assertionAud: flags.assertionAud,
    format,
    minTtlMs,
    cache: flags.cache,
    saveProfile: flags.saveProfile,
    header: flags.header ?? [],
    timeout: flags.timeout,
    connectTimeout: flags.connectTimeout,
  };
}

export async function runTokenClientCredentials(
  opts: TokenClientCredentialsOptions,
  ctx: Context,
): Promise<TokenClientCredentialsResult> {
  const [{ fetchClientCredentialsToken, profileClientAuth, profileTokens }, profiles] = await Promise.all([
    import('../../oauth/client-credentials.js'),
    import('../../auth/profile.js'),
  ]);
  // Everything that can refuse --save-profile is checked before a request is made.
  let profileName: string | undefined;
  if (opts.saveProfile !== undefined) {
    profileName = profiles.resolveProfileName(opts.saveProfile, ctx.env);
    profileClientAuth(opts.credentials, opts.authMethod ?? 'client_secret_basic', opts.assertionAud);
    const existing = profiles.getProfile(await ctx.config(), profileName);
    if (existing && existing.grant !== 'client_credentials') {
      throw new UsageError(
        `profile "${profileName}" is a login profile (grant ${existing.grant}); not replacing it`,
        'ERR_PROFILE_EXISTS',
        {
          hint: `pick another name, or remove it first: apikit profiles remove ${profileName}`,
        },
      );
    }
  }
  const httpFlags = await resolveHttpFlags(
    { header: opts.header, timeout: opts.timeout, connectTimeout: opts.connectTimeout },
    ctx,
  );
  const http = await ctx.http({
    ...httpFlags.clientOptions,
    headers: httpFlags.headers,
    maxBodyBytes: 1024 * 1024,
  });
  const token = await fetchClientCredentialsToken(ctx, {
    issuer: opts.issuer,
    tokenEndpoint: opts.tokenEndpoint,
    clientId: opts.clientId,
    credentials: opts.credentials,
    authMethod: opts.authMethod,
    scope: opts.scope,
    resource: opts.resource,
    audience: opts.audience,
    params: opts.params,
    assertionAud: opts.assertionAud,
    cache: opts.cache,
    minTtlMs: opts.minTtlMs,
    http,
  });

  if (profileName !== undefined) {
    const store = await ctx.config();
    const now = ctx.clock.now();
    const existing = profiles.getProfile(store, profileName);
    const profile: Profile = {
      name: profileName,
      grant: 'client_credentials',
      tokenEndpoint: token.tokenEndpoint,
      clientId: opts.clientId,
      clientAuth: profileClientAuth(opts.credentials, token.authMethod, opts.assertionAud),
      tokens: profileTokens(token),
      createdAt: existing?.grant === 'client_credentials' ? existing.createdAt : now,
      updatedAt: now,
    };
    if (opts.issuer !== undefined) profile.issuer = opts.issuer;
    if (opts.scope !== undefined) profile.scope = opts.scope;
    if (opts.resource.length > 0) profile.resource = opts.resource;
    if (opts.audience !== undefined) profile.audience = opts.audience;
    if (Object.keys(opts.params).length > 0) profile.params = opts.params;
    await profiles.saveProfile(store, profile);
  }

  const now = ctx.clock.now();
  const response = { ...token.response };
  // A cached answer's expires_in counted from when it was issued; count it from now.
  if (token.fromCache && token.expiresAt !== undefined) {
    response.expires_in = Math.max(0, Math.floor((token.expiresAt - now) / 1000));
  }
  return {
    format: opts.format,
    accessToken: token.accessToken,
    tokenType: token.tokenType,
    response,
    expiresAt: token.expiresAt,
    fromCache: token.fromCache,
    savedProfile: profileName,
    now,
  };
}

export function renderTokenClientCredentials(result: TokenClientCredentialsResult, ctx: Context): void {
  if (result.fromCache && result.expiresAt !== undefined) {
    ctx.out.progress(
      `using a cached token (expires in ${Math.round((result.expiresAt - result.now) / 1000)}s)`,
    );
  }
  if (result.savedProfile !== undefined) {
    ctx.out.notice(
      `saved profile "${result.savedProfile}" (renew with: apikit token --profile ${result.savedProfile})`,
    );
  }
  switch (result.format) {
    case 'bare':
      ctx.out.result(result.accessToken);
      return;
    case 'header':
      // RFC 6750 §2.1; token_type is case-insensitive (RFC 6749 §7.1), the header scheme is written "Bearer".
      ctx.out.result(
        `Authorization: ${result.tokenType.toLowerCase() === 'bearer' ? 'Bearer' : result.tokenType} ${result.accessToken}`,
      );
      return;
    case 'json':
      ctx.out.json({
        ...result.response,
        expires_at: result.expiresAt === undefined ? null : formatInstant(result.expiresAt),
      });
  }
}
