import type { Command } from 'commander';
import type { Context } from '../../context.js';

// Placeholder: the logout issue replaces this with the real verbs.
export function register(program: Command, _ctx: Context): void {
  program.command('logout').description('(not built yet)');
}
