import type { Command } from 'commander';
import type { Context } from '../../context.js';

// Placeholder: the login issue builds `apikit token`.
export function registerTokenPrint(program: Command, _ctx: Context): Command {
  return program.command('token').description('(not built yet)');
}
