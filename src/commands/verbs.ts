import type { Command } from 'commander';
import type { Context } from '../context.js';

/** What a verb file exports: `register<Group><Verb>(parent, ctx)`. */
export type RegisterVerb = (parent: Command, ctx: Context) => unknown;

/** A group's verbs by name, each imported only when asked for. */
export type VerbTable = Record<string, () => Promise<RegisterVerb>>;

/**
 * Registers only the verb named on the command line, so that `apikit jwt decode` never loads (or even
 * initialises) mint, verify or crack. Any other word — none, `help`, a typo — registers every verb, in table
 * order, so that the group's help lists them all and commander can suggest the closest one.
 */
export async function registerVerbs(
  parent: Command,
  ctx: Context,
  verbs: VerbTable,
  wanted: string | undefined,
): Promise<void> {
  const names = wanted !== undefined && Object.hasOwn(verbs, wanted) ? [wanted] : Object.keys(verbs);
  const registers = await Promise.all(names.map((name) => verbs[name]!()));
  for (const register of registers) register(parent, ctx);
}
