import { Option, type Command } from 'commander';
import type { Context } from '../../context.js';
import { AuthError } from '../../errors.js';
import { DEFAULT_MIN_TTL_MS, getAccessToken } from '../../auth/access-token.js';
import { getProfile, resolveProfileName } from '../../auth/profile.js';
import { isFresh } from '../../lib/oauth/token-lifetime.js';
import { formatInstant, parseDurationFlag } from '../../lib/time/duration.js';

export type TokenFormat = 'bare' | 'header' | 'json';

export interface TokenPrintOptions {
  profile: string;
  minTtlMs: number;
  format: TokenFormat;
  check: boolean;
}

export interface TokenPrintResult {
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
          .choices(['bare', 'header', 'json'])
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
        renderTokenPrint(await runTokenPrint(opts, ctx), opts, ctx);
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
      profile: opts.profile,
      tokenType: tokens.tokenType,
      expiresAt: tokens.expiresAt,
      scope: tokens.scope,
      refreshed: false,
    };
  }
  const { tokens, refreshed } = await getAccessToken(ctx, opts.profile, opts.minTtlMs ?? DEFAULT_MIN_TTL_MS);
  return {
    profile: opts.profile,
    accessToken: tokens.accessToken,
    tokenType: tokens.tokenType,
    expiresAt: tokens.expiresAt,
    scope: tokens.scope,
    refreshed,
  };
}

export function renderTokenPrint(result: TokenPrintResult, opts: TokenPrintOptions, ctx: Context): void {
  if (opts.check || result.accessToken === undefined) return;
  switch (opts.format) {
    case 'bare':
      ctx.out.result(result.accessToken);
      return;
    case 'header':
      ctx.out.result(`Authorization: Bearer ${result.accessToken}`);
      return;
    case 'json':
      ctx.out.json({
        access_token: result.accessToken,
        token_type: 'Bearer',
        expires_at: result.expiresAt === undefined ? null : formatInstant(result.expiresAt),
        expires_in:
          result.expiresAt === undefined ? null : Math.floor((result.expiresAt - ctx.clock.now()) / 1000),
        scope: result.scope ?? null,
        profile: result.profile,
        refreshed: result.refreshed,
      });
      return;
  }
}
