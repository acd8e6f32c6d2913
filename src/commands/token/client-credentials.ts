import { Option, type Command } from 'commander';
import type { Context } from '../../context.js';
import { UsageError } from '../../errors.js';
import type { Rendered, View } from '../../io/render.js';
import { hasSecretSource, readSecret, type SecretSource } from '../../io/secrets.js';
import {
  CONFIDENTIAL_AUTH_METHODS,
  isConfidentialAuthMethod,
  requireMethodFits,
  type ClientCredential,
  type ConfidentialAuthMethod,
} from '../../lib/oauth/client-auth.js';
import { parseParams } from '../../lib/oauth/params.js';
import { formatInstant, parseDurationFlag } from '../../lib/time/duration.js';
import type { ClientCredentialsToken, TokenEndpointSource } from '../../oauth/client-credentials.js';
import type { CredentialSource, SavedCredential } from '../../profiles/client-credentials.js';
import type { Profile } from '../../profiles/profile.js';
import { collect } from '../shared/flags.js';
import {
  addHttpOptions,
  clientOptionsFor,
  httpUsage,
  refuseAuthorizationHeader,
  resolveTransportFlags,
  type HttpOptionSet,
  type TransportFlags,
} from '../shared/http-flags.js';
import { renderToken, TOKEN_FORMATS, type TokenFormat } from './format.js';

/**
 * `apikit token client-credentials`: a machine-to-machine access token (RFC 6749 §4.4) for CI jobs and
 * scripts — the token alone on stdout, a trustworthy exit code, and the secret nowhere in any output.
 * Every flag-derived input is resolved here, once (the endpoint, the credential, the method, the HTTP flags);
 * the grant itself is one flow in src/oauth/client-credentials.ts.
 */
export interface TokenClientCredentialsOptions {
  /** Exactly one of --issuer and --token-endpoint. */
  endpoint: TokenEndpointSource;
  clientId: string;
  /** Exactly one of the secret flags or --private-key (read in runTokenClientCredentials). */
  credential: CredentialSource;
  authMethod: ConfidentialAuthMethod | undefined;
  scope: string | undefined;
  resource: string[];
  audience: string | undefined;
  params: Record<string, string>;
  assertionAud: string | undefined;
  format: TokenFormat;
  /** A cached token is reused while more than this much of its lifetime remains. */
  minTtlMs: number;
  /** Use the token cache (read and write). */
  cache: boolean;
  saveProfile: string | undefined;
  http: TransportFlags;
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
  maxBody?: string;
}

/**
 * Discovery and the token request: transport flags only. No --follow-redirects (a redirected token request would
 * re-send the client's credentials), no API-auth flags (-H Authorization is refused: the client authenticates
 * with exactly one method, the one --auth-method names).
 */
const HTTP_OPTIONS: HttpOptionSet = {
  transport: true,
  help: { maxBody: 'default and ceiling 1048576' },
};

/** Token responses (and discovery documents) larger than this are refused: --max-body can only lower it. */
const MAX_TOKEN_RESPONSE_BYTES = 1024 * 1024;

/** The flags that name the client secret's source, for readSecret's "exactly one way" message. */
const SECRET_FLAGS = {
  env: '--client-secret-env',
  file: '--client-secret-file',
  stdin: '--client-secret-stdin',
};

/** Parameters apikit sets itself: a --param could otherwise add a second client authentication method. */
const RESERVED_PARAMS = [
  'grant_type',
  'client_id',
  'client_secret',
  'client_assertion',
  'client_assertion_type',
  'scope',
  'resource',
  'audience',
];

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
  const cmd = token
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
        httpUsage(HTTP_OPTIONS),
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
      ).choices(CONFIDENTIAL_AUTH_METHODS),
    )
    .option('--scope <scopes>', 'space-separated scopes to request')
    .option('--resource <url>', 'resource indicator, RFC 8707 (repeatable)', collect)
    .option('--audience <aud>', 'audience parameter (Auth0-style servers)')
    .option('--param <k=v>', 'extra token request parameter (repeatable)', collect)
    .addOption(
      new Option(
        '--format <format>',
        'bare token, an Authorization header line, or the JSON response',
      ).choices(TOKEN_FORMATS),
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
    );
  addHttpOptions(cmd, HTTP_OPTIONS)
    // Caught only to refuse it with a hint (and without echoing it): a secret on argv is visible to every
    // user of the machine (ps, /proc/PID/cmdline) and stays in shell history.
    .addOption(new Option('--client-secret <secret>').hideHelp())
    .addHelpText('after', EXAMPLES)
    .action(async (flags: Flags, cmd: Command) => {
      inheritSharedFlags(flags, cmd);
      const opts = parseTokenClientCredentialsFlags(flags, ctx);
      await ctx.finish(await runTokenClientCredentials(opts, ctx), renderTokenClientCredentials);
    });
}

