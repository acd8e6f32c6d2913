import type { Command } from 'commander';
import type { Context } from '../../context.js';

export function register(program: Command, _ctx: Context): void {
  program.command('keys').description('generate, inspect and convert signing keys (PEM, JWK, JWKS)');
}
