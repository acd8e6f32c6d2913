import type { Command } from 'commander';
import type { Context } from '../../context.js';
import type { Rendered, View } from '../../io/render.js';
import { profileNotFound, removeProfile, resolveProfileName } from '../../profiles/profile.js';

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
      const result = await runProfilesRemove({ name: resolveProfileName(name, ctx.env) }, ctx);
      await ctx.finish(result, renderProfilesRemove);
    });
}

export async function runProfilesRemove(
  opts: ProfilesRemoveOptions,
  ctx: Context,
): Promise<ProfilesRemoveResult> {
  const removed = await removeProfile(await ctx.config(), opts.name);
  if (!removed) throw profileNotFound(opts.name);
  return { name: opts.name, removed };
}

/** A confirmation for people on stderr (nothing on stdout); --json: the result. */
export function renderProfilesRemove(result: ProfilesRemoveResult, view: View): Rendered {
  const doc = view.doc();
  if (view.json) return doc.json(result).blocks;
  return doc.notice(`Removed profile "${result.name}".`).blocks;
}
