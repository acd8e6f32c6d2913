import type { Command } from 'commander';
import type { Context } from '../context.js';

/** What a command group is to the registry (src/commands/registry.ts), and what its index.ts exports. */
export interface GroupEntry {
  name: string;
  summary: string;
  load: () => Promise<{ register: RegisterGroup }>;
}

/** A group registers only `verb` (the word after the group's name) when it names one of its verbs. */
export type RegisterGroup = (
  program: Command,
  ctx: Context,
  group: GroupEntry,
  verb: string | undefined,
) => void | Promise<void>;
