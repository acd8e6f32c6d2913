import { Argument, Option, type Command } from 'commander';
import type { Context } from '../../context.js';
import { UsageError } from '../../errors.js';
import type { Rendered, View } from '../../io/render.js';
import type { GroupEntry } from '../group.js';
import { bashScript } from './bash.js';
import { fishScript } from './fish.js';
import type { CompletionCommand } from './spec.js';
import { zshScript } from './zsh.js';

/**
 * `apikit completion {bash | zsh | fish}` prints a completion script generated from the command tree as it is
 * (every group, verb, flag and closed set of values), so it cannot drift from the commands. Profile names are not
 * in it: the script asks `apikit completion --list-profiles` (hidden) when completing, which prints names only.
 */
export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

export interface CompletionOptions {
  shell: Shell | undefined;
  listProfiles: boolean;
}

export type CompletionResult = { shell: Shell; script: string } | { profiles: string[] };

export function registerCompletion(
  program: Command,
  ctx: Context,
  group: GroupEntry,
  groups: readonly GroupEntry[],
): void {
  program
    .command('completion')
    .usage('{bash | zsh | fish}')
    .description(group.summary)
    .addArgument(new Argument('[shell]', 'the shell to complete for').choices(SHELLS))
    .addOption(new Option('--list-profiles', 'print the stored profile names (for the scripts)').hideHelp())
    .addHelpText(
      'after',
      `
Install (README, "Shell completions"):
  bash  apikit completion bash > ~/.local/share/bash-completion/completions/apikit
  zsh   apikit completion zsh > ~/.zfunc/_apikit   (and fpath=(~/.zfunc $fpath) before compinit)
  fish  apikit completion fish > ~/.config/fish/completions/apikit.fish

Examples:
  $ source <(apikit completion bash)
  $ apikit completion zsh > ~/.zfunc/_apikit`,
    )
    .action(async (shell: Shell | undefined, flags: { listProfiles?: boolean }) => {
      const opts: CompletionOptions = { shell, listProfiles: flags.listProfiles === true };
      await ctx.finish(
        await runCompletion(opts, ctx, () => loadTree(program, groups, ctx)),
        renderCompletion,
      );
    });
}

async function loadTree(
  program: Command,
  groups: readonly GroupEntry[],
  ctx: Context,
): Promise<CompletionCommand> {
  const { loadCompletionTree } = await import('./tree.js');
  return loadCompletionTree(program, groups, ctx);
}

/** The script for a shell, from the tree `tree()` loads (every group); or the profile names. */
export async function runCompletion(
  opts: CompletionOptions,
  ctx: Context,
  tree: () => Promise<CompletionCommand>,
): Promise<CompletionResult> {
  if (opts.listProfiles) {
    const { profileNames } = await import('./profile-names.js');
    return { profiles: await profileNames(ctx) };
  }
  if (opts.shell === undefined) {
    throw new UsageError('name a shell: apikit completion {bash | zsh | fish}', 'ERR_USAGE_SHELL', {
      hint: 'apikit completion bash > ~/.local/share/bash-completion/completions/apikit',
    });
  }
  const root = await tree();
  const write = { bash: bashScript, zsh: zshScript, fish: fishScript }[opts.shell];
  return { shell: opts.shell, script: write(root, ctx.version) };
}

/** The script bare on stdout (so that `source <(apikit completion bash)` works); names one per line. */
export function renderCompletion(result: CompletionResult, view: View): Rendered {
  const doc = view.doc();
  if (view.json) return doc.json(result).blocks;
  if ('script' in result) return doc.result(result.script).blocks;
  if (result.profiles.length > 0) doc.result(result.profiles.join('\n'));
  return doc.blocks;
}
