import type { RegisterGroup } from '../group.js';
import { registerVerbs, type VerbTable } from '../verbs.js';

/**
 * `apikit probe`: bounded request experiments against an endpoint. Only the verb being run is loaded; with no
 * verb (`apikit probe <url>`), CORS and the rate limit run (all.ts); `versions` runs only when named.
 */
const VERBS: VerbTable = {
  cors: async () => (await import('./cors.js')).registerProbeCors,
  ratelimit: async () => (await import('./ratelimit.js')).registerProbeRatelimit,
  versions: async () => (await import('./versions.js')).registerProbeVersions,
};

export const register: RegisterGroup = async (program, ctx, group, verb) => {
  const probe = program
    .command('probe')
    .usage('{cors | ratelimit | versions} <url> [options]')
    .description(group.summary)
    .addHelpText(
      'after',
      `
Examples:
  $ apikit probe cors https://api.example.com/v1/me --origin https://app.example.com --bearer-env API_TOKEN
  $ apikit probe ratelimit https://staging.example.com/v1/search --profile staging
  $ apikit probe versions https://api.example.com/v1/me --bearer-env API_TOKEN
  $ apikit probe https://api.example.com/v1/me --origin https://app.example.com --json
      (CORS, then a short rate-limit probe of 40 requests over at most 15 s)`,
    );
  await registerVerbs(probe, ctx, VERBS, verb);
  // No verb named: `probe` itself takes the URL. After the verbs, so that they inherit none of its settings.
  if (verb === undefined || !Object.hasOwn(VERBS, verb)) {
    const { registerProbeAll } = await import('./all.js');
    registerProbeAll(probe, ctx);
  }
};
