import { InputError, isApikitError, UsageError } from '../../errors.js';
import type { JwsAlgorithm } from '../keys/algorithms.js';
import { loadedKeyFromKeyObject, publicJwk, type LoadedKey } from '../keys/load.js';
import { thumbprint } from '../keys/thumbprint.js';
import { parseAssignment, typedValue } from './claim-value.js';
import type { JsonObject } from './parse.js';
import { rsaEncryptionPublicKey } from './rsa-pss.js';
import { signingAlgorithm } from './signing.js';

/**
 * The protected header of a token `jwt mint` signs (RFC 7515 §4): the algorithm from the key, the kid, typ and
 * the extra members given with --header, over the header being re-signed (--from-json). No I/O: the command
 * reads the key and the JSON, this decides what the header says.
 */

// Header members a user may not set by hand: alg comes from --alg and the key; crit/b64 change how the token
// is processed (RFC 7515 §4.1.11, RFC 7797) and a JWT must not use them.
export const RESERVED_HEADER_MEMBERS: ReadonlySet<string> = new Set(['alg', 'crit', 'b64']);

/**
 * The signing algorithm: --alg, else the re-signed header's alg when this key can make it (a token re-signed
 * with another key type follows the new key), else the key's own. `source` names the key in messages.
 */
export function mintAlgorithm(
  key: LoadedKey,
  source: string,
  requested: string | undefined,
  base: JsonObject,
): JwsAlgorithm {
  const headerAlg = typeof base.alg === 'string' && base.alg.toLowerCase() !== 'none' ? base.alg : undefined;
  try {
    return signingAlgorithm(key, source, requested ?? headerAlg);
  } catch (err) {
    if (requested !== undefined || headerAlg === undefined) throw err;
    return signingAlgorithm(key, source, undefined);
  }
}

export interface MintHeaderInput {
  alg: JwsAlgorithm;
  key: LoadedKey;
  /** The header being re-signed (--from-json), or {}. */
  base: JsonObject;
  /** --header name=value, JSON-typed, in order. */
  members: string[];
  /** --kid */
  kid?: string | undefined;
  /** --typ */
  typ?: string | undefined;
}

/**
 * The whole protected header: `{alg, ...re-signed and --header members, typ, kid}`. typ defaults to "JWT";
 * the kid is chosen by `chooseKid`, else the key's RFC 7638 thumbprint (`defaultKid`).
 */
export async function mintHeader(input: MintHeaderInput): Promise<JsonObject> {
  const header = headerMembers(input.base, input.members);
  const kid =
    chooseKid({
      flag: input.kid,
      fromHeaderFlag: input.members.some((h) => h.startsWith('kid=')) ? header.kid : undefined,
      key: input.key.kid,
      base: input.base.kid,
    }) ?? (await defaultKid(input.key));
  const protectedHeader: JsonObject = { alg: input.alg, ...header };
  if (input.typ !== undefined) protectedHeader.typ = input.typ;
  else if (protectedHeader.typ === undefined) protectedHeader.typ = 'JWT';
  if (kid !== undefined) protectedHeader.kid = kid;
  else delete protectedHeader.kid;
  return protectedHeader;
}

/**
 * The re-signed header with the --header members set on it (JSON-typed values). alg/crit/b64 (and
 * `__proto__`) cannot be set; the re-signed header's alg/crit/b64 are dropped.
 */
export function headerMembers(base: JsonObject, members: string[]): JsonObject {
  const header: JsonObject = { ...base };
  for (const text of members) {
    const { name, raw } = parseAssignment(text, '--header');
    if (raw === undefined)
      throw new UsageError(`--header "${text}": expected name=value`, 'ERR_JWT_HEADER_SYNTAX');
    if (RESERVED_HEADER_MEMBERS.has(name) || name === '__proto__') {
      throw new UsageError(
        `--header cannot set "${name}"${name === 'alg' ? ' (use --alg)' : ''}`,
        'ERR_JWT_HEADER_RESERVED',
      );
    }
    header[name] = typedValue(raw);
  }
  for (const member of RESERVED_HEADER_MEMBERS) delete header[member];
  return header;
}

/**
 * The header being re-signed (--from-json) may not carry what --header may not set: alg "none" (an unsigned
 * token, RFC 8725 §3.1), "crit" or "b64" (they change how a token is processed; a JWT must not use them,
 * RFC 7515 §4.1.11, RFC 7797 §7). Its ordinary alg only suggests the algorithm (see mintAlgorithm).
 */
export function checkResignedHeader(base: JsonObject): void {
  if (typeof base.alg === 'string' && base.alg.toLowerCase() === 'none') {
    throw new InputError(
      '--from-json: the header says alg "none"; refusing to mint an unsigned token (RFC 8725 §3.1)',
      'ERR_JWT_ALG_NONE',
      { hint: 'remove "alg" from the header (the key decides it), or choose one with --alg' },
    );
  }
  for (const member of ['crit', 'b64']) {
    if (member in base) {
      throw new UsageError(
        `--from-json: the header has "${member}", which a minted JWT cannot carry (like --header ${member}=...)`,
        'ERR_JWT_HEADER_RESERVED',
        { hint: `remove "${member}" from the header` },
      );
    }
  }
}

/**
 * The kid, in order of precedence: --kid, a kid given with --header, the key's own (JWK "kid"), the re-signed
 * header's. Values that are not strings do not count. undefined: use the default (the thumbprint).
 */
export function chooseKid(candidates: {
  flag?: string | undefined;
  fromHeaderFlag?: unknown;
  key?: string | undefined;
  base?: unknown;
}): string | undefined {
  const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
  return candidates.flag ?? text(candidates.fromHeaderFlag) ?? candidates.key ?? text(candidates.base);
}

/**
 * The RFC 7638 thumbprint of the public key: a stable kid verifiers can select by. Secrets get none (a
 * thumbprint of a secret would leak it).
 */
export async function defaultKid(key: LoadedKey): Promise<string | undefined> {
  if (key.kind === 'secret') return undefined;
  try {
    // JWK cannot express an RSASSA-PSS-OID key; its thumbprint is that of its modulus and exponent (RFC 7638 §3.2).
    const jwk = key.rsaPssOid
      ? publicJwk(loadedKeyFromKeyObject(rsaEncryptionPublicKey(key.publicKey ?? key.key)))
      : publicJwk(key);
    return (await thumbprint(jwk)).thumbprint;
  } catch (err) {
    // A key Node accepts but JWK cannot express (e.g. an RSA-PSS OID key): name it instead of failing obscurely.
    if (isApikitError(err)) throw err;
    throw new InputError(`cannot compute a kid for the key: ${(err as Error).message}`, 'ERR_JWT_KID', {
      hint: 'give one with --kid',
    });
  }
}
