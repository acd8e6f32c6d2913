import type { Command } from 'commander';
import type { Context } from '../../context.js';
import { InputError, UsageError } from '../../errors.js';
import { readInput } from '../../files/read-input.js';
import type { Rendered, View } from '../../io/render.js';
import { parseAssignment, typedValue } from '../../lib/jwt/claim-value.js';
import { isInformational, lintToken, type JwtWarning } from '../../lib/jwt/lint.js';
import { buildClaims, mintTimes } from '../../lib/jwt/mint-claims.js';
import type { JsonObject } from '../../lib/jwt/parse.js';
import type { LoadedKey } from '../../lib/keys/load.js';
import { terminalSafe } from '../../lib/text/terminal-safe.js';
import { parseDurationFlag } from '../../lib/time/duration.js';
import { collect } from '../shared/flags.js';
import { addPassphraseOptions, type PassphraseFlags } from '../shared/key-files.js';
import { enforceFlagRules } from '../shared/flag-rules.js';
import type { SecretFlags } from './key-input.js';

/**
 * `apikit jwt mint`: signs a JWT with a key file or an HMAC secret and prints the token alone on stdout.
 * The algorithm comes from the key (or --alg, checked against the key); `none`, short HMAC secrets and small
 * RSA keys are refused. --from-json re-signs the header and payload printed by `jwt decode --json`.
 */
export interface JwtMintOptions extends PassphraseFlags, SecretFlags {
  key?: string | undefined;
  alg?: string | undefined;
  kid?: string | undefined;
  iss?: string | undefined;
  sub?: string | undefined;
  aud: string[];
  scope?: string | undefined;
  /** A duration or instant; false for --no-exp; undefined: not given (the default applies, unless re-signing). */
  exp?: string | false | undefined;
  nbf?: string | undefined;
  /** An instant; false for --no-iat; undefined means now (or the --from-json value). */
  iat?: string | false | undefined;
  jti?: string | true | undefined;
  typ?: string | undefined;
  claim: string[];
  claims?: string | undefined;
  header: string[];
  fromJson?: string | undefined;
}

export interface JwtMintResult {
  token: string;
  header: JsonObject;
  payload: JsonObject;
  warnings: JwtWarning[];
}

export const DEFAULT_EXP = '15m';

export const MINT_USAGE =
  '{--key <FILE> | --secret-env <VAR> | --secret-file <FILE>} [--passphrase-env <VAR> | --passphrase-file <FILE>] ' +
  '[--alg <ALG>] [--kid <KID>] [--iss <ISS>] [--sub <SUB>] [--aud <AUD> ...] [--scope <SCOPES>] ' +
  '[--exp <WHEN> | --no-exp] [--nbf <WHEN>] [--iat <WHEN> | --no-iat] [--jti [<ID>]] [--typ <TYP>] ' +
  '[--claim <NAME=VALUE> ...] [--claims <JSON|@FILE|->] [--header <NAME=VALUE> ...] [--from-json <FILE|->] [--json]';

