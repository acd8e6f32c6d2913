import type { Command } from 'commander';
import type { Context } from '../../context.js';

// Placeholder: the login issue replaces this with the real verbs.
export function register(program: Command, _ctx: Context): void {
  program.command('login').description('(not built yet)');
}
