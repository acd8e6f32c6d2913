import { createHash, createHmac, createPublicKey, randomBytes, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Context } from '../context.js';
import { describeCause, InputError } from '../errors.js';
import { writeFileAtomic } from '../files/atomic-write.js';
import {
  isConfidentialAuthMethod,
  type ClientCredential,
  type ConfidentialAuthMethod,
} from '../lib/oauth/client-auth.js';
import { tokenSyntaxProblem } from '../lib/oauth/token-syntax.js';

/**
 * The client-credentials token cache: token-cache.json (0600) in the config dir (0700). A CI job that calls
 * `apikit token client-credentials` in every step gets one token from the server, not one per step.
 * Only what the server returned is stored — never the client secret or the private key, and not even a plain
 * hash of them (a fast hash of a guessable secret would be as good as the secret).
 */
export const CACHE_FILE = 'token-cache.json';

/**
 * The per-install key (32 random bytes, base64url, 0600) under which a client secret's fingerprint is computed,
 * so that the cache can tell a rotated or wrong secret from the one a token was obtained with.
 */
export const CACHE_KEY_FILE = 'token-cache.key';

/** What identifies a token: a different value of any of these asks the server for a different token. */
export interface CacheKeyFields {
  /** The token endpoint, or the issuer whose metadata names it ("issuer:" prefix). */
  endpoint: string;
  clientId: string;
  /** The method asked for; "default:secret" / "default:private-key" when left to apikit and the server. */
  authMethod: string;
  /**
   * Which credential: an HMAC-SHA256 of the secret under the per-install key ("hmac:"), or the public key's
   * RFC 7638 thumbprint ("jkt:"). Part of the id only; never written to the cache file.
   */
  credential: string;
  scope?: string | undefined;
  resource?: string[] | undefined;
  audience?: string | undefined;
  params?: Record<string, string> | undefined;
}

export interface CachedToken {
  /** The key fields as written to the file: without the credential's fingerprint. */
  key: Omit<CacheKeyFields, 'credential'>;
  /** The whole token response as the server sent it (expires_in as of obtainedAt). */
  response: Record<string, unknown>;
  /** Epoch milliseconds. */
  obtainedAt: number;
  expiresAt: number;
  tokenEndpoint: string;
  /** The method the token was obtained with. */
  authMethod: ConfidentialAuthMethod;
}

interface CacheFile {
  version: 1;
  entries: Record<string, CachedToken>;
}

/**
 * A stable id for the key fields. Scopes and resources are sets (RFC 6749 §3.3, RFC 8707 §2), so their order
 * does not make a different token.
 */
export function cacheKey(fields: CacheKeyFields): string {
  const scope = fields.scope ? [...new Set(fields.scope.split(' ').filter(Boolean))].sort().join(' ') : '';
  const canonical = JSON.stringify([
    fields.endpoint,
    fields.clientId,
    fields.authMethod,
    fields.credential,
    scope,
    [...new Set(fields.resource ?? [])].sort(),
    fields.audience ?? '',
    Object.entries(fields.params ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  ]);
  return createHash('sha256').update(canonical).digest('hex');
}

async function cachePath(ctx: Context): Promise<string> {
  return join((await ctx.config()).dir, CACHE_FILE);
}

async function readCache(path: string): Promise<CacheFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return { version: 1, entries: {} };
  }
  try {
    const doc = JSON.parse(text) as Partial<CacheFile>;
    if (doc && doc.version === 1 && typeof doc.entries === 'object' && doc.entries !== null) {
      return { version: 1, entries: doc.entries };
    }
  } catch {
    // A damaged cache is only a cache: start afresh (it is rewritten whole on the next store).
  }
  return { version: 1, entries: {} };
}

