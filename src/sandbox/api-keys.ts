import { join } from 'node:path';
import { generateApiKey, hashApiKey } from '../lib/apikey.js';
import type { ApiKeyRecord } from './api/index.js';
import { readOrCreateStateFiles, StateProblem } from './state.js';

/**
 * The sandbox API's one API key, made the way `apikit apikey generate` makes keys: the key itself goes to a 0600
 * file for the user (`api-key`), and the API is given only its SHA-256 hash (`api-keys.json`, the "database").
 * Both are made together, once, like every state file (state.ts), and reused on every restart with the same
 * config directory.
 */
export const API_KEY_FILE = 'api-key';
export const API_KEY_STORE = 'api-keys.json';
export const SANDBOX_KEY_PREFIX = 'ak_test';
export const SANDBOX_KEY_SCOPES: readonly string[] = ['read:posts', 'write:posts'];

export interface SandboxApiKeys {
  /** Path of the 0600 file that holds the key. */
  keyFile: string;
  records: ApiKeyRecord[];
}

export async function ensureApiKeys(stateDir: string): Promise<SandboxApiKeys> {
  const keyFile = join(stateDir, API_KEY_FILE);
  const storeFile = join(stateDir, API_KEY_STORE);
  const records = await readOrCreateStateFiles(
    [storeFile, keyFile],
    async () => {
      const key = generateApiKey(SANDBOX_KEY_PREFIX);
      const made: ApiKeyRecord[] = [
        { id: 'sandbox-key-1', hash: hashApiKey(key), scopes: [...SANDBOX_KEY_SCOPES] },
      ];
      return [
        { path: storeFile, data: `${JSON.stringify({ keys: made }, null, 2)}\n`, mode: 0o600 },
        { path: keyFile, data: `${key}\n`, mode: 0o600 },
      ];
    },
    ([store]) => parseStore(store!),
  );
  return { keyFile, records };
}

function parseStore(bytes: Buffer): ApiKeyRecord[] {
  let doc: unknown;
  try {
    doc = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new StateProblem('not JSON');
  }
  const keys = (doc as { keys?: unknown })?.keys;
  if (!Array.isArray(keys) || keys.length === 0) throw new StateProblem('no "keys" list');
  return keys.map((k: unknown) => {
    const r = k as Partial<ApiKeyRecord>;
    if (typeof r?.id !== 'string' || typeof r.hash !== 'string' || !/^sha256:[0-9a-f]{64}$/.test(r.hash)) {
      throw new StateProblem('a key without an id or a sha256: hash');
    }
    const scopes = Array.isArray(r.scopes) ? r.scopes.filter((s): s is string => typeof s === 'string') : [];
    return { id: r.id, hash: r.hash, scopes };
  });
}
