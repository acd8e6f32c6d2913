import type { RegisterGroup } from '../group.js';

/**
 * `apikit token` prints a profile's access token (the group is itself a verb); `apikit token
 * client-credentials` fetches a machine token.
 */
export const register: RegisterGroup = async (program, ctx) => {
  // Both load: the word after `token` may be a flag's value (`token --profile ci`), not a verb.
  const [print, clientCredentials] = await Promise.all([
    import('./print.js'),
    import('./client-credentials.js'),
  ]);
  clientCredentials.registerTokenClientCredentials(print.registerTokenPrint(program, ctx), ctx);
};
