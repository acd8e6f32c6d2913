import { UsageError, InputError } from '../../errors.js';
import { terminalSafe } from '../text/terminal-safe.js';
import { importJwk } from './load.js';
import { thumbprint } from './thumbprint.js';

/**
 * A published JWKS as `keys rotate` and `keys retire` edit it: read, checked, changed, written back. Pure: bytes in,
 * a set out, text back; the command reads and writes the file.
 *
 * Creation order is file order. A JWK has no standard member for when a key was made (RFC 7517 §4 defines none;
 * `iat` is a JWT claim, not a JWK member), so the set keeps what the file says: rotate appends the new key last,
 * retire removes one in place, neither ever reorders. The newest key is the last one.
 *
 * Formatting is stable: every member of the document and of each key is kept, in its order; the text is written
 * the way `keys generate` and `keys jwks` write a JWKS (two-space JSON and a final newline), so a rotation changes
 * exactly the lines of the key it adds or removes.
 */
export interface JwksSetEntry {
  kid: string;
  kty: string;
  alg: string | null;
  use: string | null;
  /** RFC 7638 SHA-256 thumbprint, computed by jose. */
  thumbprint: string;
  /** The JWK exactly as in the file (or as it will be written). */
  jwk: Record<string, unknown>;
}

export interface JwksSet {
  /** How messages name the file. */
  source: string;
  /** The document as read: its other members are written back unchanged, `keys` replaced in place. */
  document: Record<string, unknown>;
  /** Oldest first, newest last. */
  entries: JwksSetEntry[];
}

/**
 * Private or secret members (RFC 7518 §6.2.2, §6.3.2, §6.4.1): a JWKS is published, so any of them is a leak.
 * RFC 7517 §5 does not forbid private JWK sets, but a set under rotation is the public one.
 */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const;

/** Reads and checks a JWKS file: refuses private material, missing or duplicate kids and mixed `use`. */
export async function readJwksSet(data: Uint8Array, source: string): Promise<JwksSet> {
  const name = terminalSafe(source, 200);
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(data).toString('utf8'));
  } catch {
    throw new InputError(`"${name}" is not JSON (expected a JWKS: {"keys": [...]})`, 'ERR_KEYS_JWKS_JSON');
  }
  if (!isObject(value) || !Array.isArray(value.keys)) {
    throw new InputError(`"${name}" is not a JWKS (no "keys" array)`, 'ERR_KEYS_JWKS_JSON');
  }
  const entries: JwksSetEntry[] = [];
  for (const [i, jwk] of (value.keys as unknown[]).entries()) {
    entries.push(await checkEntry(jwk, source, i, entries));
  }
  checkUse(entries, source);
  return { source, document: value, entries };
}

async function checkEntry(
  value: unknown,
  source: string,
  i: number,
  earlier: JwksSetEntry[],
): Promise<JwksSetEntry> {
  const where = `"${terminalSafe(source, 200)}" keys[${i}]`;
  if (!isObject(value)) throw new InputError(`${where} is not an object`, 'ERR_KEYS_JWKS_ENTRY');
  const kidText = typeof value.kid === 'string' ? ` (kid "${terminalSafe(value.kid, 100)}")` : '';
  // Before anything else reads the key: the message names the members, never their values.
  const secret = PRIVATE_MEMBERS.filter((m) => Object.hasOwn(value, m));
  if (value.kty === 'oct' || secret.length > 0) {
    throw new InputError(
      value.kty === 'oct'
        ? `${where}${kidText} is a symmetric secret (kty "oct"), which must never be published`
        : `${where}${kidText} holds private key material (${secret.map((m) => `"${m}"`).join(', ')})`,
      'ERR_KEYS_JWKS_PRIVATE',
      {
        hint: 'a published JWKS holds public keys only; rebuild it from the public halves: apikit keys jwks KEY... --out FILE --force',
      },
    );
  }
  if (typeof value.kid !== 'string' || value.kid === '') {
    throw new InputError(`${where} has no "kid"`, 'ERR_KEYS_JWKS_NO_KID', {
      hint: 'verifiers pick keys by kid; rebuild the set (every key gets its thumbprint): apikit keys jwks FILE --out FILE --force',
    });
  }
  const kid = value.kid;
  const twin = earlier.findIndex((e) => e.kid === kid);
  if (twin >= 0) {
    // RFC 7517 §4.5: verifiers select by kid; two keys under one kid verify by chance or not at all.
    throw new InputError(
      `${where}: kid "${terminalSafe(kid, 100)}" appears twice (keys[${twin}] and keys[${i}])`,
      'ERR_KEYS_JWKS_DUPLICATE_KID',
      { hint: 'give each key its own kid, or remove one of them from the file' },
    );
  }
  // The loader's own checks: members present, base64url, a key Node can read.
  const loaded = importJwk(value, source, `keys[${i}]`, { inspectHint: false });
  const pub = Object.fromEntries(
    ['kty', 'crv', 'x', 'y', 'n', 'e'].filter((m) => value[m] !== undefined).map((m) => [m, value[m]]),
  );
  return {
    kid,
    kty: loaded.kty,
    alg: typeof value.alg === 'string' ? value.alg : null,
    use: typeof value.use === 'string' ? value.use : null,
    thumbprint: (await thumbprint(pub)).thumbprint,
    jwk: value,
  };
}

