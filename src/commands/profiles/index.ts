import type { Command } from 'commander';
import type { Context } from '../../context.js';
import { registerProfilesList } from './list.js';
import { registerProfilesRemove } from './remove.js';
import { registerProfilesShow } from './show.js';

/** `apikit profiles list | show | remove`. */
export function register(program: Command, ctx: Context): void {
  const profiles = program
    .command('profiles')
    .usage('{list | show <name> | remove <name>}')
    .description('list, show and remove login profiles')
    .addHelpText(
      'after',
      '\nExamples:\n  $ apikit profiles list\n  $ apikit profiles show default\n  $ apikit profiles remove scratch\n',
    );
  registerProfilesList(profiles, ctx);
  registerProfilesShow(profiles, ctx);
  registerProfilesRemove(profiles, ctx);
}
