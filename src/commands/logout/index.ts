import type { Command } from 'commander';
import type { Context } from '../../context.js';
import { registerLogout } from './logout.js';

/** `apikit logout`: one verb, the group itself. */
export function register(program: Command, ctx: Context): void {
  registerLogout(program, ctx);
}
