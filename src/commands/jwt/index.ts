import type { RegisterGroup } from '../group.js';
import { registerVerbs, type VerbTable } from '../verbs.js';

/** `apikit jwt`: mint, decode, verify, crack. Only the verb being run is loaded (start-up time). */
const VERBS: VerbTable = {
  mint: async () => (await import('./mint.js')).registerJwtMint,
  decode: async () => (await import('./decode.js')).registerJwtDecode,
  verify: async () => (await import('./verify.js')).registerJwtVerify,
  crack: async () => (await import('./crack.js')).registerJwtCrack,
};

export const register: RegisterGroup = async (program, ctx, group, verb) => {
  const jwt = program
    .command('jwt')
    .usage('{mint | decode | verify | crack} [options]')
    .description(group.summary)
    .addHelpText(
      'after',
      `
Examples:
  $ apikit jwt mint --key signing.key.pem --sub alice --aud api --exp 15m
  $ apikit jwt decode "$TOKEN"
  $ apikit jwt verify "$TOKEN" --key signing.pub.pem --aud api`,
    );
  await registerVerbs(jwt, ctx, VERBS, verb);
};
