import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError } from '../errors.js';
import { writeFilesAtomic } from '../files/atomic-write.js';
import { generateApiKey, hashApiKey } from '../lib/apikey.js';
import type { ApiKeyRecord } from './api/index.js';

/**
 * The sandbox API's one API key, made the way `apikit apikey generate` makes keys: the key itself goes to a 0600
 * file for the user (`api-key`), and the API is given only its SHA-256 hash (`api-keys.json`, the "database").
 * Both are written once, together, and reused on every restart with the same config directory.
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
  const existing = await readStore(storeFile);
  if (existing) return { keyFile, records: existing };
  const key = generateApiKey(SANDBOX_KEY_PREFIX);
  const records: ApiKeyRecord[] = [
    { id: 'sandbox-key-1', hash: hashApiKey(key), scopes: [...SANDBOX_KEY_SCOPES] },
  ];
  try {
    await writeFilesAtomic([
      { path: keyFile, data: `${key}\n`, mode: 0o600 },
      { path: storeFile, data: `${JSON.stringify({ keys: records }, null, 2)}\n`, mode: 0o600 },
    ]);
  } catch (err) {
    // Another sandbox with the same config directory wrote them first: use its key.
    const raced = await readStore(storeFile);
    if (raced) return { keyFile, records: raced };
    throw err;
  }
  return { keyFile, records };
}

async function readStore(file: string): Promise<ApiKeyRecord[] | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as { code?: string }).code === 'ENOENT') return undefined;
    throw new InputError(
      `cannot read the sandbox's API keys "${file}": ${(err as Error).message}`,
      'ERR_SANDBOX_STATE',
    );
  }
  const broken = (): InputError =>
    new InputError(`the sandbox's API key store "${file}" is damaged`, 'ERR_SANDBOX_STATE', {
      hint: `remove it and ${API_KEY_FILE} beside it; the next start makes a new key`,
    });
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw broken();
  }
  const keys = (doc as { keys?: unknown })?.keys;
  if (!Array.isArray(keys) || keys.length === 0) throw broken();
  return keys.map((k: unknown) => {
    const r = k as Partial<ApiKeyRecord>;
    if (typeof r?.id !== 'string' || typeof r.hash !== 'string' || !/^sha256:[0-9a-f]{64}$/.test(r.hash)) {
      throw broken();
    }
    const scopes = Array.isArray(r.scopes) ? r.scopes.filter((s): s is string => typeof s === 'string') : [];
    return { id: r.id, hash: r.hash, scopes };
  });
}
