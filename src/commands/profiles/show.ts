import { statSync } from 'node:fs';
import type { Command } from 'commander';
import type { Context } from '../../context.js';
import type { Rendered, View } from '../../io/render.js';
import { terminalSafe } from '../../lib/text/terminal-safe.js';
import { getProfile, profileNotFound, resolveProfileName } from '../../profiles/profile.js';
import { statusText, summarize, type ProfileSummary } from '../../profiles/summary.js';

export interface ProfilesShowOptions {
  name: string;
}

export interface ProfilesShowResult extends ProfileSummary {
  storage: {
    /** The config file holding the tokens. */
    path: string;
    /** Octal permission bits, e.g. "0600" (null when the platform does not report them). */
    fileMode: string | null;
    directory: string;
    directoryMode: string | null;
  };
}

export function registerProfilesShow(parent: Command, ctx: Context): void {
  parent
    .command('show')
    .description('show a profile: issuer, scopes, expiry, where it is stored (never prints tokens)')
    .usage('<name> [--json]')
    .argument('<name>', 'profile name')
    .addHelpText(
      'after',
      `
Examples:
  $ apikit profiles show default
  $ apikit profiles show staging --json
`,
    )
    .action(async (name: string) => {
      const result = await runProfilesShow({ name: resolveProfileName(name, ctx.env) }, ctx);
      await ctx.finish(result, renderProfilesShow);
    });
}

export async function runProfilesShow(opts: ProfilesShowOptions, ctx: Context): Promise<ProfilesShowResult> {
  const store = await ctx.config();
  const profile = getProfile(store, opts.name);
  if (!profile) throw profileNotFound(opts.name);
  const fileMode = store.fileMode();
  let dirMode: number | undefined;
  try {
    dirMode = statSync(store.dir).mode & 0o777;
  } catch {
    dirMode = undefined;
  }
  return {
    ...summarize(profile, ctx.clock.now()),
    storage: {
      path: store.path,
      fileMode: octal(fileMode),
      directory: store.dir,
      directoryMode: octal(dirMode),
    },
  };
}

function octal(mode: number | undefined): string | null {
  return mode === undefined ? null : `0${mode.toString(8).padStart(3, '0')}`;
}

/**
 * Aligned "field  value" lines, status relative to view.now; --json: the result. Values that came from a
 * server or an ID token (issuer, subject, scope ...) pass through terminalSafe on their way to the terminal.
 */
export function renderProfilesShow(result: ProfilesShowResult, view: View): Rendered {
  const doc = view.doc();
  if (view.json) return doc.json(result).blocks;
  const rows: [string, string][] = [
    ['profile', result.name],
    ['grant', result.grant],
    ['issuer', result.issuer ?? '-'],
    ['token endpoint', result.tokenEndpoint],
    ['client id', result.clientId],
    ['subject', result.subject ?? '-'],
    ['scope', result.scope ?? '-'],
    ['resource', result.resource.length > 0 ? result.resource.join(' ') : '-'],
    ['audience', result.audience ?? '-'],
    ['status', statusText(result, view.now)],
    ['expires at', result.expiresAt ?? '-'],
    ['obtained at', result.obtainedAt ?? '-'],
    ['stored in', `${result.storage.path} (mode ${result.storage.fileMode ?? 'unknown'})`],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return doc.result(rows.map(([k, v]) => `${k.padEnd(width)}  ${terminalSafe(v)}`).join('\n')).blocks;
}