/**
 * A rotated set is a set of signing keys. One `use` value that is not "sig", or two different values, mean keys for
 * another purpose have been mixed in (RFC 7517 §4.2): refused rather than guessed at. A key without `use` is not a
 * conflict (the member is optional).
 */
function checkUse(entries: JwksSetEntry[], source: string): void {
  const uses = [...new Set(entries.map((e) => e.use).filter((u) => u !== null))];
  if (uses.length === 0 || (uses.length === 1 && uses[0] === 'sig')) return;
  const list = uses.map((u) => `"${terminalSafe(u, 40)}"`).join(' and ');
  throw new InputError(
    uses.length > 1
      ? `"${terminalSafe(source, 200)}" mixes keys with use ${list}`
      : `"${terminalSafe(source, 200)}" holds keys with use ${list}, not signing keys`,
    'ERR_KEYS_JWKS_MIXED_USE',
    {
      hint: 'keep encryption keys in a JWKS of their own; rotate and retire manage signing keys (use "sig")',
    },
  );
}

/** Refuses a kid the set already has (before a key is generated for it). */
export function requireFreeKid(set: JwksSet, kid: string): void {
  if (set.entries.some((e) => e.kid === kid)) {
    throw new UsageError(
      `kid "${terminalSafe(kid, 100)}" is already in "${terminalSafe(set.source, 200)}"`,
      'ERR_KEYS_JWKS_DUPLICATE_KID',
      { hint: "choose another --kid (or omit it: the default is the new key's thumbprint)" },
    );
  }
}

/** The set with `entry` appended as the newest key. */
export function appendKey(set: JwksSet, entry: JwksSetEntry): JwksSet {
  requireFreeKid(set, entry.kid);
  return { ...set, entries: [...set.entries, entry] };
}

export interface Removal {
  set: JwksSet;
  removed: JwksSetEntry;
  /** What --force allowed: removing the newest key, or the last one. */
  forced: ('newest' | 'last')[];
}

/**
 * The set without `kid`. The last key is refused (verifiers would then accept nothing), and so is the newest (the
 * one that is signed with, or about to be) — both unless `force`.
 */
export function removeKey(set: JwksSet, kid: string, options: { force?: boolean } = {}): Removal {
  const at = set.entries.findIndex((e) => e.kid === kid);
  const name = terminalSafe(set.source, 200);
  if (at < 0) {
    const kids = set.entries.map((e) => `"${terminalSafe(e.kid, 60)}"`).join(', ');
    throw new UsageError(
      `kid "${terminalSafe(kid, 100)}" is not in "${name}"${kids ? ` (it has ${kids})` : ' (it has no keys)'}`,
      'ERR_KEYS_KID_NOT_FOUND',
    );
  }
  const forced: Removal['forced'] = [];
  if (set.entries.length === 1) {
    if (!options.force) {
      throw new UsageError(
        `kid "${terminalSafe(kid, 100)}" is the only key in "${name}": without it no token verifies`,
        'ERR_KEYS_RETIRE_LAST',
        { hint: 'rotate first (apikit keys rotate), or pass --force to empty the set' },
      );
    }
    forced.push('last');
  } else if (at === set.entries.length - 1) {
    if (!options.force) {
      throw new UsageError(
        `kid "${terminalSafe(kid, 100)}" is the newest key in "${name}" (the one to sign with)`,
        'ERR_KEYS_RETIRE_NEWEST',
        { hint: 'retire an older kid, or pass --force if this key must go (e.g. it leaked)' },
      );
    }
    forced.push('newest');
  }
  return {
    set: { ...set, entries: set.entries.filter((_, i) => i !== at) },
    removed: set.entries[at]!,
    forced,
  };
}

/** The file's text: the document with `keys` replaced in place, two-space JSON and a final newline. */
export function serializeJwksSet(set: JwksSet): string {
  return JSON.stringify({ ...set.document, keys: set.entries.map((e) => e.jwk) }, null, 2) + '\n';
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
