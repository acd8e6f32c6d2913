import type { RegisterGroup } from '../group.js';
import { registerVerbs, type VerbTable } from '../verbs.js';

/** `apikit probe`: bounded request experiments against an endpoint. Only the verb being run is loaded. */
const VERBS: VerbTable = {
  ratelimit: async () => (await import('./ratelimit.js')).registerProbeRatelimit,
};

export const register: RegisterGroup = async (program, ctx, group, verb) => {
  const probe = program
    .command('probe')
    .usage('ratelimit <url> [options]')
    .description(group.summary)
    .addHelpText(
      'after',
      `
Examples:
  $ apikit probe ratelimit https://staging.example.com/v1/search --profile staging
  $ apikit probe ratelimit https://staging.example.com/v1/search --bearer-env API_TOKEN --json`,
    );
  await registerVerbs(probe, ctx, VERBS, verb);
};
