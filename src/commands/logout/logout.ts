import type { Command } from 'commander';
import type { Context } from '../../context.js';
import { InputError, UsageError } from '../../errors.js';
import type { Rendered, View } from '../../io/render.js';
import { revokeToken } from '../../oauth/revocation.js';
import { forgetTokens } from '../../profiles/login-profile.js';
import { getProfile, listProfiles, resolveProfileName, type Profile } from '../../profiles/profile.js';

export interface LogoutOptions {
  /** Profile names to log out (all stored profiles with --all). */
  profiles: string[];
  all: boolean;
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

interface LogoutFlags {
  profile?: string;
  all?: boolean;
}

export function registerLogout(program: Command, ctx: Context): Command {
  return program
    .command('logout')
    .description("revoke a profile's tokens at the issuer (RFC 7009) and forget them")
    .usage('[--profile <name> | --all]')
    .option('--profile <name>', 'profile to log out (default: $APIKIT_PROFILE or "default")')
    .option('--all', 'log out of every profile')
    .addHelpText(
      'after',
      `
Examples:
  $ apikit logout
  $ apikit logout --profile staging
  $ apikit logout --all --json
`,
    )
    .action(async (flags: LogoutFlags) => {
      if (flags.all && flags.profile)
        throw new UsageError('choose one of --profile and --all', 'ERR_USAGE_CONFLICT');
      const opts: LogoutOptions = {
        profiles: flags.all ? [] : [resolveProfileName(flags.profile, ctx.env)],
        all: flags.all === true,
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
        if (!p)
          throw new InputError(`there is no profile "${name}"`, 'ERR_PROFILE_NOT_FOUND', {
            hint: 'apikit profiles list',
          });
        return p;
      });
  const results: LogoutProfileResult[] = [];
  for (const profile of profiles) results.push(await logoutOne(ctx, profile));
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
