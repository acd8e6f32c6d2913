import { Option, type Command } from 'commander';
import type { Context } from '../../context.js';
import { UsageError } from '../../errors.js';
import type { Rendered, View } from '../../io/render.js';
import { removeKey } from '../../lib/keys/jwks-set.js';
import { terminalSafe } from '../../lib/text/terminal-safe.js';
import { octalMode } from './file-mode.js';
import { editJwksFile, JWKS_FILE_MODE, writeJwksSet } from './jwks-file.js';

/** `apikit keys retire`: one key out of the published JWKS, refusing the newest and the last without --force. */
export interface KeysRetireOptions {
  jwks: string;
  kid: string;
  force?: boolean | undefined;
}

export interface KeysRetireResult {
  jwks: { path: string; mode: string; kids: string[] };
  retired: { kid: string; kty: string; alg: string | null; thumbprint: string };
  /** What --force allowed: "newest" (the key to sign with), "last" (the set is now empty). */
  forced: ('newest' | 'last')[];
}

export function registerKeysRetire(parent: Command, ctx: Context): void {
  parent
    .command('retire')
    .description('remove a key from a published JWKS once no valid token is signed with it')
    .usage('--jwks <FILE> --kid <KID> [--force]')
    .addOption(new Option('--jwks <FILE>', 'the published JWKS (rewritten)').makeOptionMandatory())
    .addOption(new Option('--kid <KID>', 'the kid to remove').makeOptionMandatory())
    .option('--force', 'also remove the newest key, or the only one')
    .addHelpText(
      'after',
      `
Retire a kid after the time keys rotate printed: tokens signed with it stop verifying at once (kid_not_found).
The newest key (the last in the file) and the only key are kept unless --force. The file is written atomically,
in the same order and format; the key's private files are not touched. FILE is refused (exit 2) when it holds a
private key, a duplicate or missing kid, or keys of another use than "sig".

Examples:
  $ apikit keys retire --jwks public/jwks.json --kid 2026-01
  $ apikit keys retire --jwks jwks.json --kid leaked-key --force --json`,
    )
    .action(async (flags: KeysRetireOptions) => {
      await ctx.finish(await runKeysRetire(flags, ctx), renderKeysRetire);
    });
}

export async function runKeysRetire(opts: KeysRetireOptions, ctx: Context): Promise<KeysRetireResult> {
  if (opts.kid === '') throw new UsageError('--kid is empty', 'ERR_USAGE');
  return editJwksFile(opts.jwks, ctx, async (set) => {
    const { set: next, removed, forced } = removeKey(set, opts.kid, { force: opts.force === true });
    await writeJwksSet(opts.jwks, next);
    return {
      jwks: { path: opts.jwks, mode: octalMode(JWKS_FILE_MODE), kids: next.entries.map((e) => e.kid) },
      retired: { kid: removed.kid, kty: removed.kty, alg: removed.alg, thumbprint: removed.thumbprint },
      forced,
    };
  });
}

/** The file is the product: what changed goes to stderr, stdout stays empty (--json: the result). */
export function renderKeysRetire(result: KeysRetireResult, view: View): Rendered {
  const doc = view.doc();
  if (result.forced.includes('last')) {
    doc.warn(`${terminalSafe(result.jwks.path)} is now empty: no token verifies against it`);
  }
  if (result.forced.includes('newest')) {
    doc.warn('the newest key was retired: sign with the newest remaining kid (or rotate) now');
  }
  if (view.json) return doc.json(result).blocks;
  const c = view.color.err;
  const left = result.jwks.kids.map((k) => `"${terminalSafe(k, 60)}"`).join(', ');
  doc.notice(
    `retired kid "${terminalSafe(result.retired.kid, 100)}" from ${terminalSafe(result.jwks.path)}  ` +
      c.dim(`(${result.jwks.kids.length} left${left ? `: ${left}` : ''}; mode ${result.jwks.mode})`),
  );
  return doc.blocks;
}
