import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';

/**
 * The kid of a PEM key. A PEM cannot carry a kid, but `apikit keys generate --kid K --out PREFIX` writes the key
 * three times: PREFIX.key.pem, PREFIX.pub.pem and PREFIX.jwks.json, and only the JWKS — the file that gets
 * published, and that verifiers select keys from (RFC 7517 §4.5) — says K. Defaulting a PEM's kid to its RFC 7638
 * thumbprint would sign tokens (and client assertions) with a kid the published JWKS does not have. So a PEM
 * named like generate's output takes the kid of the same public key in the JWKS beside it: the "companion".
 * Pure: the caller reads the companion file (src/files/key-companion.ts). The loader re-exports these functions,
 * so that they load with it and cost a key read no module of their own (start-up); hence the structural types
 * below instead of importing load.ts's (which would make an import cycle).
 */

/** What these functions need of a LoadedKey and a KeySet (./load.ts). */
interface KeyLike {
  kid: string | undefined;
  kidFrom?: string | undefined;
  publicKey: KeyObject | undefined;
}
interface KeySetLike<K extends KeyLike> {
  format: string;
  keys: K[];
}

/** generate's names: PREFIX.key.pem and PREFIX.pub.pem → PREFIX.jwks.json; any other name has no companion. */
export function companionJwksPath(keyPath: string): string | undefined {
  const match = /\.(?:key|pub)\.pem$/.exec(keyPath);
  if (!match || match.index === 0 || keyPath.endsWith('/' + match[0])) return undefined;
  return keyPath.slice(0, match.index) + '.jwks.json';
}

/** Whether a key set could take a kid from a companion: a PEM (never carries a kid) with an asymmetric key. */
export function wantsCompanionKid(set: KeySetLike<KeyLike>): boolean {
  return (
    set.format !== 'jwk' &&
    set.format !== 'jwks' &&
    set.format !== 'secret' &&
    set.keys.some((k) => k.kid === undefined && k.publicKey !== undefined)
  );
}

const PUBLIC_MEMBERS: Record<string, string[]> = {
  RSA: ['kty', 'n', 'e'],
  EC: ['kty', 'crv', 'x', 'y'],
  OKP: ['kty', 'crv', 'x'],
};

/**
 * The set with each kid-less key given the kid that the companion JWKS has for the same public key (and
 * `kidFrom` = the companion's name). The companion is a hint, not an input: when it is not a JWKS, does not hold
 * the key, or holds it under two different kids, the key stays as it was (and gets its thumbprint downstream).
 */
export function adoptCompanionKids<K extends KeyLike, S extends KeySetLike<K>>(
  set: S,
  companion: { name: string; data: Uint8Array },
): S {
  const entries = companionEntries(companion.data);
  if (entries.length === 0) return set;
  let changed = false;
  const keys = set.keys.map((key): K => {
    if (key.kid !== undefined || key.publicKey === undefined) return key;
    const spki = spkiOf(key.publicKey);
    const kids = new Set(entries.filter((e) => spkiOf(e.key).equals(spki)).map((e) => e.kid));
    if (kids.size !== 1) return key;
    changed = true;
    return { ...key, kid: [...kids][0]!, kidFrom: companion.name };
  });
  return changed ? { ...set, keys } : set;
}

/**
 * The key's SPKI DER: equal bytes, equal public key. (Not KeyObject.equals: on Node 20, comparing keys of two
 * types leaves an OpenSSL error queued, and the next unrelated createPrivateKey() fails with it.)
 */
function spkiOf(key: KeyObject): Buffer {
  return key.export({ type: 'spki', format: 'der' });
}

/** The companion's entries that have a kid and a public key Node can read; nothing for anything else. */
function companionEntries(data: Uint8Array): { kid: string; key: KeyObject }[] {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(data).toString('utf8'));
  } catch {
    return [];
  }
  const list = isObject(value) && Array.isArray(value.keys) ? (value.keys as unknown[]) : [];
  const out: { kid: string; key: KeyObject }[] = [];
  for (const entry of list) {
    if (!isObject(entry) || typeof entry.kid !== 'string' || entry.kid === '') continue;
    const kty = entry.kty;
    if (typeof kty !== 'string' || !Object.hasOwn(PUBLIC_MEMBERS, kty)) continue;
    // Only the public members: a JWKS entry that (wrongly) carries "d" is still matched by its public key.
    const jwk = Object.fromEntries(PUBLIC_MEMBERS[kty]!.map((m) => [m, entry[m]])) as JsonWebKey;
    try {
      out.push({ kid: entry.kid, key: createPublicKey({ key: jwk, format: 'jwk' }) });
    } catch {
      // Not a key Node can read: it cannot be this key either.
    }
  }
  return out;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
