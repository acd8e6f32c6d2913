import type { Command } from 'commander';
import type { Context } from '../../context.js';
import { registerTokenPrint } from './print.js';
import { registerTokenClientCredentials } from './client-credentials.js';

/** `apikit token` prints a profile's access token; `apikit token client-credentials` fetches a machine token. */
export function register(program: Command, ctx: Context): void {
  const token = registerTokenPrint(program, ctx);
  registerTokenClientCredentials(token, ctx);
}
