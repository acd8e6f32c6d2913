import type { Command } from 'commander';
import type { Context } from '../../context.js';

// Placeholder: the client-credentials issue builds `apikit token client-credentials`.
export function registerTokenClientCredentials(token: Command, _ctx: Context): void {
  token.command('client-credentials').description('(not built yet)');
}
