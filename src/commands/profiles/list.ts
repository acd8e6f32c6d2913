import type { Command } from 'commander';
import type { Context } from '../../context.js';
import type { Rendered, View } from '../../io/render.js';
import { terminalSafe } from '../../lib/text/terminal-safe.js';
import { listProfiles } from '../../profiles/profile.js';
import { statusText, summarize, type ProfileSummary } from '../../profiles/summary.js';

export type ProfilesListOptions = Record<string, never>;

export interface ProfilesListResult {
  profiles: ProfileSummary[];
}

export function registerProfilesList(parent: Command, ctx: Context): void {
  parent
    .command('list')
    .description('list login profiles (never prints tokens)')
    .usage('[--json]')
    .addHelpText(
      'after',
      `
Examples:
  $ apikit profiles list
  $ apikit profiles list --json
`,
    )
    .action(async () => {
      await ctx.finish(await runProfilesList({}, ctx), renderProfilesList);
    });
}

export async function runProfilesList(_opts: ProfilesListOptions, ctx: Context): Promise<ProfilesListResult> {
  const now = ctx.clock.now();
  return { profiles: listProfiles(await ctx.config()).map((p) => summarize(p, now)) };
}

/**
 * One row per profile (boxed on a terminal, TSV when piped), status relative to view.now. Issuer, client and
 * subject came from a server or an ID token: terminalSafe on their way to the terminal.
 */
export function renderProfilesList(result: ProfilesListResult, view: View): Rendered {
  const doc = view.doc();
  if (view.json) return doc.json(result).blocks;
  if (result.profiles.length === 0) {
    doc.notice('No profiles yet. Create one with: apikit login --issuer <url> --client-id <id>');
    return doc.blocks;
  }
  return doc.table(
    ['PROFILE', 'ISSUER', 'CLIENT', 'SUBJECT', 'STATUS'],
    result.profiles.map((p) => [
      p.name,
      terminalSafe(p.issuer ?? p.tokenEndpoint),
      terminalSafe(p.clientId),
      terminalSafe(p.subject ?? '-'),
      statusText(p, view.now),
    ]),
  ).blocks;
}
