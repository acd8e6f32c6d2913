import type { GroupEntry, RegisterGroup } from '../group.js';

/**
 * `apikit completion`: one verb, the group itself. The registry hands it the list of groups (src/commands/
 * registry.ts), since the script is generated from every one of them; importing the registry from here would
 * close a cycle.
 */
export function completionGroup(groups: readonly GroupEntry[]): { register: RegisterGroup } {
  return {
    register: async (program, ctx, group) => {
      (await import('./completion.js')).registerCompletion(program, ctx, group, groups);
    },
  };
}
