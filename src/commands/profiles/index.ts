import type { RegisterGroup } from '../group.js';
import { registerVerbs, type VerbTable } from '../verbs.js';

/** `apikit profiles {list | show | remove}`. Only the verb being run is loaded. */
const VERBS: VerbTable = {
  list: async () => (await import('./list.js')).registerProfilesList,
  show: async () => (await import('./show.js')).registerProfilesShow,
  remove: async () => (await import('./remove.js')).registerProfilesRemove,
};

export const register: RegisterGroup = async (program, ctx, group, verb) => {
  const profiles = program
    .command('profiles')
    .usage('{list | show <name> | remove <name>}')
    .description(group.summary)
    .addHelpText(
      'after',
      '\nExamples:\n  $ apikit profiles list\n  $ apikit profiles show default\n  $ apikit profiles remove scratch\n',
    );
  await registerVerbs(profiles, ctx, VERBS, verb);
};
