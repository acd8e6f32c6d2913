import type { Command } from 'commander';
import type { Context } from '../../context.js';
import { addPassphraseOptions, type PassphraseFlags } from '../shared/key-files.js';
import { InputError, UsageError } from '../../errors.js';
import { readInput } from '../../files/read-input.js';
import { parseAssignment, typedValue } from '../../lib/jwt/claim-value.js';
import { lintToken, type JwtWarning } from '../../lib/jwt/lint.js';
import { buildClaims } from '../../lib/jwt/mint-claims.js';
import type { JsonObject } from '../../lib/jwt/parse.js';
import type { LoadedKey } from '../../lib/keys/load.js';
import { DurationSyntaxError, parseTimeSpec } from '../../lib/time/duration.js';
import type { SecretFlags } from './key-input.js';
import { collect } from '../../http/options.js';

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
  /** A duration or instant; false for --no-exp; undefined keeps the --from-json value. */
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
// Header members a user may not set by hand: alg comes from --alg and the key; crit/b64 change how the token
// is processed (RFC 7515 §4.1.11, RFC 7797) and a JWT must not use them.
const PROTECTED_HEADER_MEMBERS = new Set(['alg', 'crit', 'b64']);

export function registerJwtMint(parent: Command, ctx: Context): void {
  addPassphraseOptions(
    parent
      .command('mint')
      .usage(
        '(--key <FILE> | --secret-env <VAR> | --secret-file <FILE>) [--alg <ALG>] [--kid <KID>] [--iss <ISS>] [--sub <SUB>] [--aud <AUD> ...] [--scope <S>] [--exp <dur|instant> | --no-exp] [--nbf <dur|instant>] [--iat <instant> | --no-iat] [--jti [<ID>]] [--typ <TYP>] [--claim <k=v> ...] [--claims <JSON|@file|->] [--header <k=v> ...] [--from-json <FILE|->]',
      )
      .summary('sign a JWT and print it')
      .description(
        'Sign a JWT with a private key (PEM, JWK, JWKS) or an HMAC secret (env or file, never argv) and print the token alone on stdout. The algorithm defaults from the key; RSA keys need --alg (or a JWK "alg").',
      )
      .option('--key <file>', 'private key file: PEM, JWK, JWKS (pick one with --kid) or raw HMAC secret')
      .option('--secret-env <var>', 'HMAC secret from this environment variable')
      .option('--secret-file <file>', 'HMAC secret from this file (one line)'),
  )
    .option(
      '--alg <alg>',
      'HS256..512, RS256..512, PS256..512, ES256/384/512 or EdDSA (default: from the key)',
    )
    .option('--kid <kid>', 'header "kid" (default: the key\'s kid or RFC 7638 thumbprint; none for secrets)')
    .option('--iss <issuer>', '"iss" claim')
    .option('--sub <subject>', '"sub" claim')
    .option('--aud <audience>', '"aud" claim (repeatable: an array)', collect)
    .option('--scope <scopes>', '"scope" claim, space-delimited (e.g. "orders:read orders:write")')
    .option(
      '--exp <when>',
      `"exp": a duration from now (15m, 2h) or an instant (default ${DEFAULT_EXP})`,
      DEFAULT_EXP,
    )
    .option('--no-exp', 'no "exp" claim (the token never expires: avoid)')
    .option('--nbf <when>', '"nbf": a duration from now or an instant')
    .option('--iat <when>', '"iat": an instant (default now)')
    .option('--no-iat', 'no "iat" claim')
    .option('--jti [id]', '"jti" claim (a random UUID when no value is given)')
    .option('--typ <type>', 'header "typ" (default JWT; at+jwt for RFC 9068 access tokens)')
    .option(
      '--claim <name=value>',
      'a claim, JSON-typed: n=5, b=true, o={"a":1}, s=\'"5"\', k=@file.json (repeatable)',
      collect,
    )
    .option('--claims <json|@file|->', 'a JSON object of claims (the other flags override it)')
    .option('--header <name=value>', 'an extra header member, JSON-typed (repeatable)', collect)
    .option('--from-json <file|->', 're-sign {header, payload} as printed by "apikit jwt decode --json"')
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
      // With --from-json, the default --exp must not overwrite the payload being re-signed.
      const exp =
        flags.fromJson !== undefined && cmd.getOptionValueSource('exp') === 'default' ? undefined : flags.exp;
      const result = await runJwtMint(
        { ...flags, exp, aud: flags.aud ?? [], claim: flags.claim ?? [], header: flags.header ?? [] },
        ctx,
      );
      renderJwtMint(result, ctx);
    });
}

