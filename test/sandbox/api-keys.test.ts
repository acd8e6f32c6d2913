import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkApiKey, hashApiKey } from '../../src/lib/apikey.js';
import { ensureApiKeys } from '../../src/sandbox/api-keys.js';
import { tempDir } from '../helpers/cli.js';

const dirs: Array<() => void> = [];
afterAll(() => dirs.forEach((c) => c()));
const fresh = (): string => {
  const t = tempDir('apikit-api-keys-');
  dirs.push(t.cleanup);
  return t.dir;
};

describe('the sandbox API key (ensureApiKeys)', () => {
  it('made once: a well-formed key in a 0600 file, only its hash in the store; the same on the next start', async () => {
    const dir = fresh();
    const first = await ensureApiKeys(dir);
    const key = readFileSync(first.keyFile, 'utf8').trim();
    expect(checkApiKey(key)).toEqual({ ok: true, prefix: 'ak_test' });
    expect(first.records).toEqual([
      { id: 'sandbox-key-1', hash: hashApiKey(key), scopes: ['read:posts', 'write:posts'] },
    ]);
    expect(readFileSync(join(dir, 'api-keys.json'), 'utf8')).not.toContain(key);
    for (const f of [first.keyFile, join(dir, 'api-keys.json')]) expect(statSync(f).mode & 0o777).toBe(0o600);
    expect(await ensureApiKeys(dir)).toEqual(first);
  });

  it('a damaged store is one error naming the file (exit 2), and the file is left as it was', async () => {
    const dir = fresh();
    await ensureApiKeys(dir);
    writeFileSync(join(dir, 'api-keys.json'), '{"keys": [{"id": 1}]}');
    const err = await ensureApiKeys(dir).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ERR_SANDBOX_STATE', exitCode: 2 });
    expect(String((err as Error).message)).toMatch(/api-keys\.json/);
    expect(readFileSync(join(dir, 'api-keys.json'), 'utf8')).toBe('{"keys": [{"id": 1}]}');
  });
});
