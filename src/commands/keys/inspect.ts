import type { Command } from 'commander';
import type { Context } from '../../context.js';
import type { Rendered, View } from '../../io/render.js';
import type { KeyFormat } from '../../lib/keys/load.js';
import { reportKey, type KeyReport } from '../../lib/keys/report.js';
import { terminalSafe } from '../../lib/text/terminal-safe.js';
import {
  addPassphraseOptions,
  readKeyFile,
  readPassphrase,
  type PassphraseFlags,
} from '../shared/key-files.js';

export interface KeysInspectOptions extends PassphraseFlags {
  /** A path, or "-" for stdin. */
  file: string;
}

export interface KeysInspectResult {
  source: string;
  format: KeyFormat;
  keys: KeyReport[];
}

const FORMAT_NAMES: Record<KeyFormat, string> = {
  pkcs8: 'PEM PKCS#8 private key',
  'encrypted-pkcs8': 'PEM encrypted PKCS#8 private key',
  pkcs1: 'PEM PKCS#1 RSA private key',
  sec1: 'PEM SEC1 EC private key',
  spki: 'PEM SPKI public key',
  'pkcs1-public': 'PEM PKCS#1 RSA public key',
  x509: 'PEM X.509 certificate',
  jwk: 'JWK',
  jwks: 'JWKS',
  secret: 'raw HMAC secret',
};

export function registerKeysInspect(parent: Command, ctx: Context): void {
  const cmd = parent
    .command('inspect')
    .description('describe a key, certificate, JWK or JWKS without ever printing private material')
    .argument('<FILE|->', 'key file, or - for stdin')
    .usage('<FILE|-> [--passphrase-env <VAR> | --passphrase-file <FILE>]');
  addPassphraseOptions(cmd)
    .addHelpText(
      'after',
      `
Reads PEM (PKCS#8, encrypted PKCS#8, PKCS#1, SEC1, SPKI, X.509 certificate), JWK, JWKS or a raw HMAC secret,
sniffed from the content. Reports type, curve or size, usable algorithms, kid and RFC 7638 thumbprint.

Examples:
  $ apikit keys inspect signing.key.pem
  $ apikit keys inspect signing.jwks.json --json
  $ curl -s https://issuer.example/jwks | apikit keys inspect -
  $ apikit keys inspect enc.pem --passphrase-env KEY_PASSPHRASE`,
    )
    .action(async (file: string, flags: PassphraseFlags) => {
      await ctx.finish(await runKeysInspect({ file, ...flags }, ctx), renderKeysInspect);
    });
}

export async function runKeysInspect(opts: KeysInspectOptions, ctx: Context): Promise<KeysInspectResult> {
  const passphrase = await readPassphrase(ctx, opts);
  const set = await readKeyFile(ctx, opts.file, passphrase, { inspectHint: false });
  const now = ctx.clock.now();
  const keys: KeyReport[] = [];
  for (const loaded of set.keys) keys.push(await reportKey(loaded, now));
  return { source: set.source, format: set.format, keys };
}

/**
 * The human rows for one key: [field, value]. Only public facts reach this point (see KeyReport), but kid, alg,
 * use, the certificate's names and the notes quoting them are text from the file: terminalSafe keeps a hostile
 * JWKS from rewriting the terminal.
 */
function rows(key: KeyReport): [string, string][] {
  return facts(key).map(([field, value]) => [field, terminalSafe(value)]);
}

function facts(key: KeyReport): [string, string][] {
  const out: [string, string][] = [];
  out.push(['kind', key.kind === 'secret' ? 'secret (HMAC)' : key.kind]);
  out.push(['type', key.kty]);
  if (key.crv !== null) out.push(['curve', key.crv]);
  if (key.bits !== null)
    out.push([
      key.kty === 'oct' ? 'size' : 'bits',
      key.kty === 'oct' ? `${key.bits / 8} bytes` : String(key.bits),
    ]);
  out.push(['algorithms', key.algorithms.length > 0 ? key.algorithms.join(' ') : '(none)']);
  if (key.kid !== null) out.push(['kid', key.kid]);
  if (key.alg !== null) out.push(['alg', key.alg]);
  if (key.use !== null) out.push(['use', key.use]);
  if (key.thumbprint !== null) out.push(['thumbprint', key.thumbprint]);
  if (key.thumbprintUri !== null) out.push(['thumbprint uri', key.thumbprintUri]);
  const cert = key.certificate;
  if (cert) {
    out.push(['subject', cert.subject]);
    out.push(['issuer', cert.issuer + (cert.selfSigned ? ' (self-signed)' : '')]);
    out.push(['serial', cert.serialNumber]);
    out.push(['not before', cert.notBefore]);
    out.push(['not after', cert.notAfter + (cert.expired ? ' (expired)' : '')]);
    out.push(['sha-256 fingerprint', cert.fingerprintSha256]);
  }
  for (const note of key.notes) out.push(['note', note]);
  return out;
}

/** A terminal: a bold title and a boxed table per key. Piped: "field: value" lines. --json: the result. */
export function renderKeysInspect(result: KeysInspectResult, view: View): Rendered {
  const doc = view.doc();
  if (view.json) return doc.json(result).blocks;
  const format = FORMAT_NAMES[result.format];
  const many = result.keys.length > 1;
  if (view.stdoutIsTTY) {
    const c = view.color.out;
    doc.result(c.bold(`${result.source}: ${format}${many ? `, ${result.keys.length} keys` : ''}`));
    for (const [i, key] of result.keys.entries()) {
      if (many) doc.result(c.bold(`\nkey ${i + 1} of ${result.keys.length}`));
      doc.table(['field', 'value'], rows(key));
    }
    return doc.blocks;
  }
  // Piped: plain "field: value" lines, one blank line between keys — easy to grep and to read.
  const lines = [`source: ${result.source}`, `format: ${format}`];
  if (many) lines.push(`keys: ${result.keys.length}`);
  for (const [i, key] of result.keys.entries()) {
    if (many) lines.push('', `key: ${i + 1} of ${result.keys.length}`);
    for (const [field, value] of rows(key)) lines.push(`${field}: ${value}`);
  }
  return doc.result(lines.join('\n')).blocks;
}
