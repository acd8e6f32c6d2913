import type { RegisterGroup } from '../group.js';
import { registerVerbs, type VerbTable } from '../verbs.js';

/** `apikit keys {generate | inspect | convert | jwks}`. Only the verb being run is loaded (start-up time). */
const VERBS: VerbTable = {
  generate: async () => (await import('./generate.js')).registerKeysGenerate,
  inspect: async () => (await import('./inspect.js')).registerKeysInspect,
  convert: async () => (await import('./convert.js')).registerKeysConvert,
  jwks: async () => (await import('./jwks.js')).registerKeysJwks,
};

export const register: RegisterGroup = async (program, ctx, group, verb) => {
  const keys = program
    .command('keys')
    .usage('{generate | inspect | convert | jwks} [options]')
    .description(group.summary)
    .addHelpText(
      'after',
      `
Examples:
  $ apikit keys generate --alg ES256 --out signing
  $ apikit keys inspect signing.key.pem
  $ apikit keys convert signing.key.pem --to jwk --public
  $ apikit keys jwks signing.pub.pem next.pub.pem --out jwks.json`,
    );
  await registerVerbs(keys, ctx, VERBS, verb);
};
