import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasStackTrace, runBin, tempDir } from '../../helpers/cli.js';
import { ensureBuilt, makeKeyFiles, type KeyFiles } from './fixtures.js';

/** The jwt verbs through the built binary, the way users and scripts run them. */
let k: KeyFiles;
let cleanup: () => void;
beforeAll(() => {
  ensureBuilt();
  const t = tempDir('apikit-jwt-bin-');
  cleanup = t.cleanup;
  k = makeKeyFiles(t.dir);
});
afterAll(() => cleanup());

describe('apikit jwt (built binary)', () => {
  it('mint | verify, and mint | decode --json | mint --from-json | verify', async () => {
    const minted = await runBin(['jwt', 'mint', '--key', k.priv.ec256, '--sub', 'alice', '--aud', 'api']);
    expect(minted.code).toBe(0);
    expect(minted.stdout).toMatch(/^eyJ[\w-]+\.[\w-]+\.[\w-]+\n$/);
    const verified = await runBin(['jwt', 'verify', '--key', k.pub.ec256, '--aud', 'api'], {
      stdin: minted.stdout,
    });
    expect(verified.code).toBe(0);
    expect(verified.stdout).toMatch(/^valid: ES256 signature/);
    const decoded = await runBin(['jwt', 'decode', '--json'], {
      stdin: `Authorization: Bearer ${minted.stdout}`,
    });
    expect(decoded.code).toBe(0);
    expect(decoded.stderr).toMatch(/signature not verified/);
    const again = await runBin(['jwt', 'mint', '--key', k.hs256, '--from-json', '-'], {
      stdin: decoded.stdout,
    });
    expect(again.code).toBe(0);
    const v2 = await runBin([
      'jwt',
      'verify',
      again.stdout.trim(),
      '--secret-file',
      k.hs256,
      '--aud',
      'api',
      '--json',
    ]);
    expect(JSON.parse(v2.stdout)).toMatchObject({
      valid: true,
      code: 'valid',
      payload: { sub: 'alice', aud: 'api' },
    });
  });

  it('exit codes: 1 invalid, 2 bad input, and never a stack trace', async () => {
    const expired = await runBin(['jwt', 'mint', '--key', k.priv.ec256, '--exp', '-1m']);
    const invalid = await runBin(['jwt', 'verify', expired.stdout.trim(), '--key', k.pub.ec256]);
    expect(invalid.code).toBe(1);
    // The binary runs on the real clock: a second may pass between minting and verifying.
    expect(invalid.stdout).toMatch(/^invalid: expired 1m(?:[1-9]s)? ago\n$/);
    for (const argv of [
      ['jwt', 'decode', 'nope'],
      ['jwt', 'mint', '--key', k.short],
      ['jwt', 'verify', 'a.b.c', '--key', '/missing'],
    ]) {
      const r = await runBin(argv);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^error: /);
      expect(hasStackTrace(r.stderr)).toBe(false);
    }
  });

  it('--help ends with examples for every verb', async () => {
    for (const verb of ['mint', 'decode', 'verify', 'crack']) {
      const r = await runBin(['jwt', verb, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/Examples:\n\s+\$ apikit jwt /);
    }
  });
});
