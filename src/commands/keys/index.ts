import type { RegisterGroup } from '../group.js';
import { registerVerbs, type VerbTable } from '../verbs.js';

/** `apikit keys {generate | inspect | convert | jwks | rotate | retire}`. Only the verb being run is loaded (start-up time). */
const VERBS: VerbTable = {
  generate: async () => (await import('./generate.js')).registerKeysGenerate,
  inspect: async () => (await import('./inspect.js')).registerKeysInspect,
  convert: async () => (await import('./convert.js')).registerKeysConvert,
  jwks: async () => (await import('./jwks.js')).registerKeysJwks,
  rotate: async () => (await import('./rotate.js')).registerKeysRotate,
  retire: async () => (await import('./retire.js')).registerKeysRetire,
};

export const register: RegisterGroup = async (program, ctx, group, verb) => {
  const keys = program
    .command('keys')
    .usage('{generate | inspect | convert | jwks | rotate | retire} [options]')
    .description(group.summary)
    .addHelpText(
      'after',
      `
Examples:
  $ apikit keys generate --alg ES256 --out signing
  $ apikit keys inspect signing.key.pem
  $ apikit keys convert signing.key.pem --to jwk --public
  $ apikit keys jwks signing.pub.pem next.pub.pem --out jwks.json
  $ apikit keys rotate --jwks jwks.json --alg ES256 --out next --kid 2026-02
  $ apikit keys retire --jwks jwks.json --kid 2026-01`,
    );
  await registerVerbs(keys, ctx, VERBS, verb);
};
