import type { Clock } from '../lib/time/clock.js';

/**
 * oidc-provider's storage for the sandbox: in memory, bounded. The provider's own memory adapter is the same idea,
 * but using it means either a warning on every start ("a quick start development-only in-memory adapter is used")
 * or importing it from the package's internals; this one is small enough to own. What it must get right, from the
 * provider's adapter contract (oidc-provider docs, "adapter"):
 * - `find` returns what `upsert` stored (the same object: `consume` marks it in place), nothing once expired;
 * - `findByUid` (sessions) and `findByUserCode` (device codes) are secondary indexes;
 * - `revokeByGrantId` removes every token of a grant: how revocation, logout and the reuse of a rotated refresh
 *   token (RFC 9700 §4.14.2) end all of a login's tokens at once.
 * Entries expire after `expiresIn` seconds by the injected clock; at most `maxEntries` are kept (the oldest go
 * first), so a script that starts a million logins cannot grow the sandbox without bound.
 */

export type Payload = Record<string, unknown> & { grantId?: unknown; userCode?: unknown; uid?: unknown };

interface Entry {
  model: string;
  id: string;
  payload: Payload;
  /** Epoch ms; undefined: no expiry given. */
  expiresAt: number | undefined;
}

/** The models whose entries belong to a grant (the provider's own memory adapter lists the same). */
const GRANTABLE = new Set([
  'AccessToken',
  'AuthorizationCode',
  'RefreshToken',
  'DeviceCode',
  'BackchannelAuthenticationRequest',
  'PreAuthorizedCode',
]);

export const DEFAULT_MAX_ENTRIES = 10_000;

export interface AdapterInstance {
  upsert(id: string, payload: Payload, expiresIn?: number): Promise<void>;
  find(id: string): Promise<Payload | undefined>;
  findByUid(uid: string): Promise<Payload | undefined>;
  findByUserCode(userCode: string): Promise<Payload | undefined>;
  consume(id: string): Promise<void>;
  destroy(id: string): Promise<void>;
  revokeByGrantId(grantId: string): Promise<void>;
}

/** The `adapter` configuration value: a factory oidc-provider calls once per model name. */
export function memoryAdapter(
  clock: Clock,
  maxEntries = DEFAULT_MAX_ENTRIES,
): (model: string) => AdapterInstance {
  const store = new MemoryStore(clock, maxEntries);
  return (model) => ({
    upsert: async (id, payload, expiresIn) => store.upsert(model, id, payload, expiresIn),
    find: async (id) => store.find(model, id),
    findByUid: async (uid) => store.findByIndex(model, 'uid', uid),
    findByUserCode: async (userCode) => store.findByIndex(model, 'userCode', userCode),
    consume: async (id) => store.consume(model, id),
    destroy: async (id) => store.destroy(model, id),
    revokeByGrantId: async (grantId) => store.revokeGrant(grantId),
  });
}

class MemoryStore {
  /** model:id → entry, in insertion order (the oldest first, for eviction). */
  readonly #entries = new Map<string, Entry>();
  /** model:uid:<uid> / model:userCode:<code> → id. */
  readonly #index = new Map<string, string>();
  /** grantId → the keys of its entries. */
  readonly #grants = new Map<string, Set<string>>();

  constructor(
    readonly clock: Clock,
    readonly maxEntries: number,
  ) {}

  upsert(model: string, id: string, payload: Payload, expiresIn: number | undefined): void {
    const key = `${model}:${id}`;
    this.#remove(key);
    const expiresAt = typeof expiresIn === 'number' ? this.clock.now() + expiresIn * 1000 : undefined;
    this.#entries.set(key, { model, id, payload, expiresAt });
    if (model === 'Session' && typeof payload.uid === 'string')
      this.#index.set(`${model}:uid:${payload.uid}`, id);
    if (typeof payload.userCode === 'string') this.#index.set(`${model}:userCode:${payload.userCode}`, id);
    if (GRANTABLE.has(model) && typeof payload.grantId === 'string') {
      let members = this.#grants.get(payload.grantId);
      if (!members) this.#grants.set(payload.grantId, (members = new Set()));
      members.add(key);
    }
    if (this.#entries.size > this.maxEntries) this.#evict();
  }

  find(model: string, id: string): Payload | undefined {
    const key = `${model}:${id}`;
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt !== undefined && entry.expiresAt <= this.clock.now()) {
      this.#remove(key);
      return undefined;
    }
    return entry.payload;
  }

  findByIndex(model: string, index: 'uid' | 'userCode', value: string): Payload | undefined {
    const id = this.#index.get(`${model}:${index}:${value}`);
    return id === undefined ? undefined : this.find(model, id);
  }

  consume(model: string, id: string): void {
    const payload = this.find(model, id);
    if (payload) payload.consumed = Math.floor(this.clock.now() / 1000);
  }

  destroy(model: string, id: string): void {
    this.#remove(`${model}:${id}`);
  }

  revokeGrant(grantId: string): void {
    for (const key of [...(this.#grants.get(grantId) ?? [])]) this.#remove(key);
    this.#grants.delete(grantId);
  }

  #remove(key: string): void {
    const entry = this.#entries.get(key);
    if (!entry) return;
    this.#entries.delete(key);
    const { model, id, payload } = entry;
    for (const name of ['uid', 'userCode'] as const) {
      const value = payload[name];
      const indexKey = `${model}:${name}:${String(value)}`;
      if (typeof value === 'string' && this.#index.get(indexKey) === id) this.#index.delete(indexKey);
    }
    if (typeof payload.grantId === 'string') {
      const members = this.#grants.get(payload.grantId);
      members?.delete(key);
      if (members?.size === 0) this.#grants.delete(payload.grantId);
    }
  }

  /**
   * Expired entries first; then the oldest (a Map iterates in insertion order), down to 90% of the bound so that
   * the sweep runs once per tenth of the bound, not on every insert of a full store.
   */
  #evict(): void {
    const now = this.clock.now();
    for (const [key, entry] of this.#entries) {
      if (entry.expiresAt !== undefined && entry.expiresAt <= now) this.#remove(key);
    }
    if (this.#entries.size <= this.maxEntries) return;
    const target = this.maxEntries - Math.floor(this.maxEntries / 10);
    for (const key of this.#entries.keys()) {
      if (this.#entries.size <= target) break;
      this.#remove(key);
    }
  }
}
