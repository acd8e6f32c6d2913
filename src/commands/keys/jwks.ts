import type { Command } from 'commander';
import type { Context } from '../../context.js';
import { UsageError } from '../../errors.js';
import { writeFileAtomic } from '../../files/atomic-write.js';
import { assembleJwks, type AssembledJwks, type JwksInput } from '../../lib/keys/jwks.js';
import { addPassphraseOptions, readPassphrase, type PassphraseFlags } from '../shared/key-files.js';
import { octalMode, readKeyFile } from './common.js';

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
      const result = await runKeysJwks({ ...flags, files }, ctx);
      renderKeysJwks(result, ctx);
    });
}

export async function runKeysJwks(opts: KeysJwksOptions, ctx: Context): Promise<KeysJwksResult> {
  if (opts.files.filter((f) => f === '-').length > 1) {
    throw new UsageError('stdin ("-") can be read only once', 'ERR_USAGE');
  }
  const passphrase = await readPassphrase(ctx, opts);
  const inputs: JwksInput[] = [];
  for (const file of opts.files) {
    const set = await readKeyFile(ctx, file, passphrase);
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

export function renderKeysJwks(result: KeysJwksResult, ctx: Context): void {
  for (const d of result.duplicates) {
    ctx.out.notice(`skipped "${d.source}": the same key as "${d.sameAs}" (thumbprint ${d.thumbprint})`);
  }
  if (ctx.flags.json) {
    // Without --out the JWKS itself is the one JSON document; with --out, a summary of what was written.
    ctx.out.json(
      result.out ? { out: result.out, keys: result.keys, duplicates: result.duplicates } : result.jwks,
    );
    return;
  }
  if (!result.out) {
    ctx.out.result(JSON.stringify(result.jwks, null, 2));
    return;
  }
  ctx.out.result(
    `wrote ${result.out.path}  (${result.keys.length} key${result.keys.length === 1 ? '' : 's'}, mode ${result.out.mode})`,
  );
  for (const k of result.keys) ctx.out.result(`  kid ${k.kid}  from ${k.source}`);
}
