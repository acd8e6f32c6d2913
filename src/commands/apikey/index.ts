import type { RegisterGroup } from '../group.js';
import { registerVerbs, type VerbTable } from '../verbs.js';

/** `apikit apikey {generate | hash | check}`. Only the verb being run is loaded. */
const VERBS: VerbTable = {
  generate: async () => (await import('./generate.js')).registerApikeyGenerate,
  hash: async () => (await import('./hash.js')).registerApikeyHash,
  check: async () => (await import('./check.js')).registerApikeyCheck,
};

export const register: RegisterGroup = async (program, ctx, group, verb) => {
  const apikey = program
    .command('apikey')
    .usage('{generate | hash | check} [options]')
    .description(group.summary)
    .addHelpText(
      'after',
      `
Examples:
  $ apikit apikey generate --prefix ak_live
  $ apikit apikey generate --json | jq -r .hash
  $ apikit apikey hash --key-env API_KEY
  $ apikit apikey check --key-file key.txt`,
    );
  await registerVerbs(apikey, ctx, VERBS, verb);
};
