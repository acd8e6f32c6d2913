import type { Command } from 'commander';
import type { Context } from '../../context.js';

// Placeholder: the profiles issue replaces this with the real verbs.
export function register(program: Command, _ctx: Context): void {
  program.command('profiles').description('(not built yet)');
}