/** The cached token for `id` if more than `minTtlMs` of its lifetime remains at `ctx.clock.now()`. */
export async function lookupCachedToken(
  ctx: Context,
  id: string,
  minTtlMs: number,
): Promise<CachedToken | undefined> {
  const cache = await readCache(await cachePath(ctx));
  const entry = cache.entries[id];
  if (
    !entry ||
    typeof entry.expiresAt !== 'number' ||
    typeof entry.response?.access_token !== 'string' ||
    typeof entry.authMethod !== 'string' ||
    !isConfidentialAuthMethod(entry.authMethod) ||
    // Checked again on the way out: the file may predate the check, or have been edited.
    tokenSyntaxProblem({
      accessToken: entry.response.access_token,
      tokenType: typeof entry.response.token_type === 'string' ? entry.response.token_type : 'Bearer',
    }) !== undefined
  )
    return undefined;
  if (entry.expiresAt - ctx.clock.now() <= minTtlMs) return undefined;
  ctx.redactor.add(entry.response.access_token);
  return entry;
}

/** Stores a token under `id`, dropping entries that have expired, under the cache's cross-process lock. */
export async function storeCachedToken(ctx: Context, id: string, entry: CachedToken): Promise<void> {
  const store = await ctx.config();
  const path = join(store.dir, CACHE_FILE);
  await store.withLock('token-cache', async () => {
    const cache = await readCache(path);
    const now = ctx.clock.now();
    for (const [k, v] of Object.entries(cache.entries)) {
      if (typeof v?.expiresAt !== 'number' || v.expiresAt <= now) delete cache.entries[k];
    }
    cache.entries[id] = entry;
    // 0600, written atomically: a token is a bearer credential until it expires.
    await writeFileAtomic(path, JSON.stringify(cache, null, 2) + '\n', 0o600, { force: true });
  });
}

/**
 * Runs `fn` holding a lock for one cache key, so that twenty parallel jobs asking for the same token wait for
 * the first one's answer instead of each asking the server.
 */
export async function withCacheKeyLock<T>(ctx: Context, id: string, fn: () => Promise<T>): Promise<T> {
  const store = await ctx.config();
  return store.withLock(`token-cache-${id.slice(0, 16)}`, fn);
}

/**
 * The credential's part of the cache key. A secret: HMAC-SHA256 under the per-install key (a plain hash would
 * let anyone holding the cache test guesses, and would match across machines). A private key: the RFC 7638
 * thumbprint of its public key (public anyway), or for a key JWK cannot express, the SHA-256 of its SPKI.
 */
export async function credentialFingerprint(ctx: Context, credential: ClientCredential): Promise<string> {
  if (credential.kind === 'private-key') return publicKeyFingerprint(credential.key);
  const key = await installKey(ctx);
  return `hmac:${createHmac('sha256', key).update(credential.secret, 'utf8').digest('base64url')}`;
}

async function publicKeyFingerprint(privateKey: KeyObject): Promise<string> {
  const publicKey = createPublicKey(privateKey);
  try {
    const { calculateJwkThumbprint } = await import('jose/jwk/thumbprint');
    return `jkt:${await calculateJwkThumbprint(publicKey.export({ format: 'jwk' }) as Record<string, string>, 'sha256')}`;
  } catch {
    const spki = publicKey.export({ type: 'spki', format: 'der' });
    return `spki:${createHash('sha256').update(spki).digest('base64url')}`;
  }
}

/**
 * The per-install key, made on first use: read without a lock (it is only ever written whole, by a rename or
 * link), created — or replaced when damaged — under the cache's lock after reading it again there, so that
 * parallel first runs agree on one key.
 */
async function installKey(ctx: Context): Promise<Buffer> {
  const store = await ctx.config();
  const path = join(store.dir, CACHE_KEY_FILE);
  const found = await readInstallKey(path);
  if (found.key) return found.key;
  return store.withLock('token-cache', async () => {
    const again = await readInstallKey(path);
    if (again.key) return again.key;
    const key = randomBytes(32);
    // No clobbering unless the file is there but unusable (then every cached token is a miss, which is safe).
    await writeFileAtomic(path, key.toString('base64url') + '\n', 0o600, { force: again.exists });
    return key;
  });
}

async function readInstallKey(path: string): Promise<{ key?: Buffer; exists: boolean }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { exists: false };
    throw new InputError(
      `cannot read the token cache key "${path}": ${describeCause(err)}`,
      'ERR_CACHE_KEY',
      {
        hint: `remove it (cached tokens will be fetched again): rm ${path}`,
      },
    );
  }
  const key = Buffer.from(text.trim(), 'base64url');
  return key.length === 32 ? { key, exists: true } : { exists: true };
}