export function registerJwtMint(parent: Command, ctx: Context): void {
  const cmd = addPassphraseOptions(
    parent
      .command('mint')
      .usage(MINT_USAGE)
      .summary('sign a JWT and print it')
      .description(
        'Sign a JWT with a private key (PEM, JWK, JWKS) or an HMAC secret (env or file, never argv) and print the token alone on stdout. The algorithm defaults from the key; RSA keys need --alg (or a JWK "alg").',
      )
      .option('--key <FILE>', 'private key file: PEM, JWK, JWKS (pick one with --kid) or raw HMAC secret')
      .option('--secret-env <VAR>', 'HMAC secret from this environment variable')
      .option('--secret-file <FILE>', 'HMAC secret from this file (one line)'),
  )
    .option(
      '--alg <ALG>',
      'HS256..512, RS256..512, PS256..512, ES256/384/512 or EdDSA (default: from the key)',
    )
    .option('--kid <KID>', 'header "kid" (default: the key\'s kid or RFC 7638 thumbprint; none for secrets)')
    .option('--iss <ISS>', '"iss" claim')
    .option('--sub <SUB>', '"sub" claim')
    .option('--aud <AUD>', '"aud" claim (repeatable: an array)', collect)
    .option('--scope <SCOPES>', '"scope" claim, space-delimited (e.g. "orders:read orders:write")')
    .option('--exp <WHEN>', '"exp": a duration from now (15m, 2h) or an instant', DEFAULT_EXP)
    .option('--no-exp', 'no "exp" claim (the token never expires: avoid)')
    .option('--nbf <WHEN>', '"nbf": a duration from now or an instant')
    .option('--iat <WHEN>', '"iat": an instant (default: now)')
    .option('--no-iat', 'no "iat" claim')
    .option('--jti [ID]', '"jti" claim (a random UUID when no value is given)')
    .option('--typ <TYP>', 'header "typ" (default: JWT; at+jwt for RFC 9068 access tokens)')
    .option(
      '--claim <NAME=VALUE>',
      'a claim, JSON-typed: n=5, b=true, o={"a":1}, s=\'"5"\', k=@file.json (repeatable)',
      collect,
    )
    .option('--claims <JSON|@FILE|->', 'a JSON object of claims to start from (the other flags override it)')
    .option('--header <NAME=VALUE>', 'an extra header member, JSON-typed (repeatable)', collect)
    .option('--from-json <FILE|->', 're-sign {header, payload} as printed by "apikit jwt decode --json"')
    .addHelpText(
      'after',
      `
Examples:
  $ apikit jwt mint --key signing.key.pem --iss https://auth.example.com --sub alice --aud api --exp 15m
  $ apikit jwt mint --key rsa.key.pem --alg PS256 --typ at+jwt --scope "orders:read orders:write" --jti
  $ JWT_SECRET=$(cat secret.txt) apikit jwt mint --secret-env JWT_SECRET --claim admin=true --claim n=5
  $ apikit jwt mint --key signing.key.pem --exp -5m          # an expired token, for tests
  $ apikit jwt decode --json "$T" | apikit jwt mint --key signing.key.pem --from-json -`,
    )
    .action(async (flags: JwtMintOptions, cmd: Command) => {
      // The default --exp is a default, not a flag: it never overrides an "exp" from --claim, --claims or
      // --from-json (runJwtMint applies it where nothing else set the claim).
      const exp = cmd.getOptionValueSource('exp') === 'default' ? undefined : flags.exp;
      const result = await runJwtMint(
        { ...flags, exp, aud: flags.aud ?? [], claim: flags.claim ?? [], header: flags.header ?? [] },
        ctx,
      );
      await ctx.finish(result, renderJwtMint);
    });
  enforceFlagRules(cmd, {
    exclusive: [
      { flags: ['--key', '--secret-env', '--secret-file'], what: 'the key' },
      { flags: ['--exp', '--no-exp'], what: '"exp"' },
      { flags: ['--iat', '--no-iat'], what: '"iat"' },
    ],
  });
}

/**
 * Resolves the inputs (key file or secret, --from-json, --claims, --claim @files), then lets src/lib/jwt/
 * decide the header and claims and sign (signJwt: jose, or node:crypto for an RSASSA-PSS-OID key).
 */
export async function runJwtMint(opts: JwtMintOptions, ctx: Context): Promise<JwtMintResult> {
  // Loaded here, not at the top: `apikit jwt --help` registers this verb but must not pay for node:crypto.
  const { randomUUID } = await import('node:crypto');
  const { checkResignedHeader, mintAlgorithm, mintHeader } = await import('../../lib/jwt/mint-header.js');
  if ([opts.claims, opts.fromJson, opts.key].filter((v) => v === '-').length > 1) {
    throw new UsageError('only one input can come from stdin ("-")', 'ERR_JWT_STDIN_TWICE');
  }
  const now = ctx.clock.now();
  const warnings: JwtWarning[] = [];
  const loaded = await signingKey(ctx, opts, warnings);
  const source =
    opts.key ?? (opts.secretEnv !== undefined ? `$${opts.secretEnv}` : (opts.secretFile ?? 'secret'));

  let baseHeader: JsonObject = {};
  let basePayload: JsonObject = {};
  const resigning = opts.fromJson !== undefined;
  if (opts.fromJson !== undefined) {
    const doc = await readJsonObject(ctx, opts.fromJson, '--from-json');
    if (!isObject(doc.header) || !isObject(doc.payload)) {
      throw new InputError(
        '--from-json: expected {"header": {...}, "payload": {...}} as printed by "apikit jwt decode --json"',
        'ERR_JWT_FROM_JSON',
      );
    }
    checkResignedHeader(doc.header);
    baseHeader = doc.header;
    basePayload = doc.payload;
  }
  if (opts.claims !== undefined) {
    const value =
      opts.claims.startsWith('@') || opts.claims === '-'
        ? await readJsonObject(ctx, opts.claims === '-' ? '-' : opts.claims.slice(1), '--claims')
        : parseJsonObject(opts.claims, '--claims');
    basePayload = { ...basePayload, ...value };
  }

  const alg = mintAlgorithm(loaded, source, opts.alg, baseHeader);
  const claims: [string, unknown][] = [];
  for (const text of opts.claim) {
    const { name, raw } = parseAssignment(text, '--claim');
    if (raw === undefined)
      throw new UsageError(`--claim "${text}": expected name=value`, 'ERR_JWT_CLAIM_SYNTAX');
    claims.push([
      name,
      raw.startsWith('@') ? await readJsonValue(ctx, raw.slice(1), `--claim ${name}`) : typedValue(raw),
    ]);
  }
  const jti = opts.jti === true ? randomUUID() : opts.jti;
  const payload = buildClaims({
    base: basePayload,
    claims,
    iss: opts.iss,
    sub: opts.sub,
    aud: opts.aud,
    scope: opts.scope,
    jti,
    ...mintTimes({ exp: opts.exp, nbf: opts.nbf, iat: opts.iat }, now),
    // Re-signing keeps the payload's own times; a fresh token expires in 15 minutes and was issued now.
    defaults: resigning ? {} : { exp: now + parseDurationFlag('--exp', DEFAULT_EXP), iat: now },
    written: {
      iss: `--iss ${opts.iss}`,
      sub: `--sub ${opts.sub}`,
      aud: opts.aud.map((a) => `--aud ${a}`).join(' '),
      scope: `--scope ${opts.scope}`,
      jti: opts.jti === true ? '--jti' : `--jti ${opts.jti}`,
      exp: opts.exp === false ? '--no-exp' : `--exp ${opts.exp}`,
      nbf: `--nbf ${opts.nbf}`,
      iat: opts.iat === false ? '--no-iat' : `--iat ${opts.iat}`,
    },
  });
  const header = await mintHeader({
    alg,
    key: loaded,
    base: baseHeader,
    members: opts.header,
    kid: opts.kid,
    typ: opts.typ,
  });

  const { signJwt } = await import('../../lib/jwt/signing.js');
  const token = await signJwt(header, payload, alg, loaded);
  // Informational lints (RS256 is PKCS#1 v1.5) belong to decode, not to every mint.
  warnings.push(...lintToken(header, payload, now).filter((w) => !isInformational(w)));
  return { token, header, payload, warnings };
}

