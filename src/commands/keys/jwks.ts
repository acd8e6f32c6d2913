import type { Command } from 'commander';
import type { Context } from '../../context.js';
import { UsageError } from '../../errors.js';
import { writeFileAtomic } from '../../files/atomic-write.js';
import type { Rendered, View } from '../../io/render.js';
import { assembleJwks, type AssembledJwks, type JwksInput } from '../../lib/keys/jwks.js';
import { terminalSafe } from '../../lib/text/terminal-safe.js';
import {
  addPassphraseOptions,
  readKeyFile,
  readPassphrase,
  type PassphraseFlags,
} from '../shared/key-files.js';
import { octalMode } from './file-mode.js';

export interface KeysJwksOptions extends PassphraseFlags {
  files: string[];
  out?: string | undefined;
  force?: boolean | undefined;
}

export interface KeysJwksResult extends AssembledJwks {
  out: { path: string; mode: string } | null;
}

export function registerKeysJwks(parent: Command, ctx: Context): void {
  const cmd = parent
    .command('jwks')
    .description('assemble public keys from any format into one JWKS for publishing')
    .argument('<FILE...>', 'key files (PEM, certificate, JWK, JWKS; private keys give their public half)')
    .usage('<FILE...> [--out <FILE>] [--force] [--passphrase-env <VAR> | --passphrase-file <FILE>]')
    .option('--out <FILE>', 'write the JWKS to FILE (0644) instead of stdout')
    .option('--force', 'overwrite FILE if it exists');
  addPassphraseOptions(cmd)
    .addHelpText(
      'after',
      `
Keys are deduplicated by RFC 7638 thumbprint; a key without a kid gets its thumbprint. alg is kept from a JWK,
or set when only one algorithm fits (EC, Ed25519); use defaults to "sig". HMAC secrets are refused.

Examples:
  $ apikit keys jwks current.pub.pem next.pub.pem > jwks.json
  $ apikit keys jwks keys/*.key.pem --out public/jwks.json
  $ apikit keys jwks old-jwks.json new.pub.pem --out jwks.json --force`,
    )
    .action(async (files: string[], flags: Omit<KeysJwksOptions, 'files'>) => {
      await ctx.finish(await runKeysJwks({ ...flags, files }, ctx), renderKeysJwks);
    });
}

export async function runKeysJwks(opts: KeysJwksOptions, ctx: Context): Promise<KeysJwksResult> {
  if (opts.files.filter((f) => f === '-').length > 1) {
    throw new UsageError('stdin ("-") can be read only once', 'ERR_USAGE');
  }
  const passphrase = await readPassphrase(ctx, opts);
  const inputs: JwksInput[] = [];
  for (const file of opts.files) {
    const set = await readKeyFile(ctx, file, passphrase, { inspectHint: false });
    for (const [i, key] of set.keys.entries()) {
      inputs.push({ source: set.keys.length > 1 ? `${set.source} keys[${i}]` : set.source, key });
    }
  }
  const assembled = await assembleJwks(inputs);
  let out: KeysJwksResult['out'] = null;
  if (opts.out !== undefined) {
    await writeFileAtomic(opts.out, JSON.stringify(assembled.jwks, null, 2) + '\n', 0o644, {
      force: opts.force === true,
    });
    out = { path: opts.out, mode: octalMode(0o644) };
  }
  return { ...assembled, out };
}

/** The JWKS itself (the product), or what was written with --out; skipped duplicates on stderr. */
export function renderKeysJwks(result: KeysJwksResult, view: View): Rendered {
  const doc = view.doc();
  for (const d of result.duplicates) {
    doc.notice(`skipped "${d.source}": the same key as "${d.sameAs}" (thumbprint ${d.thumbprint})`);
  }
  if (view.json) {
    // Without --out the JWKS itself is the one JSON document; with --out, a summary of what was written.
    return doc.json(
      result.out ? { out: result.out, keys: result.keys, duplicates: result.duplicates } : result.jwks,
    ).blocks;
  }
  if (!result.out) return doc.result(JSON.stringify(result.jwks, null, 2)).blocks;
  // With --out the file is the product: what was written is a message on stderr, and stdout stays empty.
  doc.notice(
    `wrote ${result.out.path}  (${result.keys.length} key${result.keys.length === 1 ? '' : 's'}, mode ${result.out.mode})`,
  );
  // A kid is text from an input file (a JWK or JWKS); it reaches the terminal only through terminalSafe.
  for (const k of result.keys) doc.notice(`  kid ${terminalSafe(k.kid)}  from ${k.source}`);
  return doc.blocks;
}