/**
 * `apikit token` has its own --format and --min-ttl, and the same HTTP flags. Commander lets a parent command take its options from
 * anywhere on the line unless EVERY ancestor enables positional options (the root cannot: global flags such as
 * --json must work after any subcommand), so `token client-credentials --format json` may reach the parent.
 * Such values were meant for this subcommand.
 */
function inheritSharedFlags(flags: Flags, cmd: Command): void {
  const parent = cmd.parent;
  if (!parent) return;
  for (const key of ['format', 'minTtl', 'timeout', 'connectTimeout', 'maxBody'] as const) {
    if (parent.getOptionValueSource(key) === 'cli' && cmd.getOptionValueSource(key) !== 'cli') {
      flags[key] = parent.getOptionValue(key) as string;
    }
  }
  // Both take -H (the shared HTTP flags): every line given, wherever commander put it.
  if (parent.getOptionValueSource('header') === 'cli') {
    flags.header = [
      ...((parent.getOptionValue('header') as string[] | undefined) ?? []),
      ...(flags.header ?? []),
    ];
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
  const endpoint = endpointOf(flags);
  const credential = credentialSourceOf(flags);
  const minTtlMs = parseDurationFlag('--min-ttl', flags.minTtl);
  const params = parseParams(flags.param ?? [], RESERVED_PARAMS);
  refuseAuthorizationHeader(
    flags.header,
    'authenticate the client with the secret or key flags and --auth-method',
  );
  const authMethod = flags.authMethod;
  // Commander's choices() has refused other values already; this narrows the type (no cast) for direct callers.
  if (authMethod !== undefined && !isConfidentialAuthMethod(authMethod)) {
    throw new UsageError(
      `--auth-method "${authMethod}" is not one of ${CONFIDENTIAL_AUTH_METHODS.join(', ')}`,
      'ERR_USAGE',
    );
  }
  let format: TokenFormat = (flags.format as TokenFormat | undefined) ?? (ctx.flags.json ? 'json' : 'bare');
  if (ctx.flags.json && format !== 'json') {
    throw new UsageError(`--json conflicts with --format ${format}`, 'ERR_USAGE');
  }
  if (ctx.flags.json) format = 'json';
  return {
    endpoint,
    clientId: flags.clientId,
    credential,
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
    http: {
      header: flags.header ?? [],
      timeout: flags.timeout,
      connectTimeout: flags.connectTimeout,
      maxBody: flags.maxBody,
    },
  };
}

/** The one check that exactly one of --issuer and --token-endpoint is given. */
function endpointOf(flags: Flags): TokenEndpointSource {
  if (flags.issuer !== undefined && flags.tokenEndpoint === undefined) {
    return { kind: 'issuer', issuer: flags.issuer };
  }
  if (flags.tokenEndpoint !== undefined && flags.issuer === undefined) {
    return { kind: 'url', tokenEndpoint: flags.tokenEndpoint, what: '--token-endpoint' };
  }
  throw new UsageError(
    'give exactly one of --issuer <url> and --token-endpoint <url>',
    'ERR_CLIENT_ENDPOINT',
  );
}

/**
 * A secret or a key, not both and not neither. Which of the secret flags (exactly one) is readSecret's check,
 * made when the secret is read.
 */
function credentialSourceOf(flags: Flags): CredentialSource {
  const secret: SecretSource = {
    env: flags.clientSecretEnv,
    file: flags.clientSecretFile,
    stdin: flags.clientSecretStdin === true ? true : undefined,
  };
  if (hasSecretSource(secret) === (flags.privateKey !== undefined)) {
    throw new UsageError(
      'authenticate the client exactly one way: --client-secret-env, --client-secret-file, --client-secret-stdin or --private-key',
      'ERR_CLIENT_CREDENTIAL_SOURCE',
    );
  }
  return flags.privateKey !== undefined
    ? { kind: 'private-key', file: flags.privateKey }
    : { kind: 'secret', secret };
}

export async function runTokenClientCredentials(
  opts: TokenClientCredentialsOptions,
  ctx: Context,
): Promise<TokenClientCredentialsResult> {
  const [{ fetchClientCredentialsToken }, clientProfiles, profiles] = await Promise.all([
    import('../../oauth/client-credentials.js'),
    import('../../profiles/client-credentials.js'),
    import('../../profiles/profile.js'),
  ]);
  // Everything that can refuse --save-profile is checked before a request is made.
  let save: { name: string; credential: SavedCredential } | undefined;
  if (opts.saveProfile !== undefined) {
    const name = profiles.resolveProfileName(opts.saveProfile, ctx.env);
    const credential = clientProfiles.savedCredential(opts.credential, opts.assertionAud);
    const existing = profiles.getProfile(await ctx.config(), name);
    if (existing && existing.grant !== 'client_credentials') {
      throw new UsageError(
        `profile "${name}" is a login profile (grant ${existing.grant}); not replacing it`,
        'ERR_PROFILE_EXISTS',
        {
          hint: `pick another name, or remove it first: apikit profiles remove ${name}`,
        },
      );
    }
    save = { name, credential };
  }
  const httpFlags = resolveTransportFlags(opts.http, ctx);
  // Read even when a cached token will do: a broken setup fails now, not when the cache expires.
  const credential: ClientCredential =
    opts.credential.kind === 'private-key'
      ? await clientProfiles.loadPrivateKeyCredential(opts.credential.file)
      : {
          kind: 'secret',
          secret: await readSecret(ctx, opts.credential.secret, 'client secret', { flags: SECRET_FLAGS }),
        };
  // A method that does not fit the credential is a usage error even when the cache could answer.
  requireMethodFits(credential.kind, opts.authMethod);
  const http = await ctx.http(clientOptionsFor(httpFlags, { maxBodyBytes: MAX_TOKEN_RESPONSE_BYTES }));
  const token = await fetchClientCredentialsToken(ctx, {
    endpoint: opts.endpoint,
    clientId: opts.clientId,
    credential,
    authMethod: opts.authMethod,
    scope: opts.scope,
    resource: opts.resource,
    audience: opts.audience,
    params: opts.params,
    assertionAud: opts.assertionAud,
    cache: opts.cache ? { minTtlMs: opts.minTtlMs } : false,
    http,
  });

  if (save !== undefined) {
    const store = await ctx.config();
    const existing = profiles.getProfile(store, save.name);
    await profiles.saveProfile(
      store,
      clientProfile(opts, token, save, clientProfiles.profileTokens(token), existing, ctx.clock.now()),
    );
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
    savedProfile: save?.name,
  };
}

/** The client-credentials profile --save-profile writes: where the credential lives, never the credential. */
function clientProfile(
  opts: TokenClientCredentialsOptions,
  token: ClientCredentialsToken,
  save: { name: string; credential: SavedCredential },
  tokens: Profile['tokens'],
  existing: Profile | undefined,
  now: number,
): Profile {
  const profile: Profile = {
    name: save.name,
    grant: 'client_credentials',
    tokenEndpoint: token.tokenEndpoint,
    clientId: opts.clientId,
    clientAuth: { method: token.authMethod, ...save.credential },
    tokens,
    createdAt: existing?.grant === 'client_credentials' ? existing.createdAt : now,
    updatedAt: now,
  };
  if (opts.endpoint.kind === 'issuer') profile.issuer = opts.endpoint.issuer;
  if (opts.scope !== undefined) profile.scope = opts.scope;
  if (opts.resource.length > 0) profile.resource = opts.resource;
  if (opts.audience !== undefined) profile.audience = opts.audience;
  if (Object.keys(opts.params).length > 0) profile.params = opts.params;
  return profile;
}

export function renderTokenClientCredentials(result: TokenClientCredentialsResult, view: View): Rendered {
  const doc = view.doc();
  if (result.fromCache && result.expiresAt !== undefined) {
    doc.progress(`using a cached token (expires in ${Math.round((result.expiresAt - view.now) / 1000)}s)`);
  }
  if (result.savedProfile !== undefined) {
    doc.notice(
      `saved profile "${result.savedProfile}" (renew with: apikit token --profile ${result.savedProfile})`,
    );
  }
  return doc.add(
    renderToken(
      result.format,
      {
        accessToken: result.accessToken,
        tokenType: result.tokenType,
        json: {
          ...result.response,
          expires_at: result.expiresAt === undefined ? null : formatInstant(result.expiresAt),
        },
      },
      view,
    ),
  ).blocks;
}
