import { Option, type Command } from 'commander';
import type { Context } from '../../context.js';
import { writeFileAtomic } from '../../files/atomic-write.js';
import { convertKey, type ConvertTarget } from '../../lib/keys/convert.js';
import type { KeyFormat, LoadedKey } from '../../lib/keys/load.js';
import { pickKey } from '../../lib/keys/pick-key.js';
import type { Rendered, View } from '../../io/render.js';
import {
  addPassphraseOptions,
  readKeyFile,
  readPassphrase,
  type PassphraseFlags,
} from '../shared/key-files.js';
import { octalMode } from './file-mode.js';

export interface KeysConvertOptions extends PassphraseFlags {
  file: string;
  to: ConvertTarget;
  public?: boolean | undefined;
  /** Picks one key of a JWKS (by kid or thumbprint). */
  kid?: string | undefined;
  out?: string | undefined;
  force?: boolean | undefined;
}

export interface KeysConvertResult {
  source: string;
  from: KeyFormat;
  to: ConvertTarget;
  /** What the output holds: private and secret output files are written 0600. */
  kind: LoadedKey['kind'];
  /** The converted key (PEM text or JSON text); printed bare when there is no --out. */
  text: string;
  out: { path: string; mode: string } | null;
  /** The input was an encrypted PEM and the output is not. */
  decrypted: boolean;
}

export function registerKeysConvert(parent: Command, ctx: Context): void {
  const cmd = parent
    .command('convert')
    .description('convert a key between PEM and JWK, or extract its public key')
    .argument('<FILE|->', 'key file, or - for stdin')
    .usage(
      '<FILE|-> --to {jwk | pem} [--public] [--kid <KID>] [--out <FILE>] [--force] [--passphrase-env <VAR> | --passphrase-file <FILE>]',
    )
    .addOption(new Option('--to <FORMAT>', 'output format').choices(['jwk', 'pem']).makeOptionMandatory())
    .option('--public', 'output only the public key (also: the key of a certificate)')
    .option('--kid <KID>', 'pick this key from a JWKS with several keys (kid or thumbprint)')
    .option('--out <FILE>', 'write to FILE (0600 for private keys) instead of stdout')
    .option('--force', 'overwrite FILE if it exists');
  addPassphraseOptions(cmd)
    .addHelpText(
      'after',
      `
PEM output is PKCS#8 (private) or SPKI (public). JWK output keeps the kid, alg and use a JWK input had.

Examples:
  $ apikit keys convert signing.key.pem --to jwk --public
  $ apikit keys convert key.jwk.json --to pem --out key.pem
  $ apikit keys convert cert.pem --to pem --public
  $ apikit keys convert jwks.json --kid 2026-01 --to pem
  $ apikit keys convert enc.pem --to pem --passphrase-file pass.txt --out plain.key.pem`,
    )
    .action(async (file: string, flags: Omit<KeysConvertOptions, 'file'>) => {
      await ctx.finish(await runKeysConvert({ ...flags, file }, ctx), renderKeysConvert);
    });
}

export async function runKeysConvert(opts: KeysConvertOptions, ctx: Context): Promise<KeysConvertResult> {
  const passphrase = await readPassphrase(ctx, opts);
  const set = await readKeyFile(ctx, opts.file, passphrase, { inspectHint: false });
  const loaded = await pickKey(set.keys, opts.kid, {
    source: set.source,
    kidInput: '--kid',
    inspectHint: true,
  });
  const converted = convertKey(loaded, opts.to, { public: opts.public === true });
  const secret = converted.kind !== 'public';
  if (secret) ctx.redactor.add(converted.text);
  let out: KeysConvertResult['out'] = null;
  if (opts.out !== undefined) {
    const mode = secret ? 0o600 : 0o644;
    await writeFileAtomic(opts.out, converted.text, mode, { force: opts.force === true });
    out = { path: opts.out, mode: octalMode(mode) };
  }
  return {
    source: set.source,
    from: set.format,
    to: opts.to,
    kind: converted.kind,
    text: converted.text,
    out,
    decrypted: set.format === 'encrypted-pkcs8' && converted.kind === 'private',
  };
}

/** The key itself, bare (it is the product), or what was written with --out; a warning when decrypted. */
export function renderKeysConvert(result: KeysConvertResult, view: View): Rendered {
  const doc = view.doc();
  if (result.decrypted)
    doc.warn('the private key output is NOT encrypted; keep it as safe as the passphrase was');
  if (view.json) {
    const key = result.to === 'jwk' ? (JSON.parse(result.text) as unknown) : result.text;
    const { text: _text, ...rest } = result;
    // With --out the key stays in the file; on stdout it is the product, as a JWK object or a PEM string.
    return doc.json(result.out ? rest : { ...rest, key }).blocks;
  }
  // With --out the file is the product: what was written is a message on stderr, and stdout stays empty.
  if (result.out) {
    return doc.notice(
      `wrote ${result.out.path}  (${result.kind} key, ${result.to.toUpperCase()}, mode ${result.out.mode})`,
    ).blocks;
  }
  return doc.result(result.text).blocks;
}