export async function runJwtMint(opts: JwtMintOptions, ctx: Context): Promise<JwtMintResult> {
  // Loaded here, not at the top: `apikit jwt decode` registers this verb but must not pay for node:crypto.
  const { randomUUID } = await import('node:crypto');
  const { signingAlgorithm } = await import('../../lib/jwt/signing.js');
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
  if (opts.fromJson !== undefined) {
    const doc = await readJsonObject(ctx, opts.fromJson, '--from-json');
    if (!isObject(doc.header) || !isObject(doc.payload)) {
      throw new InputError(
        '--from-json: expected {"header": {...}, "payload": {...}} as printed by "apikit jwt decode --json"',
        'ERR_JWT_FROM_JSON',
      );
    }
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

  // --alg, else a re-signed header's alg when this key can make it, else the key's own.
  const headerAlg =
    typeof baseHeader.alg === 'string' && baseHeader.alg.toLowerCase() !== 'none'
      ? baseHeader.alg
      : undefined;
  let alg;
  try {
    alg = signingAlgorithm(loaded, source, opts.alg ?? headerAlg);
  } catch (err) {
    if (opts.alg !== undefined || headerAlg === undefined) throw err;
    alg = signingAlgorithm(loaded, source, undefined);
  }

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
  const payload = buildClaims({
    base: basePayload,
    claims,
    iss: opts.iss,
    sub: opts.sub,
    aud: opts.aud,
    scope: opts.scope,
    jti: opts.jti === true ? randomUUID() : opts.jti,
    exp: opts.exp === false ? null : opts.exp === undefined ? undefined : timeSpec(opts.exp, now, '--exp'),
    nbf: opts.nbf === undefined ? undefined : timeSpec(opts.nbf, now, '--nbf'),
    iat:
      opts.iat === false
        ? null
        : opts.iat === undefined
          ? opts.fromJson !== undefined
            ? undefined
            : now
          : timeSpec(opts.iat, now, '--iat'),
  });

  const header: JsonObject = { ...baseHeader };
  for (const text of opts.header) {
    const { name, raw } = parseAssignment(text, '--header');
    if (raw === undefined)
      throw new UsageError(`--header "${text}": expected name=value`, 'ERR_JWT_HEADER_SYNTAX');
    if (PROTECTED_HEADER_MEMBERS.has(name) || name === '__proto__') {
      throw new UsageError(
        `--header cannot set "${name}"${name === 'alg' ? ' (use --alg)' : ''}`,
        'ERR_JWT_HEADER_RESERVED',
      );
    }
    header[name] = typedValue(raw);
  }
  for (const member of PROTECTED_HEADER_MEMBERS) delete header[member];
  // --kid, then a kid given with --header, then the key's own, then the re-signed header's, then a thumbprint.
  const headerFlagKid = opts.header.some((h) => h.startsWith('kid=')) ? header.kid : undefined;
  const kid =
    opts.kid ??
    (typeof headerFlagKid === 'string' ? headerFlagKid : undefined) ??
    loaded.kid ??
    (typeof baseHeader.kid === 'string' ? baseHeader.kid : undefined) ??
    (await defaultKid(loaded));
  const protectedHeader: JsonObject = { alg, ...header };
  if (opts.typ !== undefined) protectedHeader.typ = opts.typ;
  else if (protectedHeader.typ === undefined) protectedHeader.typ = 'JWT';
  if (kid !== undefined) protectedHeader.kid = kid;
  else delete protectedHeader.kid;

  const { CompactSign } = await import('jose/jws/compact/sign');
  let token: string;
  try {
    token = await new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
      .setProtectedHeader(protectedHeader as { alg: string })
      .sign(loaded.key);
  } catch (err) {
    const code = (err as { code?: string }).code ?? '';
    throw new InputError(
      `cannot sign with ${alg}: ${(err as Error).message}`,
      code.startsWith('ERR_') ? `ERR_JWT_SIGN_${code.slice(4)}` : 'ERR_JWT_SIGN',
    );
  }
  warnings.push(...lintToken(protectedHeader, payload, now));
  return { token, header: protectedHeader, payload, warnings };
}

export function renderJwtMint(result: JwtMintResult, ctx: Context): void {
  for (const w of result.warnings) ctx.out.warn(`${w.message} [${w.id}]`);
  if (ctx.flags.json) ctx.out.json({ token: result.token, header: result.header, payload: result.payload });
  else ctx.out.result(result.token);
}

async function signingKey(ctx: Context, opts: JwtMintOptions, warnings: JwtWarning[]): Promise<LoadedKey> {
  const { noKeyError, readSecretFlag } = await import('./key-input.js');
  const { readKeyFile, readPassphrase } = await import('../shared/key-files.js');
  const { secretKeyFromText } = await import('../../lib/jwt/keyring.js');
  const { isWeakSecret } = await import('../../lib/jwt/weak-secrets.js');
  const secret = await readSecretFlag(ctx, opts);
  if (secret !== undefined && opts.key !== undefined) {
    throw new UsageError(
      'give one key: --key, or an HMAC secret with --secret-env/--secret-file',
      'ERR_JWT_KEY_TWICE',
    );
  }
  if (secret !== undefined) {
    const key = secretKeyFromText(secret.text, secret.what);
    if (isWeakSecret(secret.text)) {
      warnings.push({
        id: 'weak_secret',
        message: `${secret.what} is a well-known HMAC secret: anyone can forge tokens with it`,
      });
    }
    return secretLoadedKey(key);
  }
  if (opts.key === undefined) throw noKeyError('mint');
  const set = await readKeyFile(ctx, opts.key, await readPassphrase(ctx, opts));
  let keys = set.keys;
  if (keys.length > 1) {
    if (opts.kid !== undefined) keys = keys.filter((k) => k.kid === opts.kid);
    else keys = keys.filter((k) => k.kind !== 'public');
    if (keys.length !== 1) {
      const kids = set.keys.map((k) => JSON.stringify(k.kid ?? '(no kid)')).join(', ');
      throw new UsageError(
        opts.kid !== undefined
          ? `key "${opts.key}" has no key with kid ${JSON.stringify(opts.kid)} (it has ${kids})`
          : `key "${opts.key}" holds ${set.keys.length} keys; choose one with --kid (${kids})`,
        'ERR_JWT_KEY_CHOICE',
      );
    }
  }
  const k = keys[0]!;
  if (k.kind === 'secret' && isWeakSecret(k.key.export().toString('utf8'))) {
    warnings.push({
      id: 'weak_secret',
      message: `key "${opts.key}" is a well-known HMAC secret: anyone can forge tokens with it`,
    });
  }
  return k;
}

function secretLoadedKey(key: LoadedKey['key']): LoadedKey {
  return {
    key,
    publicKey: undefined,
    kind: 'secret',
    kty: 'oct',
    crv: undefined,
    bits: (key.symmetricKeySize ?? 0) * 8,
    rsaPssOid: false,
    kid: undefined,
    alg: undefined,
    use: undefined,
    certificate: undefined,
  };
}

/** RFC 7638 thumbprint of the public key: a stable kid verifiers can select by. Secrets get none (it would leak). */
async function defaultKid(k: LoadedKey): Promise<string | undefined> {
  if (k.kind === 'secret') return undefined;
  const { publicJwk } = await import('../../lib/keys/load.js');
  const { thumbprint } = await import('../../lib/keys/thumbprint.js');
  try {
    return (await thumbprint(publicJwk(k))).thumbprint;
  } catch (err) {
    // A key Node accepts but JWK cannot express (e.g. an RSA-PSS OID key): name it instead of failing obscurely.
    if (err instanceof InputError) throw err;
    throw new InputError(`cannot compute a kid for the key: ${(err as Error).message}`, 'ERR_JWT_KID', {
      hint: 'give one with --kid',
    });
  }
}

function timeSpec(text: string, now: number, flag: string): number {
  try {
    return parseTimeSpec(text, now);
  } catch (err) {
    if (err instanceof DurationSyntaxError) throw new UsageError(`${flag}: ${err.message}`, 'ERR_JWT_TIME');
    throw err;
  }
}

async function readJsonValue(ctx: Context, path: string, what: string): Promise<unknown> {
  const input = await readInput(path, ctx.io.stdin, { stdinIsTTY: ctx.io.stdinIsTTY });
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
