import { Option, type Command } from 'commander';
import type { Context } from '../../context.js';
import { AuthError, UsageError } from '../../errors.js';
import type { Rendered, View } from '../../io/render.js';
import { DEFAULT_MIN_TTL_MS, getAccessToken } from '../../profiles/access-token.js';
import { getProfile, profileNotFound, resolveProfileName } from '../../profiles/profile.js';
import { isFresh } from '../../lib/oauth/token-lifetime.js';
import { formatInstant, parseDurationFlag } from '../../lib/time/duration.js';
import {
  addHttpOptions,
  httpUsage,
  refuseAuthorizationHeader,
  resolveTransportFlags,
  withHttpFlags,
  type HttpOptionSet,
  type ResolvedHttpFlags,
  type TransportFlags,
} from '../shared/http-flags.js';
import { renderToken, TOKEN_FORMATS, type TokenFormat } from './format.js';

/** `apikit token`: a profile's access token, refreshed under the profile's lock when it expires soon. */
export interface TokenPrintOptions {
  profile: string;
  minTtlMs: number;
  format: TokenFormat;
  check: boolean;
  /** -H, --timeout, --connect-timeout, --max-body for the refresh (absent: apikit's defaults). */
  http?: ResolvedHttpFlags;
}

export interface TokenPrintResult {
  format: TokenFormat;
  profile: string;
  /** Undefined for --check (which never prints a token). */
  accessToken?: string;
  tokenType: string;
  expiresAt?: number;
  scope?: string;
  refreshed: boolean;
}

interface TokenPrintFlags extends TransportFlags {
  profile?: string;
  minTtl: string;
  format: TokenFormat;
  check?: boolean;
}

/**
 * The refresh (or a client-credentials profile's renewal) is one token request: transport flags only. No
 * --follow-redirects (a redirected token request would re-send the refresh token or the client's credentials), no
 * API-auth flags, and no -H Authorization (a second client authentication); `--profile` here names the profile.
 */
const HTTP_OPTIONS: HttpOptionSet = {
  transport: true,
  help: { maxBody: 'default and ceiling 1048576' },
};

export function registerTokenPrint(program: Command, ctx: Context): Command {
  const cmd = program
    .command('token')
    .description("print a profile's access token, refreshed when it expires within --min-ttl")
    // `apikit token client-credentials --format json`: options after the subcommand belong to the subcommand.
    .enablePositionalOptions()
    .usage(
      '[--profile <name>] [--min-ttl <duration>] [--format {bare | header | json}] [--check] ' +
        httpUsage(HTTP_OPTIONS),
    )
    .option('--profile <name>', 'profile to use (default: $APIKIT_PROFILE or "default")')
    .option('--min-ttl <duration>', 'refresh when the token expires sooner than this', '60s')
    .addOption(
      new Option('--format <format>', 'bare token, an HTTP header line, or JSON')
        .choices(TOKEN_FORMATS)
        .default('bare'),
    )
    .option(
      '--check',
      'exit 0 if a token valid for --min-ttl is stored, 4 if not, 2 if there is no such profile; no network, no output (--verbose says why)',
    );
  return addHttpOptions(cmd, HTTP_OPTIONS)
    .addHelpText(
      'after',
      `
Examples:
  $ curl -H "Authorization: Bearer $(apikit token)" https://api.example.com/reports
  $ curl -H "$(apikit token --format header --profile staging)" https://api.example.com/reports
  $ apikit token --min-ttl 10m --format json
  $ apikit token --check || apikit login --issuer https://auth.example.com --client-id apikit-cli
`,
    )
    .action(async (flags: TokenPrintFlags, cmd: Command) => {
      const minTtlMs = parseDurationFlag('--min-ttl', flags.minTtl);
      // Like `token client-credentials`: --json is --format json, and contradicts any other format asked for.
      if (ctx.flags.json && cmd.getOptionValueSource('format') === 'cli' && flags.format !== 'json') {
        throw new UsageError(`--json conflicts with --format ${flags.format}`, 'ERR_USAGE');
      }
      refuseAuthorizationHeader(
        flags.header,
        'the refresh authenticates the client itself (its client_id, or the secret or key of a client-credentials profile)',
      );
      const opts: TokenPrintOptions = {
        profile: resolveProfileName(flags.profile, ctx.env),
        minTtlMs,
        format: ctx.flags.json ? 'json' : flags.format,
        check: flags.check === true,
        http: resolveTransportFlags(flags, ctx),
      };
      await ctx.finish(await runTokenPrint(opts, ctx), renderTokenPrint);
    });
}

export async function runTokenPrint(opts: TokenPrintOptions, ctx: Context): Promise<TokenPrintResult> {
  if (opts.check) {
    // No network: only what is stored counts. The answer is the exit code alone (quiet: the message and hint
    // show only with --verbose): 0 a token valid for --min-ttl, 4 none (authentication needed), and 2 for a
    // profile that does not exist, as everywhere.
    const profile = getProfile(await ctx.config(), opts.profile);
    if (!profile) throw profileNotFound(opts.profile, { quiet: true });
    const tokens = profile.tokens;
    if (!tokens || !isFresh(tokens, ctx.clock.now(), opts.minTtlMs)) {
      throw new AuthError(
        !tokens
          ? `profile "${opts.profile}" is not logged in`
          : `the access token of profile "${opts.profile}" expires within ${opts.minTtlMs / 1000}s`,
        'ERR_TOKEN_CHECK',
        {
          hint: tokens?.refreshToken
            ? `apikit token --profile ${opts.profile} (refreshes it)`
            : `apikit login --profile ${opts.profile}`,
          quiet: true,
        },
      );
    }
    return {
      format: opts.format,
      profile: opts.profile,
      tokenType: tokens.tokenType,
      expiresAt: tokens.expiresAt,
      scope: tokens.scope,
      refreshed: false,
    };
  }
  const { tokens, refreshed } = await getAccessToken(
    opts.http ? withHttpFlags(ctx, opts.http) : ctx,
    opts.profile,
    opts.minTtlMs ?? DEFAULT_MIN_TTL_MS,
  );
  return {
    format: opts.format,
    profile: opts.profile,
    accessToken: tokens.accessToken,
    tokenType: tokens.tokenType,
    expiresAt: tokens.expiresAt,
    scope: tokens.scope,
    refreshed,
  };
}

/** The token in the asked format; nothing for --check (its answer is the exit code). */
export function renderTokenPrint(result: TokenPrintResult, view: View): Rendered {
  if (result.accessToken === undefined) return [];
  return renderToken(
    result.format,
    {
      accessToken: result.accessToken,
      // apikit's HTTP commands send a profile's token as a Bearer token, so that is what it prints.
      tokenType: 'Bearer',
      json: {
        access_token: result.accessToken,
        token_type: 'Bearer',
        expires_at: result.expiresAt === undefined ? null : formatInstant(result.expiresAt),
        expires_in: result.expiresAt === undefined ? null : Math.floor((result.expiresAt - view.now) / 1000),
        scope: result.scope ?? null,
        profile: result.profile,
        refreshed: result.refreshed,
      },
    },
    view,
  );
}
