import type { Command } from 'commander';
import type { Context } from '../../context.js';
import { registerJwtCrack } from './crack.js';
import { registerJwtDecode } from './decode.js';
import { registerJwtMint } from './mint.js';
import { registerJwtVerify } from './verify.js';

/** `apikit jwt`: mint, decode, verify, crack. Each verb loads its heavy modules (jose signing/verifying) itself. */
export function register(program: Command, ctx: Context): void {
  const jwt = program
    .command('jwt')
    .description('mint, decode and verify JSON Web Tokens (RFC 7519, RFC 8725)')
    .addHelpText(
      'after',
      `
Examples:
  $ apikit jwt mint --key signing.key.pem --sub alice --aud api --exp 15m
  $ apikit jwt decode "$TOKEN"
  $ apikit jwt verify "$TOKEN" --key signing.pub.pem --aud api`,
    );
  registerJwtMint(jwt, ctx);
  registerJwtDecode(jwt, ctx);
  registerJwtVerify(jwt, ctx);
  registerJwtCrack(jwt, ctx);
}
