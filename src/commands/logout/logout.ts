import type { Command } from 'commander';
import type { Context } from '../../context.js';
import { UsageError } from '../../errors.js';
import type { Rendered, View } from '../../io/render.js';
import { revokeToken } from '../../oauth/revocation.js';
import { forgetTokens } from '../../profiles/login-profile.js';
import {
  getProfile,
  listProfiles,
  profileNotFound,
  resolveProfileName,
  type Profile,
} from '../../profiles/profile.js';
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

export interface LogoutOptions {
  /** Profile names to log out (all stored profiles with --all). */
  profiles: string[];
  all: boolean;
  /** -H, --timeout, --connect-timeout, --max-body for the revocation requests (absent: their defaults). */
  http?: ResolvedHttpFlags;
}

export interface LogoutProfileResult {
  name: string;
  /** Whether tokens were stored before. */
  wasLoggedIn: boolean;
  /** RFC 7009 results: true = revoked, false = failed, null = not attempted (no token or no endpoint). */
  revoked: { refreshToken: boolean | null; accessToken: boolean | null };
  /** Tokens removed from the config file. */
  forgotten: boolean;
  warnings: string[];
}

export interface LogoutResult {
  profiles: LogoutProfileResult[];
}

interface LogoutFlags extends TransportFlags {
  profile?: string;
  all?: boolean;
}

/**
 * Revocation (RFC 7009) requests: transport flags only, with the revocation's own limits (10 s, 64 KiB) as the
 * defaults. No --follow-redirects: a redirected revocation request would re-send the token to another place. No
 * -H Authorization: the public client identifies itself with client_id, and a second way would be ambiguous.
 */
const HTTP_OPTIONS: HttpOptionSet = {
  transport: true,
  help: { timeout: 'default 10s', maxBody: 'default and ceiling 65536' },
};

export function registerLogout(program: Command, ctx: Context): Command {
  const cmd = program
    .command('logout')
    .description("revoke a profile's tokens at the issuer (RFC 7009) and forget them")
    .usage(`[--profile <name> | --all] ${httpUsage(HTTP_OPTIONS)}`)
    .option('--profile <name>', 'profile to log out (default: $APIKIT_PROFILE or "default")')
    .option('--all', 'log out of every profile');
  return addHttpOptions(cmd, HTTP_OPTIONS)
    .addHelpText(
      'after',
      `
Examples:
  $ apikit logout
  $ apikit logout --profile staging
  $ apikit logout --all --json
  $ apikit logout --profile staging --timeout 3s
`,
    )
    .action(async (flags: LogoutFlags) => {
      if (flags.all && flags.profile)
        throw new UsageError('choose one of --profile and --all', 'ERR_USAGE_CONFLICT');
      refuseAuthorizationHeader(
        flags.header,
        'the revocation request identifies the client itself (its client_id); -H is for other headers',
      );
      const opts: LogoutOptions = {
        profiles: flags.all ? [] : [resolveProfileName(flags.profile, ctx.env)],
        all: flags.all === true,
        http: resolveTransportFlags(flags, ctx),
      };
      await ctx.finish(await runLogout(opts, ctx), renderLogout);
    });
}

export async function runLogout(opts: LogoutOptions, ctx: Context): Promise<LogoutResult> {
  const store = await ctx.config();
  const profiles: Profile[] = opts.all
    ? listProfiles(store)
    : opts.profiles.map((name) => {
        const p = getProfile(store, name);
        if (!p) throw profileNotFound(name);
        return p;
      });
  const results: LogoutProfileResult[] = [];
  const http = opts.http ? withHttpFlags(ctx, opts.http) : ctx;
  for (const profile of profiles) results.push(await logoutOne(http, profile));
  return { profiles: results };
}

async function logoutOne(ctx: Context, profile: Profile): Promise<LogoutProfileResult> {
  const result: LogoutProfileResult = {
    name: profile.name,
    wasLoggedIn: profile.tokens !== undefined,
    revoked: { refreshToken: null, accessToken: null },
    forgotten: false,
    warnings: [],
  };
  const tokens = profile.tokens;
  if (!tokens) return result;
  if (profile.revocationEndpoint) {
    // The refresh token first: revoking it ends the whole grant at most servers (RFC 7009 §2.1).
    const kinds = [
      ['refreshToken', 'refresh_token', tokens.refreshToken],
      ['accessToken', 'access_token', tokens.accessToken],
    ] as const;
    for (const [field, hint, token] of kinds) {
      if (!token) continue;
      const r = await revokeToken(ctx, profile.revocationEndpoint, token, hint, profile.clientId);
      result.revoked[field] = r.ok;
      if (!r.ok) result.warnings.push(`could not revoke the ${hint.replace('_', ' ')} (${r.reason})`);
    }
  } else {
    result.warnings.push('the issuer has no revocation endpoint: the tokens stay valid until they expire');
  }
  // Forget them whatever the server said: offline, the user still wants them gone from this machine.
  await forgetTokens(await ctx.config(), profile.name, ctx.clock.now());
  result.forgotten = true;
  return result;
}

export function renderLogout(result: LogoutResult, view: View): Rendered {
  const doc = view.doc();
  for (const p of result.profiles) {
    for (const w of p.warnings) doc.warn(`profile "${p.name}": ${w}`);
  }
  if (view.json) return doc.json(result).blocks;
  if (result.profiles.length === 0) return doc.notice('No profiles to log out of.').blocks;
  for (const p of result.profiles) {
    if (!p.wasLoggedIn) {
      doc.notice(`Profile "${p.name}" was not logged in.`);
      continue;
    }
    const revoked =
      p.revoked.refreshToken !== false && p.revoked.accessToken !== false && p.revoked.accessToken !== null;
    doc.notice(
      `Logged out of profile "${p.name}"${revoked ? ' (tokens revoked at the issuer)' : ' (tokens deleted locally only)'}.`,
    );
  }
  return doc.blocks;
}
