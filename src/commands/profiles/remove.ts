import type { Command } from 'commander';
import type { Context } from '../../context.js';
import { InputError } from '../../errors.js';
import { removeProfile, resolveProfileName } from '../../auth/profile.js';

export interface ProfilesRemoveOptions {
  name: string;
}

export interface ProfilesRemoveResult {
  name: string;
  removed: boolean;
}

export function registerProfilesRemove(parent: Command, ctx: Context): void {
  parent
    .command('remove')
    .description('delete a profile and its stored tokens (without revoking them: use apikit logout for that)')
    .usage('<name> [--json]')
    .argument('<name>', 'profile name')
    .addHelpText(
      'after',
      `
Examples:
  $ apikit logout --profile old && apikit profiles remove old
  $ apikit profiles remove scratch
`,
    )
    .action(async (name: string) => {
      renderProfilesRemove(await runProfilesRemove({ name: resolveProfileName(name, ctx.env) }, ctx), ctx);
    });
}

export async function runProfilesRemove(
  opts: ProfilesRemoveOptions,
  ctx: Context,
): Promise<ProfilesRemoveResult> {
  const removed = await removeProfile(await ctx.config(), opts.name);
  if (!removed)
    throw new InputError(`there is no profile "${opts.name}"`, 'ERR_PROFILE_NOT_FOUND', {
      hint: 'apikit profiles list',
    });
  return { name: opts.name, removed };
}

export function renderProfilesRemove(result: ProfilesRemoveResult, ctx: Context): void {
  if (ctx.flags.json) {
    ctx.out.json(result);
    return;
  }
  ctx.out.notice(`Removed profile "${result.name}".`);
}
