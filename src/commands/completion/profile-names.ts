import type { Context } from '../../context.js';
import { listProfiles, resolveProfileName } from '../../profiles/profile.js';

/**
 * The stored profiles' names, for a completion script: names only, never a token or a client's details. A name
 * a hand-edited config file holds that is not a valid profile name (it could carry a shell's special characters
 * or a terminal escape) is left out; resolveProfileName holds the one naming rule.
 */
export async function profileNames(ctx: Context): Promise<string[]> {
  return listProfiles(await ctx.config())
    .map((p) => p.name)
    .filter((name) => {
      try {
        return resolveProfileName(name, {}) === name;
      } catch {
        return false;
      }
    });
}