/** The token alone on stdout (so `$(apikit jwt mint ...)` works), or {token, header, payload} with --json. */
export function renderJwtMint(result: JwtMintResult, view: View): Rendered {
  const doc = view.doc();
  for (const w of result.warnings) doc.warn(`${terminalSafe(w.message)} [${w.id}]`);
  if (view.json) doc.json({ token: result.token, header: result.header, payload: result.payload });
  else doc.result(result.token);
  return doc.blocks;
}

/** The key that signs: an HMAC secret from --secret-env/--secret-file, or the one signing key of --key. */
async function signingKey(ctx: Context, opts: JwtMintOptions, warnings: JwtWarning[]): Promise<LoadedKey> {
  const { noKeyError, readKeyFlag, readSecretFlag } = await import('./key-input.js');
  const { readPassphrase } = await import('../shared/key-files.js');
  const { refuseKeyMaterial, secretKeyFromText } = await import('../../lib/jwt/keyring.js');
  const { loadedKeyFromKeyObject } = await import('../../lib/keys/load.js');
  const { pickSigningKey, weakSigningSecret } = await import('../../lib/jwt/signing.js');
  const secret = await readSecretFlag(ctx, opts);
  if (secret !== undefined && opts.key !== undefined) {
    throw new UsageError(
      'give one key: --key, or an HMAC secret with --secret-env/--secret-file',
      'ERR_JWT_KEY_TWICE',
    );
  }
  if (secret !== undefined) {
    const key = secretKeyFromText(secret.text, secret.flagged);
    warnings.push(...weakSigningSecret(secret.text, secret.what));
    return loadedKeyFromKeyObject(key);
  }
  if (opts.key === undefined) throw noKeyError('mint');
  const set = await readKeyFlag(ctx, '--key', opts.key, await readPassphrase(ctx, opts));
  const k = pickSigningKey(set, opts.key, opts.kid);
  if (k.kind === 'secret') {
    // A JWK "oct" key whose bytes are a public key is key confusion too (RFC 8725 §2.1).
    refuseKeyMaterial(k.key.export(), `key "${opts.key}" (--key)`);
    warnings.push(...weakSigningSecret(k.key.export().toString('utf8'), `key "${opts.key}"`));
  }
  return k;
}

async function readJsonValue(ctx: Context, path: string, what: string): Promise<unknown> {
  const input = await readInput(path, ctx.io, { stdinIsTTY: ctx.io.stdinIsTTY });
  try {
    return JSON.parse(input.data.toString('utf8')) as unknown;
  } catch {
    throw new InputError(`${what}: "${input.name}" is not JSON`, 'ERR_JWT_JSON');
  }
}

async function readJsonObject(ctx: Context, path: string, what: string): Promise<JsonObject> {
  const value = await readJsonValue(ctx, path, what);
  if (!isObject(value))
    throw new InputError(`${what}: "${path === '-' ? 'stdin' : path}" is not a JSON object`, 'ERR_JWT_JSON');
  return value;
}

function parseJsonObject(text: string, what: string): JsonObject {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new UsageError(`${what}: not JSON (give a JSON object, @file or - for stdin)`, 'ERR_JWT_JSON');
  }
  if (!isObject(value)) throw new UsageError(`${what}: not a JSON object`, 'ERR_JWT_JSON');
  return value;
}

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
