import type { Command } from 'commander';
import type { Context } from '../../context.js';
import { registerLogin } from './login.js';

/** `apikit login`: one verb, the group itself. */
export function register(program: Command, ctx: Context): void {
  registerLogin(program, ctx);
}
