import { Option, type Command } from 'commander';
import type { Context } from '../../context.js';
import { AuthError } from '../../errors.js';
import type { Rendered, View } from '../../io/render.js';
import { DEFAULT_MIN_TTL_MS, getAccessToken } from '../../profiles/access-token.js';
import { getProfile, resolveProfileName } from '../../profiles/profile.js';
import { isFresh } from '../../lib/oauth/token-lifetime.js';
import { formatInstant, parseDurationFlag } from '../../lib/time/duration.js';
import { renderToken, TOKEN_FORMATS, type TokenFormat } from './format.js';

/** `apikit token`: a profile's access token, refreshed under the profile's lock when it expires soon. */
export interface TokenPrintOptions {
  profile: string;
  minTtlMs: number;
  format: TokenFormat;
  check: boolean;
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

interface TokenPrintFlags {
  profile?: string;
  minTtl: string;
  format: TokenFormat;
  check?: boolean;
}

export function registerTokenPrint(program: Command, ctx: Context): Command {
  return (
    program
      .command('token')
      .description("print a profile's access token, refreshed when it expires within --min-ttl")
      // `apikit token client-credentials --format json`: options after the subcommand belong to the subcommand.
      .enablePositionalOptions()
      .usage('[--profile <name>] [--min-ttl <duration>] [--format {bare | header | json}] [--check]')
      .option('--profile <name>', 'profile to use (default: $APIKIT_PROFILE or "default")')
      .option('--min-ttl <duration>', 'refresh when the token expires sooner than this', '60s')
      .addOption(
        new Option('--format <format>', 'bare token, an HTTP header line, or JSON')
          .choices(TOKEN_FORMATS)
          .default('bare'),
      )
      .option('--check', 'exit 0 if a token valid for --min-ttl is stored, 4 if not; no network, no output')
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
      .action(async (flags: TokenPrintFlags) => {
        const minTtlMs = parseDurationFlag('--min-ttl', flags.minTtl);
        const opts: TokenPrintOptions = {
          profile: resolveProfileName(flags.profile, ctx.env),
          minTtlMs,
          format: ctx.flags.json ? 'json' : flags.format,
          check: flags.check === true,
        };
        await ctx.finish(await runTokenPrint(opts, ctx), renderTokenPrint);
      })
  );
}

export async function runTokenPrint(opts: TokenPrintOptions, ctx: Context): Promise<TokenPrintResult> {
  if (opts.check) {
    // No network: only what is stored counts.
    const profile = getProfile(await ctx.config(), opts.profile);
    const tokens = profile?.tokens;
    if (!tokens || !isFresh(tokens, ctx.clock.now(), opts.minTtlMs)) {
      throw new AuthError(
        !profile
          ? `there is no profile "${opts.profile}"`
          : !tokens
            ? `profile "${opts.profile}" is not logged in`
            : `the access token of profile "${opts.profile}" expires within ${opts.minTtlMs / 1000}s`,
        'ERR_TOKEN_CHECK',
        {
          hint: tokens?.refreshToken
            ? `apikit token --profile ${opts.profile} (refreshes it)`
            : `apikit login --profile ${opts.profile}`,
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
  const { tokens, refreshed } = await getAccessToken(ctx, opts.profile, opts.minTtlMs ?? DEFAULT_MIN_TTL_MS);
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
