import type { Command } from 'commander';
import type { Context } from '../../context.js';
import { registerKeysConvert } from './convert.js';
import { registerKeysGenerate } from './generate.js';
import { registerKeysInspect } from './inspect.js';
import { registerKeysJwks } from './jwks.js';

/** `apikit keys {generate | inspect | convert | jwks}`. */
export function register(program: Command, ctx: Context): void {
  const keys = program
    .command('keys')
    .description('generate, inspect and convert signing keys (PEM, JWK, JWKS)')
    .addHelpText(
      'after',
      `
Examples:
  $ apikit keys generate --alg ES256 --out signing
  $ apikit keys inspect signing.key.pem
  $ apikit keys convert signing.key.pem --to jwk --public
  $ apikit keys jwks signing.pub.pem next.pub.pem --out jwks.json`,
    );
  registerKeysGenerate(keys, ctx);
  registerKeysInspect(keys, ctx);
  registerKeysConvert(keys, ctx);
  registerKeysJwks(keys, ctx);
}
