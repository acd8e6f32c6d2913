import type { Command } from 'commander';
import type { Context } from '../../context.js';
import { listProfiles } from '../../auth/profile.js';
import { statusText, summarize, type ProfileSummary } from '../../auth/summary.js';

export type ProfilesListOptions = Record<string, never>;

export interface ProfilesListResult {
  profiles: ProfileSummary[];
}

export function registerProfilesList(parent: Command, ctx: Context): void {
  parent
    .command('list')
    .description('list login profiles (never prints tokens)')
    .usage('[--json]')
    .addHelpText(
      'after',
      `
Examples:
  $ apikit profiles list
  $ apikit profiles list --json
`,
    )
    .action(async () => {
      await renderProfilesList(await runProfilesList({}, ctx), ctx);
    });
}

export async function runProfilesList(_opts: ProfilesListOptions, ctx: Context): Promise<ProfilesListResult> {
  const now = ctx.clock.now();
  return { profiles: listProfiles(await ctx.config()).map((p) => summarize(p, now)) };
}

export async function renderProfilesList(result: ProfilesListResult, ctx: Context): Promise<void> {
  if (ctx.flags.json) {
    ctx.out.json(result);
    return;
  }
  if (result.profiles.length === 0) {
    ctx.out.notice('No profiles yet. Create one with: apikit login --issuer <url> --client-id <id>');
    return;
  }
  const now = ctx.clock.now();
  await ctx.out.table(
    ['PROFILE', 'ISSUER', 'CLIENT', 'SUBJECT', 'STATUS'],
    result.profiles.map((p) => [
      p.name,
      p.issuer ?? p.tokenEndpoint,
      p.clientId,
      p.subject ?? '-',
      statusText(p, now),
    ]),
  );
}
